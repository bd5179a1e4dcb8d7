"""Broadcast benchmark: enqueue and deliver one update to N participants (default 10,000).

By default (``--mode http``) the deliveries are queued through storage, then the real
`doingwith run` process sends them: its outbox worker through python-telegram-bot's
AIORateLimiter and httpx, over HTTP on 127.0.0.1, to the fake Bot API of
tests/support/fake_api_server.py, which enforces Telegram's limits (30 messages in any
one second overall, one a second per chat) by answering 429 with ``retry_after``. So
"429s" means the limiter let too much through, and every figure includes real HTTP.
``--mode in-process`` runs the worker inside this process over a fake transport instead
(no HTTP, no process start), and also times the enqueueing alone.

    python -m benchmarks.broadcast                 # 10,000 participants: about 6 minutes
    python -m benchmarks.broadcast --count 1000    # about 40 seconds

Figures are ratios against what Telegram's limit allows (the ideal: one message every
1/30 s) and against a bare Python process started in the same run:
  spread      time from the first recipient's message to the last one's, over the ideal
              (N - 1) / 30 s: how close the whole broadcast runs to the limit;
  order       recipients whose message came out of enqueue order (the queue is first in,
              first out, so 0), and the largest such displacement;
  lost        recipients who got nothing; duplicates: copies beyond the first;
  peak RSS    of the bot process (VmHWM), beside a bare python importing telegram.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import collections
import dataclasses
import gc
import json
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from telegram.request import RequestData

from benchmarks.process import bare_python, log_problems, peak_rss, start_bot, stop_bot
from bot.app import build_application
from domain.config import Settings
from domain.workshop_file import load_workshop_file
from handlers import jobs
from storage import Storage
from storage.kinds import ActionStatus, ParticipantStatus, Purpose
from tests.support.fake_api_server import FakeBotApi
from tests.support.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
TELEGRAM_OVERALL = 30  # messages a second
TOKEN = "123456:BENCH-token-abcdefghijklmnopqrstuvwxyz"
MB = 1_000_000


class LimitedTelegram(FakeTelegram):
    """A fake Bot API that answers 429 when Telegram would, and keeps no call history."""

    def __init__(self) -> None:
        super().__init__()
        self.sent_times: collections.deque[float] = collections.deque()
        self.per_chat: dict[int, float] = {}
        self.too_many = 0
        self.sent = 0

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:  # fmt: skip
        if not url.endswith("/sendMessage"):
            return await super().do_request(url, method, request_data, *args, **kwargs)
        now = time.monotonic()
        while self.sent_times and now - self.sent_times[0] >= 1.0:
            self.sent_times.popleft()
        chat = int((request_data.parameters if request_data else {}).get("chat_id", 0))
        if len(self.sent_times) >= TELEGRAM_OVERALL or now - self.per_chat.get(chat, -9) < 1.0:
            self.too_many += 1
            body = {"ok": False, "error_code": 429, "description": "Too Many Requests",
                    "parameters": {"retry_after": 1}}  # fmt: skip
            return 429, json.dumps(body).encode()
        self.sent_times.append(now)
        self.per_chat[chat] = now
        self.sent += 1
        self.next_message_id += 1
        result = {"message_id": self.next_message_id, "date": 0,
                  "chat": {"id": chat, "type": "private"}, "text": "x"}  # fmt: skip
        return 200, json.dumps({"ok": True, "result": result}).encode()


async def seed(storage: Storage, count: int, *, quiet_hours: bool = True) -> int:
    """A workshop with ``count`` participants who chose updates; a third said 'transport'.

    Without ``quiet_hours`` the workshop has none (the bot process runs on the real clock).
    """
    new = load_workshop_file(ROOT / "examples/what-matters.toml")
    if not quiet_hours:
        new = dataclasses.replace(new, quiet_start="00:00", quiet_end="00:00")
    workshop = await storage.workshops.create(new)
    questions = await storage.workshops.questions(workshop.id)
    theme = await storage.themes.create(workshop.id, "transport")
    assert theme is not None
    now = "2026-01-01T12:00:00+00:00"
    async with storage.db.transaction() as conn:
        for n in range(count):
            cur = await conn.execute(
                """INSERT INTO participants (workshop_id, telegram_user_id, pseudonym, status,
                       joined_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)""",
                (workshop.id, 10_000_000 + n, f"P-{n:06X}", ParticipantStatus.SUBMITTED, now, now),
            )
            pid = cur.lastrowid
            for purpose in (Purpose.TAKE_PART, Purpose.UPDATES):
                await conn.execute(
                    """INSERT INTO consents (participant_id, purpose, granted, text_sha256,
                           method, decided_at) VALUES (?, ?, 1, 'x', 'bench', ?)""",
                    (pid, purpose, now),
                )
            cur = await conn.execute(
                """INSERT INTO answers (participant_id, question_id, value, answered_at)
                   VALUES (?, ?, '"The bus"', ?)""",
                (pid, questions[0].id, now),
            )
            if n % 3 == 0:
                await conn.execute(
                    "INSERT INTO theme_tags (theme_id, answer_id, tagged_by, tagged_at) "
                    "VALUES (?, ?, 1, ?)",
                    (theme.id, cur.lastrowid, now),
                )
    action = await storage.actions.create(
        workshop.id, "Evening buses on route 47", ActionStatus.IN_PROGRESS, None, [theme.id], 1
    )
    return (await storage.updates.create(workshop.id, "Thank you all.", [action.id],
                                         now, 1)).id  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Fairness:
    """How the recipients' messages came out, against the order they were queued in."""

    recipients: int
    reached: int  # recipients who got at least one message
    duplicates: int  # messages beyond the first to one recipient
    spread: float  # seconds from the first recipient's message to the last one's
    out_of_order: int  # recipients not on the longest run that follows enqueue order
    max_displacement: int  # the furthest a recipient came from its place in the queue

    @property
    def lost(self) -> int:
        return self.recipients - self.reached

    @property
    def ideal_spread(self) -> float:
        return (self.recipients - 1) / TELEGRAM_OVERALL

    @property
    def spread_ratio(self) -> float:
        return self.spread / self.ideal_spread if self.recipients > 1 else 1.0


