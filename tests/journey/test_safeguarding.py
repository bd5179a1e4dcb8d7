"""Safeguarding: a message with a risk phrase, at any step and before consent too, gets a
caring reply at once, raises a flag, and alerts the workshop's facilitators."""

from __future__ import annotations

import re

from chat.callbacks.safety import FlagHandled
from storage.models import Workshop
from tests.conftest import OWNER, RunningBot
from tests.support.chat import Chat

FAY = 600  # a facilitator of the workshop
HELP = ("Samaritans", "116 123", "NHS 24", "111", "Breathing Space", "0800 83 85 87", "999")
PEOPLE_TABLES = ("participants", "consents", "answers", "views", "about_answers", "typed_steps")


def _names_them(text: str) -> bool:
    """Whether a text gives away Sam's Telegram id or name."""
    return "4242" in text or re.search(r"\bSam\b", text) is not None


async def _tables_holding(bot: RunningBot, words: str) -> list[str]:
    """Every table with a row that holds these words, in any column."""
    db = bot.storage.db
    tables = await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    found = []
    for (table,) in tables:
        columns = [c["name"] for c in await db.fetchall(f"PRAGMA table_info({table})")]
        if not columns:
            continue
        where = " OR ".join(f"CAST({c} AS TEXT) LIKE ?" for c in columns)
        row = await db.fetchone(
            f"SELECT COUNT(*) FROM {table} WHERE {where}", (f"%{words}%",) * len(columns)
        )
        if row is not None and row[0]:
            found.append(table)
    return found


async def _count(bot: RunningBot, table: str) -> int:
    row = await bot.storage.db.fetchone(f"SELECT COUNT(*) FROM {table}")
    assert row is not None
    return int(row[0])


def _alerts(bot: RunningBot, user_id: int) -> list[str]:
    return [
        c.text
        for c in bot.fake.calls
        if c.method == "sendMessage" and c.chat_id == user_id and "Safeguarding" in c.text
    ]


async def _facilitator(bot: RunningBot, workshop: Workshop) -> Chat:
    await bot.storage.facilitators.add(workshop.id, FAY, OWNER, "Fay")
    return bot.chat(user_id=FAY, name="Fay")


async def test_before_consent_help_flag_and_alert_and_nothing_else_stored(
    chat: Chat, bot: RunningBot, workshop: Workshop
) -> None:
    await _facilitator(bot, workshop)
    await chat.say(f"/start {chat.invite}")
    calls = await chat.say("I want to kill myself")
    replies = chat.texts(calls)
    caring = replies[0]
    assert caring.startswith("Thank you for telling me.")
    assert all(number in caring for number in HELP)
    assert "facilitators of" in caring
    # The message still went on to the journey, which kept none of it.
    assert any("haven't kept what you typed" in r for r in replies[1:])
    flags = await bot.storage.flags.open_for([workshop.id])
    assert [(f.message, f.pseudonym, f.participant_id) for f in flags] == [
        ("I want to kill myself", None, None)
    ]
    assert flags[0].workshop_id == workshop.id
    for table in PEOPLE_TABLES:
        assert await _count(bot, table) == 0, table
    await bot.app.update_persistence()
    assert await _tables_holding(bot, "kill myself") == ["flags"]
    (alert,) = _alerts(bot, FAY)
    assert "Someone who has not agreed to take part yet" in alert
    assert "I want to kill myself" in alert
    assert not _names_them(alert)
    alert_call = next(c for c in bot.fake.calls if c.chat_id == FAY and c.buttons)
    assert alert_call.buttons == [(f"Mark {flags[0].id} handled", FlagHandled(flags[0].id).pack())]
    # The owner is not told while the workshop has a facilitator.
    assert _alerts(bot, OWNER) == []


async def test_mid_questions_the_answer_is_kept_too(
    chat: Chat, bot: RunningBot, workshop: Workshop
) -> None:
    fay = await _facilitator(bot, workshop)
    await chat.join(chat.invite)
    assert "Question 1 of 6" in chat.last_text()
    calls = await chat.say("Honestly I am not safe at home")
    replies = chat.texts(calls)
    assert all(number in replies[0] for number in HELP)
    assert "Question 2 of 6" in replies[-1]  # the journey went on as usual
    member = await bot.storage.participants.get(workshop.id, 4242)
    assert member is not None
    answers = await bot.storage.answers.for_participant(member.id)
    assert [a.value for a in answers.values()] == ["Honestly I am not safe at home"]
    (flag,) = await bot.storage.flags.open_for([workshop.id])
    assert flag.pseudonym == member.pseudonym
    assert flag.participant_id == member.id
    assert member.pseudonym in _alerts(bot, FAY)[0]

    # Fay lists it (pseudonym only), then marks it handled from the alert.
    await fay.say("/flags")
    listing = fay.last_text()
    assert member.pseudonym in listing
    assert "not safe at home" in listing
    assert not _names_them(listing)
    await fay.press(f"Mark {flag.id} handled")
    assert f"Flag {flag.id} ({member.pseudonym}) is marked handled" in fay.last_text()
    assert await bot.storage.flags.open_for([workshop.id]) == []
    handled = await bot.storage.flags.get(flag.id)
    assert handled is not None
    assert handled.handled_by == FAY
    await fay.press_data(FlagHandled(flag.id).pack())
    assert "already marked handled" in fay.last_text()
    await fay.say("/flags")
    assert "No safeguarding flags are waiting" in fay.last_text()
    entries = await bot.storage.audit.entries(workshop.id)
    assert [e.action for e in entries if e.action == "flag-handled"] == ["flag-handled"]


