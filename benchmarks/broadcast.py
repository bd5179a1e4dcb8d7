"""Broadcast benchmark: enqueue and deliver one update to N participants (default 10,000).

Runs the real outbox worker through python-telegram-bot's AIORateLimiter against a fake
Bot API that enforces Telegram's limits (30 messages a second overall, 1 a second per
chat) by answering 429, so "429s seen" means the limiter let too much through.

    python -m benchmarks.broadcast            # 10,000 participants: about 6 minutes
    python -m benchmarks.broadcast --count 1000

Figures are printed as ratios against baselines measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from telegram.request import RequestData

from bot.app import build_application
from domain.config import Settings
from domain.workshop_file import load_workshop_file
from handlers import jobs
from storage import Storage
from storage.kinds import ActionStatus, ParticipantStatus, Purpose
from tests.support.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
TELEGRAM_OVERALL = 30  # messages a second
TOKEN = "123456:BENCH-token-abcdefghijklmnopqrstuvwxyz"


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


async def seed(storage: Storage, count: int) -> int:
    """A workshop with ``count`` participants who chose updates; a third said 'transport'."""
    workshop = await storage.workshops.create(
        load_workshop_file(ROOT / "examples/what-matters.toml")
    )
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


async def main(count: int) -> None:
    folder = Path(tempfile.mkdtemp())
    settings = Settings(token=TOKEN, db_path=folder / "bench.db", persistence_interval=3600)
    fake = LimitedTelegram()
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
    print(f"participants            {count:,}")
    print(f"enqueued                {enqueued:,} deliveries ({personal:,} personalised) "
          f"in {enqueue_s:.2f} s = {enqueue_s / ideal:.4f} x the ideal send time")  # fmt: skip
    states = ", ".join(f"{state} {n:,}" for state, n in counts.items())
    print(f"delivered               {sent:,} ({states})")
    print(f"delivery time           {deliver_s:.1f} s; ideal {count:,}/30 = {ideal:.1f} s; "
          f"ratio {deliver_s / ideal:.3f}")  # fmt: skip
    print(f"throughput              {sent / deliver_s:.2f} msg/s = {sent / deliver_s / 30:.3f} x "
          "Telegram's 30/s")  # fmt: skip
    print(f"429s seen               {fake.too_many} (expected 0)")
    print(f"peak traced memory      {(peak - baseline_mem) / 2**20:.1f} MiB above the "
          f"{baseline_mem / 2**20:.1f} MiB baseline; max RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    asyncio.run(main(parser.parse_args().count))
    sys.exit(0)
