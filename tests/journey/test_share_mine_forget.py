"""Share a view any time, see what you shared, erase it."""

from __future__ import annotations

from pathlib import Path

from telegram import Update

from domain.workshop_file import load_workshop_file
from storage.models import Workshop
from tests.conftest import EXAMPLE, BotFactory, RunningBot
from tests.support.chat import Chat


async def test_share_a_view_in_several_messages(chat: Chat, bot: RunningBot) -> None:
    await chat.join(chat.invite)
    await chat.say("Family")
    calls = await chat.say("/share")
    texts = chat.texts(calls)
    assert "paused at question 2" in texts[0]
    assert "Share a view with Getting to appointments" in texts[1]
    await chat.say("The 47 bus stops at 6pm.")
    await chat.say("So I can't get to evening clinics.")
    calls = await chat.press("Done – share it")
    done = chat.texts(calls)[0]
    assert "<blockquote>The 47 bus stops at 6pm.</blockquote>" in done
    assert "<blockquote>So I can&#39;t get to evening clinics.</blockquote>" in done
    member = await bot.storage.participants.get(1, 4242)
    assert member is not None
    views = await bot.storage.views.shared(member.id)
    assert [v.text for v in views] == [
        "The 47 bus stops at 6pm.",
        "So I can't get to evening clinics.",
    ]
    await chat.say("/resume")
    assert "Question 2 of 6" in chat.last_text()


async def test_cancel_sharing_keeps_nothing_of_the_draft(chat: Chat, bot: RunningBot) -> None:
    await chat.join(chat.invite)
    await chat.say("/share")
    await chat.say("Second thoughts")
    await chat.press("Cancel")
    assert "nothing was shared" in chat.last_text()
    assert await bot.storage.db.fetchall("SELECT * FROM views") == []


async def test_share_before_joining_explains(bot: RunningBot) -> None:
    chat = bot.chat()
    calls = await chat.say("/share")
    assert "first join a workshop" in chat.texts(calls)[0]


async def test_share_picks_workshop_when_in_two(bot: RunningBot) -> None:
    first = await bot.storage.workshops.create(load_workshop_file(EXAMPLE))
    second = await bot.storage.workshops.create(load_workshop_file(EXAMPLE))
    chat = bot.chat()
    await chat.join(first.invite_code)
    await chat.join(second.invite_code)
    await chat.say("/share")
    assert "Which workshop" in chat.last_text()
    calls = await chat.say("typed before picking")
    assert "choose a workshop" in chat.texts(calls)[0]
    assert await bot.storage.db.fetchall("SELECT * FROM views") == []
    await chat.press_data(f"sh:pick:{first.id}")
    await chat.say("For the first one")
    await chat.press("Done – share it")
    member = await bot.storage.participants.get(first.id, 4242)
    assert member is not None
    assert [v.text for v in await bot.storage.views.shared(member.id)] == ["For the first one"]


async def test_mine_lists_answers_views_and_choices(chat: Chat) -> None:
    await chat.join(chat.invite, updates=False, quote=True)
    await chat.say("Family")
    await chat.say("/share")
    await chat.say("More buses please")
    await chat.press("Done – share it")
    calls = await chat.say("/mine")
    mine = chat.texts(calls)[0]
    assert "(you appear as P-" in mine
    assert "Send me progress updates: no" in mine
    assert "Quote my words anonymously: yes" in mine
    assert "Family" in mine
    assert "More buses please" in mine


async def test_mine_when_nothing_shared(bot: RunningBot) -> None:
    chat = bot.chat()
    calls = await chat.say("/mine")
    assert "You haven't shared anything yet" in chat.texts(calls)[0]


