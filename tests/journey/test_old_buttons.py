"""Buttons already in people's chats when their data changed shape: kindly expired, or,
where the shape stayed the same, still working."""

from __future__ import annotations

from chat.callbacks.journey import ConsentNext, ConsentStep, PickOf, QuestionPick
from tests.conftest import RunningBot
from tests.journey.test_bad_input import _snapshot
from tests.support.chat import Chat

EXPIRED = "That button has expired. Here is where you were."


async def test_an_old_start_button_expires_and_the_new_one_starts(
    chat: Chat, bot: RunningBot
) -> None:
    await chat.say(f"/start {chat.invite}")
    await chat.press("Yes, I agree to take part")
    await chat.press("Yes, send me updates")
    await chat.press("Please don't quote me")
    before = await _snapshot(bot)
    calls = await chat.press_data(f"cons:go:{chat.invite}")  # the shape before families
    texts = chat.texts(calls)
    assert texts[0] == EXPIRED
    assert "how we work together" in texts[-1]
    assert await _snapshot(bot) == before
    await chat.press_data(ConsentNext(ConsentStep.GO, chat.invite).pack())
    assert "Question 1 of 6" in chat.last_text()


async def test_an_old_how_often_button_expires_and_the_new_one_is_kept(
    chat: Chat, bot: RunningBot
) -> None:
    await chat.join(chat.invite)
    for _ in range(3):
        await chat.press("Skip")
    await chat.say("Mum")
    before = await _snapshot(bot)
    calls = await chat.press_data("wm:often:3:0")  # the shape before families
    texts = chat.texts(calls)
    assert texts[0] == EXPIRED
    assert "How often" in texts[-1] or "how often" in texts[-1]
    assert await _snapshot(bot) == before
    await chat.press_data(QuestionPick(PickOf.HOW_OFTEN, 3, 0).pack())
    assert await _snapshot(bot) != before


async def test_skip_back_and_pause_buttons_kept_their_shape(chat: Chat) -> None:
    await chat.join(chat.invite)
    await chat.press_data("wm:skip:0")
    assert "Question 2 of 6" in chat.last_text()
    await chat.press_data("wm:back:1")
    assert "Question 1 of 6" in chat.last_text()
    calls = await chat.press_data("wm:pause:0")
    assert "paused" in " ".join(chat.texts(calls)).lower()
