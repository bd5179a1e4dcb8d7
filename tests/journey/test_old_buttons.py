"""Buttons already in people's chats when their data changed shape: kindly expired, or,
where the shape stayed the same, still working."""

from __future__ import annotations

from chat.callbacks.journey import ConsentNext, ConsentStep, PickOf, QuestionPick
from tests.conftest import RunningBot
from tests.journey.test_bad_input import _snapshot
from tests.support.chat import Chat
from tests.support.fake_telegram import Call

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


MOVED_ON = [("answerCallbackQuery", "That has moved on.")]


def _effects(calls: list[Call]) -> list[tuple[str, object]]:
    return [(c.method, c.params.get("text")) for c in calls]


async def test_typing_an_answer_takes_the_question_buttons_off(
    chat: Chat, bot: RunningBot
) -> None:
    await chat.join(chat.invite)
    q1 = chat.sent()[-1].message_id
    assert q1 is not None
    assert bot.fake.keyboard_of(4242, q1) is not None
    calls = await chat.say("Family")
    assert [c.method for c in calls] == ["editMessageReplyMarkup", "sendMessage"]
    assert bot.fake.keyboard_of(4242, q1) is None
    assert not bot.fake.refused


async def test_a_button_on_an_old_question_has_moved_on(chat: Chat, bot: RunningBot) -> None:
    await chat.join(chat.invite)
    skip_q1 = dict(chat.sent()[-1].buttons)["Skip"]
    q1 = chat.sent()[-1].message_id
    await chat.say("Family")
    before = await _snapshot(bot)
    calls = await chat.press_data(skip_q1, message_id=q1)
    assert _effects(calls) == MOVED_ON
    assert await _snapshot(bot) == before
    assert "Question 2 of 6" in chat.last_text()


async def test_a_button_on_an_old_review_screen_has_moved_on(chat: Chat, bot: RunningBot) -> None:
    await chat.join(chat.invite)
    for _ in range(6):
        await chat.press("Skip")
    old_review = chat.sent()[-1].message_id
    await chat.say("/help")  # the review screen is shown again, in a new message
    before = await _snapshot(bot)
    calls = await chat.press_data("rv:submit", message_id=old_review)
    assert _effects(calls) == MOVED_ON
    assert await _snapshot(bot) == before


async def test_a_stale_how_often_tap_is_answered_once(chat: Chat, bot: RunningBot) -> None:
    await chat.join(chat.invite)
    for _ in range(3):
        await chat.press("Skip")
    await chat.say("Mum")
    how_often = chat.sent()[-1]
    every_day = dict(how_often.buttons)["Every day"]
    await chat.say("most days")  # typed instead of tapped
    before = await _snapshot(bot)
    calls = await chat.press_data(every_day, message_id=how_often.message_id)
    assert _effects(calls) == MOVED_ON
    assert await _snapshot(bot) == before
    assert not bot.fake.refused


async def test_every_press_on_the_way_through_is_answered_exactly_once(
    chat: Chat, bot: RunningBot
) -> None:
    presses = 0
    await chat.say(f"/start {chat.invite}")
    for label in (
        "Tell me more first",
        "Yes, I agree to take part",
        "Yes, send me updates",
        "Please don't quote me",
        "Start the questions",
        "Skip",
        "« Back",
        "Skip",
    ):
        await chat.press(label)
        presses += 1
    await chat.say("Singing")
    await chat.press("« Back")
    await chat.press("Keep this answer")
    await chat.press("Skip")
    await chat.say("Mum")
    for label in ("Every day", "In person", "✓ In person", "Phone", "Done with this person"):
        await chat.press(label)
    await chat.press("That's everyone")
    await chat.press("Pause")
    await chat.say("/resume")
    await chat.press("Skip")
    await chat.press("Skip")
    await chat.press("Change 1")
    await chat.press("« Back")
    await chat.press("Submit my answers")
    presses += 15
    answers = [c for c in bot.fake.calls if c.method == "answerCallbackQuery"]
    assert len(answers) == presses
    assert len({c.params["callback_query_id"] for c in answers}) == presses
    assert not bot.fake.refused
    # one message at a time carries a question's buttons
    with_buttons = [key for key, markup in bot.fake.keyboards.items() if markup is not None]
    assert len(with_buttons) <= 3  # the review was submitted; about-you and reminders remain
