"""Button data: typed families pack and unpack themselves within 64 bytes; forgeries fail."""

from __future__ import annotations

import dataclasses
import enum
import importlib
import pkgutil
import re
import typing

import pytest

from chat.callbacks import (
    CALLBACK_LIMIT,
    FAMILIES,
    SCHEMA,
    Callback,
    CallbackData,
    flow_pattern,
    make,
    parse,
)
from storage.workshops import new_invite_code

CODE = "AbCdEfGhIjKlMnOpQr_-09"  # 22 characters, like new_invite_code()

# The longest plausible argument for each pattern in SCHEMA.
LONGEST = {
    r"take_part|updates|quote": "take_part",
    r"[A-Za-z0-9_-]{16,40}": CODE,
    r"[0-9]{1,3}": "999",
    r"[0-9]{1,2}": "99",
    r"[0-9]{1,12}": "999999999999",
}


def longest_args(flow: str, action: str) -> list[str]:
    return [LONGEST[p] for p in SCHEMA[(flow, action)]]


@pytest.mark.parametrize(
    ("flow", "action", "args"),
    [
        ("cons", "yes", ("take_part", CODE)),
        ("cons", "no", ("quote", CODE)),
        ("cons", "more", (CODE,)),
        ("wm", "skip", (0,)),
        ("wm", "pick", (12, 4)),
        ("wm", "sup", (3, 0)),
        ("rv", "change", (5,)),
        ("rv", "submit", ()),
        ("sh", "pick", (123456789012,)),
        ("sh", "done", ()),
        ("fg", "yes", (7,)),
        ("fg", "no", ()),
    ],
)
def test_make_round_trips_through_parse(flow: str, action: str, args: tuple[object, ...]) -> None:
    data = make(flow, action, *args)
    assert data == ":".join([flow, action, *(str(a) for a in args)])
    parsed = parse(data)
    assert parsed == Callback(flow, action, tuple(str(a) for a in args))


def test_int_arg_reads_numbers() -> None:
    parsed = parse(make("wm", "pick", 12, 4))
    assert parsed is not None
    assert parsed.int_arg(0) == 12
    assert parsed.int_arg(1) == 4


@pytest.mark.parametrize(("flow", "action"), sorted(SCHEMA))
def test_every_schema_entry_fits_with_its_longest_args(flow: str, action: str) -> None:
    args = longest_args(flow, action)
    data = make(flow, action, *args)
    assert len(data.encode("utf-8")) <= CALLBACK_LIMIT
    assert parse(data) == Callback(flow, action, tuple(args))


def test_real_invite_codes_fit_every_consent_button() -> None:
    for _ in range(200):
        code = new_invite_code()
        assert len(code) == 22
        for purpose in ("take_part", "updates", "quote"):
            for answer in ("yes", "no"):
                data = make("cons", answer, purpose, code)
                assert len(data.encode("utf-8")) <= CALLBACK_LIMIT
                assert parse(data) == Callback("cons", answer, (purpose, code))
        assert parse(make("cons", "more", code)) == Callback("cons", "more", (code,))


@pytest.mark.parametrize(
    "data",
    [
        "",
        ":",
        "::",
        "wm",
        "wm:",
        "xx:skip:1",  # unknown flow
        "WM:skip:1",  # flows are case-sensitive
        "wm:jump:1",  # unknown action
        "wm:skip",  # too few args
        "wm:skip:1:2",  # too many args
        "wm:pick:1",
        "rv:submit:1",
        "wm:skip:",  # an empty arg
        "wm:skip:-1",  # non-digit positions
        "wm:skip:+1",
        "wm:skip:1.0",
        "wm:skip:x",
        "wm:skip: 1",
        "wm:skip:1 ",
        "wm:skip:1000",  # positions have at most three digits
        "wm:pick:1:100",
        "sh:pick:1234567890123",
        "cons:yes:marketing:" + CODE,
        "cons:yes:take_part:short",
        "cons:yes:take_part:" + "A" * 41,
        "cons:more:" + CODE[:-1] + "!",
        "cons:more:" + CODE[:-1] + "é",  # unicode in a code
        "wm:skip:¹",  # a unicode superscript digit
        "wm:skip:1" + "\u200b",  # a zero-width space
        "fg:yes:" + "1" * 60,  # over 64 bytes
        "cons:yes:take_part:" + "A" * 40 + "x" * 10,
    ],
)
def test_parse_rejects_malformed_data(data: str) -> None:
    assert parse(data) is None


def test_the_longest_consent_button_is_well_under_the_limit() -> None:
    data = "cons:yes:take_part:" + "A" * 40  # the longest code the pattern allows
    assert len(data.encode("utf-8")) == 59
    assert parse(data) == Callback("cons", "yes", ("take_part", "A" * 40))


@pytest.mark.parametrize("data", [None, 1, 1.5, b"wm:skip:1", ["wm", "skip", "1"], object()])
def test_parse_rejects_non_strings(data: object) -> None:
    assert parse(data) is None


def test_parse_rejects_non_ascii_digits() -> None:
    assert parse("wm:skip:١٢") is None  # ARABIC-INDIC DIGIT ONE, TWO


def test_parse_rejects_a_trailing_newline() -> None:
    assert parse("wm:skip:1\n") is None


@pytest.mark.parametrize(
    ("flow", "action", "args"),
    [
        ("wm", "skip", ()),
        ("wm", "skip", (1000,)),
        ("xx", "skip", (1,)),
        ("cons", "more", ("a:b" + "c" * 20,)),
        ("cons", "yes", ("take_part", "A" * 40 + "B")),
        ("sh", "pick", (-1,)),
    ],
)
def test_make_refuses_what_parse_would_not_accept(
    flow: str, action: str, args: tuple[object, ...]
) -> None:
    with pytest.raises(ValueError, match="invalid callback data"):
        make(flow, action, *args)


def test_flow_pattern_routes_only_its_own_flow() -> None:
    pattern = flow_pattern("wm")
    assert pattern.match("wm:skip:1")
    assert not pattern.match("wmx:skip:1")
    assert not pattern.match("rv:change:1")
    assert not pattern.match("xwm:skip:1")


def _longest(kind: object, pattern: str) -> object:
    if kind is bool:
        return True
    if kind is int:
        return 10**12 - 1
    if isinstance(kind, type) and issubclass(kind, enum.StrEnum):
        return max(kind, key=lambda member: len(member.value))
    compiled = re.compile(pattern)
    return next("a" * n for n in range(64, 0, -1) if compiled.fullmatch("a" * n))


def _longest_of(family: type[CallbackData]) -> CallbackData:
    hints = typing.get_type_hints(family)
    values = {
        f.name: _longest(hints[f.name], f.metadata.get("pattern", r"[A-Za-z0-9_-]{1,40}"))
        for f in dataclasses.fields(family)  # type: ignore[arg-type]
    }
    return family(**values)


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
    data = _longest_of(family).pack()
    owners = [other for other in FAMILIES.values() if other.unpack(data) is not None]
    assert owners == [family]


@pytest.mark.parametrize(
    "data", [None, 7, "", ":", "wm", "wm:skip", "wm:skip:", "wm:skip:-1", "x" * 65, "é:é"]
)
def test_forged_data_belongs_to_no_family(data: object) -> None:
    _all_families()
    assert [f for f in FAMILIES.values() if f.unpack(data) is not None] == []