def fairness(queued: list[int], arrivals: list[tuple[float, int]]) -> Fairness:
    """Compare the queue's order (chat ids by delivery id) with the arrivals at Telegram."""
    place = {chat: n for n, chat in enumerate(queued)}
    first: dict[int, float] = {}
    duplicates = 0
    order: list[int] = []
    for moment, chat in arrivals:
        if chat not in place:
            continue  # not a recipient (a facilitator's notice, say)
        if chat in first:
            duplicates += 1
            continue
        first[chat] = moment
        order.append(place[chat])
    # Longest increasing subsequence: the recipients that did come in queue order.
    tails: list[int] = []
    for value in order:
        at = bisect.bisect_left(tails, value)
        tails[at : at + 1] = [value]
    displaced = max((abs(got - want) for got, want in enumerate(order)), default=0)
    times = sorted(first.values())
    return Fairness(
        recipients=len(queued),
        reached=len(first),
        duplicates=duplicates,
        spread=times[-1] - times[0] if times else 0.0,
        out_of_order=len(order) - len(tails),
        max_displacement=displaced,
    )


def report_fairness(fair: Fairness) -> None:
    print(f"spread                  first to last recipient {fair.spread:.1f} s; ideal "
          f"({fair.recipients:,} - 1)/30 = {fair.ideal_spread:.1f} s; ratio "
          f"{fair.spread_ratio:.3f} (target <= 1.03)")  # fmt: skip
    print(f"order                   {fair.out_of_order} recipients out of enqueue order "
          f"(largest displacement {fair.max_displacement}; expected 0)")  # fmt: skip
    print(f"lost / duplicates       {fair.lost} lost, {fair.duplicates} duplicates "
          f"(expected 0, 0)")  # fmt: skip


async def in_process(count: int) -> Fairness:
    """The worker inside this process, over a fake transport that enforces the limits."""
    folder = Path(tempfile.mkdtemp())
    settings = Settings(token=TOKEN, db_path=folder / "bench.db", persistence_interval=3600)
    fake = LimitedTelegram()
    arrivals: list[tuple[float, int]] = []
    original = fake.do_request

    async def recorded(url: str, method: str, request_data: RequestData | None = None,
                       *args: Any, **kwargs: Any) -> tuple[int, bytes]:  # fmt: skip
        code, body = await original(url, method, request_data, *args, **kwargs)
        if code == 200 and url.endswith("/sendMessage") and request_data is not None:
            arrivals.append((time.monotonic(), int(request_data.parameters["chat_id"])))
        return code, body

    fake.do_request = recorded  # type: ignore[method-assign]  # records arrival times
    # Real time, shifted to tomorrow noon in London: outside quiet hours whenever it runs.
    london = ZoneInfo("Europe/London")
    noon = (datetime.now(london) + timedelta(days=1)).replace(hour=12, minute=0, second=0)
    offset = noon.astimezone(UTC) - datetime.now(UTC)
    app = build_application(settings, request=fake, clock=lambda: datetime.now(UTC) + offset)
    await app.initialize()
    await app.post_init(app)
    storage: Storage = app.bot_data["storage"]
    update_id = await seed(storage, count)
    update = await storage.updates.get(update_id)
    assert update is not None

    tracemalloc.start()
    baseline_mem = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    enqueued = await jobs.enqueue_update(storage, update,
                                         app.bot_data["worker"].clock())  # fmt: skip
    enqueue_s = time.perf_counter() - started
    queued = [d.chat_id for d in await storage.outbox.for_update(update_id)]
    started = time.perf_counter()
    sent = await app.bot_data["worker"].run(app.bot)
    deliver_s = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    counts, _ = await storage.outbox.report(update_id)
    personal = sum(d.personalised for d in await storage.outbox.for_update(update_id))
    await app.shutdown()
    await app.post_shutdown(app)

    ideal = count / TELEGRAM_OVERALL
    fair = fairness(queued, arrivals)
    print("mode                    in-process (fake transport, no HTTP)")
    print(f"participants            {count:,}")
    print(f"enqueued                {enqueued:,} deliveries ({personal:,} personalised) "
          f"in {enqueue_s:.2f} s = {enqueue_s / ideal:.4f} x the ideal send time")  # fmt: skip
    states = ", ".join(f"{state} {n:,}" for state, n in counts.items())
    print(f"delivered               {sent:,} ({states})")
    print(f"delivery time           {deliver_s:.1f} s; ideal {count:,}/30 = {ideal:.1f} s; "
          f"ratio {deliver_s / ideal:.3f}")  # fmt: skip
    report_fairness(fair)
    print(f"429s                    {fake.too_many} (expected 0)")
    print(f"peak traced memory      {(peak - baseline_mem) / 2**20:.1f} MiB above the "
          f"{baseline_mem / 2**20:.1f} MiB baseline; max RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")  # fmt: skip
    return fair


