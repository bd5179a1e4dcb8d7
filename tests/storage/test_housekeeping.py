"""Retention: old answers and views, and stale state of people who never joined."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import RunningBot
from tests.support.chat import Chat


async def test_housekeeping_deletes_old_answers_and_strangers_state(
    chat: Chat, bot: RunningBot
) -> None:
    await chat.join(chat.invite)
    await chat.say("Family")
    stranger = bot.chat(user_id=777, name="Stranger")
    await stranger.say(f"/start {chat.invite}")
    await bot.app.update_persistence()
    storage = bot.storage
    rows = await storage.db.fetchall("SELECT user_id FROM ptb_user_data")
    assert {r["user_id"] for r in rows} == {777}
    # Nothing is old yet.
    assert await storage.housekeeping.apply_retention() == 0
    assert await storage.housekeeping.forget_strangers() == 0
    later = datetime.now(UTC) + timedelta(days=366)
    assert await storage.housekeeping.apply_retention(later) == 1
    assert await storage.housekeeping.forget_strangers(later) >= 2
    assert await storage.db.fetchall("SELECT * FROM answers") == []
    assert await storage.db.fetchall("SELECT * FROM ptb_user_data") == []
    convs = await storage.db.fetchall("SELECT user_id FROM ptb_conversations")
    assert {r["user_id"] for r in convs} == {4242}  # a participant's state is kept


async def test_housekeeping_job_is_scheduled(bot: RunningBot) -> None:
    assert {job.name for job in bot.app.job_queue.jobs()} == {"housekeeping", "deliver", "nudge"}
