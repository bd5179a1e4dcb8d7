"""A workshop file in more than one language: complete translations are kept, incomplete
ones are left out and say what they lack, and each reader gets the workshop in theirs."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.translations import question_in, questions_in, workshop_in
from domain.workshop_file import WorkshopFileError, load_workshop_file
from storage import Storage
from tests.domain.test_workshop_file import HEADER, load_error, write

QUESTIONS = """
[[questions]]
key = "free"
prompt = "What matters to you?"
hint = "Anything at all"

[questions.translations.pl]
prompt = "Co jest dla ciebie ważne?"
hint = "Cokolwiek"

[[questions]]
key = "mode"
kind = "choice"
prompt = "How do you travel?"
options = ["Bus", "Car", "Walk"]

[questions.translations.pl]
prompt = "Jak podróżujesz?"
options = ["Autobusem", "Samochodem", "Pieszo"]
"""

POLISH = """
[translations.pl]
title = "Autobusy"
purpose = "Niech autobusy działają dla ludzi"
can_change = ["rozkłady jazdy"]
cannot_change = ["ceny biletów"]
who_decides = "Zarząd transportu"
decide_by = "1 maja 2027"
hear_back = "Napiszemy do ciebie"
"""


def test_a_complete_translation_is_kept_and_read_in_its_language(tmp_path: Path) -> None:
    new = load_workshop_file(write(tmp_path, HEADER + POLISH + QUESTIONS))
    assert new.language == "en"
    assert set(new.translations) == {"pl"}
    assert new.left_out == {}
    assert new.questions[1].translations["pl"]["options"] == ["Autobusem", "Samochodem", "Pieszo"]


async def test_a_stored_workshop_is_shown_in_the_readers_language(
    tmp_path: Path, fresh_storage: Storage
) -> None:
    stored = await fresh_storage.workshops.create(
        load_workshop_file(write(tmp_path, HEADER + POLISH + QUESTIONS))
    )
    assert stored.languages == ("en", "pl")
    polish = workshop_in(stored, "pl")
    assert polish.title == "Autobusy"
    assert polish.can_change == ("rozkłady jazdy",)
    assert polish.invite_code == stored.invite_code  # only the words change
    assert workshop_in(stored, "en") == stored
    assert workshop_in(stored, "gd") == stored  # no such translation: as written
    questions = await fresh_storage.workshops.questions(stored.id)
    asked = questions_in(questions, "pl")
    assert [q.prompt for q in asked] == ["Co jest dla ciebie ważne?", "Jak podróżujesz?"]
    assert asked[1].options == ("Autobusem", "Samochodem", "Pieszo")
    assert question_in(questions[0], "en") == questions[0]


def test_an_incomplete_translation_is_left_out_and_says_what_it_lacks(tmp_path: Path) -> None:
    half = POLISH.replace('hear_back = "Napiszemy do ciebie"\n', "")
    lacking_hint = QUESTIONS.replace('hint = "Cokolwiek"\n', "")
    new = load_workshop_file(write(tmp_path, HEADER + half + lacking_hint))
    assert new.translations == {}
    assert all(q.translations == {} for q in new.questions)
    assert new.left_out == {"pl": ("hear_back", "question free: hint")}


def test_a_translation_with_the_wrong_number_of_options_is_left_out(tmp_path: Path) -> None:
    two = QUESTIONS.replace('["Autobusem", "Samochodem", "Pieszo"]', '["Autobusem", "Pieszo"]')
    new = load_workshop_file(write(tmp_path, HEADER + POLISH + two))
    assert new.translations == {}
    assert new.left_out == {"pl": ("question mode: options",)}


def test_a_language_only_some_questions_have_is_left_out(tmp_path: Path) -> None:
    new = load_workshop_file(write(tmp_path, HEADER + QUESTIONS))  # no [translations.pl]
    assert new.translations == {}
    assert "title" in new.left_out["pl"]


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ('[translations.pl]\ntitel = "x"\n', "[translations.pl], field 'titel': unknown field"),
        ('[translations.xx1]\ntitle = "x"\n', "a language code such as"),
        ('[translations.pl]\ncan_change = "one"\n', "field 'can_change': a list of texts"),
        ('[translations.pl]\ntitle = ""\n', "field 'title': some text"),
        ('language = "english"\n', "field 'language': a language code"),
    ],
)
def test_a_bad_translation_is_refused_naming_the_field(
    tmp_path: Path, extra: str, says: str
) -> None:
    header = extra + HEADER if extra.startswith("language") else HEADER + extra
    assert says in load_error(tmp_path, header + QUESTIONS.split("[questions.translations")[0])


def test_a_question_translation_with_an_unknown_field_is_refused(tmp_path: Path) -> None:
    bad = QUESTIONS.replace('hint = "Cokolwiek"', 'hnit = "Cokolwiek"')
    assert "translations.pl, field 'hnit': unknown field" in load_error(tmp_path, HEADER + bad)


def test_a_workshop_written_in_polish_asks_the_built_in_questions_in_polish(
    tmp_path: Path,
) -> None:
    new = load_workshop_file(write(tmp_path, 'language = "pl"\n' + HEADER))
    assert new.language == "pl"
    assert new.questions[0].prompt == "Co jest dla ciebie ważne?"
    # Nobody asked for English: the set's English is not kept, nor reported as missing.
    assert new.translations == {}
    assert new.left_out == {}
    # Its defaults (ground rules, support contacts) are written in Polish too.
    assert new.ground_rules[0].startswith("Doświadczenie każdej osoby")


def test_the_example_workshop_is_complete_in_polish() -> None:
    new = load_workshop_file(Path(__file__).resolve().parents[2] / "examples/what-matters.toml")
    assert set(new.translations) == {"pl"}
    assert new.left_out == {}
    with pytest.raises(WorkshopFileError):
        load_workshop_file(Path("/nonexistent.toml"))


ABOUT = """
[[about_you]]
key = "age"
prompt = "Your age group?"
options = ["Under 25", "25 to 64", "65 or over"]