@dataclasses.dataclass(frozen=True)
class HttpFigures:
    fairness: Fairness
    too_many: int
    states: dict[str, int]
    peak: int | None  # bytes, the bot process's VmHWM
    problems: str  # the bot's log, if it holds an error


async def queue_broadcast(db: Path, count: int) -> tuple[list[int], float]:
    """Seed ``count`` recipients and queue the update for them: (chat ids in queue order,
    seconds the enqueueing took)."""
    storage = Storage(db)
    await storage.open()
    try:
        update_id = await seed(storage, count, quiet_hours=False)
        update = await storage.updates.get(update_id)
        assert update is not None
        started = time.perf_counter()
        queued = await jobs.enqueue_update(storage, update, datetime.now(UTC))
        took = time.perf_counter() - started
        assert queued == count, queued
        return [d.chat_id for d in await storage.outbox.for_update(update_id)], took
    finally:
        await storage.close()


def delivery_states(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        states = dict(conn.execute("SELECT state, COUNT(*) FROM deliveries GROUP BY state"))
    conn.close()
    return states


def over_http(count: int, folder: Path | None = None, *, quiet: bool = False) -> HttpFigures:
    """The real `doingwith run` process sends the queue over HTTP to the limited fake."""
    folder = folder or Path(tempfile.mkdtemp(prefix="broadcast-"))
    db = folder / "bench.db"
    bare = bare_python()
    queued, enqueue_s = asyncio.run(queue_broadcast(db, count))
    ideal = count / TELEGRAM_OVERALL
    # Long enough for a slow machine: twice the ideal, and start-up.
    limit = 2 * ideal + 30
    # The fake stands in for Telegram's servers: a pause of its own for garbage collection
    # (tens of ms with 10,000 calls kept) would bunch the arrivals it measures.
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        with FakeBotApi(overall=TELEGRAM_OVERALL, per_chat=1.0) as api:
            started = time.monotonic()
            process = start_bot(db, api.base_url)
            try:
                api.wait_until(
                    lambda a: len(a.delivered) >= count or process.poll() is not None,
                    timeout=limit,
                )
                # Anything still in flight (a retry, a duplicate) has a moment to show.
                time.sleep(0.5)
                peak = peak_rss(process.pid)
            finally:
                returncode = stop_bot(process)
            arrivals = list(api.delivered)
            too_many = api.too_many
    finally:
        gc.enable()
        gc.unfreeze()
    fair = fairness(queued, arrivals)
    states = delivery_states(db)
    problems = log_problems(db) or (f"exit code {returncode}" if returncode else "")
    figures = HttpFigures(fair, too_many, states, peak, problems)
    if quiet:
        return figures
    first = arrivals[0][0] - started if arrivals else float("nan")
    print("mode                    http (the `doingwith run` process, httpx, 127.0.0.1)")
    print(f"participants            {count:,}")
    print(f"enqueued                {count:,} deliveries in {enqueue_s:.2f} s = "
          f"{enqueue_s / ideal:.4f} x the ideal send time")  # fmt: skip
    print(f"delivered               {', '.join(f'{k} {v:,}' for k, v in states.items())}; "
          f"process start to first message {first:.2f} s")  # fmt: skip
    report_fairness(fair)
    print(f"429s                    {too_many} (expected 0)")
    if peak is not None and bare.peak is not None:
        print(f"peak RSS                {peak / MB:.0f} MB (VmHWM) = {peak / bare.peak:.2f} x a "
              f"bare python importing telegram ({bare.peak / MB:.0f} MB)")  # fmt: skip
    if problems:
        print(f"the bot's log has errors:\n{problems}")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--mode", choices=("http", "in-process"), default="http")
    args = parser.parse_args()
    if args.mode == "in-process":
        fair = asyncio.run(in_process(args.count))
        return 0 if fair.lost == 0 else 1
    folder = Path(tempfile.mkdtemp(prefix="broadcast-"))
    try:
        figures = over_http(args.count, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    good = (
        figures.fairness.lost == 0
        and figures.too_many == 0
        and figures.states == {"sent": args.count}
        and not figures.problems
    )
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
