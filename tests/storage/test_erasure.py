"""Erasure that leaves nothing: every table, the -wal and -shm bytes, with a reader open."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest

from storage import Storage, typed_steps
from storage.db import utcnow
from storage.kinds import Purpose, StepKind
from storage.models import Participant, Workshop
from storage.participants import ERASED_BY_PARTICIPANT, ERASED_BY_TELEGRAM_ID, STAFF_COLUMNS
from tests.conftest import RunningBot
from tests.storage.test_participants import HASH, new_workshop
from tests.support.chat import Chat

SENTINEL = "zq-sentinel-7f1c93-never-anywhere"
PERSON = 5150
# A column with one of these names, or ending in _by, can name a person.
PERSON_NAMES = re.compile(r"^(participant_id|telegram_user_id|user_id|chat_id|actor|opener)$|_by$")
NOT_PEOPLE = {("workshops", "decide_by")}  # a date: when the decision will be made


def _person_columns(path: Path) -> set[tuple[str, str]]:
    with closing(sqlite3.connect(path)) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            (table, column[1])
            for table in tables
            for column in conn.execute(f"PRAGMA table_info({table})")
            if PERSON_NAMES.search(column[1])
        }


async def test_every_column_that_can_name_a_person_is_erased_or_names_staff(
    tmp_path: Path,
) -> None:
    """A new table or column holding a person fails here until erasure covers it."""
    storage = Storage(tmp_path / "schema.db")
    await storage.open()
    await storage.close()
    covered = (
        {(table, "participant_id") for table in ERASED_BY_PARTICIPANT}
        | set(ERASED_BY_TELEGRAM_ID)
        | set(STAFF_COLUMNS)
        | {("participants", "telegram_user_id")}
    )
    found = _person_columns(tmp_path / "schema.db") - NOT_PEOPLE
    assert found - covered == set(), "erase these in Participants.erase, or list them as staff"
    assert covered - found == set(), "these are listed but no longer exist"


async def _fill(storage: Storage, workshop: Workshop, telegram_user_id: int) -> Participant:
    """A participant with a row in every table that can hold them, the sentinel in text."""
    parts = storage.participants
    member = await parts.decide_take_part(
        workshop.id, telegram_user_id, granted=True, text_sha256=HASH, method="button"
    )
    await parts.decide(member.id, Purpose.UPDATES, granted=True, text_sha256=HASH, method="b")
    question = (await storage.workshops.questions(workshop.id))[0]
    await storage.opens.record(workshop.id, telegram_user_id)
    await storage.answers.save(member.id, question.id, f"{SENTINEL} answer", message_id=1)
    await storage.views.add_draft(member.id, f"{SENTINEL} view", 2)
    db = storage.db
    now = utcnow()
    about = await db.execute(
        """INSERT INTO about_questions (workshop_id, position, key, prompt, options)
           VALUES (?, ?, ?, 'Age?', '["a"]')""",
        (workshop.id, telegram_user_id, f"age{telegram_user_id}"),
    )
    await storage.about.save(member.id, about, f"{SENTINEL} about")
    update = await storage.updates.create(workshop.id, "news", [], "2000-01-01", 1)
    await storage.feedback.record(update.id, member.id, "partly")
    await storage.feedback.comment(update.id, member.id, f"{SENTINEL} comment")
    session = await storage.sessions.create(workshop.id, "2030-01-01", "Hall", "", 1)
    await storage.sessions.cant_come(session.id, member.id)
    await db.execute(
        """INSERT INTO deliveries (kind, participant_id, workshop_id, chat_id, text, state,
               not_before, created_at) VALUES ('update', ?, ?, ?, ?, 'sent', ?, ?)""",
        (member.id, workshop.id, telegram_user_id, f"{SENTINEL} delivery", now, now),
    )
    await storage.audit.record(telegram_user_id, "export", workshop_id=workshop.id, allowed=False)
    await storage.flags.raise_flag(
        telegram_user_id,
        "not safe",
        f"{SENTINEL} flag",
        workshop_id=workshop.id,
        participant_id=member.id,
    )
    await storage.flags.raise_flag(  # typed before they had agreed, with no workshop yet
        telegram_user_id, "hurt me", f"{SENTINEL} early flag"
    )
    async with storage.db.transaction() as conn:
        await typed_steps.open_step(
            conn, telegram_user_id, StepKind.VIEW, boot="test", participant_id=member.id
        )
        await typed_steps.mark_handled(conn, telegram_user_id * 10, member.id)
    await storage.conversations.save("journey", (telegram_user_id, telegram_user_id), 3)
    await storage.user_data.save(telegram_user_id, {"invite": workshop.invite_code})
    return member


async def _references(storage: Storage, member: Participant) -> dict[str, int]:
    tg = member.telegram_user_id
    queries = {
        f"{table}.participant_id": (
            f"SELECT count(*) FROM {table} WHERE participant_id = ?",
            (member.id,),
        )
        for table in ERASED_BY_PARTICIPANT
    }
    queries |= {
        f"{table}.{column}": (f"SELECT count(*) FROM {table} WHERE {column} = ?", (tg,))
        for table, column in ERASED_BY_TELEGRAM_ID
        if column != "opener"
    }
    queries["link_opens.opener"] = (
        "SELECT count(*) FROM link_opens WHERE opener = ?",
        (storage.db.opener(tg),),
    )
    queries["participants"] = ("SELECT count(*) FROM participants WHERE id = ?", (member.id,))
    counts = {}
    for name, (sql, params) in queries.items():
        row = await storage.db.fetchone(sql, params)
        assert row is not None
        counts[name] = int(row[0])
    return counts


@pytest.fixture
async def file_storage(tmp_path: Path) -> AsyncIterator[Storage]:
    storage = Storage(tmp_path / "erase.db")
    await storage.open()
    yield storage
    await storage.close()


async def test_erase_removes_the_person_from_every_table(file_storage: Storage) -> None:
    storage = file_storage
    workshop = await storage.workshops.create(new_workshop())
    member = await _fill(storage, workshop, PERSON)
    other = await _fill(storage, workshop, PERSON + 1)
    before = await _references(storage, member)
    assert all(before.values()), before  # the filling reached every table

    erased = await storage.participants.erase(member.id)

    assert erased.found
    assert erased.finished
    assert set((await _references(storage, member)).values()) == {0}
    assert all((await _references(storage, other)).values())  # someone else keeps theirs
    tombstones = await storage.db.fetchall("SELECT * FROM consent_tombstones ORDER BY purpose")
    assert [(t["purpose"], t["granted"], t["text_sha256"]) for t in tombstones] == [
        ("take_part", 1, HASH),
        ("updates", 1, HASH),
    ]
    assert all(t["withdrawn_at"] and t["erased_at"] for t in tombstones)
    actors = {r["actor"] for r in await storage.db.fetchall("SELECT actor FROM audit_log")}
    assert actors == {-member.id, PERSON + 1}  # a tombstone id, naming no one
    assert await storage.opens.count(workshop.id) == 2  # the erased open is still counted
    assert (await storage.participants.erase(member.id)).found is False


async def test_a_decliner_is_erased_at_once(fresh_storage: Storage) -> None:
    workshop = await fresh_storage.workshops.create(new_workshop())
    no = await fresh_storage.participants.decide_take_part(
        workshop.id, 77, granted=False, text_sha256=HASH, method="button"
    )
    erased = await fresh_storage.participants.erase(no.id)
    assert (erased.found, erased.finished) == (True, True)
    assert await fresh_storage.participants.get(workshop.id, 77) is None
    row = await fresh_storage.db.fetchone("SELECT purpose, granted FROM consent_tombstones")
    assert row is not None
    assert tuple(row) == ("take_part", 0)


async def test_flow_state_is_kept_while_another_membership_needs_it(
    fresh_storage: Storage,
) -> None:
    a = await fresh_storage.workshops.create(new_workshop())
    b = await fresh_storage.workshops.create(new_workshop("Trains"))
    first = await _fill(fresh_storage, a, PERSON)
    second = await fresh_storage.participants.decide_take_part(
        b.id, PERSON, granted=True, text_sha256=HASH, method="button"
    )
    await fresh_storage.participants.erase(first.id)
    assert await fresh_storage.user_data.load() == {PERSON: {"invite": a.invite_code}}
    await fresh_storage.participants.erase(second.id)
    assert await fresh_storage.user_data.load() == {}
    assert await fresh_storage.conversations.load("journey") == {}


def _occurrences(db_path: Path) -> dict[str, int]:
    found = {}
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{db_path}{suffix}")
        data = path.read_bytes() if path.exists() else b""
        found[suffix or "db"] = data.count(SENTINEL.encode())
    return found


async def test_the_sentinel_is_in_no_byte_of_the_files_after_erasure(
    file_storage: Storage,
) -> None:
    storage = file_storage
    path = Path(storage.db.path)
    workshop = await storage.workshops.create(new_workshop())
    member = await _fill(storage, workshop, PERSON)
    assert sum(_occurrences(path).values()) > 0
    assert (await storage.participants.erase(member.id)).finished
    assert _occurrences(path) == {"db": 0, "-wal": 0, "-shm": 0}


async def test_erasure_with_a_reader_open_finishes_when_the_reader_lets_go(
    file_storage: Storage,
) -> None:
    """An export or backup holding a read transaction keeps the checkpoint busy."""
    storage = file_storage
    path = Path(storage.db.path)
    workshop = await storage.workshops.create(new_workshop())
    member = await _fill(storage, workshop, PERSON)
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM answers").fetchone() == (1,)
        erased = await storage.participants.erase(member.id)
        assert erased.found
        assert erased.finished is False  # the reader's snapshot still needs the -wal
        assert storage.db.checkpoint_pending
        assert await storage.db.finish_checkpoint() is False
        # The reader's snapshot still sees the answer; the person's rows are gone for us.
        assert reader.execute("SELECT count(*) FROM answers").fetchone() == (1,)
        reader.execute("COMMIT")
    finally:
        reader.close()
    assert await storage.db.finish_checkpoint() is True
    assert not storage.db.checkpoint_pending
    assert _occurrences(path) == {"db": 0, "-wal": 0, "-shm": 0}


async def test_a_pending_checkpoint_is_finished_by_the_next_start(tmp_path: Path) -> None:
    path = tmp_path / "later.db"
    storage = Storage(path)
    await storage.open()
    workshop = await storage.workshops.create(new_workshop())
    member = await _fill(storage, workshop, PERSON)
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM answers").fetchone()
    assert (await storage.participants.erase(member.id)).finished is False
    # The bot stops while the reader is still open: its last checkpoint is busy too.
    await storage.close()
    reader.close()
    again = Storage(path)
    await again.open()
    try:
        assert _occurrences(path) == {"db": 0, "-wal": 0, "-shm": 0}
    finally:
        await again.close()


async def test_a_refusal_keeps_only_a_tombstone(fresh_storage: Storage) -> None:
    workshop = await fresh_storage.workshops.create(new_workshop())
    parts = fresh_storage.participants
    await fresh_storage.opens.record(workshop.id, 88)
    assert await parts.decline(workshop.id, 88, text_sha256=HASH, method="button")
    assert await parts.get(workshop.id, 88) is None
    # An earlier "no" kept as a row (the old way) goes too; the funnel keeps its count.
    old = await parts.decide_take_part(
        workshop.id, 89, granted=False, text_sha256=HASH, method="button"
    )
    assert await parts.decline(workshop.id, 89, text_sha256=HASH, method="button")
    assert await parts.by_id(old.id) is None
    rows = await fresh_storage.db.fetchall(
        "SELECT purpose, granted, text_sha256 FROM consent_tombstones"
    )
    assert [tuple(r) for r in rows] == [("take_part", 0, HASH)] * 3
    assert await fresh_storage.opens.count(workshop.id) == 1
    assert await fresh_storage.db.fetchall("SELECT * FROM link_opens") == []
    # A stale "No" from someone taking part changes nothing.
    member = await parts.decide_take_part(
        workshop.id, 90, granted=True, text_sha256=HASH, method="button"
    )
    assert await parts.decline(workshop.id, 90, text_sha256=HASH, method="button") is False
    assert await parts.by_id(member.id) == member


@pytest.mark.parametrize("reader_open", [False, True], ids=["alone", "with-a-reader"])
async def test_a_journey_through_the_bot_leaves_no_trace_after_erasure(
    chat: Chat, bot: RunningBot, workshop: Workshop, db_path: Path, reader_open: bool
) -> None:
    """The words typed through the real bot, then erased: 0 bytes of them in any file."""
    await chat.join(chat.invite, updates=True)
    await chat.say(f"{SENTINEL} family")
    await chat.say(f"{SENTINEL} cooking")
    await bot.app.update_persistence()
    member = await bot.storage.participants.get(workshop.id, 4242)
    assert member is not None
    reader = sqlite3.connect(db_path, isolation_level=None)
    try:
        if reader_open:  # an export or a backup reading at the same moment
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM answers").fetchone()
        erased = await bot.storage.participants.erase(member.id)
        assert erased.finished is not reader_open
    finally:
        reader.close()
    assert await bot.storage.db.finish_checkpoint()
    assert _occurrences(db_path) == {"db": 0, "-wal": 0, "-shm": 0}
    await bot.stop()
    assert _occurrences(db_path) == {"db": 0, "-wal": 0, "-shm": 0}
