"""One aiosqlite connection with the pragmas and migrations the bot relies on."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar, cast

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


T = TypeVar("T")
# What runs on the database thread: a function of the sqlite3 connection (see Database.run).
Step = Callable[[sqlite3.Connection], T]


class _SharedReads:
    """The rows read in one shared-reads block, valid while the database's write count
    stays what it was when they were read."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.writes = db.writes
        self.rows: dict[ReadKey, Any] = {}
        self.open = True

    def valid(self, db: Database) -> bool:
        if not self.open or self.db is not db:
            return False
        if self.writes != db.writes:  # something wrote since (anywhere): forget it all
            self.rows.clear()
            self.writes = db.writes
        return True


# The block a task is in (a task started inside it shares it until the block ends).
_SHARED: ContextVar[_SharedReads | None] = ContextVar("doingwith_shared_reads", default=None)


ReadKey = tuple[str, str, tuple[object, ...]]  # ("one" or "all", SQL, parameters)


def read(raw: sqlite3.Connection, key: ReadKey) -> Any:
    """The result of a shared read (one row or all rows), on the database thread."""
    kind, sql, params = key
    return (fetchone if kind == "one" else fetchall)(raw, sql, params)


def _in_transaction(fn: Step[T], raw: sqlite3.Connection) -> T:
    """Run ``fn`` between BEGIN IMMEDIATE and COMMIT; roll back if it raises."""
    raw.execute("BEGIN IMMEDIATE")
    try:
        result = fn(raw)
    except BaseException:
        raw.execute("ROLLBACK")
        raise
    raw.execute("COMMIT")
    return result


def _commit(raw: sqlite3.Connection) -> None:
    raw.execute("COMMIT")


def _then_read(
    fn: Step[T], again: list[ReadKey], raw: sqlite3.Connection
) -> tuple[T, dict[ReadKey, Any]]:
    """Run ``fn``; then read ``again`` the reads shared so far, as they are now."""
    result = fn(raw)
    return result, {key: read(raw, key) for key in again}


def fetchone(raw: sqlite3.Connection, sql: str, params: tuple[object, ...] = ()) -> Any:
    """One row (or None), on the database thread; the cursor is closed before returning."""
    cur = raw.execute(sql, params)
    try:
        return cur.fetchone()
    finally:
        cur.close()


def fetchall(raw: sqlite3.Connection, sql: str, params: tuple[object, ...] = ()) -> list[Any]:
    cur = raw.execute(sql, params)
    try:
        return cur.fetchall()
    finally:
        cur.close()


def execute(raw: sqlite3.Connection, sql: str, params: tuple[object, ...] = ()) -> int:
    """Run one statement on the database thread; return the last row id (0 if none)."""
    cur = raw.execute(sql, params)
    try:
        return cur.lastrowid or 0
    finally:
        cur.close()


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
        # Counts writes through this object: a read shared in a block is good until it moves.
        self.writes = 0

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
        """Run the block in one write transaction: all of it lands, or none of it.

        Inside :meth:`shared_reads`, the COMMIT reads the shared reads again in its own
        hand-over (as :meth:`write` does).
        """
        conn = self.conn
        async with self._write_lock:
            shared = self._shared()
            again = list(shared.rows) if shared is not None else []
            self.writes += 1
            fresh: dict[ReadKey, Any] = {}
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            else:
                _, fresh = await self.run(partial(_then_read, _commit, again))
            finally:
                self.writes += 1
            if shared is not None and shared.valid(self):
                shared.rows.update(fresh)

    async def run(self, fn: Step[T]) -> T:
        """Run ``fn`` with the sqlite3 connection on the database thread: one hand-over
        for all the SQL in it, where each aiosqlite call (execute, fetch, close) is one.

        ``fn`` must not block on anything but SQLite, and must not use the connection
        after it returns. Reads only: for writes, :meth:`write`.
        """
        conn = self.conn
        # aiosqlite has no public call for this. Connection._execute(fn, *args) is the one
        # every public method goes through: it queues ``fn`` for the connection's thread
        # and awaits its result; Connection._conn is the sqlite3 connection, used here only
        # on that thread. tests/storage/test_db_run.py pins both (aiosqlite 0.22).
        execute_on_thread = cast(Callable[..., Any], conn._execute)
        return cast(T, await execute_on_thread(fn, conn._conn))

    async def write(self, fn: Step[T]) -> T:
        """Run ``fn`` in one write transaction, in one hand-over to the database thread:
        all of its statements land, or (if it raises) none of them.

        Inside :meth:`shared_reads`, the reads shared so far are read again in the same
        hand-over, so they stay shared after the write instead of going again.
        """
        return await self._write(partial(_in_transaction, fn))

    async def _write(self, fn: Step[T]) -> T:
        async with self._write_lock:
            shared = self._shared()
            again = list(shared.rows) if shared is not None else []
            self.writes += 1
            try:
                result, fresh = await self.run(partial(_then_read, fn, again))
            finally:
                self.writes += 1
            if shared is not None and shared.valid(self):
                shared.rows.update(fresh)
            return result

    @contextmanager
    def shared_reads(self) -> Iterator[None]:
        """Within the block, the same read (SQL and parameters, through :meth:`fetchone`
        or :meth:`fetchall`) goes to the database once, until anything writes.

        For one update's handling: several handlers ask for the same participant or
        workshop. A write of this block's reads them again in its hand-over; a write
        anywhere else (another task's) forgets every row kept.
        """
        shared = _SharedReads(self)
        token = _SHARED.set(shared)
        try:
            yield
        finally:
            shared.open = False
            shared.rows.clear()
            _SHARED.reset(token)

    def _shared(self) -> _SharedReads | None:
        shared = _SHARED.get()
        return shared if shared is not None and shared.valid(self) else None

    async def _read(self, kind: str, sql: str, params: tuple[object, ...]) -> Any:
        shared = self._shared()
        key = (kind, sql, params)
        try:
            hash(key)
        except TypeError:  # a list among the parameters: not kept
            shared = None
        if shared is not None and key in shared.rows:
            return shared.rows[key]
        writes = self.writes
        result = await self.run(partial(read, key=key))
        if shared is not None and self.writes == writes and shared.valid(self):
            shared.rows[key] = result
        return result

    async def fetchone(self, sql: str, params: tuple[object, ...] = ()) -> aiosqlite.Row | None:
        row: aiosqlite.Row | None = await self._read("one", sql, params)
        return row

    async def fetchall(self, sql: str, params: tuple[object, ...] = ()) -> list[aiosqlite.Row]:
        rows: list[aiosqlite.Row] = await self._read("all", sql, params)
        return list(rows)  # a copy: the caller may change its list

    async def execute(self, sql: str, params: tuple[object, ...] = ()) -> int:
        """Run one statement in its own transaction; return the last row id."""
        return await self._write(partial(execute, sql=sql, params=params))

    async def preload(self, plan: Callable[[sqlite3.Connection], dict[ReadKey, Any]]) -> None:
        """Inside :meth:`shared_reads`: make the reads ``plan`` makes (it returns each
        one's result by its key; see :func:`read`) in one hand-over, and share them.
        Outside, do nothing."""
        shared = self._shared()
        if shared is None:
            return
        writes = self.writes
        found = await self.run(plan)
        if self.writes == writes and shared.valid(self):
            shared.rows.update(found)
