"""domain/exports.py: rows in a stated order, times in the workshop's zone with the offset,
a CSV that Excel opens (BOM, formulas defused), and JSON with the same times."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.exports import COLUMNS, ordered, row_of, to_csv, to_json
from storage.kinds import QuestionKind
from storage.models import FeedItem, Workshop
from tests.conftest import OWNER, RunningBot
from tests.domain.test_texts import evil_workshop


def item(
    pseudonym: str,
    position: int | None,
    at: str,
    value: Any = "text",
    *,
    item_id: int = 1,
) -> FeedItem:
    kind = "answer" if position is not None else "view"
    return FeedItem(
        kind=kind,
        id=item_id,
        pseudonym=pseudonym,
        question_kind=QuestionKind.TEXT if position is not None else None,
        question_prompt=f"Question {position}" if position is not None else None,
        question_position=position,
        value=value,
        at=at,
        themes=("transport",),
        quote_ok=True,
    )


def workshop(timezone: str = "Europe/London") -> Workshop:
    return replace(evil_workshop(), timezone=timezone)


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_times_are_in_the_workshops_zone_with_the_offset() -> None:
    winter = row_of(item("P-1", 0, "2026-12-01T10:00:00+00:00"), "Europe/London")
    summer = row_of(item("P-1", 0, "2026-07-01T10:00:00+00:00"), "Europe/London")
    tokyo = row_of(item("P-1", 0, "2026-12-01T10:00:00+00:00"), "Asia/Tokyo")
    assert winter["time"] == "2026-12-01T10:00:00+00:00"
    assert summer["time"] == "2026-07-01T11:00:00+01:00"
    assert tokyo["time"] == "2026-12-01T19:00:00+09:00"
    # The same moment, whichever zone it is written in.
    assert datetime.fromisoformat(tokyo["time"]) == datetime.fromisoformat(winter["time"])


def test_the_time_column_says_what_it_holds() -> None:
    assert "time" in COLUMNS
    assert "time_utc" not in COLUMNS


def test_rows_go_by_pseudonym_then_question_then_views_by_time() -> None:
    items = [
        item("P-B2", None, "2026-12-03T09:00:00+00:00", "a later view", item_id=9),
        item("P-B2", 1, "2026-12-01T09:05:00+00:00", "b second", item_id=4),
        item("P-A1", 2, "2026-12-02T08:00:00+00:00", "a third", item_id=3),
        item("P-B2", None, "2026-12-02T09:00:00+00:00", "an earlier view", item_id=8),
        item("P-A1", 0, "2026-12-02T07:00:00+00:00", "a first", item_id=1),
        item("P-B2", 0, "2026-12-01T09:00:00+00:00", "b first", item_id=2),
    ]
    rows = [row_of(i, "UTC") for i in ordered(items)]
    assert [(r["pseudonym"], r["question_number"], r["text"]) for r in rows] == [
        ("P-A1", 1, "a first"),
        ("P-A1", 3, "a third"),
        ("P-B2", 1, "b first"),
        ("P-B2", 2, "b second"),
        ("P-B2", "", "an earlier view"),
        ("P-B2", "", "a later view"),
    ]


def test_csv_opens_in_excel_and_defuses_formulas() -> None:
    rows = [
        row_of(item("P-1", 0, "2026-12-01T10:00:00+00:00", "=SUM(A1)"), "Europe/London"),
        row_of(item("P-1", 1, "2026-12-01T10:00:00+00:00", "Café, “quoted”"), "Europe/London"),
    ]
    data = to_csv(rows)
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    parsed = read_csv(data)
    assert list(parsed[0]) == list(COLUMNS)
    assert [r["text"] for r in parsed] == ["'=SUM(A1)", "Café, “quoted”"]
    # A time starting with a digit is never touched by the formula guard.
    assert parsed[0]["time"] == "2026-12-01T10:00:00+00:00"


def test_json_has_the_same_times_and_the_zone() -> None:
    rows = [row_of(item("P-1", 0, "2026-07-01T10:00:00+00:00"), "Europe/London")]
    document = json.loads(to_json(workshop(), rows))
    assert document["workshop"]["timezone"] == "Europe/London"
    assert document["rows"][0]["time"] == "2026-07-01T11:00:00+01:00"
    assert document["columns"] == list(COLUMNS)
    exported = datetime.fromisoformat(document["workshop"]["exported_at"])
    assert exported.utcoffset() is not None


async def test_export_through_the_bot_is_ordered_and_in_local_time(
    bot: RunningBot, workshop: Workshop
) -> None:
    for user_id, answers in ((70, ("Seeing my grandchildren", "Cooking")), (71, ("Buses",))):
        person = bot.chat(user_id=user_id, name=f"Person{user_id}")
        await person.join(workshop.invite_code)
        for text in answers:
            await person.say(text)
    owner = bot.chat(user_id=OWNER, name="Olu")
    await owner.say("/export")
    (_, csv_bytes), (_, json_bytes) = bot.fake.files_sent()[-2:]
    rows = read_csv(csv_bytes)
    assert len(rows) == 3
    keys = [(r["pseudonym"], int(r["question_number"])) for r in rows]
    assert keys == sorted(keys)
    stored = {i.id: i.at for i in await bot.storage.feed.items(workshop.id)}
    zone = ZoneInfo(workshop.timezone)
    for row in rows:
        moment = datetime.fromisoformat(row["time"])
        assert moment.utcoffset() == moment.astimezone(zone).utcoffset()
        assert any(datetime.fromisoformat(at) == moment for at in stored.values())
    assert [r["time"] for r in json.loads(json_bytes)["rows"]] == [r["time"] for r in rows]
