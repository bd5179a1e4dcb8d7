"""storage/db.py: pragmas, migrations by user_version, opening errors, transactions."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

import storage.db as db_module
from storage import Storage
from storage.db import Database, migrations
from storage.errors import StorageUnavailable

LATEST = max(version for version, _name, _sql in migrations())


async def pragma(db: Database, name: str) -> object:
    row = await db.fetchone(f"PRAGMA {name}")
    assert row is not None
    return row[0]


async def test_migrations_are_numbered_from_one_without_gaps() -> None:
    versions = [version for version, _name, _sql in migrations()]
    assert versions == list(range(1, len(versions) + 1))
    assert versions[0] == 1
    assert migrations()[0][1] == "0001_participant_journey.sql"


async def test_file_database_gets_every_pragma(tmp_path: Path) -> None:
    db = Database(tmp_path / "p.db")
    await db.open()
    try:
        assert await pragma(db, "journal_mode") == "wal"
        assert await pragma(db, "foreign_keys") == 1
        assert await pragma(db, "secure_delete") == 1
        assert await pragma(db, "busy_timeout") == 5000
        assert await pragma(db, "synchronous") == 1  # NORMAL
    finally:
        await db.close()


async def test_memory_database_gets_the_connection_pragmas(fresh_storage: Storage) -> None:
    db = fresh_storage.db
    assert await pragma(db, "foreign_keys") == 1
    assert await pragma(db, "secure_delete") == 1
    assert await pragma(db, "busy_timeout") == 5000
    assert await pragma(db, "user_version") == LATEST


async def test_foreign_keys_are_enforced(fresh_storage: Storage) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        await fresh_storage.db.execute(
            "INSERT INTO answers (participant_id, question_id, answered_at) VALUES (999, 999, 'x')"
        )


async def test_migrations_set_user_version_and_create_the_tables(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    db = Database(path)
    await db.open()
    try:
        assert await pragma(db, "user_version") == LATEST
        rows = await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = {r["name"] for r in rows}
    finally:
        await db.close()
    assert {
        "workshops",
        "questions",
        "participants",
        "consents",
        "answers",
        "views",
        "seen_messages",
        "meta",
        "ptb_conversations",
        "ptb_user_data",
    } <= tables
    # Checked by a plain sqlite3 connection too: the version is in the file.
    with closing(sqlite3.connect(path)) as plain:
        assert plain.execute("PRAGMA user_version").fetchone()[0] == LATEST


async def test_reopening_keeps_data_and_does_not_rerun_migrations(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    first = Database(path)
    await first.open()
    await first.execute("INSERT INTO meta (key, value) VALUES ('bot_username', 'mybot')")
    await first.close()

    second = Database(path)
    await second.open()  # re-running 0001 would fail on CREATE TABLE and raise
    try:
        row = await second.fetchone("SELECT value FROM meta WHERE key = 'bot_username'")
        assert row is not None
        assert row["value"] == "mybot"
        assert await pragma(second, "user_version") == LATEST
    finally:
        await second.close()


async def test_reopening_runs_only_the_new_migration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "n.db"
    first = Database(path)
    await first.open()
    await first.close()

    real = migrations()
    extra = (LATEST + 1, f"{LATEST + 1:04d}_extra.sql", "CREATE TABLE extra (x INTEGER);")
    monkeypatch.setattr(db_module, "migrations", lambda: [*real, extra])
    second = Database(path)
    await second.open()
    try:
        assert await pragma(second, "user_version") == LATEST + 1
        row = await second.fetchone("SELECT count(*) FROM extra")
        assert row is not None
        assert row[0] == 0
    finally:
        await second.close()


async def test_open_twice_is_harmless_and_close_twice_too(tmp_path: Path) -> None:
    db = Database(tmp_path / "twice.db")
    await db.open()
    conn = db.conn
    await db.open()
    assert db.conn is conn
    await db.close()
    assert not db.is_open
    await db.close()
    with pytest.raises(StorageUnavailable):
        _ = db.conn


async def test_missing_folder_raises_storage_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "no" / "such" / "folder" / "x.db"
    db = Database(path)
    with pytest.raises(StorageUnavailable, match="does not exist"):
        await db.open()
    assert not db.is_open
    assert not path.parent.exists()


async def test_a_file_that_is_not_a_database_raises_storage_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not an SQLite database, just some text" * 100)
    db = Database(path)
    with pytest.raises(StorageUnavailable, match=r"junk\.db"):
        await db.open()
    assert not db.is_open


async def test_transaction_commits_on_success(fresh_storage: Storage) -> None:
    db = fresh_storage.db
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
        await conn.execute("INSERT INTO meta (key, value) VALUES ('b', '2')")
    rows = await db.fetchall("SELECT key, value FROM meta ORDER BY key")
    assert [(r["key"], r["value"]) for r in rows] == [("a", "1"), ("b", "2")]


async def test_transaction_rolls_back_on_exception(fresh_storage: Storage) -> None:
    db = fresh_storage.db
    await db.execute("INSERT INTO meta (key, value) VALUES ('kept', 'yes')")

    class Boom(Exception):
        pass

    async def change_then_fail() -> None:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO meta (key, value) VALUES ('lost', 'no')")
            await conn.execute("UPDATE meta SET value = 'changed' WHERE key = 'kept'")
            raise Boom

    with pytest.raises(Boom):
        await change_then_fail()

    rows = await db.fetchall("SELECT key, value FROM meta ORDER BY key")
    assert [(r["key"], r["value"]) for r in rows] == [("kept", "yes")]
    # The connection is usable again: no transaction was left open.
    assert not db.conn.in_transaction
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO meta (key, value) VALUES ('after', 'ok')")
    row = await db.fetchone("SELECT value FROM meta WHERE key = 'after'")
    assert row is not None
    assert row["value"] == "ok"


async def test_transaction_rolls_back_on_sql_error(fresh_storage: Storage) -> None:
    db = fresh_storage.db

    async def insert_twice() -> None:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO meta (key, value) VALUES ('x', '1')")
            await conn.execute("INSERT INTO meta (key, value) VALUES ('x', '2')")

    with pytest.raises(sqlite3.IntegrityError):
        await insert_twice()
    row = await db.fetchone("SELECT count(*) FROM meta")
    assert row is not None
    assert row[0] == 0


async def test_execute_returns_last_row_id(fresh_storage: Storage) -> None:
    db = fresh_storage.db
    insert = "INSERT INTO ptb_user_data (user_id, data, updated_at) VALUES (?, ?, 'now')"
    first = await db.execute(insert, (41, "{}"))
    second = await db.execute(insert, (42, "{}"))
    assert (first, second) == (41, 42)


async def test_people_and_workshops_from_before_languages_read_as_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage import Storage

    path = tmp_path / "old.db"
    before = [m for m in migrations() if m[0] < 12]
    monkeypatch.setattr(db_module, "migrations", lambda: before)
    old = Database(path)
    await old.open()
    await old.execute(
        """INSERT INTO workshops (id, title, purpose, engagement_level, can_change,
               cannot_change, who_decides, decide_by, hear_back, support, ground_rules,
               invite_code, created_at)
           VALUES (1, 'T', 'P', 'consult', '[]', '[]', 'w', 'd', 'h', '[]', '[]', 'code',
               '2026-01-01T00:00:00+00:00')"""
    )
    await old.execute(
        """INSERT INTO participants (id, workshop_id, telegram_user_id, pseudonym, status,
               joined_at, last_seen_at)
           VALUES (1, 1, 42, 'P-0001', 'submitted', '2026-01-01', '2026-01-01')"""
    )
    await old.execute(
        """INSERT INTO consents (participant_id, purpose, granted, text_sha256, method,
               decided_at) VALUES (1, 'take_part', 1, 'abc', 'button', '2026-01-01')"""
    )
    await old.close()
    monkeypatch.undo()

    storage = Storage(path)
    await storage.open()
    try:
        workshop = await storage.workshops.get(1)
        assert workshop is not None
        assert (workshop.language, workshop.languages, dict(workshop.translations)) == (
            "en",
            ("en",),
            {},
        )
        member = await storage.participants.by_id(1)
        assert member is not None
        assert member.language == "en"
        consent = (await storage.participants.consents(1))["take_part"]
        assert (consent.language, consent.text_sha256) == ("en", "abc")
        assert await storage.facilitators.languages([42]) == {}
    finally:
        await storage.close()
