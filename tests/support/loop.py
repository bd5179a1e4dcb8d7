"""Helpers for closing-the-loop journeys: people with tagged answers, an action, an update."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from handlers import jobs
from storage.models import Workshop
from tests.conftest import OWNER, RunningBot
from tests.support.chat import Chat

LONDON = ZoneInfo("Europe/London")


def at_london(bot: RunningBot, hour: int, minute: int = 0, days: int = 0) -> None:
    """Set the bot's clock to a London time (tomorrow's date, to stay in the future)."""
    base = datetime.now(LONDON) + timedelta(days=1 + days)
    bot.clock.now = base.replace(hour=hour, minute=minute, second=0, microsecond=0).astimezone(UTC)


async def run_jobs(bot: RunningBot) -> None:
    await jobs.nudge(bot.context())
    await jobs.deliver(bot.context())


def messages_to(bot: RunningBot, chat_id: int) -> list[str]:
    return [c.text for c in bot.fake.calls if c.method == "sendMessage" and c.chat_id == chat_id]


async def people_in(bot: RunningBot, workshop: Workshop) -> dict[str, Chat]:
    """Ann's answer is about transport; Ben said nothing tagged; Cat said no to updates."""
    ann, ben, cat = bot.chat(101, "Ann"), bot.chat(102, "Ben"), bot.chat(103, "Cat")
    await ann.join(workshop.invite_code, updates=True)
    await ann.say("The bus stops at 6pm")
    await ben.join(workshop.invite_code, updates=True)
    await ben.say("My garden")
    await cat.join(workshop.invite_code, updates=False)
    await cat.say("Knitting")
    item = next(
        i for i in await bot.storage.feed.items(workshop.id) if i.value == "The bus stops at 6pm"
    )
    theme = await bot.storage.themes.create(workshop.id, "transport")
    assert theme is not None
    await bot.storage.themes.tag(theme.id, "answer", item.id, OWNER)
    return {"ann": ann, "ben": ben, "cat": cat}


async def record_action(owner: Chat, title: str = "Evening buses on route 47") -> None:
    await owner.say("/action")
    await owner.say(title)
    await owner.press("In progress")
    await owner.press("transport")
    await owner.press("Save the action")


async def send_update(owner: Chat, body: str = "Thank you all.") -> None:
    await owner.say("/update")
    await owner.press("Evening buses on route 47")
    await owner.press("Next: write the message")
    await owner.say(body)
    await owner.press("Send now")
