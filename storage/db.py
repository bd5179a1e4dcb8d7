"""One aiosqlite connection with the pragmas and migrations the bot relies on."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import aiosqlite

from storage.errors import StorageUnavailable

PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA secure_delete = ON",
    "PRAGMA busy_timeout = 5000",
)


def utcnow() -> str:
    """Return the current UTC time as ISO 8601, the format every table stores."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def migrations() -> list[tuple[int, str, str]]:
    """Return (version, name, sql) for every migration, in order."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            found.append((version, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def _folder_exists(path: str) -> bool:
    return Path(path).resolve().parent.is_dir()


class Database:
    """The bot's single SQLite connection; open it once, share it everywhere."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._conn: aiosqlite.Connection | None = None
        # One connection means one transaction at a time: writers take turns here.
        self._write_lock = asyncio.Lock()

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise StorageUnavailable("the database is not open")
        return self._conn

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    async def open(self) -> None:
        """Connect, set pragmas and apply migrations; calling it again does nothing."""
        if self._conn is not None:
            return
        if self.path != ":memory:" and not await asyncio.to_thread(_folder_exists, self.path):
            raise StorageUnavailable(f"the folder for {self.path} does not exist")
        try:
            conn = await aiosqlite.connect(self.path, isolation_level=None)
        except sqlite3.Error as exc:
            raise StorageUnavailable(f"cannot open {self.path}: {exc}") from exc
        conn.row_factory = aiosqlite.Row
        try:
            for pragma in PRAGMAS:
                await conn.execute(pragma)
            await self._migrate(conn)
        except sqlite3.Error as exc:
            await conn.close()
            raise StorageUnavailable(f"cannot use {self.path}: {exc}") from exc
        self._conn = conn

    async def close(self) -> None:
        """Fold the write-ahead log back (so erased rows leave no copy) and disconnect."""
        if self._conn is None:
            return
        conn, self._conn = self._conn, None
        try:
            await conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            await conn.close()

    async def checkpoint(self) -> None:
        """Copy the WAL into the main file and truncate it; run after erasing data."""
        await self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @staticmethod
    async def _migrate(conn: aiosqlite.Connection) -> None:
        async with conn.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        current = row[0] if row else 0
        for version, _name, sql in migrations():
            if version <= current:
                continue
            # executescript commits first, so each migration runs in its own BEGIN..COMMIT.
            await conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run the block in one write transaction: all of it lands, or none of it."""
        conn = self.conn
        async with self._write_lock:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            else:
                await conn.execute("COMMIT")

    async def fetchone(self, sql: str, params: tuple[object, ...] = ()) -> aiosqlite.Row | None:
        async with self.conn.execute(sql, params) as cur:
            return await cur.fetchone()

    async def fetchall(self, sql: str, params: tuple[object, ...] = ()) -> list[aiosqlite.Row]:
        async with self.conn.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def execute(self, sql: str, params: tuple[object, ...] = ()) -> int:
        """Run one statement in its own transaction; return the last row id."""
        async with self._write_lock, self.conn.execute(sql, params) as cur:
            return cur.lastrowid or 0
