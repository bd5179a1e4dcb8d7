"""The real `doingwith run` process, killed with -9 right after a facilitator prompt.

Persistence writes every few seconds; a prompt's step is written before the prompt goes
out, so what the owner types after the restart is taken by that step: an action's title,
an update's message, a closing message. Each kill comes within half a second of the
prompt reaching the (fake) Bot API, once the update that asked for it is confirmed, so
Telegram does not send it again: the restarted bot has only the database to go on.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.bot.test_run_process import (
    CHAT,
    USER,
    Person,
    _add_workshop,
    _buttons_of_last,
    _env,
    _sql,
    _stop,
    _wait_for_more,
)
from tests.conftest import ROOT
from tests.support.fake_api_server import FakeBotApi

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

OWNER = USER["id"]
assert CHAT["id"] == OWNER  # a private chat: the conversation's key is (chat, user)


def _start(db: Path, api: FakeBotApi) -> subprocess.Popen[bytes]:
    env = {**_env(db, api), "DOINGWITH_ADMINS": str(OWNER)}
    with db.with_suffix(".log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )


def _kill_at(
    api: FakeBotApi, process: subprocess.Popen[bytes], prompt: str, delay: float
) -> float:
    """Kill -9 ``delay`` seconds after ``prompt`` was sent (once every update is
    confirmed); return how long after the prompt reached the Bot API it was killed."""
    api.wait_for_text(prompt)
    prompted_at = time.monotonic()
    api.wait_until(lambda a: not a.updates, timeout=0.4)
    time.sleep(max(0.0, delay - (time.monotonic() - prompted_at)))
    process.kill()  # no shutdown, no persistence flush
    killed_after = time.monotonic() - prompted_at
    process.wait()
    assert killed_after < 0.5, killed_after
    return killed_after


def _after_restart(api: FakeBotApi, person: Person, text: str, reply: str) -> None:
    """Type ``text`` and wait for ``reply`` (new since the restart)."""
    seen = api.count_text(reply)
    person.say(text)
    _wait_for_more(api, reply, seen)


@pytest.mark.parametrize("delay", [0.0, 0.4], ids=["at-once", "after-0.4s"])
def test_kill_9_at_each_facilitator_prompt_keeps_the_step(tmp_path: Path, delay: float) -> None:
    db = tmp_path / "doingwith.db"
    _add_workshop(db)
    kills: dict[str, float] = {}
    with FakeBotApi() as api:
        person = Person(api)

        first = _start(db, api)
        try:
            person.say("/action")
        finally:
            kills["action title"] = _kill_at(api, first, "What was done, or will be done?", delay)

        second = _start(db, api)
        try:
            _after_restart(api, person, "Evening buses on route 47", "What is its status?")
            person.press(_buttons_of_last(api, "What is its status?")["In progress"])
            api.wait_for_text("Which themes")
            person.press(_buttons_of_last(api, "Which themes")["Save the action"])
            api.wait_for_text("Saved")
            person.say("/update")
            api.wait_for_text("Which actions is it about?")
            picker = _buttons_of_last(api, "Which actions is it about?")
            person.press(picker["Evening buses on route 47"])
            person.press(picker["Next: write the message"])
        finally:
            kills["update body"] = _kill_at(api, second, "Write the message (at most", delay)

        third = _start(db, api)
        try:
            _after_restart(
                api, person, "The 47 now runs until 11pm.", "Send it now, or choose a time?"
            )
            person.press(_buttons_of_last(api, "Send it now, or choose a time?")["Send now"])
            api.wait_for_text("Sending to")
            person.say("/close")
        finally:
            kills["closing message"] = _kill_at(api, third, "Type one now", delay)

        fourth = _start(db, api)
        try:
            _after_restart(
                api, person, "See you at the library in May.", "is now closed to new people"
            )
        finally:
            returncode = _stop(fourth, signal.SIGTERM)
        log = db.with_suffix(".log").read_text()
        assert returncode == 0, log
        assert "Traceback" not in log
        # Each prompt was shown once: what was typed went to the restored step, not to a
        # command Telegram sent again.
        for prompt in ("What was done", "Write the message (at most", "Type one now"):
            assert api.count_text(prompt) == 1, prompt

    assert _sql(db, "SELECT title, status FROM actions") == (
        "[['Evening buses on route 47', 'in_progress']]"
    )
    assert _sql(db, "SELECT body FROM updates") == "[['The 47 now runs until 11pm.']]"
    assert _sql(db, "SELECT status, closing_message FROM workshops") == (
        "[['closed', 'See you at the library in May.']]"
    )
    print("kill -9 after the prompt:", {k: f"{v * 1000:.0f} ms" for k, v in kills.items()})
