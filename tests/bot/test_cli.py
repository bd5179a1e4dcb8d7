"""bot/cli.py: the doingwith command. main() runs asyncio itself, so these tests are sync."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from bot.cli import EXIT_USAGE, main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "what-matters.toml"
LINK = re.compile(r"^Invite link: https://t\.me/mybot\?start=([A-Za-z0-9_-]{22})$")


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("DOINGWITH_DB", str(path))
    return path


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchall()


def test_workshop_add_prints_an_invite_link(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["workshop", "add", str(EXAMPLE), "--bot-username", "mybot"])
    out, err = capsys.readouterr()
    assert code == 0
    assert err == ""
    lines = out.splitlines()
    assert lines[0] == "Added workshop 1: Getting to appointments: a 100-day lab"
    match = LINK.match(lines[1])
    assert match, lines[1]
    assert lines[2] == "Languages: English, Polski"
    assert len(lines) == 3  # no hint about the username: it was given
    stored = rows(db, "SELECT id, title, invite_code, status FROM workshops")
    assert stored == [(1, "Getting to appointments: a 100-day lab", match.group(1), "open")]
    assert rows(db, "SELECT count(*) FROM questions WHERE workshop_id = 1") == [(6,)]
    assert rows(db, "SELECT kind FROM questions WHERE position = 3") == [("relationships",)]


def test_two_workshops_get_two_codes(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.toml"
    text = EXAMPLE.read_text(encoding="utf-8")
    other.write_text(text.replace('title = "', 'title = "Second round: ', 1), encoding="utf-8")
    assert main(["workshop", "add", str(EXAMPLE), "--bot-username", "mybot"]) == 0
    assert main(["workshop", "add", str(other), "--bot-username", "mybot"]) == 0
    out = capsys.readouterr().out
    codes = [m.group(1) for line in out.splitlines() if (m := LINK.match(line))]
    assert len(codes) == 2
    assert codes[0] != codes[1]
    assert "Added workshop 2:" in out


def test_workshop_add_without_a_username_explains_how_to_join(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["workshop", "add", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    (code,) = rows(db, "SELECT invite_code FROM workshops")[0]
    assert "<your_bot_username>" not in out  # no link that cannot work
    assert f"Invite code: {code}" in out
    assert "doingwith workshop list" in out
    assert f"/start {code}" in out


def test_workshop_add_uses_the_stored_bot_username(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["workshop", "list"]) == 0  # creates the database
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('bot_username', 'storedbot')")
    capsys.readouterr()
    assert main(["workshop", "add", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^Invite link: https://t\.me/storedbot\?start=[A-Za-z0-9_-]{22}$", out, re.M)


def test_workshop_list_when_empty(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["workshop", "list"]) == 0
    out, err = capsys.readouterr()
    assert out == (
        "No workshops yet. Add one with: doingwith workshop add examples/what-matters.toml\n"
    )
    assert err == ""


def test_workshop_list_shows_each_workshop(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["workshop", "add", str(EXAMPLE), "--bot-username", "mybot"])
    main(["workshop", "add", str(EXAMPLE), "--bot-username", "mybot"])
    capsys.readouterr()
    assert main(["workshop", "list"]) == 0
    out = capsys.readouterr().out
    codes = [code for (code,) in rows(db, "SELECT invite_code FROM workshops ORDER BY id")]
    title = "Getting to appointments: a 100-day lab"
    assert out.splitlines() == [
        f"{i}\topen\t{title}\thttps://t.me/<your_bot_username>?start={code}"
        for i, code in enumerate(codes, start=1)
    ]


@pytest.mark.parametrize(
    "content",
    [
        "title = \n",  # not TOML
        'title = "x"\n',  # fields missing
        'title = "x"\ncolour = "blue"\n',  # unknown field
    ],
)
def test_a_broken_file_exits_2_with_one_line(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(content, encoding="utf-8")
    code = main(["workshop", "add", str(broken), "--bot-username", "mybot"])
    out, err = capsys.readouterr()
    assert code == EXIT_USAGE == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("doingwith: ")
    assert "broken.toml" in err
    assert not db.exists()  # nothing is created for a file that cannot be used


def test_a_missing_file_exits_2(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["workshop", "add", str(tmp_path / "nope.toml")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("doingwith: cannot read ")
    assert err.count("\n") == 1


def test_a_database_in_a_missing_folder_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOINGWITH_DB", str(tmp_path / "missing" / "cli.db"))
    code = main(["workshop", "list"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("doingwith: DOINGWITH_DB: the folder ")
    assert err.count("\n") == 1


def test_run_without_a_token_exits_2_naming_the_variable(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    code = main(["run"])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.startswith("doingwith: TELEGRAM_BOT_TOKEN is not set")
    assert err.count("\n") == 1
    assert not db.exists()


def test_run_with_a_garbled_token_exits_2(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "not-a-token")
    assert main(["run"]) == 2
    assert capsys.readouterr().err.startswith("doingwith: TELEGRAM_BOT_TOKEN does not look like")


@pytest.mark.parametrize("argv", [[], ["workshop"], ["workshop", "add"], ["fly"]])
def test_bad_usage_exits_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert "usage: doingwith" in capsys.readouterr().err


def test_export_csv_and_json_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    monkeypatch.setenv("DOINGWITH_DB", str(tmp_path / "cli.db"))
    assert main(["workshop", "add", str(EXAMPLE), "--bot-username", "b"]) == 0
    capsysbinary.readouterr()
    assert main(["export", "1", "--format", "csv"]) == 0
    out = capsysbinary.readouterr().out
    assert out.startswith(b"\xef\xbb\xbfpseudonym,type,question_number,question,text")
    target = tmp_path / "x.json"
    assert main(["export", "1", "--format", "json", "--out", str(target)]) == 0
    assert json.loads(target.read_bytes())["rows"] == []
    assert main(["export", "7"]) == 2
    assert b"there is no workshop 7" in capsysbinary.readouterr().err


def test_run_without_reaching_telegram_says_so_in_one_line(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": "123456789:AAEabcdefghijklmnopqrstuvwxyz0123456",
        "DOINGWITH_DB": str(tmp_path / "doingwith.db"),
        # Nothing listens on the discard port: the connection is refused at once.
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "ERROR" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("doingwith: cannot reach http://127.0.0.1:9/bot")


def test_adding_the_same_workshop_file_twice_adds_nothing_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOINGWITH_DB", str(tmp_path / "doingwith.db"))
    assert main(["workshop", "add", str(EXAMPLE), "--bot-username", "b"]) == 0
    capsys.readouterr()
    # README's first command may be run again: it must go on to start the bot.
    assert main(["workshop", "add", str(EXAMPLE), "--bot-username", "b"]) == 0
    said = capsys.readouterr().out
    assert "Workshop 1 is already called" in said
    assert "nothing was added" in said
    assert "Invite link: https://t.me/b?start=" in said
    with closing(sqlite3.connect(tmp_path / "doingwith.db")) as db:
        assert db.execute("SELECT COUNT(*) FROM workshops").fetchone()[0] == 1


def test_help_is_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "``" not in capsys.readouterr().out


def test_health_follows_the_heartbeat_of_the_jobs(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime, timedelta

    from storage import Storage

    async def beat(at: datetime | None) -> None:
        storage = Storage(str(db))
        await storage.open()
        if at is not None:
            await storage.meta.beat(at)
        await storage.close()

    asyncio.run(beat(None))
    assert main(["health"]) == 1
    assert "no heartbeat yet" in capsys.readouterr().err
    asyncio.run(beat(datetime.now(UTC) - timedelta(minutes=5)))
    assert main(["health"]) == 1
    assert "the last heartbeat was" in capsys.readouterr().err
    asyncio.run(beat(datetime.now(UTC)))
    assert main(["health"]) == 0
