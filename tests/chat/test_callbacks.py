"""Button data: typed families pack and unpack themselves within 64 bytes; forgeries fail."""

from __future__ import annotations

import dataclasses
import enum
import importlib
import pkgutil
import re
import typing

import pytest

from chat.callbacks import CALLBACK_LIMIT, FAMILIES, CallbackData
from chat.callbacks.journey import (
    ConsentDecision,
    ConsentNext,
    ConsentStep,
    Decision,
    PickOf,
    QuestionAction,
    QuestionMove,
    QuestionPick,
    ShareFor,
)
from chat.screens import consent_buttons, consent_text, text_version
from domain.texts import texts
from storage.kinds import Purpose
from storage.workshops import new_invite_code
from tests.domain.test_texts import evil_workshop

CODE = "AbCdEfGhIjKlMnOpQr_-09"  # 22 characters, like new_invite_code()


def test_real_invite_codes_fit_every_consent_button() -> None:
    for _ in range(200):
        code = new_invite_code()
        assert len(code) == 22
        for purpose in Purpose:
            for decision in Decision:
                button = ConsentDecision(decision, purpose, code, "Ab_9")
                data = button.pack()
                assert len(data.encode("utf-8")) <= CALLBACK_LIMIT
                assert ConsentDecision.unpack(data) == button
        for step in ConsentStep:
            assert ConsentNext.unpack(ConsentNext(step, code).pack()) == ConsentNext(step, code)


@pytest.mark.parametrize(
    "data",
    [
        "",
        ":",
        "::",
        "fw",
        "fw:",
        "xx:views:1",  # unknown flow
        "FW:views:1",  # flows are case-sensitive
        "fw:jump:1",  # unknown action
        "fw:views",  # too few args
        "fw:views:1:2",  # too many args
        "we:level:1",
        "ac:save:1",
        "fw:views:",  # an empty arg
        "fw:views:-1",  # non-digit ids
        "fw:views:+1",
        "fw:views:1.0",
        "fw:views:x",
        "fw:views: 1",
        "fw:views:1 ",
        "fw:views:12345678901234567",  # ids have at most sixteen digits
        "we:level:1:100",
        "vw:page:1:marketing:0",
        "fw:views:¹",  # a unicode superscript digit
        "fw:views:1" + "\u200b",  # a zero-width space
        "up:cancel:" + "1" * 60,  # over 64 bytes
    ],
)
def test_facilitator_buttons_reject_malformed_data(data: str) -> None:
    _all_families()
    assert [f for f in FAMILIES.values() if f.unpack(data) is not None] == []


@pytest.mark.parametrize(
    "data",
    [
        "wm",
        "wm:",
        "xx:skip:1",  # unknown prefix
        "WM:skip:1",  # prefixes are case-sensitive
        "wm:jump:1",  # unknown action
        "wm:skip",  # too few fields
        "wm:skip:1:2",  # too many fields
        "wm:pick:answer:1",
        "rv:submit:1",
        "wm:skip:",  # an empty field
        "wm:skip:-1",  # non-digit positions
        "wm:skip:+1",
        "wm:skip:1.0",
        "wm:skip:x",
        "wm:skip: 1",
        "wm:skip:1 ",
        "wm:pick:answer:1:10000000000000000",  # numbers have at most sixteen digits
        "sh:pick:12345678901234567",
        "cons:yes:marketing:" + CODE,
        "cons:yes:take_part:short",
        "cons:yes:take_part:" + "A" * 41,
        "cons:yes:take_part:" + CODE,  # from before the words had a version
        "cons:yes:take_part:" + CODE + ":Ab_",
        "cons:yes:take_part:" + CODE + ":Ab_9x",
        "cons:step:more:" + CODE[:-1] + "!",
        "cons:step:more:" + CODE[:-1] + "é",  # unicode in a code
        "wm:skip:¹",  # a unicode superscript digit
        "wm:skip:1" + "\u200b",  # a zero-width space
        "wm:skip:١٢",  # ARABIC-INDIC DIGIT ONE, TWO
        "wm:skip:1\n",  # a trailing newline
        "fg:yes:" + "1" * 60,  # over 64 bytes
        "cons:yes:take_part:" + "A" * 40 + "x" * 10,
    ],
)
def test_participant_buttons_reject_malformed_data(data: str) -> None:
    _all_families()
    assert [f for f in FAMILIES.values() if f.unpack(data) is not None] == []


