"""bot/workshop_file.py: workshop TOML files load, and errors say where and why."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from domain.workshop_fields import FieldError, parse_field
from domain.workshop_file import WorkshopFileError, load_question_set, load_workshop_file
from storage import Storage
from storage.models import SupportContact
from storage.workshops import NewQuestion

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "what-matters.toml"

HEADER = """\
title = "Buses"
purpose = "Make the buses work for people"
engagement_level = "consult"
can_change = ["timetables"]
cannot_change = ["fares"]
who_decides = "The transport board"
decide_by = "1 May 2027"
hear_back = "We will write to you"
"""

QUESTIONS = """
[[questions]]
key = "free"
prompt = "What matters to you?"
hint = "Anything at all"

[[questions]]
key = "mode"
kind = "choice"
prompt = "How do you travel?"
options = ["Bus", "Car", "Walk"]

[[questions]]
key = "rating"
kind = "scale"
prompt = "How good are the buses?"
options = ["awful", "great"]

[[questions]]
key = "rating_plain"
kind = "scale"
prompt = "And the trains?"

[[questions]]
key = "people"
kind = "relationships"
prompt = "Who helps you get there?"
"""


def write(tmp_path: Path, text: str, name: str = "workshop.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, startswith: str) -> int:
    """The 1-based number of the first line starting with ``startswith``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(startswith):
            return number
    raise AssertionError(f"no line starts with {startswith!r}")


