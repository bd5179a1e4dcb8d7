"""Share a view any time, see what you shared, erase it."""

from __future__ import annotations

from pathlib import Path

from domain.workshop_file import load_workshop_file
from storage.models import Workshop
from tests.conftest import EXAMPLE, RunningBot
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
    member = await bot.storage.participants.get(workshop.id, 4242)
    assert member is not None
    assert member.status == "withdrawn"
    assert await bot.storage.answers.for_participant(member.id) == {}
    assert await bot.storage.db.fetchall("SELECT * FROM views") == []
    consents = await bot.storage.participants.consents(member.id)
    assert all(c.withdrawn_at is not None for c in consents.values())
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
    two = await bot.storage.participants.get(second.id, 4242)
    assert one is not None
    assert two is not None
    assert [a.value for a in (await bot.storage.answers.for_participant(one.id)).values()] == [
        "Kept"
    ]
    assert await bot.storage.answers.for_participant(two.id) == {}
