"""Feedback on an update: every comment filed under the update it is about, crash or not."""

from __future__ import annotations

import time
from typing import Any

from telegram import Update

from domain.workshop_file import load_workshop_file
from storage.models import Workshop
from tests.conftest import EXAMPLE, OWNER, BotFactory, RunningBot
from tests.support.chat import Chat
from tests.support.loop import at_london, people_in, record_action, run_jobs, send_update


async def _ann_with_update(bot: RunningBot, workshop: Workshop, updates: int = 1) -> Chat:
    people = await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    await record_action(owner)
    at_london(bot, 12)
    for n in range(updates):
        await send_update(owner, f"Update number {n + 1}.")
        await run_jobs(bot)
    return people["ann"]


async def _comments(bot: RunningBot, update_id: int) -> list[str]:
    return [c for _, _, c in await bot.storage.feedback.comments(update_id)]


async def _reply(chat: Chat, text: str, to_message_id: int) -> list[Any]:
    """Type a message as a Telegram reply to one of the bot's messages."""
    replied = {
        "message_id": to_message_id,
        "date": int(time.time()),
        "chat": chat.chat,
        "text": "…",
    }
    return await chat.send(chat._message(text=text, reply_to_message=replied))


async def test_comment_typed_after_a_crash_is_filed_under_its_update(
    make_bot: BotFactory,
) -> None:
    first = await make_bot()
    workshop = await first.storage.workshops.create(load_workshop_file(EXAMPLE))
    ann = await _ann_with_update(first, workshop)
    await ann.press("Partly")
    assert "What did it miss?" in ann.last_text()
    await first.crash()  # the conversation state and FEEDBACK_ON were never written

    second = await make_bot()
    ann = second.chat(101, "Ann")
    calls = await ann.say("It missed Sundays")
    assert "added that to your feedback on the update from" in ann.texts(calls)[0]
    assert await _comments(second, 1) == ["It missed Sundays"]
    member = await second.storage.participants.get(workshop.id, 101)
    assert member is not None
    answers = await second.storage.answers.for_participant(member.id)
    assert "It missed Sundays" not in [a.value for a in answers.values()]


async def test_a_reply_to_an_earlier_prompt_is_filed_under_that_update(
    bot: RunningBot, workshop: Workshop
) -> None:
    ann = await _ann_with_update(bot, workshop, updates=2)
    updates = [c for c in bot.fake.calls if c.chat_id == 101 and "Update from" in c.text]
    assert len(updates) == 2
    await ann.press_data("fb:partly:1")
    first_prompt = bot.fake.next_message_id
    await ann.press_data("fb:partly:2")
    calls = await _reply(ann, "About the first one", first_prompt)
    assert "“Update number 1.”" in ann.texts(calls)[0]
    calls = await ann.say("About the second one")
    assert "“Update number 2.”" in ann.texts(calls)[0]
    assert await _comments(bot, 1) == ["About the first one"]
    assert await _comments(bot, 2) == ["About the second one"]


async def test_a_long_comment_is_joined_from_its_parts_and_never_cut(
    bot: RunningBot, workshop: Workshop
) -> None:
    ann = await _ann_with_update(bot, workshop)
    await ann.press("No")
    first, second = "a" * 4096, "b" * 3000
    calls = await ann.say(first)
    told = ann.texts(calls)[0]
    assert "I have kept all of it (4,096 characters" in told
    assert "up to 20,000 characters" in told  # the limit, said before it can bite
    await ann.say(second)
    assert await _comments(bot, 1) == [f"{first}\n{second}"]
    assert "added that to your feedback" in ann.last_text()


async def test_a_comment_past_the_limit_is_refused_out_loud(
    bot: RunningBot, workshop: Workshop
) -> None:
    ann = await _ann_with_update(bot, workshop)
    await ann.press("No")
    for _ in range(4):
        await ann.say("c" * 4096)
    calls = await ann.say("d" * 4096)  # 5 parts would be 20,484 characters
    told = ann.texts(calls)[0]
    assert "A comment holds up to 20,000 characters" in told
    assert "haven't added it" in told
    assert await _comments(bot, 1) == ["\n".join(["c" * 4096] * 4)]


async def test_skip_on_an_answered_prompt_has_moved_on(
    bot: RunningBot, workshop: Workshop
) -> None:
    ann = await _ann_with_update(bot, workshop)
    await ann.press("Partly")
    skip = dict(ann.sent()[-1].buttons)["Skip"]
    await ann.say("It missed Sundays")
    calls = await ann.press_data(skip)
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert len(answers) == 1
    assert answers[0].params.get("text") == "That has moved on."
    assert ann.texts(calls) == []
    assert await _comments(bot, 1) == ["It missed Sundays"]


async def test_the_same_verdict_and_comment_delivered_twice_have_one_effect(
    bot: RunningBot, workshop: Workshop
) -> None:
    ann = await _ann_with_update(bot, workshop)
    press = {
        "update_id": 880001,
        "callback_query": {
            "id": "q-880001",
            "from": ann.user,
            "chat_instance": "ci-1",
            "data": "fb:partly:1",
            "message": {"message_id": 1, "date": 0, "chat": ann.chat, "text": "…"},
        },
    }
    comment = {"update_id": 880002, "message": ann._message(text="It missed Sundays")}
    before = len(bot.fake.calls)
    for data in (press, press, comment, comment):
        await bot.app.process_update(Update.de_json(data, bot.app.bot))
    calls = bot.fake.calls[before:]
    texts = ann.texts(calls)
    assert len(texts) == 2  # one prompt, one acknowledgement
    assert "What did it miss?" in texts[0]
    assert "added that to your feedback" in texts[1]
    assert sum(c.method == "answerCallbackQuery" for c in calls) == 1
    assert await bot.storage.feedback.tally(1) == {"yes": 0, "partly": 1, "no": 0}
    assert await _comments(bot, 1) == ["It missed Sundays"]
    member = await bot.storage.participants.get(workshop.id, 101)
    assert member is not None
    answers = await bot.storage.answers.for_participant(member.id)
    assert "It missed Sundays" not in [a.value for a in answers.values()]
