"""One aiosqlite connection with the pragmas and migrations the bot relies on."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import aiosqlite

from storage.errors import StorageUnavailable
from storage.files import key_path, load_or_create_key, secure_database_files

BUSY_TIMEOUT_MS = 5000
PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA secure_delete = ON",
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
)
# Where older versions kept the link-open key (migration 0005 moves it to the key file).
LEGACY_OPENER_KEY = "opener_key"
# Erasing must not leave text in the -wal file: a checkpoint that finds a reader busy is
# tried again this many times, waiting twice as long each time (0.05 s + 0.1 s + …).
CHECKPOINT_ATTEMPTS = 5
CHECKPOINT_FIRST_PAUSE = 0.05


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
        # Keys for link-open hashes (kept in a file beside the database) and pseudonyms.
        self.opener_key = b""
        self.pseudonym_key = b""
        # True while erased rows may still have a copy in the -wal file (a reader was busy).
        self.checkpoint_pending = False

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
        in_memory = self.path == ":memory:"
        if not in_memory:
            if not await asyncio.to_thread(_folder_exists, self.path):
                raise StorageUnavailable(f"the folder for {self.path} does not exist")
            try:
                await asyncio.to_thread(secure_database_files, Path(self.path))
            except OSError as exc:
                raise StorageUnavailable(f"cannot open {self.path}: {exc}") from exc
        try:
            conn = await aiosqlite.connect(self.path, isolation_level=None)
        except sqlite3.Error as exc:
            raise StorageUnavailable(f"cannot open {self.path}: {exc}") from exc
        conn.row_factory = aiosqlite.Row
        try:
            for pragma in PRAGMAS:
                await conn.execute(pragma)
            legacy_key = await self._legacy_opener_key(conn)
            await self._migrate(conn)
            async with conn.execute("SELECT key FROM pseudonym_key WHERE id = 1") as cur:
                row = await cur.fetchone()
        except sqlite3.Error as exc:
            await conn.close()
            raise StorageUnavailable(f"cannot use {self.path}: {exc}") from exc
        self.pseudonym_key = bytes(row[0]) if row else b""
        if in_memory:
            self.opener_key = bytes.fromhex(legacy_key) if legacy_key else os.urandom(32)
        else:
            try:
                self.opener_key = await asyncio.to_thread(
                    load_or_create_key, key_path(Path(self.path)), legacy_key
                )
            except (OSError, ValueError) as exc:
                await conn.close()
                raise StorageUnavailable(f"cannot use the key file of {self.path}: {exc}") from exc
        self._conn = conn
        if not in_memory:
            # An erasure that could not fold its -wal back before a restart finishes now.
            await self.checkpoint(attempts=1)

    async def close(self) -> None:
        """Fold the write-ahead log back (so erased rows leave no copy) and disconnect."""
        if self._conn is None:
            return
        try:
            await self.checkpoint(attempts=3)
        finally:
            conn, self._conn = self._conn, None
            if conn is not None:
                await conn.close()

    async def checkpoint(
        self, attempts: int = CHECKPOINT_ATTEMPTS, first_pause: float = CHECKPOINT_FIRST_PAUSE
    ) -> bool:
        """Copy the WAL into the main file and truncate it; run after erasing data.

        A reader elsewhere (an export, a backup) makes the checkpoint busy; then it is tried
        again, ``attempts`` times in all with a growing pause between. Returns whether the
        WAL is empty now; if not, ``checkpoint_pending`` stays True until a later call
        (:meth:`finish_checkpoint`, or the next start) manages it.
        """
        pause = first_pause
        for attempt in range(attempts):
            if attempt:
                await asyncio.sleep(pause)
                pause *= 2
            if await self._checkpoint_once():
                self.checkpoint_pending = False
                return True
        self.checkpoint_pending = True
        return False

    async def finish_checkpoint(self) -> bool:
        """Finish a checkpoint an erasure left pending; True when nothing is pending now."""
        if not self.checkpoint_pending:
            return True
        return await self.checkpoint()

    async def _checkpoint_once(self) -> bool:
        conn = self.conn
        # Without a busy timeout the checkpoint answers "busy" at once instead of blocking
        # every other statement of the bot for five seconds; the retries do the waiting.
        async with self._write_lock:
            await conn.execute("PRAGMA busy_timeout = 0")
            try:
                async with conn.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cur:
                    row = await cur.fetchone()
            except sqlite3.OperationalError:
                return False  # "database is locked": another process is writing
            finally:
                await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return row is None or row[0] == 0

    @staticmethod
    async def _legacy_opener_key(conn: aiosqlite.Connection) -> str | None:
        """The link-open key an older version kept in the database, to move to the file."""
        async with conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        ) as cur:
            if await cur.fetchone() is None:
                return None
        async with conn.execute(
            "SELECT value FROM meta WHERE key = ?", (LEGACY_OPENER_KEY,)
        ) as cur:
            row = await cur.fetchone()
        return str(row[0]) if row else None

    def opener(self, telegram_user_id: int) -> str:
        """The keyed hash that counts a person's link open without naming them."""
        digest = hmac.new(self.opener_key, str(telegram_user_id).encode(), hashlib.sha256)
        return digest.hexdigest()

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
