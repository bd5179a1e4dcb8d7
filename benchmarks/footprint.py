"""Footprint benchmark: the real `doingwith run` process on a big database.

Seeds a database (benchmarks/seed.py: 100,000 participants and 1,000,000 answers by
default), queues a "/start CODE" at the fake Bot API of tests/support/fake_api_server.py
(HTTP on 127.0.0.1), starts `doingwith run` against it and measures:

  start-up    from starting the process to the fake receiving the reply to that /start,
              beside the start-to-exit time of a bare ``python -c 'import telegram,
              telegram.ext'`` measured in the same run (target <= 1.5 s);
  journeys    N more people go through the whole participant journey (17 updates each,
              buttons pressed by their label, as in benchmarks/journey.py) through the
              process, which paces itself under Telegram's 30 requests a second;
  peak RSS    the process's VmHWM (/proc/PID/status) after the journeys, beside the bare
              process's (target <= 120 MB).

    python -m benchmarks.footprint                    # about a minute
    python -m benchmarks.footprint --people 1000 --answers 6000 --journeys 5
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import shutil
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.journey import JOURNEY, Step
from benchmarks.process import (
    MB,
    Bare,
    bare_python,
    log_problems,
    peak_rss,
    start_bot,
    stop_bot,
)
from benchmarks.seed import SIMULATED_USERS, Seeded, seed
from storage.kinds import ParticipantStatus
from tests.support.fake_api_server import FakeBotApi

STARTUP_TARGET = 1.5  # seconds
PEAK_TARGET = 120 * MB


@dataclass(frozen=True)
class Footprint:
    bare: Bare
    seeded: Seeded
    seed_seconds: float
    database_bytes: int
    startup: float  # process start to the reply to /start arriving at the fake
    journeys: int
    journey_seconds: float
    submitted: int  # of the ``journeys`` people, how many ended submitted with six answers
    peak: int | None  # bytes (VmHWM), after the journeys
    peak_at_start: int | None  # bytes (VmHWM), when the first reply had arrived
    problems: str  # the process's log, if it holds an error


class Driver:
    """People in private chats with the bot, over the fake Bot API: type or press.

    The bot handles updates one at a time, in order; so once an update pushed after a
    person's last one has had an answer, that person's last update is done, and their
    chat shows what they would see now. Before each step the driver waits for that.
    """

    def __init__(self, api: FakeBotApi, invite: str) -> None:
        self.api = api
        self.invite = invite
        self.pushed: list[tuple[int, int]] = []  # (chat, calls naming it when pushed)
        self.last: dict[int, int] = {}  # chat -> index into pushed of its last update
        self.message_ids = itertools.count(1)

    def _answered(self, index: int) -> bool:
        chat, calls = self.pushed[index]
        return self.api.chat_calls[chat] > calls

    def wait_until_done(self, chat: int, timeout: float = 60.0) -> None:
        """Block until this person's last update has been handled."""
        index = self.last.get(chat)
        if index is None:
            return
        later = index + 1 < len(self.pushed)
        probe = index + 1 if later else index
        self.api.wait_until(lambda _: self._answered(probe), timeout=timeout)
        if not later:  # nothing after it to prove it finished: let its replies settle
            time.sleep(0.3)

    def step(self, user_id: int, step: Step) -> None:
        self.wait_until_done(user_id)
        user = {"id": user_id, "is_bot": False, "first_name": f"P{user_id}"}
        chat = {"id": user_id, "type": "private", "first_name": f"P{user_id}"}
        self.last[user_id] = len(self.pushed)
        self.pushed.append((user_id, self.api.chat_calls[user_id]))
        if step.say:
            text = step.say.format(invite=self.invite)
            message: dict[str, Any] = {
                "message_id": next(self.message_ids),
                "date": int(time.time()),
                "chat": chat,
                "from": user,
                "text": text,
            }
            if text.startswith("/"):
                length = len(text.split()[0])
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
            self.api.push("message", message)
            return
        found = self.api.button(user_id, step.press)
        if found is None:
            raise AssertionError(f"no button {step.press!r} in chat {user_id}")
        message_id, text, data = found
        markup = self.api.screens[user_id][message_id][1]
        shown: dict[str, Any] = {"message_id": message_id, "date": 0, "chat": chat, "text": text}
        if markup:
            shown["reply_markup"] = markup
        self.api.push(
            "callback_query",
            {
                "id": str(next(self.message_ids)),
                "from": user,
                "chat_instance": f"ci-{user_id}",
                "data": data,
                "message": shown,
            },
        )


