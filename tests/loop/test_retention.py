"""Retention that runs itself: facilitators warned a week before, then the purge, counts kept."""

from __future__ import annotations

from datetime import timedelta

from handlers import jobs
from storage.models import Workshop
from tests.conftest import OWNER, RunningBot
from tests.support.loop import messages_to

FAC = 5150


def _warnings(bot: RunningBot, chat_id: int) -> list[str]:
    return [m for m in messages_to(bot, chat_id) if "will be deleted on" in m]


async def test_facilitators_are_warned_a_week_before_the_purge_then_it_runs(
    bot: RunningBot, workshop: Workshop
) -> None:
    await bot.storage.facilitators.add(workshop.id, FAC, OWNER, "Fay")
    chat = bot.chat()
    await chat.join(workshop.invite_code)
    await chat.say("Old words")
    start = bot.clock.now
    days = workshop.retention_days

    bot.clock.now = start + timedelta(days=days - 10)  # not yet within the week
    await jobs.housekeeping(bot.context())
    assert _warnings(bot, FAC) == []

    bot.clock.now = start + timedelta(days=days - 6)
    await jobs.housekeeping(bot.context())
    warned = _warnings(bot, FAC)
    assert len(warned) == 1
    assert "<b>Getting to appointments: a 100-day lab</b>" in warned[0]
    assert f"kept for {days} days" in warned[0]
    assert "/export" in warned[0]
    assert _warnings(bot, OWNER) == []  # the workshop's own facilitators, not the owners
    assert len(await bot.storage.db.fetchall("SELECT * FROM answers")) == 1

    bot.clock.now = start + timedelta(days=days - 5)
    await jobs.housekeeping(bot.context())
    assert len(_warnings(bot, FAC)) == 1  # once per purge

    bot.clock.now = start + timedelta(days=days + 1)
    await jobs.housekeeping(bot.context())
    assert await bot.storage.db.fetchall("SELECT * FROM answers") == []
    totals = await bot.storage.housekeeping.purged_totals(workshop.id)
    assert sum(n for what, n in totals.items() if what.startswith("answers:")) == 1
    assert len(_warnings(bot, FAC)) == 1  # nothing left to warn about


async def test_a_workshop_without_facilitators_warns_the_owners(
    bot: RunningBot, workshop: Workshop
) -> None:
    chat = bot.chat()
    await chat.join(workshop.invite_code)
    await chat.say("Old words")
    bot.clock.now += timedelta(days=workshop.retention_days - 3)
    await jobs.housekeeping(bot.context())
    assert len(_warnings(bot, OWNER)) == 1
