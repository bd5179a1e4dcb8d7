"""Paths found in review: edits, old buttons, leaving sharing, rejoining, changing answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.workshop_file import load_workshop_file
from storage.models import Workshop
from tests.chat import Chat
from tests.conftest import EXAMPLE, RunningBot


async def _answers(bot: RunningBot, workshop_id: int = 1) -> list[object]:
    member = await bot.storage.participants.get(workshop_id, 4242)
    assert member is not None
    answers = await bot.storage.answers.for_participant(member.id)
    return [a.value for _, a in sorted(answers.items())]


async def test_editing_part_of_a_long_answer_does_not_shrink_it(
    chat: Chat, bot: RunningBot
) -> None:
    await chat.join(chat.invite)
    await chat.say("y" * 4096)
    await chat.say("tail")
    calls = await chat.edit(chat.last_message_id, "edited tail")
    assert "wasn't one I kept" in chat.texts(calls)[0]
    assert await _answers(bot) == ["y" * 4096 + "\ntail"]


async def test_editing_an_answer_later_skipped_changes_nothing(
    chat: Chat, bot: RunningBot
) -> None:
    await chat.join(chat.invite)
    await chat.say("First try")
    first_id = chat.last_message_id
    await chat.press("« Back")
    await chat.press("Skip")
    await chat.edit(first_id, "Second try")
    member = await bot.storage.participants.get(1, 4242)
    assert member is not None
    answers = await bot.storage.answers.for_participant(member.id)
    assert [a.skipped for a in answers.values()] == [True]


async def test_old_tell_me_more_after_consent_keeps_answers_flowing(
    chat: Chat, bot: RunningBot
) -> None:
    await chat.say(f"/start {chat.invite}")
    more = dict(chat.sent()[-1].buttons)["Tell me more first"]
    await chat.press("Yes, I agree to take part")
    await chat.press("No updates, thanks")
    await chat.press("Please don't quote me")
    await chat.press("Start the questions")
    calls = await chat.press_data(more)
    assert "More about taking part" in chat.texts(calls)[0]
    assert "Question 1 of 6" in chat.texts(calls)[-1]
    await chat.say("Family")
    assert "Question 2 of 6" in chat.last_text()
    assert await _answers(bot) == ["Family"]


async def test_after_share_then_resume_text_is_an_answer(chat: Chat, bot: RunningBot) -> None:
    await chat.join(chat.invite)
    await chat.say("/share")
    await chat.say("/resume")
    calls = await chat.say("/help")
    assert "Question 1 of 6" in chat.texts(calls)[-1]
    await chat.say("The buses are awful")
    assert await _answers(bot) == ["The buses are awful"]
    assert await bot.storage.db.fetchall("SELECT * FROM views") == []


async def test_many_long_views_confirmed_in_valid_messages(chat: Chat, bot: RunningBot) -> None:
    await chat.join(chat.invite)
    await chat.say("/share")
    for n in range(5):
        await chat.say(f"View {n}\n" + "line of words & more\n" * 50)
    calls = await chat.press("Done – share it")
    texts = chat.texts(calls)
    assert len(texts) >= 2  # split, each part valid HTML (the fake Bot API checks)
    assert texts[0].count("<blockquote>") == texts[0].count("</blockquote>")
    member = await bot.storage.participants.get(1, 4242)
    assert member is not None
    assert len(await bot.storage.views.shared(member.id)) == 5


async def test_rejoining_after_forget_asks_every_purpose_again(
    chat: Chat, bot: RunningBot, workshop: Workshop
) -> None:
    await chat.join(chat.invite, updates=True, quote=True)
    before = await bot.storage.participants.get(workshop.id, 4242)
    assert before is not None
    await chat.say("/forget")
    await chat.press("Yes, erase it")
    await chat.say(f"/start {chat.invite}")
    await chat.press("Yes, I agree to take part")
    assert "Would you like to hear what happens?" in chat.last_text()
    await chat.press("No updates, thanks")
    assert "May we quote you?" in chat.last_text()
    await chat.press("Please don't quote me")
    await chat.press("Start the questions")
    assert "Question 1 of 6" in chat.last_text()
    after = await bot.storage.participants.get(workshop.id, 4242)
    assert after is not None
    assert after.pseudonym != before.pseudonym
    consents = await bot.storage.participants.consents(after.id)
    assert consents["take_part"].active
    assert not consents["updates"].granted
    assert consents["updates"].withdrawn_at is None


async def test_change_with_a_long_answer_returns_to_review(chat: Chat) -> None:
    await chat.join(chat.invite)
    for _ in range(6):
        await chat.press("Skip")
    await chat.press("Change 1")
    await chat.say("z" * 4096)
    await chat.press("Next question »")
    assert "Your answers for" in chat.last_text()


async def test_change_then_pause_then_resume_returns_to_review(chat: Chat) -> None:
    await chat.join(chat.invite)
    for _ in range(6):
        await chat.press("Skip")
    await chat.press("Change 2")
    await chat.press("Pause")
    await chat.say("/resume")
    assert "Question 2 of 6 – changing your answer" in chat.last_text()
    await chat.say("Baking")
    assert "Your answers for" in chat.last_text()
    assert "Baking" in chat.last_text()


async def test_forget_while_sharing_does_not_leave_the_person_stuck(
    chat: Chat, bot: RunningBot
) -> None:
    await chat.join(chat.invite)
    await chat.say("/share")
    await chat.say("/forget")
    await chat.press("Yes, erase it")
    calls = await chat.say("hello?")
    assert "haven't kept that message" in chat.texts(calls)[0]
    calls = await chat.say("still there?")
    assert "choose a workshop" not in chat.texts(calls)[0]
    assert await bot.storage.db.fetchall("SELECT * FROM views") == []


async def test_cancel_after_agreeing_does_not_claim_nothing_was_kept(chat: Chat) -> None:
    await chat.say(f"/start {chat.invite}")
    await chat.press("Yes, I agree to take part")
    calls = await chat.say("/cancel")
    text = chat.texts(calls)[0]
    assert "Nothing has been kept" not in text
    assert "/resume" in text


async def test_start_without_code_when_reviewing(chat: Chat) -> None:
    await chat.join(chat.invite)
    for _ in range(6):
        await chat.press("Skip")
    calls = await chat.say("/start")
    text = chat.texts(calls)[0]
    assert "ready to check and submit" in text
    assert "question 7" not in text


async def test_half_told_relationship_has_no_none(chat: Chat) -> None:
    await chat.join(chat.invite)
    for _ in range(3):
        await chat.press("Skip")
    await chat.say("My sister")
    await chat.press("Skip")
    await chat.press("« Back")
    assert "• My sister" in chat.last_text()
    assert "None" not in chat.last_text()


async def test_expired_button_with_nowhere_to_go(bot: RunningBot) -> None:
    chat = bot.chat()
    calls = await chat.press_data("wm:skip:0")
    assert chat.texts(calls) == ["That button no longer works. Send /help to see what you can do."]


async def test_cancel_after_a_crash_still_pauses(make_bot: object) -> None:
    first = await make_bot()  # type: ignore[operator]
    workshop = await first.storage.workshops.create(load_workshop_file(EXAMPLE))
    chat = first.chat()
    await chat.join(workshop.invite_code)
    await first.crash()
    second = await make_bot()  # type: ignore[operator]
    chat = second.chat()
    calls = await chat.say("/cancel")
    assert "Paused" in chat.texts(calls)[0]
    member = await second.storage.participants.get(workshop.id, 4242)
    assert member is not None
    assert member.status == "paused"


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


async def test_two_workshops_choose_which_to_forget(bot: RunningBot) -> None:
    first = await bot.storage.workshops.create(load_workshop_file(EXAMPLE))
    second = await bot.storage.workshops.create(load_workshop_file(EXAMPLE))
    chat = bot.chat()
    await chat.join(first.invite_code)
    await chat.say("Kept")
    await chat.join(second.invite_code)
    await chat.say("Erased")
    await chat.say("/forget")
    assert "Which workshop" in chat.last_text()
    await chat.press_data(f"fg:pick:{second.id}")
    await chat.press("Yes, erase it")
    one = await bot.storage.participants.get(first.id, 4242)
    two = await bot.storage.participants.get(second.id, 4242)
    assert one is not None
    assert two is not None
    assert [a.value for a in (await bot.storage.answers.for_participant(one.id)).values()] == [
        "Kept"
    ]
    assert await bot.storage.answers.for_participant(two.id) == {}
