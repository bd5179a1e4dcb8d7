"""storage/kinds.py: every StrEnum lists exactly what the migrations' CHECK constraints allow."""

from __future__ import annotations

import re
from enum import StrEnum

import pytest

import storage.kinds as kinds
from storage.db import migrations
from storage.kinds import (
    ActionStatus,
    DeliveryKind,
    DeliveryState,
    EngagementLevel,
    ParticipantStatus,
    Purpose,
    QuestionKind,
    SessionReply,
    StepKind,
    UpdateKind,
    UpdateStatus,
    Verdict,
    ViewStatus,
    WorkshopStatus,
)

# (table, column) -> the enum whose values are stored there.
STORED: dict[tuple[str, str], type[StrEnum]] = {
    ("workshops", "engagement_level"): EngagementLevel,
    ("workshops", "status"): WorkshopStatus,
    ("questions", "kind"): QuestionKind,
    ("participants", "status"): ParticipantStatus,
    ("consents", "purpose"): Purpose,
    ("views", "status"): ViewStatus,
    ("actions", "status"): ActionStatus,
    ("updates", "status"): UpdateStatus,
    ("updates", "kind"): UpdateKind,
    ("deliveries", "kind"): DeliveryKind,
    ("deliveries", "state"): DeliveryState,
    ("feedback", "verdict"): Verdict,
    ("session_replies", "reply"): SessionReply,
    ("typed_steps", "kind"): StepKind,
}

_TABLE = re.compile(r"CREATE TABLE (\w+) \((.*?)\n\)", re.S)
_CHECK = re.compile(r"CHECK \((\w+) IN\s*\(([^)]*)\)\)", re.S)
_WORD = re.compile(r"'([^']*)'")
_ADDED = re.compile(
    r"ALTER TABLE (\w+) ADD COLUMN (\w+) [^;]*?CHECK \((\w+) IN\s*\(([^)]*)\)\)", re.S
)


def text_checks() -> dict[tuple[str, str], tuple[str, ...]]:
    """Every ``CHECK (column IN ('a', 'b'))`` of text values, by table and column.

    A table created again by a later migration replaces what an earlier one said; a column
    added by ``ALTER TABLE ... ADD COLUMN ... CHECK (...)`` counts too.
    """
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    for _version, _name, sql in migrations():
        for table, body in _TABLE.findall(sql):
            found = {key: v for key, v in found.items() if key[0] != table}
            for column, values in _CHECK.findall(body):
                words = tuple(_WORD.findall(values))
                if words:  # (0, 1) flags are not kinds
                    found[(table, column)] = words
        for table, column, checked, values in _ADDED.findall(sql):
            words = tuple(_WORD.findall(values))
            if words and checked == column:
                found[(table, column)] = words
    return found


def test_the_migrations_have_the_checks_we_expect() -> None:
    assert set(text_checks()) == set(STORED)


@pytest.mark.parametrize(("place", "kind"), STORED.items(), ids=lambda v: str(v))
def test_enum_values_equal_the_check_constraint(
    place: tuple[str, str], kind: type[StrEnum]
) -> None:
    assert tuple(member.value for member in kind) == text_checks()[place]


def test_every_stored_enum_is_checked_by_the_database() -> None:
    defined = {
        value
        for value in vars(kinds).values()
        if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum
    }
    # What a feed item is picks a column (theme_tags.answer_id / view_id): no value is stored.
    assert defined - {kinds.FeedKind} == set(STORED.values())


def test_groupings_are_made_of_participant_statuses() -> None:
    assert set(kinds.LEFT) | set(kinds.UNFINISHED) < set(ParticipantStatus)
    assert not set(kinds.LEFT) & set(kinds.UNFINISHED)
