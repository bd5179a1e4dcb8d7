"""Files only their owner can read: the database, its -wal and -shm, key, backups, exports.

SQLite creates ``-wal`` and ``-shm`` lazily, with the permissions of the database file, so
making the database 0600 before SQLite first opens it covers them too; files left from
older versions are tightened on every start.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
SIDE_FILES = ("-wal", "-shm", "-journal")


def private_folder(folder: Path) -> None:
    """Create ``folder`` (and missing parents) 0700; an existing folder is left as it is."""
    if not folder.is_dir():
        folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
        os.chmod(folder, PRIVATE_FOLDER)  # mkdir's mode is cut by the umask


def create_private(path: Path) -> None:
    """Make sure ``path`` exists and only its owner can read or write it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE)
    os.close(fd)
    os.chmod(path, PRIVATE_FILE)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``, a file created 0600 (an existing one is made 0600 first)."""
    create_private(path)
    with open(path, "wb") as out:
        out.write(data)


def secure_database_files(path: Path) -> None:
    """Create the database file 0600 if it is new; tighten it and its side files if not."""
    create_private(path)
    for suffix in SIDE_FILES:
        with contextlib.suppress(FileNotFoundError):
            os.chmod(f"{path}{suffix}", PRIVATE_FILE)


def key_path(db_path: Path) -> Path:
    """Where the link-open key lives: beside the database, never inside it."""
    return Path(f"{db_path}.key")


def load_or_create_key(path: Path, legacy_hex: str | None = None) -> bytes:
    """Read the key file, or create it 0600 (holding ``legacy_hex`` when moving a key)."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        text = ""
    if text:
        os.chmod(path, PRIVATE_FILE)
        return bytes.fromhex(text)
    key = bytes.fromhex(legacy_hex) if legacy_hex else os.urandom(32)
    write_private(path, key.hex().encode("ascii") + b"\n")
    return key
