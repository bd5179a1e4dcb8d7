"""Translation catalogs: every shipped language is complete, keeps the English placeholders
and Telegram tags, and every text stays within Telegram's limits in it."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from jinja2.runtime import Macro

from domain.texts import (
    BUTTON_LIMIT,
    CAPTION_LIMIT,
    MESSAGE_LIMIT,
    SOURCE_LANGUAGE,
    best_language,
    language_name,
    languages,
    read_catalog,
    split_message,
    texts,
    unfinished,
)
from tests.domain.test_texts import (
    BUTTON_SECTIONS,
    CASES,
    ESCAPED,
    EVIL,
    LABEL_VALUES,
    assert_telegram_html,
    is_caption,
    message_templates,
    sample_context,
)

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
TAG = re.compile(r"</?[a-z][a-z-]*(?:\s[^<>]*)?>")
TRANSLATED = [code for code in languages() if code != SOURCE_LANGUAGE]


@cache
def extracted() -> dict[tuple[str | None, str], tuple[str, ...]]:
    """Every text the templates mark for translation, as ``pybabel extract`` finds it:
    (context, singular) -> all its English forms."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as file:
        method_map, options_map = parse_mapping_cfg(file)
    found: dict[tuple[str | None, str], tuple[str, ...]] = {}
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map
    ):
        forms = (message,) if isinstance(message, str) else tuple(m for m in message if m)
        found[(context, forms[0])] = forms
    return found


def entries(language: str) -> list[Any]:
    return [m for m in read_catalog(language) if m.id]


def test_polish_is_shipped_and_complete() -> None:
    assert "pl" in TRANSLATED
    assert len(extracted()) >= 600


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_catalog_translates_every_text_and_nothing_else(language: str) -> None:
    assert unfinished(language) == [], "untranslated or fuzzy entries"
    have = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in entries(language)}
    wanted = set(extracted())
    assert sorted(wanted - have, key=str) == [], "texts the catalog lacks: pybabel update"
    assert sorted(have - wanted, key=str) == [], "entries no template uses any more"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_entry_keeps_the_placeholders_and_tags(language: str) -> None:
    for message in entries(language):
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        names = set().union(*(PLACEHOLDER.findall(e) for e in english))
        tags = Counter(TAG.findall(english[0]))
        for string in strings:
            found = set(PLACEHOLDER.findall(string))
            # A plural form may say the number in words ("jedna osoba"), nothing else.
            assert found <= names, (english[0], string)
            assert names - found <= {"num"}, (english[0], string)
            assert Counter(TAG.findall(string)) == tags, (english[0], string)
            # Each is %-formatted: a stray % would break the message when it is shown.
            string % dict.fromkeys(names, 1)


@pytest.mark.parametrize("language", TRANSLATED)
def test_plural_forms_follow_the_language(language: str) -> None:
    catalog = read_catalog(language)
    plurals = [m for m in catalog if m.id and isinstance(m.id, tuple)]
    assert plurals
    assert all(len(m.string) == catalog.num_plurals for m in plurals)
    if language == "pl":
        n_people = texts("pl").label("chart.n_people", n=1)
        assert n_people != texts("pl").label("chart.n_people", n=2)
        assert texts("pl").label("chart.n_people", n=2) != texts("pl").label("chart.n_people", n=5)


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("name", message_templates())
def test_every_message_renders_in_every_language(language: str, name: str) -> None:
    english = texts().render(name, **sample_context(name))
    html = texts(language).render(name, **sample_context(name))
    assert html
    for mark in ("{{", "}}", "{%", "%}", "{#", "#}"):
        assert mark not in html
    assert "&amp;lt;" not in html
    assert EVIL not in html
    assert (ESCAPED in html) == (ESCAPED in english), name
    for part in [html] if len(html) <= MESSAGE_LIMIT else split_message(html):
        assert len(part) <= MESSAGE_LIMIT
        assert_telegram_html(part)
    if is_caption(name):
        assert len(html) <= CAPTION_LIMIT


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_case_renders_in_every_language(language: str) -> None:
    t = texts(language)
    for name, context, _shows in CASES:
        html = t.render(name, **context)
        assert len(html) <= MESSAGE_LIMIT or split_message(html), name
        assert_telegram_html(html)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_label_fits_in_every_language(language: str) -> None:
    t = texts(language)
    for key in t.label_keys():
        section = key.split(".")[0]
        value = t._lookup(key)
        if isinstance(value, list):
            shown = t.labels(key)
        elif isinstance(value, Macro):
            shown = [t.label(key, **{n: LABEL_VALUES[n] for n in value.arguments})]
        else:
            shown = [t.label(key)]
        limit = (
            BUTTON_LIMIT
            if section in BUTTON_SECTIONS
            else 256
            if section == "commands"
            else MESSAGE_LIMIT
        )
        for text in shown:
            assert text, key
            assert len(text) <= limit, (key, text)
            assert not TAG.search(text), (key, text)


def test_a_label_in_polish_is_polish() -> None:
    assert texts("pl").label("buttons.skip") != texts().label("buttons.skip")
    assert texts("pl").label("buttons.change", n=3).endswith("3")
    # Without values, a pattern for code that fills it in itself, in either language.
    assert "{n}" in texts("pl").label("buttons.change")


def test_telegram_language_codes_find_their_catalog() -> None:
    assert best_language("pl") == "pl"
    assert best_language("pl-PL") == "pl"
    assert best_language("PL_pl") == "pl"
    assert best_language("en-GB") == "en"
    assert best_language("xx") is None
    assert best_language(None) is None
    assert best_language("") is None


def test_each_language_is_named_in_itself() -> None:
    assert language_name("pl") == "Polski"
    assert language_name("en") == "English"
    assert language_name("zz-unknown") == "zz-unknown"


def test_an_unknown_language_gets_the_source_language() -> None:
    assert texts("xx") is texts(SOURCE_LANGUAGE)


def test_dates_are_written_in_the_language() -> None:
    stamp = "2026-12-03T14:00:00+00:00"
    assert texts().env.filters["local_when"](stamp, "Europe/London") == (
        "Thursday 3 December at 14:00"
    )
    polish = texts("pl").env.filters["local_when"](stamp, "Europe/London")
    assert "grudnia" in polish
    assert "14:00" in polish


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_catalog_says_who_has_reviewed_it(language: str) -> None:
    header = read_catalog(language).header_comment
    assert "Review status:" in header


def test_a_regional_catalog_is_found_for_a_regional_phone() -> None:
    from chat.callbacks.language import PickLanguage

    available = ("en", "pt_BR", "pl")
    assert best_language("pt-br", available) == "pt_BR"
    assert best_language("pt-BR", available) == "pt_BR"
    assert best_language("pt-pt", ("en", "pt")) == "pt"  # the main language, when there
    assert best_language("pt", available) is None
    assert PickLanguage.unpack(PickLanguage("pt_BR").pack()) == PickLanguage("pt_BR")
