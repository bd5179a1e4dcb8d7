"""Files only their owner can read: database, -wal, -shm, the key file."""

from __future__ import annotations

import os
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

from storage import Storage
from storage.files import key_path, private_folder, write_private
from tests.storage.test_participants import HASH, new_workshop


def mode(path: Path | str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


async def test_database_wal_shm_and_key_are_0600_after_a_write(tmp_path: Path) -> None:
    old = os.umask(0o022)  # a usual umask, which would make them 0644
    try:
        path = tmp_path / "modes.db"
        storage = Storage(path)
        await storage.open()
        try:
            workshop = await storage.workshops.create(new_workshop())
            await storage.participants.decide_take_part(
                workshop.id, 1, granted=True, text_sha256=HASH, method="button"
            )
            await storage.opens.record(workshop.id, 1)
            files = [path, Path(f"{path}-wal"), Path(f"{path}-shm"), key_path(path)]
            assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
        finally:
            await storage.close()
    finally:
        os.umask(old)


async def test_files_left_world_readable_are_tightened_on_start(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE t (x)")
    os.chmod(path, 0o644)
    storage = Storage(path)
    await storage.open()
    try:
        assert mode(path) == 0o600
        await storage.meta.set("x", "y")
        assert mode(f"{path}-wal") == 0o600
    finally:
        await storage.close()


async def test_the_opener_key_survives_a_restart_and_an_old_one_moves_out(
    tmp_path: Path,
) -> None:
    path = tmp_path / "keys.db"
    storage = Storage(path)
    await storage.open()
    key = storage.db.opener_key
    await storage.close()
    again = Storage(path)
    await again.open()
    try:
        assert again.db.opener_key == key
        assert len(key) == 32
        assert await again.meta.get("opener_key") is None
    finally:
        await again.close()


async def test_a_key_kept_in_the_database_by_an_older_version_moves_to_the_file(
    tmp_path: Path,
) -> None:
    from storage.db import migrations

    path = tmp_path / "legacy.db"
    with closing(sqlite3.connect(path)) as conn:
        for version, _name, sql in migrations():
            if version < 5:
                conn.executescript(sql)
        conn.execute("PRAGMA user_version = 4")
        conn.execute("INSERT INTO meta (key, value) VALUES ('opener_key', ?)", ("ab" * 32,))
        conn.commit()
    storage = Storage(path)
    await storage.open()
    try:
        assert storage.db.opener_key == bytes.fromhex("ab" * 32)
        assert await storage.meta.get("opener_key") is None
        assert key_path(path).read_text().strip() == "ab" * 32
        assert mode(key_path(path)) == 0o600
    finally:
        await storage.close()
    with closing(sqlite3.connect(path)) as conn:
        left = conn.execute("SELECT count(*) FROM meta WHERE key = 'opener_key'").fetchone()
    assert left == (0,)


def test_private_files_and_folders(tmp_path: Path) -> None:
    folder = tmp_path / "a" / "b"
    private_folder(folder)
    assert mode(folder) == 0o700
    out = folder / "export.csv"
    out.write_bytes(b"old")
    os.chmod(out, 0o644)
    write_private(out, b"new")
    assert (out.read_bytes(), mode(out)) == (b"new", 0o600)
