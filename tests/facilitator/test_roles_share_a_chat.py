"""One person, several roles: every message is handled once, by the flow it belongs to."""

from __future__ import annotations

from storage.models import Workshop
from tests.conftest import OWNER, RunningBot
from tests.support.chat import Chat
from tests.support.loop import people_in, record_action, run_jobs, send_update


async def _owner_answering(bot: RunningBot, workshop: Workshop) -> Chat:
    owner = bot.chat(OWNER, "Olu")
    await owner.join(workshop.invite_code)  # an owner who also takes part
    return owner


async def _answers(bot: RunningBot, workshop: Workshop, user_id: int) -> list[object]:
    member = await bot.storage.participants.get(workshop.id, user_id)
    assert member is not None
    return [a.value for a in (await bot.storage.answers.for_participant(member.id)).values()]


async def test_help_closes_a_facilitator_prompt(bot: RunningBot, workshop: Workshop) -> None:
    owner = await _owner_answering(bot, workshop)
    for turn in ("/help", "/mine", "/nosuch"):
        await owner.say("/close")
        await owner.say(turn)
        await owner.say(f"Family after {turn}")
        still = await bot.storage.workshops.get(workshop.id)
        assert still is not None
        assert still.is_open, turn
    answers = await _answers(bot, workshop, OWNER)
    assert "Family after /help" in answers


async def test_one_facilitator_prompt_at_a_time(bot: RunningBot, workshop: Workshop) -> None:
    owner = await _owner_answering(bot, workshop)
    await owner.say("/close")
    await owner.say("/newworkshop")
    await owner.say("/cancel")
    assert "no workshop was created" in owner.last_text()
    await owner.say("Family")
    still = await bot.storage.workshops.get(workshop.id)
    assert still is not None
    assert still.is_open
    assert await _answers(bot, workshop, OWNER) == ["Family"]
    await owner.say("/newworkshop")
    await owner.say("/close")
    await owner.say("We are closed now")
    closed = await bot.storage.workshops.get(workshop.id)
    assert closed is not None
    assert closed.closing_message == "We are closed now"
    assert len(await bot.storage.workshops.all()) == 1  # the set-up was closed, not fed


async def test_an_error_in_a_prompt_is_not_also_an_answer(
    bot: RunningBot, workshop: Workshop
) -> None:
    owner = await _owner_answering(bot, workshop)
    await owner.say("/close")
    bot.fake.fail("sendMessage", 0, "timed out")
    await owner.say("Thanks all")
    assert await _answers(bot, workshop, OWNER) == []
    assert len(bot.errors) == 1  # reported once, by the error handler
    bot.errors.clear()


async def test_stop_closes_a_facilitator_prompt(bot: RunningBot, workshop: Workshop) -> None:
    owner = await _owner_answering(bot, workshop)
    await owner.say("/session")
    await owner.say("STOP")
    await owner.say("Family")
    assert await _answers(bot, workshop, OWNER) == ["Family"]
    assert await bot.storage.db.fetchall("SELECT * FROM sessions") == []


async def test_help_after_feedback_makes_text_an_answer(
    bot: RunningBot, workshop: Workshop
) -> None:
    people = await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    await record_action(owner)
    await send_update(owner)
    await run_jobs(bot)
    ann = people["ann"]
    await ann.press("Partly")
    await ann.say("/help")
    await ann.say("I am good at baking")
    assert await bot.storage.feedback.comments(1) == []
    assert "I am good at baking" in await _answers(bot, workshop, 101)


async def test_buttons_and_edits_in_a_group_get_no_message(bot: RunningBot) -> None:
    group = bot.chat(OWNER, "Olu")
    group.chat = {"id": -100123, "type": "supergroup", "title": "Team"}
    calls = await group.press_data("fw:close:1")
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    calls = await group.edit(5, "/workshops")
    assert calls == []
