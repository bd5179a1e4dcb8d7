"""Database.run and Database.write: a whole step's SQL in one hand-over to aiosqlite's thread.

They rest on two private names of aiosqlite (Connection._execute and Connection._conn);
these tests pin what the code relies on, so an aiosqlite upgrade that changes them fails
here rather than in a person's chat.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

import aiosqlite
import pytest

from storage import Storage
from storage.db import Database


def test_aiosqlite_still_has_the_private_names_run_uses() -> None:
    assert callable(aiosqlite.Connection._execute)
    assert isinstance(aiosqlite.Connection.__dict__["_conn"], property)


async def test_run_calls_the_function_once_on_the_connections_thread(
    fresh_storage: Storage,
) -> None:
    db = fresh_storage.db
    handed_over: list[str] = []
    original: Callable[..., Any] = db.conn._execute

    async def counted(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        handed_over.append(getattr(fn, "__name__", "?"))
        return await original(fn, *args, **kwargs)

    db.conn._execute = counted  # type: ignore[method-assign]  # counts hand-overs

    def step(raw: sqlite3.Connection) -> tuple[int, bool, int]:
        a = raw.execute("SELECT 1").fetchone()[0]
        b = raw.execute("SELECT 2").fetchone()[0]
        return threading.get_ident(), isinstance(raw, sqlite3.Connection), a + b

    thread, is_sqlite3, total = await db.run(step)
    assert (is_sqlite3, total) == (True, 3)
    assert thread == db.conn._thread.ident != threading.get_ident()
    assert len(handed_over) == 1
    # The plain helpers are one hand-over each too.
    await db.fetchone("SELECT 1")
    await db.fetchall("SELECT 1")
    await db.execute("UPDATE meta SET value = value WHERE key = 'none'")
    assert len(handed_over) == 4


async def test_rows_from_run_are_aiosqlite_rows_with_names(fresh_storage: Storage) -> None:
    row = await fresh_storage.db.run(lambda raw: raw.execute("SELECT 7 AS seven").fetchone())
    assert isinstance(row, aiosqlite.Row)
    assert row["seven"] == 7


async def test_write_lands_all_or_nothing(fresh_storage: Storage) -> None:
    db = fresh_storage.db
    await db.execute("CREATE TABLE t (n INTEGER NOT NULL)")

    def two(raw: sqlite3.Connection) -> int:
        raw.execute("INSERT INTO t VALUES (1)")
        raw.execute("INSERT INTO t VALUES (2)")
        return 2

    def half(raw: sqlite3.Connection) -> None:
        raw.execute("INSERT INTO t VALUES (3)")
        raw.execute("INSERT INTO t VALUES (NULL)")  # NOT NULL: the whole write goes

    assert await db.write(two) == 2
    with pytest.raises(sqlite3.IntegrityError):
        await db.write(half)
    assert [r[0] for r in await db.fetchall("SELECT n FROM t ORDER BY n")] == [1, 2]
    assert not db.conn.in_transaction


async def test_a_write_waits_for_an_open_transaction_instead_of_joining_it(
    fresh_storage: Storage,
) -> None:
    db = fresh_storage.db
    await db.execute("CREATE TABLE t (n INTEGER)")
    order: list[str] = []

    async def long_transaction() -> None:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO t VALUES (1)")
            await asyncio.sleep(0.05)
            order.append("transaction")

    async def one_write() -> None:
        await asyncio.sleep(0.01)
        await db.write(lambda raw: raw.execute("INSERT INTO t VALUES (2)"))
        order.append("write")

    await asyncio.gather(long_transaction(), one_write())
    assert order == ["transaction", "write"]


async def test_run_on_a_closed_database_says_so() -> None:
    db = Database(":memory:")
    with pytest.raises(Exception, match="not open"):
        await db.run(lambda raw: None)
