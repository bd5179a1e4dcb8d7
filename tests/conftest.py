"""Fixtures: a real Application on a temporary database, with a fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.app import build_application
from chat.context import BotContext
from domain.config import Settings
from domain.workshop_file import load_workshop_file
from storage import Storage
from storage.models import Workshop
from tests.support.chat import Chat
from tests.support.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "what-matters.toml"
TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"
OWNER = 9001  # in DOINGWITH_ADMINS for every test bot


@dataclass
class FakeClock:
    """The bot's idea of now, moved by the test instead of by waiting."""

    # Tomorrow at noon in London: never in quiet hours, whenever the tests run.
    now: datetime = field(
        default_factory=lambda: (
            (datetime.now(ZoneInfo("Europe/London")) + timedelta(days=1))
            .replace(hour=12, minute=0, second=0, microsecond=0)
            .astimezone(UTC)
        )
    )

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class RunningBot:
    app: Any
    fake: FakeTelegram
    clock: FakeClock
    errors: list[BaseException] = field(default_factory=list)

    def context(self) -> Any:
        """A context like the one jobs get, for running a job's callback directly."""
        return BotContext(self.app)

    @property
    def storage(self) -> Storage:
        return self.app.bot_data["storage"]  # type: ignore[no-any-return]  # bot_data is a plain dict

    def chat(self, user_id: int = 4242, name: str = "Sam") -> Chat:
        return Chat(self.app, self.fake, user_id=user_id, name=name)

    async def stop(self) -> None:
        """A clean stop: persistence flushed, database closed."""
        await self.app.shutdown()
        await self.app.post_shutdown(self.app)

    async def crash(self) -> None:
        """Stop as kill -9 would: nothing flushed; only the file handle is let go."""
        await self.storage.db.conn.close()
        self.storage.db._conn = None


async def start_bot(db_path: Path) -> RunningBot:
    # No rate limiter: these tests reach a fake Bot API, and throughput is measured in
    # benchmarks/, not here.
    settings = Settings(
        token=TOKEN,
        db_path=db_path,
        admins=frozenset({OWNER}),
        persistence_interval=3600,
        rate_limit=False,
    )
    fake = FakeTelegram()
    clock = FakeClock()
    app = build_application(settings, request=fake, clock=clock)
    running = RunningBot(app, fake, clock)

    async def record(update: object, context: Any) -> None:
        running.errors.append(context.error)

    app.add_error_handler(record)
    await app.initialize()
    # post_init runs only inside run_polling; a test has to call it itself.
    await app.post_init(app)
    return running


BotFactory = Callable[[], Awaitable[RunningBot]]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "doingwith.db"


@pytest.fixture
async def make_bot(db_path: Path) -> AsyncIterator[BotFactory]:
    """Start bots on the same database file (a restart is a second one)."""
    started: list[RunningBot] = []

    async def factory() -> RunningBot:
        running = await start_bot(db_path)
        started.append(running)
        return running

    yield factory
    for running in started:
        if running.storage.db.is_open:
            await running.stop()
    for running in started:
        assert not running.errors, f"handler errors: {running.errors!r}"
        # A second answer to a button press, or an edit that changes nothing: Telegram
        # refuses both, and the bot should never provoke either.
        refused = [(call.method, why) for call, why in running.fake.refused]
        assert not refused, f"Telegram would have refused: {refused!r}"


@pytest.fixture
async def bot(make_bot: BotFactory) -> RunningBot:
    return await make_bot()


@pytest.fixture
async def workshop(bot: RunningBot) -> Workshop:
    return await bot.storage.workshops.create(load_workshop_file(EXAMPLE))


@pytest.fixture
def chat(bot: RunningBot, workshop: Workshop) -> Chat:
    chat = bot.chat()
    chat.invite = workshop.invite_code  # type: ignore[attr-defined]  # a per-test attribute
    return chat


@pytest.fixture
async def fresh_storage() -> AsyncIterator[Storage]:
    storage = Storage(":memory:")
    await storage.open()
    yield storage
    await storage.close()