def _submitted(db: Path, workshop_id: int, first: int, count: int) -> int:
    """Of the people ``first`` .. ``first + count - 1``: submitted with six answers."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        row = conn.execute(
            """SELECT count(*) FROM participants p
               WHERE p.workshop_id = ? AND p.telegram_user_id BETWEEN ? AND ?
                 AND p.status = ?
                 AND (SELECT count(*) FROM answers a WHERE a.participant_id = p.id) = 6""",
            (workshop_id, first, first + count - 1, ParticipantStatus.SUBMITTED),
        ).fetchone()
    conn.close()
    return int(row[0])


def measure(
    folder: Path, people: int, answers: int, journeys: int, *, timeout: float = 600.0
) -> Footprint:
    """Seed, start the process, time the first reply, drive ``journeys`` people through."""
    if journeys < 2:
        raise ValueError("drive at least 2 people: each one's step shows the other's is done")
    db = folder / "footprint.db"
    bare = bare_python()
    started = time.perf_counter()
    seeded = asyncio.run(seed(db, people, answers))
    seed_seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in folder.glob("footprint.db*"))
    users = [SIMULATED_USERS + n for n in range(journeys)]
    with FakeBotApi() as api:
        driver = Driver(api, seeded.invite_code)
        driver.step(users[0], JOURNEY[0])  # waiting before the process starts
        began = time.monotonic()
        process = start_bot(db, api.base_url)
        try:
            api.wait_until(
                lambda a: bool(a.delivered) or process.poll() is not None, timeout=timeout
            )
            if not api.delivered:
                raise RuntimeError(f"the bot exited: {log_problems(db) or process.returncode}")
            startup = api.delivered[0][0] - began
            peak_at_start = peak_rss(process.pid)
            journey_began = time.monotonic()
            for index, step in enumerate(JOURNEY):
                for user in users:
                    if index == 0 and user == users[0]:
                        continue  # sent before the start
                    driver.step(user, step)
            deadline = time.monotonic() + timeout
            while _submitted(db, seeded.workshop_id, users[0], journeys) < journeys:
                if time.monotonic() > deadline or process.poll() is not None:
                    break
                time.sleep(0.05)
            journey_seconds = time.monotonic() - journey_began
            peak = peak_rss(process.pid)
        finally:
            returncode = stop_bot(process)
    problems = log_problems(db) or (f"exit code {returncode}" if returncode else "")
    return Footprint(
        bare=bare,
        seeded=seeded,
        seed_seconds=seed_seconds,
        database_bytes=size,
        startup=startup,
        journeys=journeys,
        journey_seconds=journey_seconds,
        submitted=_submitted(db, seeded.workshop_id, users[0], journeys),
        peak=peak,
        peak_at_start=peak_at_start,
        problems=problems,
    )


def report(f: Footprint) -> None:
    s = f.seeded
    print(f"seeded       {s.participants:,} participants ({s.rows:,} rows over {s.workshops} "
          f"workshops), {s.answers:,} answers, {s.consents:,} consents in "
          f"{f.seed_seconds:.1f} s; database {f.database_bytes / MB:.0f} MB")  # fmt: skip
    print(f"start-up     process start to the reply to /start: {f.startup:.2f} s "
          f"(target <= {STARTUP_TARGET} s) = {f.startup / f.bare.seconds:.2f} x a bare "
          f"python importing telegram ({f.bare.seconds:.2f} s start to exit)")  # fmt: skip
    updates = f.journeys * len(JOURNEY)
    print(f"journeys     {f.submitted}/{f.journeys} submitted with six answers; "
          f"{updates:,} updates in {f.journey_seconds:.1f} s "
          f"({updates / f.journey_seconds:.1f} updates/s; the process sends at most 30 "
          "requests a second)")  # fmt: skip
    if f.peak is not None and f.bare.peak is not None:
        at_start = f"{f.peak_at_start / MB:.0f} MB at the first reply, " if f.peak_at_start else ""
        print(f"peak RSS     {f.peak / MB:.0f} MB (VmHWM; {at_start}target <= "
              f"{PEAK_TARGET / MB:.0f} MB) = {f.peak / f.bare.peak:.2f} x a bare python "
              f"importing telegram ({f.bare.peak / MB:.0f} MB)")  # fmt: skip
    else:
        print("peak RSS     not available (no /proc on this system)")
    if f.problems:
        print(f"the bot's log has errors:\n{f.problems}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=100_000, help="participants to seed")
    parser.add_argument("--answers", type=int, default=1_000_000, help="answers to seed")
    parser.add_argument("--journeys", type=int, default=20, help="people driven through")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="footprint-"))
    try:
        figures = measure(folder, args.people, args.answers, args.journeys)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report(figures)
    good = figures.submitted == figures.journeys and not figures.problems
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
