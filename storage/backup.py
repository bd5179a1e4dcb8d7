"""Backups through SQLite's online backup API: a consistent copy while the bot runs.

The copy is written to a file created 0600 (its folder 0700 if this creates it). It is a
point-in-time copy: erasures made after it are not in it, so backups need their own
retention (README, "Backups").
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from storage.errors import StorageUnavailable
from storage.files import create_private, private_folder

PAGES_PER_STEP = 1024


def backup_database(source: Path, target: Path) -> int:
    """Copy ``source`` to ``target``; return the number of pages copied.

    Refuses to overwrite the live database or to read one that does not exist.
    """
    if not source.is_file():
        raise StorageUnavailable(f"there is no database at {source}")
    if target.exists() and target.resolve() == source.resolve():
        raise StorageUnavailable("the backup cannot be the database itself")
    try:
        private_folder(target.parent)
        create_private(target)
        copied = 0

        def progress(_status: int, remaining: int, total: int) -> None:
            nonlocal copied
            copied = total - remaining

        # Read-only: a backup never writes to the live database.
        with (
            closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as src,
            closing(sqlite3.connect(target)) as dst,
        ):
            src.execute("PRAGMA busy_timeout = 5000")
            src.backup(dst, pages=PAGES_PER_STEP, progress=progress)
            # One self-contained file: no -wal beside the copy.
            dst.execute("PRAGMA journal_mode = DELETE")
        return copied
    except (sqlite3.Error, OSError) as exc:
        raise StorageUnavailable(f"cannot back up to {target}: {exc}") from exc
