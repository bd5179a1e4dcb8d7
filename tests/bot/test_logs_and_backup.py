"""No token and no participant text in the log at DEBUG; backups and exports 0600."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from bot.cli import QUIET_LOGGERS, RedactSecrets, main, quiet_loggers
from tests.conftest import EXAMPLE, TOKEN, RunningBot
from tests.support.chat import Chat

ANSWERS = ("Seeing my grandchildren xq1", "Cooking xq2", "Get out of the house xq3")


@pytest.fixture
def restore_levels() -> Iterator[None]:
    saved = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.usefixtures("restore_levels")
async def test_a_journey_logged_at_debug_holds_no_answer_and_no_token(
    chat: Chat, bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # Without the quieting, aiosqlite logs each statement's parameters (here the invite
    # code: answers are saved by a function, whose parameters its log line does not show,
    # but a quieting that failed would show the rest): the test can see it.
    logging.getLogger("aiosqlite").setLevel(logging.DEBUG)
    await chat.join(chat.invite)
    assert chat.invite in caplog.text
    caplog.clear()

    quiet_loggers()  # what `doingwith` does before anything else
    for answer in ANSWERS:
        await chat.say(answer)
    await chat.say("/review")
    await chat.say("/forget")
    await bot.app.update_persistence()
    logging.getLogger("doingwith.probe").debug("probe")  # DEBUG lines do reach the capture
    records = caplog.records
    text = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in records)
    assert "probe" in text
    for answer in ANSWERS:
        assert answer not in text
    assert TOKEN not in text
    assert TOKEN.split(":")[1] not in text


def test_the_token_is_redacted_from_any_log_line() -> None:
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "POST https://x.org/bot%s/getMe", (TOKEN,), None
    )
    assert RedactSecrets(TOKEN).filter(record)
    assert record.getMessage() == "POST https://x.org/bot[redacted]/getMe"


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_backup_while_the_bot_has_the_database_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "live.db"
    monkeypatch.setenv("DOINGWITH_DB", str(db))
    assert main(["workshop", "add", str(EXAMPLE), "--bot-username", "b"]) == 0
    # The running bot: a reader in the middle of a read, a writer in the middle of a write.
    reader = sqlite3.connect(db, isolation_level=None)
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        writer.execute("INSERT INTO meta (key, value) VALUES ('written', 'before the backup')")
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM workshops").fetchone()
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO meta (key, value) VALUES ('uncommitted', 'x')")
        target = tmp_path / "new-folder" / "copy.db"
        assert main(["backup", str(target)]) == 0
        writer.execute("ROLLBACK")
        writer.execute("UPDATE meta SET value = 'after the backup' WHERE key = 'written'")
    finally:
        reader.close()
        writer.close()
    assert "Backed up" in capsys.readouterr().err
    assert mode(target) == 0o600
    assert mode(target.parent) == 0o700
    assert not Path(f"{target}-wal").exists()
    with closing(sqlite3.connect(target)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM workshops").fetchone() == (1,)
        assert (
            dict(conn.execute("SELECT key, value FROM meta").fetchall()).get("written")
            == "before the backup"
        )
        assert conn.execute("SELECT count(*) FROM meta WHERE key = 'uncommitted'").fetchone() == (
            0,
        )


def test_backup_of_a_missing_database_or_onto_itself_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "none.db"
    monkeypatch.setenv("DOINGWITH_DB", str(db))
    assert main(["backup", str(tmp_path / "copy.db")]) == 2
    assert "there is no database" in capsys.readouterr().err
    assert main(["workshop", "list"]) == 0
    assert main(["backup", str(db)]) == 2
    assert "cannot be the database itself" in capsys.readouterr().err


def test_an_export_file_is_0600(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOINGWITH_DB", str(tmp_path / "cli.db"))
    old = os.umask(0o022)
    try:
        assert main(["workshop", "add", str(EXAMPLE), "--bot-username", "b"]) == 0
        target = tmp_path / "answers.csv"
        assert main(["export", "1", "--out", str(target)]) == 0
    finally:
        os.umask(old)
    assert mode(target) == 0o600
    assert mode(tmp_path / "cli.db") == 0o600