async def test_forget_erases_answers_and_views_and_withdraws(
    chat: Chat, bot: RunningBot, workshop: Workshop
) -> None:
    await chat.join(chat.invite)
    await chat.say("Family")
    await chat.say("/share")
    await chat.say("A view")
    await chat.press("Done – share it")
    await chat.say("/forget")
    assert "Erase everything you told Getting to appointments" in chat.last_text()
    await chat.press("Yes, erase it")
    done = chat.last_text()
    assert "have been erased" in done
    assert "does not delete the messages in your own Telegram chat" in done
    assert await bot.storage.participants.get(workshop.id, 4242) is None
    assert await bot.storage.db.fetchall("SELECT * FROM answers") == []
    assert await bot.storage.db.fetchall("SELECT * FROM views") == []
    assert await bot.storage.db.fetchall("SELECT * FROM consents") == []
    tombstones = await bot.storage.db.fetchall("SELECT * FROM consent_tombstones")
    assert tombstones
    assert all(t["withdrawn_at"] is not None for t in tombstones)
    calls = await chat.say("/mine")
    assert "You haven't shared anything yet" in chat.texts(calls)[0]


async def test_forget_can_be_called_off(chat: Chat, bot: RunningBot) -> None:
    await chat.join(chat.invite)
    await chat.say("Family")
    await chat.say("/forget")
    await chat.press("No, keep it")
    assert "nothing has been erased" in chat.last_text()
    assert len(await bot.storage.db.fetchall("SELECT * FROM answers")) == 1


async def test_erased_text_is_not_left_in_the_database_file(bot: RunningBot, chat: Chat) -> None:
    await chat.join(chat.invite)
    await chat.say("ZEBRA-SECRET-ANSWER")
    await chat.say("/forget")
    await chat.press("Yes, erase it")
    await bot.stop()
    path = Path(bot.storage.db.path)
    for file in (path, path.with_name(path.name + "-wal")):
        if file.exists():
            assert b"ZEBRA-SECRET-ANSWER" not in file.read_bytes(), file.name


async def _answers(bot: RunningBot, workshop_id: int = 1) -> list[object]:
    member = await bot.storage.participants.get(workshop_id, 4242)
    assert member is not None
    answers = await bot.storage.answers.for_participant(member.id)
    return [a.value for _, a in sorted(answers.items())]


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
    assert one is not None
    assert await bot.storage.participants.get(second.id, 4242) is None
    assert [a.value for a in (await bot.storage.answers.for_participant(one.id)).values()] == [
        "Kept"
    ]
    assert len(await bot.storage.db.fetchall("SELECT * FROM answers")) == 1


# ---- a typed step survives a crash; a paste is joined; old buttons and redeliveries --------


async def _shared(bot: RunningBot, workshop_id: int = 1) -> list[str]:
    member = await bot.storage.participants.get(workshop_id, 4242)
    assert member is not None
    return [v.text for v in await bot.storage.views.shared(member.id)]


async def test_view_typed_after_a_crash_at_the_share_prompt_is_kept_as_a_view(
    make_bot: BotFactory,
) -> None:
    first = await make_bot()
    workshop = await first.storage.workshops.create(load_workshop_file(EXAMPLE))
    chat = first.chat()
    await chat.join(workshop.invite_code)
    await chat.say("Family")
    await chat.say("/share")
    await first.crash()  # nothing of the conversation state was written

    second = await make_bot()
    chat = second.chat()
    calls = await chat.say("The buses stop at 6pm")
    assert "Got it" in chat.texts(calls)[0]
    await chat.press("Done – share it")
    assert await _shared(second) == ["The buses stop at 6pm"]
    assert await _answers(second) == ["Family"]  # not taken as the answer to question 2


async def test_view_after_a_crash_beats_an_older_saved_state(make_bot: BotFactory) -> None:
    first = await make_bot()
    workshop = await first.storage.workshops.create(load_workshop_file(EXAMPLE))
    chat = first.chat()
    await chat.join(workshop.invite_code)
    await first.stop()  # the state saved says: at the questions

    second = await make_bot()
    chat = second.chat()
    await chat.say("/share")
    await second.crash()  # ... and sharing was never saved

    third = await make_bot()
    chat = third.chat()
    await chat.say("More evening buses")
    await chat.press("Done – share it")
    assert await _shared(third) == ["More evening buses"]
    assert await _answers(third) == []


