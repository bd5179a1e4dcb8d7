"""Checking what a facilitator types for one field of a workshop."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from domain.errors import DoingwithError

TITLE_LIMIT = 120
TEXT_LIMIT = 1500
# Printed on the invite poster in large type, so kept to a line or two.
CONTACT_LIMIT = 100
OFFLINE_WAY_IN_LIMIT = 200
# Optional texts: "-" on its own clears one (the poster then leaves it out or uses its default).
OPTIONAL_FIELDS = {"contact": CONTACT_LIMIT, "offline_way_in": OFFLINE_WAY_IN_LIMIT}
CLEAR = "-"
LIST_LIMIT = 20
DAY_LIMITS = {"retention_days": (1, 3650), "update_cadence_days": (1, 365)}
LIST_FIELDS = ("can_change", "cannot_change")


@dataclass
class FieldError(DoingwithError):
    """What was typed cannot be used; ``problem`` picks the sentence that says why."""

    problem: str
    values: dict[str, Any] = field(default_factory=dict)


def parse_field(name: str, text: str) -> Any:
    """The stored value for a typed answer, or FieldError saying what to fix."""
    text = text.strip()
    if not text:
        raise FieldError("empty")
    if name in DAY_LIMITS:
        low, high = DAY_LIMITS[name]
        digits = text.split()[0]
        if not (digits.isascii() and digits.isdigit()) or not low <= int(digits) <= high:
            raise FieldError("days", {"low": low, "high": high})
        return int(digits)
    if name in ("quiet_start", "quiet_end"):
        match = re.fullmatch(r"([01]?[0-9]|2[0-3])[:.]([0-5][0-9])", text)
        if match is None:
            raise FieldError("clock")
        return f"{int(match.group(1)):02d}:{match.group(2)}"
    if name == "timezone":
        if text not in available_timezones():  # "Europe" is a folder, not a zone
            raise FieldError("timezone")
        try:
            ZoneInfo(text)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise FieldError("timezone") from None
        return text
    if name in LIST_FIELDS:
        items = [line.strip(" •-*\t") for line in text.splitlines()]
        items = [i for i in items if i]
        if not items:
            raise FieldError("empty")
        if len(items) > LIST_LIMIT:
            raise FieldError("too_many", {"limit": LIST_LIMIT})
        if any(len(i) > TEXT_LIMIT for i in items):
            raise FieldError("too_long", {"limit": TEXT_LIMIT})
        return items
    if name in OPTIONAL_FIELDS and text == CLEAR:
        return ""
    limit = OPTIONAL_FIELDS.get(name, TITLE_LIMIT if name == "title" else TEXT_LIMIT)
    if len(text) > limit:
        raise FieldError("too_long", {"limit": limit})
    return text
