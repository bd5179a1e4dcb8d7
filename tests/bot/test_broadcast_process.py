"""A broadcast to a few hundred people, interrupted in the real `doingwith run` process.

The deliveries are queued through storage before the process starts; the process sends
them through the rate limiter (30 a second) to the fake Bot API on 127.0.0.1, which counts
every sendMessage per chat. Mid-broadcast the process gets SIGTERM (it must exit within
5 s, leaving what it did not send queued) or kill -9; a restart then sends the rest.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.workshop_file import load_workshop_file
from handlers import jobs
from storage import Storage
from storage.kinds import Purpose
from tests.bot.test_run_process import _start, _stop
from tests.conftest import EXAMPLE, OWNER
from tests.storage.test_participants import HASH
from tests.support.fake_api_server import FakeBotApi

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

RECIPIENTS = 300
FIRST_CHAT = 60_000
CHATS = set(range(FIRST_CHAT, FIRST_CHAT + RECIPIENTS))
STOP_AFTER = 60  # sends before the process is stopped: well inside the broadcast
SIGTERM_LIMIT = 5.0  # seconds: docker stop's default grace period is 10
# Draining the queue at 30 a second would take 8 s: a wait for the outbox would show.
assert (RECIPIENTS - STOP_AFTER) / 30 > SIGTERM_LIMIT


async def _seed(db: Path) -> None:
    storage = Storage(db)
    await storage.open()
    try:
        workshop = await storage.workshops.create(load_workshop_file(EXAMPLE))
        # No quiet hours: the broadcast goes whenever the test runs.
        await storage.db.execute(
            "UPDATE workshops SET quiet_start = '00:00', quiet_end = '00:00' WHERE id = ?",
            (workshop.id,),
        )
        workshop = await storage.workshops.get(workshop.id)
        assert workshop is not None
        for chat_id in sorted(CHATS):
            person = await storage.participants.decide_take_part(
                workshop.id, chat_id, granted=True, text_sha256=HASH, method="button"
            )
            await storage.participants.decide(
                person.id, Purpose.UPDATES, granted=True, text_sha256=HASH, method="button"
            )
        update = await storage.updates.create(
            workshop.id, "The evening buses run from May.", [], "2000-01-01T00:00:00+00:00", OWNER
        )
        queued = await jobs.enqueue_update(storage, update, datetime.now(UTC))
        assert queued == RECIPIENTS
    finally:
        await storage.close()


def _states(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT state, COUNT(*) FROM deliveries GROUP BY state"))


def _recipients_sent(api: FakeBotApi) -> int:
    counts = api.sends_by_chat()
    return sum(n for chat, n in counts.items() if chat in CHATS)


def _everyone_has_one(api: FakeBotApi) -> bool:
    return set(api.sends_by_chat()) >= CHATS


def _clean_log(db: Path) -> str:
    log = db.with_suffix(".log").read_text()
    assert "Traceback" not in log, log
    return log


def test_sigterm_mid_broadcast_exits_within_5_s_and_the_restart_sends_the_rest(
    tmp_path: Path,
) -> None:
    db = tmp_path / "doingwith.db"
    asyncio.run(_seed(db))
    began = time.monotonic()
    with FakeBotApi() as api:
        first = _start(db, api)
        try:
            api.wait_until(lambda a: _recipients_sent(a) >= STOP_AFTER)
        finally:
            asked = time.monotonic()
            returncode = _stop(first, signal.SIGTERM)
            took = time.monotonic() - asked
        assert returncode == 0, _clean_log(db)
        assert took <= SIGTERM_LIMIT, f"{took:.2f} s from SIGTERM to exit"
        at_stop = _recipients_sent(api)
        states = _states(db)
        # Stopped mid-broadcast: every send the fake saw is recorded as sent (the one in
        # flight finished), nothing is left claimed, and the rest waits in the queue.
        assert states == {"sent": at_stop, "pending": RECIPIENTS - at_stop}, states
        assert at_stop < RECIPIENTS / 2

        second = _start(db, api)
        try:
            api.wait_until(_everyone_has_one, timeout=25)
        finally:
            assert _stop(second, signal.SIGTERM) == 0
        counts = api.sends_by_chat()
    _clean_log(db)
    assert {chat: n for chat, n in counts.items() if chat in CHATS} == dict.fromkeys(CHATS, 1)
    assert _states(db) == {"sent": RECIPIENTS}
    print(
        f"\nSIGTERM after {at_stop} of {RECIPIENTS} sends: exit in {took:.2f} s; "
        f"after the restart each of {RECIPIENTS} got one copy; "
        f"test took {time.monotonic() - began:.1f} s"
    )


def test_kill_9_mid_broadcast_then_restart_repeats_at_most_the_send_in_flight(
    tmp_path: Path,
) -> None:
    db = tmp_path / "doingwith.db"
    asyncio.run(_seed(db))
    began = time.monotonic()
    with FakeBotApi() as api:
        first = _start(db, api)
        try:
            api.wait_until(lambda a: _recipients_sent(a) >= STOP_AFTER)
        finally:
            first.kill()  # kill -9: no shutdown at all
            first.wait()
        seen_at_kill = _recipients_sent(api)
        states = _states(db)
        recorded = states.get("sent", 0)
        # Reached the fake but not recorded as sent: the sends in flight at the kill.
        in_flight = seen_at_kill - recorded
        assert 0 <= in_flight <= 1, (seen_at_kill, states)  # one send at a time
        assert recorded < RECIPIENTS

        second = _start(db, api)
        try:
            api.wait_until(_everyone_has_one, timeout=25)
        finally:
            assert _stop(second, signal.SIGTERM) == 0
        counts = api.sends_by_chat()
    _clean_log(db)
    ours = {chat: n for chat, n in counts.items() if chat in CHATS}
    assert set(ours) == CHATS  # none lost
    duplicates = sum(n - 1 for n in ours.values())
    assert duplicates <= in_flight
    assert all(n <= 2 for n in ours.values())
    assert _states(db) == {"sent": RECIPIENTS}
    print(
        f"\nkill -9 after {seen_at_kill} of {RECIPIENTS} sends ({in_flight} in flight): "
        f"{duplicates} duplicate(s) after the restart; "
        f"test took {time.monotonic() - began:.1f} s"
    )
