"""Times typed the way people say them, read in the workshop's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.when import parse_local

LONDON = ZoneInfo("Europe/London")
# Tuesday 1 December 2026, 09:30 in London (GMT, so UTC too).
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=LONDON).astimezone(UTC)


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("tomorrow 10am", london(2026, 12, 2, 10, 0)),
        ("Tomorrow at 10:00", london(2026, 12, 2, 10, 0)),
        ("10am tomorrow", london(2026, 12, 2, 10, 0)),
        ("today 3pm", london(2026, 12, 1, 15, 0)),
        ("tonight 7.30pm", london(2026, 12, 1, 19, 30)),
        ("Friday 2pm", london(2026, 12, 4, 14, 0)),
        ("fri 14:00", london(2026, 12, 4, 14, 0)),
        ("next Friday 2pm", london(2026, 12, 4, 14, 0)),
        ("Tuesday 10am", london(2026, 12, 1, 10, 0)),  # today, still to come
        ("Tuesday 9am", london(2026, 12, 8, 9, 0)),  # today's has passed: next week
        ("14:30", london(2026, 12, 1, 14, 30)),
        ("9:00", london(2026, 12, 2, 9, 0)),  # passed today: tomorrow
        ("2:30 pm", london(2026, 12, 1, 14, 30)),
        ("12am", london(2026, 12, 2, 0, 0)),
        ("12pm", london(2026, 12, 1, 12, 0)),
        ("in 2 hours", NOW + timedelta(hours=2)),
        ("in an hour", NOW + timedelta(hours=1)),
        ("in 30 minutes", NOW + timedelta(minutes=30)),
        ("in 3 days", NOW + timedelta(days=3)),
        ("in 1 week", NOW + timedelta(weeks=1)),
        ("1 Dec 10:00", london(2026, 12, 1, 10, 0)),
        ("3rd December 2pm", london(2026, 12, 3, 14, 0)),
        ("Jan 5 9am", london(2027, 1, 5, 9, 0)),
        ("5 January 2027 9:00", london(2027, 1, 5, 9, 0)),
        ("1 Dec 9:00", london(2027, 12, 1, 9, 0)),  # passed this year: next year
        ("2026-12-01 10:00", london(2026, 12, 1, 10, 0)),
        ("2026-12-01T10:00", london(2026, 12, 1, 10, 0)),
        ("1/12/2026 10:00", london(2026, 12, 1, 10, 0)),
        ("1/12 10:00", london(2026, 12, 1, 10, 0)),
    ],
)
def test_times_as_people_type_them(typed: str, meant: datetime) -> None:
    assert parse_local(typed, "Europe/London", NOW) == meant


@pytest.mark.parametrize(
    "typed",
    ["tomorrow", "soon", "10", "25:00", "13pm", "31/02/2027 10:00", "Friday", "in hours", ""],
)
def test_what_is_not_a_time(typed: str) -> None:
    assert parse_local(typed, "Europe/London", NOW) is None


def test_read_in_the_workshop_time_zone() -> None:
    # 10am in New York is 15:00 UTC in December.
    assert parse_local("tomorrow 10am", "America/New_York", NOW) == datetime(
        2026, 12, 2, 15, 0, tzinfo=UTC
    )


def test_summer_time_is_applied() -> None:
    june = datetime(2027, 6, 1, 8, 0, tzinfo=UTC)
    assert parse_local("tomorrow 10am", "Europe/London", june) == datetime(
        2027, 6, 2, 9, 0, tzinfo=UTC
    )