def load_error(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(WorkshopFileError) as info:
        load_workshop_file(path)
    return str(info.value)


# ---- files that load -----------------------------------------------------------------------


def test_the_example_loads_with_six_questions() -> None:
    workshop = load_workshop_file(EXAMPLE)
    assert workshop.title == "Getting to appointments: a 100-day lab"
    assert workshop.engagement_level == "co-design"
    assert workshop.timezone == "Europe/London"
    assert workshop.retention_days == 365
    assert len(workshop.can_change) == 3
    assert len(workshop.cannot_change) == 3
    assert len(workshop.ground_rules) == 4
    assert workshop.support[0] == SupportContact(
        "Samaritans", "call 116 123, free, any time, day or night"
    )
    assert len(workshop.support) == 4
    assert len(workshop.questions) == 6
    assert [q.key for q in workshop.questions] == [
        "important_to_you",
        "good_at",
        "outcomes",
        "relationships",
        "future",
        "important_for_you",
    ]
    assert workshop.questions[3].kind == "relationships"
    assert workshop.questions[3].prompt == "Who are your most important relationships?"
    assert {q.kind for i, q in enumerate(workshop.questions) if i != 3} == {"text"}
    # Multi-line strings with line-continuations are joined into one paragraph.
    assert "\n" not in workshop.purpose
    assert workshop.purpose.startswith("Many people in Northfield miss")


def test_built_in_question_set_matches_the_example() -> None:
    assert load_question_set("what-matters") == load_workshop_file(EXAMPLE).questions


def test_unknown_built_in_question_set() -> None:
    with pytest.raises(WorkshopFileError, match=r"question_set: 'nope' is not a built-in set"):
        load_question_set("nope")


def test_custom_questions_of_every_kind_load(tmp_path: Path) -> None:
    workshop = load_workshop_file(write(tmp_path, HEADER + QUESTIONS))
    assert workshop.questions == (
        NewQuestion(
            key="free", kind="text", prompt="What matters to you?", hint="Anything at all"
        ),
        NewQuestion(
            key="mode", kind="choice", prompt="How do you travel?", options=("Bus", "Car", "Walk")
        ),
        NewQuestion(
            key="rating",
            kind="scale",
            prompt="How good are the buses?",
            options=("awful", "great"),
        ),
        NewQuestion(key="rating_plain", kind="scale", prompt="And the trains?"),
        NewQuestion(key="people", kind="relationships", prompt="Who helps you get there?"),
    )


def test_defaults_fill_in_support_ground_rules_and_questions(tmp_path: Path) -> None:
    workshop = load_workshop_file(write(tmp_path, HEADER))
    assert [s.name for s in workshop.support] == ["Samaritans", "NHS 111", "Emergency services"]
    assert len(workshop.ground_rules) == 4
    assert len(workshop.questions) == 6  # what-matters
    assert workshop.retention_days == 365
    assert workshop.timezone == "Europe/London"


def test_text_is_stripped(tmp_path: Path) -> None:
    text = HEADER.replace('title = "Buses"', 'title = "  Buses  "')
    assert load_workshop_file(write(tmp_path, text)).title == "Buses"


# ---- errors that name the field and line ---------------------------------------------------


def test_unknown_field_names_field_and_line(tmp_path: Path) -> None:
    text = HEADER + 'colour = "blue"\n'
    message = load_error(tmp_path, text)
    assert message == "workshop.toml, line 9, field 'colour': unknown field."
    assert line_of(text, "colour") == 9


def test_misspelt_title_is_reported_as_unknown(tmp_path: Path) -> None:
    text = HEADER.replace("title =", "titel =")
    assert load_error(tmp_path, text) == "workshop.toml, line 1, field 'titel': unknown field."


def test_bad_engagement_level_names_field_and_line(tmp_path: Path) -> None:
    text = HEADER.replace('"consult"', '"codesign"')
    message = load_error(tmp_path, text)
    assert message.startswith("workshop.toml, line 3, field 'engagement_level': must be one of")
    assert "inform, consult, co-design, co-produce, community-led" in message


def test_retention_days_as_text(tmp_path: Path) -> None:
    text = HEADER + 'retention_days = "abc"\n'
    message = load_error(tmp_path, text)
    assert message == (
        "workshop.toml, line 9, field 'retention_days': "
        "must be a whole number of days from 1 to 3650."
    )


@pytest.mark.parametrize("value", ["0", "3651", "true", "30.5", "-1"])
def test_retention_days_out_of_range(tmp_path: Path, value: str) -> None:
    message = load_error(tmp_path, HEADER + f"retention_days = {value}\n")
    assert message.startswith("workshop.toml, line 9, field 'retention_days':")


def test_unknown_timezone(tmp_path: Path) -> None:
    message = load_error(tmp_path, HEADER + 'timezone = "Mars/Olympus"\n')
    assert message == "workshop.toml, line 9, field 'timezone': unknown time zone."


def test_choice_with_one_option(tmp_path: Path) -> None:
    text = HEADER + '[[questions]]\nkey = "a"\nkind = "choice"\nprompt = "Pick"\noptions = ["x"]\n'
    message = load_error(tmp_path, text)
    assert message == (
        "workshop.toml, line 13, field 'options' (question 1): a choice needs 2 to 12 options."
    )
    assert line_of(text, "options") == 13


def test_scale_with_three_labels(tmp_path: Path) -> None:
    text = HEADER + QUESTIONS.replace('["awful", "great"]', '["a", "b", "c"]')
    message = load_error(tmp_path, text)
    assert message == (
        "workshop.toml, line 25, field 'options' (question 3):"
        " a scale takes two labels (for 1 and for 5), or none."
    )
    assert line_of(text, 'options = ["a", "b", "c"]') == 25


def test_options_on_a_text_question(tmp_path: Path) -> None:
    text = HEADER + '[[questions]]\nkey = "a"\nprompt = "Tell me"\noptions = ["x", "y"]\n'
    message = load_error(tmp_path, text)
    assert message == (
        "workshop.toml, line 12, field 'options' (question 1): only for choice and scale."
    )
    assert line_of(text, "options") == 12


def test_unknown_question_kind(tmp_path: Path) -> None:
    text = HEADER + '[[questions]]\nkey = "a"\nkind = "essay"\nprompt = "Tell me"\n'
    message = load_error(tmp_path, text)
    assert message.startswith(
        "workshop.toml, line 11, field 'kind' (question 1): must be one of text,"
    )
    assert line_of(text, "kind") == 11


def test_unknown_question_field(tmp_path: Path) -> None:
    text = HEADER + '[[questions]]\nkey = "a"\nprompt = "Tell me"\nrequired = true\n'
    message = load_error(tmp_path, text)
    assert message == "workshop.toml, line 12, field 'required' (question 1): unknown field."
    assert line_of(text, "required") == 12


@pytest.mark.parametrize("key", ["Good_At", "1st", "good-at", "", "a" * 41])
def test_bad_question_key(tmp_path: Path, key: str) -> None:
    text = HEADER + f'[[questions]]\nkey = "{key}"\nprompt = "Tell me"\n'
    message = load_error(tmp_path, text)
    assert message == (
        "workshop.toml, line 10, field 'key' (question 1):"
        " lower-case letters, digits and _ (e.g. 'good_at')."
    )
    assert line_of(text, "key") == 10


def test_duplicate_question_keys(tmp_path: Path) -> None:
    text = HEADER + QUESTIONS.replace('key = "people"', 'key = "free"')
    message = load_error(tmp_path, text)
    assert message == "workshop.toml, line 33, field 'key' (question 5): 'free' is used twice."
    assert line_of(text, 'key = "free"') == 11  # the first use is not the one named
    assert text.splitlines()[33 - 1] == 'key = "free"'


def test_error_in_the_second_questions_table_names_its_own_line(tmp_path: Path) -> None:
    text = (
        HEADER
        + '[[questions]]\nkey = "a"\nkind = "choice"\nprompt = "Pick"\noptions = ["x", "y"]\n'
        + '[[questions]]\nkey = "b"\nkind = "choice"\nprompt = "Pick"\noptions = ["z"]\n'
    )
    message = load_error(tmp_path, text)
    assert message == (
        "workshop.toml, line 18, field 'options' (question 2): a choice needs 2 to 12 options."
    )
    assert line_of(text, "options") == 13  # not the first table's options
    assert text.splitlines()[18 - 1] == 'options = ["z"]'


def test_about_you_target_for_an_unlisted_option(tmp_path: Path) -> None:
    text = (
        HEADER
        + '[[about_you]]\nkey = "age"\nprompt = "How old are you?"\n'
        + 'options = ["Under 30", "30 or over"]\ntargets = { "Nope" = 10 }\n'
    )
    message = load_error(tmp_path, text)
    assert message == (
        "workshop.toml, line 13, field 'targets' (about_you 1):"
        " option = percent (0 to 100), for listed options."
    )
    assert line_of(text, "targets") == 13


def test_duplicate_toml_keys_are_invalid_toml_with_a_line(tmp_path: Path) -> None:
    text = HEADER + 'title = "Again"\n'
    message = load_error(tmp_path, text)
    assert message.startswith("workshop.toml is not valid TOML:")
    assert re.search(r"line 9\b", message), message


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    text = HEADER + "retention_days = \n"
    message = load_error(tmp_path, text)
    assert message.startswith("workshop.toml is not valid TOML:")
    assert re.search(r"line 9\b", message), message


def test_missing_title(tmp_path: Path) -> None:
    text = "\n".join(line for line in HEADER.splitlines() if not line.startswith("title"))
    assert load_error(tmp_path, text) == "workshop.toml: the field 'title' is missing."


@pytest.mark.parametrize("field", ["purpose", "who_decides", "decide_by", "hear_back"])
def test_missing_required_text(tmp_path: Path, field: str) -> None:
    text = "\n".join(line for line in HEADER.splitlines() if not line.startswith(field))
    assert load_error(tmp_path, text) == f"workshop.toml: the field '{field}' is missing."


def test_empty_title(tmp_path: Path) -> None:
    text = HEADER.replace('title = "Buses"', 'title = "   "')
    assert load_error(tmp_path, text) == (
        "workshop.toml, line 1, field 'title': must be some text in quotes."
    )


def test_title_too_long(tmp_path: Path) -> None:
    text = HEADER.replace('title = "Buses"', f'title = "{"x" * 121}"')
    assert load_error(tmp_path, text) == (
        "workshop.toml, line 1, field 'title': at most 120 characters, please."
    )


def test_empty_can_change_list(tmp_path: Path) -> None:
    text = HEADER.replace('can_change = ["timetables"]', "can_change = []")
    message = load_error(tmp_path, text)
    assert message.startswith("workshop.toml, line 4, field 'can_change': must be a list of texts")


def test_both_question_set_and_questions(tmp_path: Path) -> None:
    text = HEADER + 'question_set = "what-matters"\n' + QUESTIONS
    message = load_error(tmp_path, text)
    assert message == (
        "workshop.toml, line 9, field 'question_set': "
        "use either question_set or [[questions]], not both."
    )


def test_support_entry_needs_name_and_contact(tmp_path: Path) -> None:
    text = HEADER + '[[support]]\nname = "Samaritans"\n'
    assert load_error(tmp_path, text) == (
        "workshop.toml, [[support]]: each needs exactly 'name' and 'contact'."
    )


def test_error_in_a_later_support_table_names_its_own_line(tmp_path: Path) -> None:
    text = (
        HEADER
        + '[[support]]\nname = "Samaritans"\ncontact = "116 123"\n'
        + '[[support]]\nname = "Carers"\ncontact = ""\n'
    )
    message = load_error(tmp_path, text)
    assert message.startswith("workshop.toml, line 14, field 'contact':"), message


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(WorkshopFileError, match=r"^cannot read .*nope\.toml"):
        load_workshop_file(tmp_path / "nope.toml")


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(HEADER.replace("Buses", "Bus\xe9s").encode("latin-1"))
    with pytest.raises(WorkshopFileError, match=r"is not UTF-8 text"):
        load_workshop_file(path)


# ---- who to ask, and a way in without a smartphone (both optional, both on the poster) -----


def test_contact_and_offline_way_in_are_optional(tmp_path: Path) -> None:
    workshop = load_workshop_file(write(tmp_path, HEADER))
    assert workshop.contact == ""
    assert workshop.offline_way_in == ""


def test_contact_and_offline_way_in_load_stripped(tmp_path: Path) -> None:
    text = HEADER + (
        'contact = "  Ask Priya on 0141 496 0000 "\n'
        'offline_way_in = "No smartphone? Call 0141 496 0000, or ask at the venue"\n'
    )
    workshop = load_workshop_file(write(tmp_path, text))
    assert workshop.contact == "Ask Priya on 0141 496 0000"
    assert workshop.offline_way_in.startswith("No smartphone? Call 0141 496 0000")


def test_the_example_says_who_to_ask_and_how_to_join_without_a_smartphone() -> None:
    workshop = load_workshop_file(EXAMPLE)
    assert workshop.contact.startswith("Ask ")
    assert "No smartphone?" in workshop.offline_way_in


@pytest.mark.parametrize(("field", "limit"), [("contact", 100), ("offline_way_in", 200)])
def test_contact_fields_too_long_name_the_field_and_limit(
    tmp_path: Path, field: str, limit: int
) -> None:
    text = HEADER + f'{field} = "{"x" * (limit + 1)}"\n'
    assert load_error(tmp_path, text) == (
        f"workshop.toml, line 9, field '{field}': at most {limit} characters, please."
    )
    ok = HEADER + f'{field} = "{"x" * limit}"\n'
    assert getattr(load_workshop_file(write(tmp_path, ok)), field) == "x" * limit


@pytest.mark.parametrize("field", ["contact", "offline_way_in"])
@pytest.mark.parametrize("value", ['"  "', "3", '["a"]'])
def test_contact_fields_must_be_text(tmp_path: Path, field: str, value: str) -> None:
    assert load_error(tmp_path, HEADER + f"{field} = {value}\n") == (
        f"workshop.toml, line 9, field '{field}': must be some text in quotes."
    )


async def test_contact_fields_are_stored_and_can_be_changed(fresh_storage: Storage) -> None:
    workshops = fresh_storage.workshops
    stored = await workshops.create(load_workshop_file(EXAMPLE))
    again = await workshops.get(stored.id)
    assert again is not None
    assert again.contact == load_workshop_file(EXAMPLE).contact != ""
    await workshops.update(stored.id, "contact", "Ask Sam at the front desk")
    await workshops.update(stored.id, "offline_way_in", "")
    changed = await workshops.get(stored.id)
    assert changed is not None
    assert (changed.contact, changed.offline_way_in) == ("Ask Sam at the front desk", "")


def test_typed_contact_fields_have_their_limits_and_a_dash_clears_them() -> None:
    assert parse_field("contact", "  Ask Sam  ") == "Ask Sam"
    assert parse_field("contact", "-") == ""
    assert parse_field("offline_way_in", " - ") == ""
    assert parse_field("title", "-") == "-"
    for name, limit in (("contact", 100), ("offline_way_in", 200)):
        assert parse_field(name, "x" * limit) == "x" * limit
        with pytest.raises(FieldError) as info:
            parse_field(name, "x" * (limit + 1))
        assert (info.value.problem, info.value.values) == ("too_long", {"limit": limit})