[about_you.translations.pl]
prompt = "Twoja grupa wiekowa?"
options = ["Poniżej 25", "25–64", "65 lub więcej"]
"""

SUPPORT = """
[[support]]
name = "Samaritans"
contact = "call 116 123, any time"
"""


def test_about_you_questions_and_support_contacts_are_translated(tmp_path: Path) -> None:
    polish_support = POLISH + (
        'support = [{name = "Samaritans", contact = "zadzwoń pod 116 123, o każdej porze"}]\n'
    )
    new = load_workshop_file(
        write(tmp_path, HEADER + SUPPORT + polish_support + QUESTIONS + ABOUT)
    )
    assert new.left_out == {}
    assert new.about_you[0].translations["pl"]["options"] == [
        "Poniżej 25",
        "25–64",
        "65 lub więcej",
    ]
    assert new.translations["pl"]["support"] == [
        {"name": "Samaritans", "contact": "zadzwoń pod 116 123, o każdej porze"}
    ]


def test_an_about_you_question_not_translated_leaves_the_language_out(tmp_path: Path) -> None:
    untranslated = ABOUT.split("[about_you.translations.pl]")[0]
    new = load_workshop_file(write(tmp_path, HEADER + POLISH + QUESTIONS + untranslated))
    assert new.left_out == {"pl": ("about_you age: prompt", "about_you age: options")}


def test_default_support_contacts_come_in_the_translations_language(tmp_path: Path) -> None:
    new = load_workshop_file(write(tmp_path, HEADER + POLISH + QUESTIONS))
    contacts = new.translations["pl"]["support"]
    assert contacts[0]["name"] == "Samaritans"
    assert contacts[0]["contact"].startswith("zadzwoń pod 116 123")
