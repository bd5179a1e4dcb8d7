"""Exports of a workshop's answers and views: CSV for spreadsheets, JSON for tools.

Rows come only from people who agreed to take part and have not withdrawn; they carry
pseudonyms, never Telegram ids or names. "About you" answers are never exported here.

Rows go by pseudonym; within a person, answers in question order, then their shared views
from oldest to newest. Times are ISO 8601 in the workshop's time zone, with the offset
(2026-12-01T10:00:00+00:00), so a spreadsheet and a script read the same moment.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from storage import Storage
from storage.kinds import QuestionKind
from storage.models import FeedItem, Workshop

COLUMNS = (
    "pseudonym",
    "type",
    "question_number",
    "question",
    "text",
    "themes",
    "time",
    "may_quote",
)


def plain_text(item: FeedItem) -> str:
    """An answer or view as one line of plain text (relationships spelt out)."""
    value = item.value
    if item.question_kind == QuestionKind.RELATIONSHIPS and isinstance(value, dict):
        people = []
        for entry in value.get("entries", []):
            parts = [entry.get("who") or "", entry.get("how_often") or ""]
            parts.append(", ".join(entry.get("support") or []))
            people.append(" – ".join(p for p in parts if p))
        return "; ".join(people)
    return str(value)


def local_iso(stamp: str, timezone: str) -> str:
    """A stored UTC time in the workshop's zone, with its offset: 2026-07-01T11:00:00+01:00."""
    moment = datetime.fromisoformat(stamp).astimezone(ZoneInfo(timezone))
    return moment.isoformat(timespec="seconds")


def ordered(items: Iterable[FeedItem]) -> list[FeedItem]:
    """By pseudonym; then answers in question order; then shared views, oldest first."""
    return sorted(
        items,
        key=lambda i: (
            i.pseudonym,
            i.kind != "answer",
            -1 if i.question_position is None else i.question_position,
            datetime.fromisoformat(i.at),
            i.id,
        ),
    )


def row_of(item: FeedItem, timezone: str = "UTC") -> dict[str, Any]:
    return {
        "pseudonym": item.pseudonym,
        "type": item.kind,
        "question_number": "" if item.question_position is None else item.question_position + 1,
        "question": item.question_prompt or "",
        "text": plain_text(item),
        "themes": "; ".join(item.themes),
        "time": local_iso(item.at, timezone),
        "may_quote": "yes" if item.quote_ok else "no",
    }


async def export_rows(storage: Storage, workshop_id: int) -> list[dict[str, Any]]:
    workshop = await storage.workshops.get(workshop_id)
    timezone = workshop.timezone if workshop is not None else "UTC"
    items = await storage.feed.items(workshop_id, newest_first=False)
    return [row_of(item, timezone) for item in ordered(items)]


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens it with the right characters."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _defuse(v) for k, v in row.items()})
    return buffer.getvalue().encode("utf-8-sig")


def _defuse(value: Any) -> Any:
    # A cell starting with = + - @ is run as a formula by spreadsheets: show it as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_json(workshop: Workshop, rows: list[dict[str, Any]]) -> bytes:
    document = {
        "workshop": {
            "id": workshop.id,
            "title": workshop.title,
            "engagement_level": workshop.engagement_level,
            "timezone": workshop.timezone,
            "exported_at": local_iso(datetime.now(UTC).isoformat(), workshop.timezone),
        },
        "columns": list(COLUMNS),
        "rows": rows,
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