async def test_a_stranger_cannot_list_or_mark_flags(
    chat: Chat, bot: RunningBot, workshop: Workshop
) -> None:
    await _facilitator(bot, workshop)
    await chat.join(chat.invite)
    await chat.say("He hits me when he's angry")
    (flag,) = await bot.storage.flags.open_for([workshop.id])
    for person in (bot.chat(user_id=777, name="Stranger"), chat):
        await person.say("/flags")
        assert person.last_text().startswith("This command is for facilitators.")
        assert "hits me" not in person.last_text()
        await person.press_data(FlagHandled(flag.id).pack())
        assert person.last_text().startswith("This command is for facilitators.")
    still = await bot.storage.flags.get(flag.id)
    assert still is not None
    assert still.handled_at is None
    refused = [e for e in await bot.storage.audit.entries(workshop.id) if not e.allowed]
    assert {e.actor for e in refused} == {777, 4242}


async def test_a_facilitator_of_another_workshop_cannot_mark_it(
    chat: Chat, bot: RunningBot, workshop: Workshop
) -> None:
    from domain.workshop_file import load_workshop_file
    from tests.conftest import EXAMPLE

    other = await bot.storage.workshops.create(load_workshop_file(EXAMPLE))
    await bot.storage.facilitators.add(other.id, 601, OWNER, "Olu")
    olu = bot.chat(user_id=601, name="Olu")
    await chat.join(chat.invite)
    await chat.say("I keep thinking about suicide.")
    (flag,) = await bot.storage.flags.open_for([workshop.id])
    assert _alerts(bot, 601) == []
    # With no facilitator of its own, the workshop's flags go to the owners.
    assert len(_alerts(bot, OWNER)) == 1
    await olu.say("/flags")
    assert "No safeguarding flags are waiting" in olu.last_text()
    await olu.press_data(FlagHandled(flag.id).pack())
    assert olu.last_text().startswith("This command is for facilitators.")
    assert (await bot.storage.flags.open_for([workshop.id])) == [flag]


async def test_someone_in_no_workshop_reaches_the_owners(bot: RunningBot) -> None:
    person = bot.chat(user_id=4343, name="Kim")
    calls = await person.say("everyone would be better off if I could end my life")
    assert all(number in chat_text for chat_text in person.texts(calls)[:1] for number in HELP)
    assert "people who run this bot" in person.texts(calls)[0]
    (alert,) = _alerts(bot, OWNER)
    assert "(not in a workshop yet)" in alert
    owner = bot.chat(user_id=OWNER, name="Owner")
    await owner.say("/flags")
    assert "end my life" in owner.last_text()
    assert "no workshop yet" in owner.last_text()
    await owner.press("Mark 1 handled")
    assert "is marked handled" in owner.last_text()
    assert await bot.storage.flags.open_unplaced() == []


async def test_inside_a_facilitator_prompt_and_in_an_edit(
    bot: RunningBot, workshop: Workshop
) -> None:
    fay = await _facilitator(bot, workshop)
    await fay.say("/newworkshop")
    calls = await fay.say("I feel like I want to die")
    assert all(n in fay.texts(calls)[0] for n in HELP)
    edited = bot.chat(user_id=4545, name="Ed")
    await edited.say("hello")
    calls = await edited.edit(edited.last_message_id, "hello, I want to hurt myself")
    assert all(n in edited.texts(calls)[0] for n in HELP)
    messages = [f.message for f in await bot.storage.flags.open_unplaced()]
    assert messages == ["I feel like I want to die", "hello, I want to hurt myself"]
    # Fay is a facilitator of a workshop, not a participant: hers goes to the owners.
    assert [f.message for f in await bot.storage.flags.open_for([workshop.id])] == []
    assert len(_alerts(bot, OWNER)) == 2


async def test_facilitators_are_told_even_when_a_send_fails(
    chat: Chat, bot: RunningBot, workshop: Workshop
) -> None:
    await _facilitator(bot, workshop)
    await bot.storage.facilitators.add(workshop.id, 601, OWNER, "Olu")
    await chat.join(chat.invite)
    bot.fake.fail("sendMessage", 502, "Bad Gateway", chat_id=4242)  # the help to Sam
    bot.fake.fail("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=FAY)
    await chat.say("Someone is abusing me")
    assert len(await bot.storage.flags.open_for([workshop.id])) == 1
    assert len(_alerts(bot, 601)) == 1
    assert "Question 2 of 6" in chat.last_text()  # the answer still went on


async def test_ordinary_words_raise_nothing(chat: Chat, bot: RunningBot) -> None:
    await chat.join(chat.invite)
    calls = await chat.say("I felt disabused of the idea that the bus is unsafely slow")
    assert not any("Samaritans" in t for t in chat.texts(calls))
    assert await _count(bot, "flags") == 0


async def test_a_polish_cry_for_help_is_signposted_in_polish_and_alerts_in_english(
    bot: RunningBot, workshop: Workshop
) -> None:
    from domain.texts import texts

    await _facilitator(bot, workshop)
    ola = bot.chat(user_id=8181, name="Ola")
    ola.user["language_code"] = "pl"
    await ola.say(f"/start {workshop.invite_code}")
    calls = await ola.say("Czasem chce sie zabic")  # typed without Polish letters
    caring = ola.texts(calls)[0]
    polish_help = texts("pl").render("safeguarding/help", workshop=workshop)
    assert caring.startswith(polish_help[:40])
    assert "Thank you for telling me" not in caring
    assert all(number in caring for number in HELP)
    flags = await bot.storage.flags.open_for([workshop.id])
    assert [f.message for f in flags] == ["Czasem chce sie zabic"]
    (alert,) = _alerts(bot, FAY)
    assert "Someone who has not agreed to take part yet" in alert  # Fay reads English