def test_the_longest_consent_button_is_well_under_the_limit() -> None:
    # the longest code, and the version of the words shown
    button = ConsentDecision(Decision.YES, Purpose.TAKE_PART, "A" * 36, "Ab_9")
    data = button.pack()
    assert data == "cons:yes:take_part:" + "A" * 36 + ":Ab_9"
    assert len(data.encode("utf-8")) == 60
    assert ConsentDecision.unpack(data) == button


def test_a_consent_button_carries_the_version_of_its_words() -> None:
    t = texts()
    workshop = evil_workshop()
    html = consent_text(t, Purpose.TAKE_PART, workshop)
    rows = consent_buttons(t, Purpose.TAKE_PART, workshop)
    decisions = [ConsentDecision.unpack(data) for row in rows for _label, data in row]
    versions = {d.version for d in decisions if d is not None}
    assert versions == {text_version(html)}
    assert text_version(html + " ") != text_version(html)


@pytest.mark.parametrize("data", [None, 1, 1.5, b"fw:views:1", ["fw", "views", "1"], object()])
def test_no_family_accepts_non_strings(data: object) -> None:
    _all_families()
    assert [f for f in FAMILIES.values() if f.unpack(data) is not None] == []


@pytest.mark.parametrize(
    "button",
    [
        QuestionMove(QuestionAction.SKIP, -1),
        QuestionPick(PickOf.ANSWER, 1, 10**16),
        ConsentNext(ConsentStep.MORE, "a:b" + "c" * 20),
        ConsentDecision(Decision.YES, Purpose.TAKE_PART, "A" * 37, "Ab_9"),
        ConsentDecision(Decision.YES, Purpose.TAKE_PART, "A" * 22, "Ab_"),
        ShareFor(-1),
    ],
)
def test_pack_refuses_what_unpack_would_not_accept(button: CallbackData) -> None:
    with pytest.raises(ValueError, match="cannot be packed"):
        button.pack()


def _longest(kind: object, pattern: str) -> object:
    if kind is bool:
        return True
    if kind is int:
        return 10**16 - 1
    if isinstance(kind, type) and issubclass(kind, enum.StrEnum):
        return max(kind, key=lambda member: len(member.value))
    compiled = re.compile(pattern)
    return next("a" * n for n in range(64, 0, -1) if compiled.fullmatch("a" * n))


def _longest_of(family: type[CallbackData]) -> CallbackData:
    hints = typing.get_type_hints(family)
    values = {
        f.name: _longest(hints[f.name], f.metadata.get("pattern", r"[A-Za-z0-9_-]{1,40}"))
        for f in dataclasses.fields(family)
    }
    return family(**values)


def _every_member_of(family: type[CallbackData]) -> list[CallbackData]:
    """The family at its longest, and then with each member of each enum field in turn."""
    longest = _longest_of(family)
    hints = typing.get_type_hints(family)
    found = [longest]
    for f in dataclasses.fields(family):
        kind = hints[f.name]
        if isinstance(kind, type) and issubclass(kind, enum.StrEnum):
            found += [dataclasses.replace(longest, **{f.name: member}) for member in kind]
    return found


def _all_families() -> list[type[CallbackData]]:
    # Families register themselves when their module is imported.
    import chat.callbacks

    for module in pkgutil.iter_modules(chat.callbacks.__path__):
        importlib.import_module(f"chat.callbacks.{module.name}")
    return list(FAMILIES.values())


@pytest.mark.parametrize("family", _all_families(), ids=lambda f: f.__name__)
def test_every_family_round_trips_within_64_bytes_at_its_longest(
    family: type[CallbackData],
) -> None:
    button = _longest_of(family)
    data = button.pack()
    assert len(data.encode("utf-8")) <= CALLBACK_LIMIT
    assert family.unpack(data) == button
    assert family.pattern()(data)


@pytest.mark.parametrize("family", _all_families(), ids=lambda f: f.__name__)
def test_a_button_belongs_to_one_family_only(family: type[CallbackData]) -> None:
    for button in _every_member_of(family):
        data = button.pack()
        owners = [other for other in FAMILIES.values() if other.unpack(data) is not None]
        assert owners == [family], data


def test_a_telegram_user_id_of_sixteen_digits_fits() -> None:
    from chat.callbacks.facilitator import RemoveFacilitator

    button = RemoveFacilitator(10**12, 10**16 - 1)
    assert RemoveFacilitator.unpack(button.pack()) == button


@pytest.mark.parametrize(
    "data", [None, 7, "", ":", "wm", "wm:skip", "wm:skip:", "wm:skip:-1", "x" * 65, "é:é"]
)
def test_forged_data_belongs_to_no_family(data: object) -> None:
    _all_families()
    assert [f for f in FAMILIES.values() if f.unpack(data) is not None] == []
