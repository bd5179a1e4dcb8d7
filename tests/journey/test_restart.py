"""Resume after anything: a clean restart, a crash, old buttons from before either."""

from __future__ import annotations

from domain.workshop_file import load_workshop_file
from tests.conftest import EXAMPLE, BotFactory, RunningBot
from tests.support.chat import Chat


async def test_restart_mid_questionnaire_continues_at_same_question(make_bot: BotFactory) -> None:
    first = await make_bot()
    workshop = await first.storage.workshops.create(load_workshop_file(EXAMPLE))
    chat = first.chat()
    await chat.join(workshop.invite_code)
    await chat.say("Family")
    await chat.say("Gardening")
    await first.stop()

    second = await make_bot()
    chat = second.chat()
    await chat.say("Feel stronger")
    assert "Question 4 of 6" in chat.last_text()
    member = await second.storage.participants.get(workshop.id, 4242)
    assert member is not None
    answers = await second.storage.answers.for_participant(member.id)
    assert sorted(a.value for a in answers.values()) == ["Family", "Feel stronger", "Gardening"]


async def test_crash_without_flush_loses_nothing(make_bot: BotFactory) -> None:
    first = await make_bot()
    workshop = await first.storage.workshops.create(load_workshop_file(EXAMPLE))
    chat = first.chat()
    await chat.join(workshop.invite_code)
    await chat.say("Family")
    await first.crash()  # conversation state never written: only the database knows

    second = await make_bot()
    chat = second.chat()
    await chat.say("Cooking")
    assert "Question 3 of 6" in chat.last_text()
    member = await second.storage.participants.get(workshop.id, 4242)
    assert member is not None
    answers = await second.storage.answers.for_participant(member.id)
    assert sorted(a.value for a in answers.values()) == ["Cooking", "Family"]


async def test_buttons_from_before_a_restart_still_work(make_bot: BotFactory) -> None:
    first = await make_bot()
    workshop = await first.storage.workshops.create(load_workshop_file(EXAMPLE))
    chat = first.chat()
    await chat.join(workshop.invite_code)
    await chat.say("Family")
    skip_q2 = dict(chat.sent()[-1].buttons)["Skip"]
    q2 = chat.sent()[-1].message_id
    await first.crash()

    second = await make_bot()
    chat = second.chat()
    await chat.press_data(skip_q2, message_id=q2)
    assert "Question 3 of 6" in chat.last_text()


async def test_old_button_for_another_question_has_moved_on(make_bot: BotFactory) -> None:
    first = await make_bot()
    workshop = await first.storage.workshops.create(load_workshop_file(EXAMPLE))
    chat = first.chat()
    await chat.join(workshop.invite_code)
    skip_q1 = dict(chat.sent()[-1].buttons)["Skip"]
    q1 = chat.sent()[-1].message_id
    await chat.say("Family")
    await first.stop()

    second = await make_bot()
    chat = second.chat()
    calls = await chat.press_data(skip_q1, message_id=q1)
    assert chat.texts(calls) == []
    assert [(c.method, c.params.get("text")) for c in calls] == [
        ("answerCallbackQuery", "That has moved on.")
    ]
    member = await second.storage.participants.get(workshop.id, 4242)
    assert member is not None
    assert member.position == 1


async def test_sharing_state_survives_a_clean_restart(make_bot: BotFactory) -> None:
    first = await make_bot()
    workshop = await first.storage.workshops.create(load_workshop_file(EXAMPLE))
    chat = first.chat()
    await chat.join(workshop.invite_code)
    await chat.say("/share")
    await first.stop()

    second = await make_bot()
    chat = second.chat()
    await chat.say("The buses are too infrequent")
    await chat.press("Done – share it")
    assert "shared with Getting to appointments" in chat.last_text()
    member = await second.storage.participants.get(workshop.id, 4242)
    assert member is not None
    views = await second.storage.views.shared(member.id)
    assert [v.text for v in views] == ["The buses are too infrequent"]


async def test_days_later_resume_same_place(make_bot: BotFactory) -> None:
    first = await make_bot()
    workshop = await first.storage.workshops.create(load_workshop_file(EXAMPLE))
    chat = first.chat()
    await chat.join(workshop.invite_code)
    await chat.say("Family")
    await chat.press("Pause")
    await first.stop()

    second = await make_bot()
    chat = second.chat()
    await chat.say("/resume")
    assert "Question 2 of 6" in chat.last_text()


async def test_cancel_after_a_crash_still_pauses(make_bot: object) -> None:
    first = await make_bot()  # type: ignore[operator]  # the fixture is typed as object here
    workshop = await first.storage.workshops.create(load_workshop_file(EXAMPLE))
    chat = first.chat()
    await chat.join(workshop.invite_code)
    await first.crash()
    second = await make_bot()  # type: ignore[operator]  # the fixture is typed as object here
    chat = second.chat()
    calls = await chat.say("/cancel")
    assert "Paused" in chat.texts(calls)[0]
    member = await second.storage.participants.get(workshop.id, 4242)
    assert member is not None
    assert member.status == "paused"


REFUSE_MOVES = """CREATE TRIGGER refuse_moves BEFORE UPDATE OF position ON participants
                  BEGIN SELECT RAISE(ABORT, 'disk full'); END"""


async def test_an_answer_and_the_next_question_land_together_or_not_at_all(
    chat: Chat, bot: RunningBot
) -> None:
    await chat.join(chat.invite)
    await bot.storage.db.execute(REFUSE_MOVES)  # moving on fails, as a full disk would
    calls = await chat.say("Family")
    assert chat.texts(calls) == [
        "Sorry, something went wrong on my side. Everything you had answered is still saved."
        " Please try again, or send /help."
    ]
    assert [type(e).__name__ for e in bot.errors] == ["IntegrityError"]
    bot.errors.clear()
    member = await bot.storage.participants.get(1, 4242)
    assert member is not None
    assert member.position == 0
    assert await bot.storage.answers.for_participant(member.id) == {}
    # Once the fault is gone the same words are taken as the answer, not as a repeat.
    await bot.storage.db.execute("DROP TRIGGER refuse_moves")
    calls = await chat.say("Family")
    assert "Question 2 of 6" in chat.texts(calls)[-1]
    answers = await bot.storage.answers.for_participant(member.id)
    assert [a.value for a in answers.values()] == ["Family"]
