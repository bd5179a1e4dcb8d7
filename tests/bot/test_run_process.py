"""The real `doingwith run` process against a fake Bot API on 127.0.0.1.

Covers what in-process tests cannot: start-up from the environment, kill -9 in the middle
of the questions (updates that were handled but not confirmed come again), and a clean
stop on SIGTERM.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLE, ROOT, TOKEN
from tests.support.fake_api_server import FakeBotApi

USER = {"id": 5151, "is_bot": False, "first_name": "Robin"}
CHAT = {"id": 5151, "type": "private", "first_name": "Robin"}


def _env(db: Path, api: FakeBotApi) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DOINGWITH_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        DOINGWITH_DB=str(db),
        TELEGRAM_API_BASE_URL=api.base_url,
        PYTHONPATH=str(ROOT),
    )
    return env


def _start(db: Path, api: FakeBotApi) -> subprocess.Popen[bytes]:
    log = db.with_suffix(".log").open("ab")
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=ROOT,
            env=_env(db, api),
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    finally:
        log.close()  # the child has its own copy


class Person:
    def __init__(self, api: FakeBotApi) -> None:
        self.api = api
        self.ids = iter(range(1, 10_000))

    def say(self, text: str) -> None:
        message: dict[str, Any] = {
            "message_id": next(self.ids),
            "date": int(time.time()),
            "chat": CHAT,
            "from": USER,
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        self.api.push("message", message)

    def press(self, data: str) -> None:
        self.api.push(
            "callback_query",
            {
                "id": str(next(self.ids)),
                "from": USER,
                "chat_instance": "ci",
                "data": data,
                "message": {"message_id": 1, "date": 0, "chat": CHAT, "text": "…"},
            },
        )


def _button(message: dict[str, Any], starting: str) -> str:
    """The data of the button on ``message`` whose data starts with ``starting``."""
    markup = message.get("reply_markup") or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if str(button.get("callback_data", "")).startswith(starting):
                return str(button["callback_data"])
    raise AssertionError(f"no button starting {starting!r} on {message!r}")


def _stop(process: subprocess.Popen[bytes], sig: int) -> int:
    process.send_signal(sig)
    try:
        return process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_kill_9_mid_questions_then_sigterm(tmp_path: Path) -> None:
    db = tmp_path / "doingwith.db"
    added = subprocess.run(
        [sys.executable, "-m", "bot", "workshop", "add", str(EXAMPLE), "--bot-username", "b"],
        cwd=ROOT,
        env={**os.environ, "DOINGWITH_DB": str(db), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    code = added.stdout.split("start=")[1].split()[0]

    with FakeBotApi() as api:
        person = Person(api)
        first = _start(db, api)
        try:
            person.say(f"/start {code}")
            shown = api.wait_for_text("Can we keep your answers?")
            person.press(_button(shown, f"cons:yes:take_part:{code}"))
            shown = api.wait_for_text("Would you like to hear what happens?")
            person.press(_button(shown, f"cons:no:updates:{code}"))
            shown = api.wait_for_text("May we quote you?")
            person.press(_button(shown, f"cons:no:quote:{code}"))
            api.wait_for_text("how we work together")
            person.press(f"cons:step:go:{code}")
            api.wait_for_text("Question 1 of 6")
            person.say("Family")
            api.wait_for_text("Question 2 of 6")
        finally:
            first.kill()  # kill -9: no shutdown, no persistence flush
            first.wait()

        second = _start(db, api)
        try:
            person.say("Gardening")
            api.wait_for_text("Question 3 of 6")
        finally:
            returncode = _stop(second, signal.SIGTERM)
        log = db.with_suffix(".log").read_text()
        assert returncode == 0, log
        assert "Traceback" not in log
        assert TOKEN not in log  # httpx would log request URLs, which contain the token
        # "Family" may have been delivered twice (handled, never confirmed): kept once.
        assert api.count_text("Question 2 of 6") in (1, 2)

    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]);"
            "print(sorted(r[0] for r in c.execute('SELECT value FROM answers')))",
            str(db),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert check.stdout.strip() == "['\"Family\"', '\"Gardening\"']"


def test_missing_token_exits_2_with_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DOINGWITH_"))}
    env.update(DOINGWITH_DB=str(tmp_path / "x.db"), PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "TELEGRAM_BOT_TOKEN" in result.stderr


def test_unwritable_database_exits_2(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DOINGWITH_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        DOINGWITH_DB=str(tmp_path / "missing-folder" / "x.db"),
        PYTHONPATH=str(ROOT),
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "DOINGWITH_DB" in result.stderr
    assert "Traceback" not in result.stderr


def _add_workshop(db: Path) -> str:
    added = subprocess.run(
        [sys.executable, "-m", "bot", "workshop", "add", str(EXAMPLE), "--bot-username", "b"],
        cwd=ROOT,
        env={**os.environ, "DOINGWITH_DB": str(db), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    return added.stdout.split("start=")[1].split()[0]


def _wait_for_more(api: FakeBotApi, fragment: str, seen: int, timeout: float = 20.0) -> None:
    """Block until the bot has sent ``fragment`` more than ``seen`` times."""
    deadline = time.monotonic() + timeout
    while api.count_text(fragment) <= seen:
        if time.monotonic() > deadline:
            raise AssertionError(f"bot never sent {fragment!r} again")
        time.sleep(0.02)


def _buttons_of_last(api: FakeBotApi, fragment: str) -> dict[str, str]:
    """Label -> callback data of the newest message containing ``fragment``."""
    for method, params in reversed(api.calls):
        if method == "sendMessage" and fragment in str(params.get("text", "")):
            markup = params.get("reply_markup") or {}
            if isinstance(markup, str):
                markup = json.loads(markup)
            return {
                b["text"]: b["callback_data"] for row in markup["inline_keyboard"] for b in row
            }
    raise AssertionError(f"no message with {fragment!r}")


def _kill_9(process: subprocess.Popen[bytes], prompted_at: float) -> None:
    process.kill()  # kill -9: no shutdown, no persistence flush
    killed_after = time.monotonic() - prompted_at
    process.wait()
    assert killed_after < 0.5, killed_after


def _sql(db: Path, script: str) -> str:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1], timeout=10);"
            "r=[list(x) for x in c.execute(sys.argv[2])]; c.commit(); print(r)",
            str(db),
            script,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_kill_9_at_the_share_and_comment_prompts_forgets_neither(tmp_path: Path) -> None:
    db = tmp_path / "doingwith.db"
    code = _add_workshop(db)
    with FakeBotApi() as api:
        person = Person(api)
        first = _start(db, api)
        try:
            person.say(f"/start {code}")
            shown = api.wait_for_text("Can we keep your answers?")
            person.press(_button(shown, f"cons:yes:take_part:{code}"))
            shown = api.wait_for_text("Would you like to hear what happens?")
            person.press(_button(shown, f"cons:yes:updates:{code}"))
            shown = api.wait_for_text("May we quote you?")
            person.press(_button(shown, f"cons:no:quote:{code}"))
            api.wait_for_text("how we work together")
            person.press(f"cons:step:go:{code}")
            api.wait_for_text("Question 1 of 6")
            person.say("Family")
            api.wait_for_text("Question 2 of 6")
            time.sleep(5.5)  # the saved conversation state now says: at question 2
            person.say("/share")
            api.wait_for_text("Share a view with")
        finally:
            _kill_9(first, time.monotonic())

        second = _start(db, api)
        try:
            person.say("The 47 bus stops at 6pm")
            api.wait_for_text("Got it")
            person.press(_buttons_of_last(api, "Got it")["Done – share it"])
            api.wait_for_text("Thank you – shared with")
            now = "2030-01-01T12:00:00+00:00"
            _sql(
                db,
                "INSERT INTO updates (workshop_id, body, status, send_at, created_by, "
                f"created_at, enqueued_at) VALUES (1, 'Evening buses.', 'sent', '{now}', 9001, "
                f"'{now}', '{now}')",
            )
            _sql(
                db,
                "INSERT INTO deliveries (kind, update_id, participant_id, workshop_id, chat_id, "
                "text, state, not_before, telegram_message_id, created_at, sent_at) VALUES "
                f"('update', 1, 1, 1, {USER['id']}, 'x', 'sent', '{now}', 777, '{now}', '{now}')",
            )
            person.press("fb:partly:1")
            api.wait_for_text("What did it miss?")
        finally:
            _kill_9(second, time.monotonic())

        third = _start(db, api)
        try:
            filed = api.count_text("added that to your feedback")
            person.say("It missed Sundays")
            _wait_for_more(api, "added that to your feedback", filed)
        finally:
            returncode = _stop(third, signal.SIGTERM)
        log = db.with_suffix(".log").read_text()
        assert returncode == 0, log
        assert "Traceback" not in log

    assert _sql(db, "SELECT text, status FROM views") == "[['The 47 bus stops at 6pm', 'shared']]"
    assert _sql(db, "SELECT verdict, comment FROM feedback") == "[['partly', 'It missed Sundays']]"
    assert _sql(db, "SELECT value FROM answers") == """[['"Family"']]"""