async def test_after_a_crash_resumed_questions_take_the_text_not_the_old_share(
    make_bot: BotFactory,
) -> None:
    first = await make_bot()
    workshop = await first.storage.workshops.create(load_workshop_file(EXAMPLE))
    chat = first.chat()
    await chat.join(workshop.invite_code)
    await chat.say("/share")
    await chat.say("/resume")
    await first.crash()

    second = await make_bot()
    chat = second.chat()
    await chat.say("Family")
    assert await _answers(second) == ["Family"]
    assert await second.storage.db.fetchall("SELECT * FROM views") == []


async def test_a_paste_split_by_telegram_is_joined_into_one_view(
    chat: Chat, bot: RunningBot
) -> None:
    await chat.join(chat.invite)
    await chat.say("/share")
    calls = await chat.say("a" * 4096)
    told = chat.texts(calls)[0]
    assert "I have kept all of it (4,096 characters in this view)" in told
    assert "a view holds up to 20,000 characters" in told
    await chat.say("b" * 1000)
    await chat.press("Done – share it")
    assert await _shared(bot) == ["a" * 4096 + "\n" + "b" * 1000]


async def test_a_view_past_its_limit_goes_on_as_a_view_of_its_own(
    chat: Chat, bot: RunningBot
) -> None:
    await chat.join(chat.invite)
    await chat.say("/share")
    for _ in range(4):
        await chat.say("a" * 4096)
    calls = await chat.say("b" * 4096)
    assert "kept this part as a view of its own. Nothing was cut." in chat.texts(calls)[0]
    await chat.say("c")
    await chat.press("Done – share it")
    assert await _shared(bot) == ["\n".join(["a" * 4096] * 4), "b" * 4096 + "\nc"]


async def test_done_on_an_old_share_prompt_has_moved_on_and_changes_nothing(
    chat: Chat, bot: RunningBot
) -> None:
    await chat.join(chat.invite)
    await chat.say("/share")
    await chat.say("First view")
    old_done = dict(chat.sent()[-1].buttons)["Done – share it"]
    await chat.press_data(old_done)
    await chat.say("/share")
    await chat.say("Not finished yet")
    calls = await chat.press_data(old_done)
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert [a.params.get("text") for a in answers] == ["That has moved on."]
    assert chat.texts(calls) == []
    assert await _shared(bot) == ["First view"]
    member = await bot.storage.participants.get(1, 4242)
    assert member is not None
    assert [v.text for v in await bot.storage.views.drafts(member.id)] == ["Not finished yet"]


async def test_the_same_view_and_done_delivered_twice_have_one_effect(
    chat: Chat, bot: RunningBot
) -> None:
    await chat.join(chat.invite)
    await chat.say("/share")
    view = Update.de_json(
        {"update_id": 770001, "message": chat._message(text="Once")}, bot.app.bot
    )
    await bot.app.process_update(view)
    done = dict(chat.sent()[-1].buttons)["Done – share it"]
    press = {
        "update_id": 770002,
        "callback_query": {
            "id": "q-770002",
            "from": chat.user,
            "chat_instance": "ci-1",
            "data": done,
            "message": {"message_id": 1, "date": 0, "chat": chat.chat, "text": "…"},
        },
    }
    before = len(bot.fake.calls)
    await bot.app.process_update(view)  # Telegram sends it again after a restart
    await bot.app.process_update(Update.de_json(press, bot.app.bot))
    await bot.app.process_update(Update.de_json(press, bot.app.bot))
    await bot.app.process_update(view)
    calls = bot.fake.calls[before:]
    texts = chat.texts(calls)
    assert len(texts) == 1
    assert "shared with Getting to appointments" in texts[0]
    assert sum(c.method == "answerCallbackQuery" for c in calls) == 1
    assert await _shared(bot) == ["Once"]
    assert await _answers(bot) == []
