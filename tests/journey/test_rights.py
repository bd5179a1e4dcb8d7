"""A person's rights through the real bot: /consent, /mydata, /forget that leaves nothing."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from chat.callbacks.rights import ChangeConsent, LeaveWorkshop, Leaving
from domain.workshop_file import load_workshop_file
from handlers import jobs
from storage.kinds import Purpose
from storage.models import Workshop
from tests.conftest import EXAMPLE, OWNER, RunningBot
from tests.support.chat import Chat
from tests.support.loop import messages_to, people_in, record_action, run_jobs, send_update

SENTINEL = "zq-rights-sentinel-41b7"


def _occurrences(db_path: Path, text: str = SENTINEL) -> dict[str, int]:
    found = {}
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{db_path}{suffix}")
        data = path.read_bytes() if path.exists() else b""
        found[suffix or "db"] = data.count(text.encode())
    return found


# ---- /consent ------------------------------------------------------------------------------


async def test_consent_lists_each_choice_with_a_button_to_change_it(chat: Chat) -> None:
    await chat.join(chat.invite, updates=True, quote=False)
    calls = await chat.say("/consent")
    shown = chat.texts(calls)
    assert len(shown) == 1
    assert "Getting to appointments" in shown[0]
    assert "Keep my answers and views: <b>yes</b>" in shown[0]
    assert "Send me progress updates: <b>yes</b>" in shown[0]
    assert "Quote my words anonymously: <b>no</b>" in shown[0]
    assert chat.buttons() == [
        "Stop taking part",
        "Stop sending me updates",
        "You may quote me",
    ]


async def test_consent_before_joining_says_there_is_nothing(bot: RunningBot) -> None:
    chat = bot.chat()
    calls = await chat.say("/consent")
    assert "nothing you have agreed to" in chat.texts(calls)[0]


async def test_withdrawing_updates_stops_a_queued_update_and_is_recorded(
    bot: RunningBot, workshop: Workshop
) -> None:
    people = await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    await record_action(owner)
    await send_update(owner)  # queued for Ann and Ben, not yet sent
    ann = people["ann"]
    await ann.say("/consent")
    calls = await ann.press("Stop sending me updates")
    said = ann.texts(calls)[0]
    assert 'no to "send me progress updates"' in said
    assert "no more updates or session notices from it, starting now" in said
    assert "1 waiting message was cancelled" in said
    await run_jobs(bot)
    assert not any("What has happened" in m for m in messages_to(bot, 101))
    assert any("What has happened" in m for m in messages_to(bot, 102))
    member = await bot.storage.participants.get(workshop.id, 101)
    assert member is not None
    updates = (await bot.storage.participants.consents(member.id))[Purpose.UPDATES]
    assert updates.granted
    assert updates.withdrawn_at is not None
    assert not updates.active


async def test_saying_yes_again_shows_the_words_and_records_them(
    chat: Chat, bot: RunningBot, workshop: Workshop
) -> None:
    await chat.join(chat.invite, quote=False)
    await chat.say("/consent")
    calls = await chat.press("You may quote me")
    assert chat.buttons() == ["Yes, I agree", "Leave it as it is"]
    words = chat.texts(calls)[0]
    calls = await chat.press("Yes, I agree")
    assert "noted for Getting to appointments" in chat.texts(calls)[0]
    member = await bot.storage.participants.get(workshop.id, 4242)
    assert member is not None
    quote = (await bot.storage.participants.consents(member.id))[Purpose.QUOTE]
    assert quote.active
    assert quote.text_sha256 == hashlib.sha256(words.encode()).hexdigest()


async def test_leave_it_as_it_is_changes_nothing(
    chat: Chat, bot: RunningBot, workshop: Workshop
) -> None:
    await chat.join(chat.invite, quote=False)
    await chat.say("/consent")
    await chat.press("You may quote me")
    calls = await chat.press("Leave it as it is")
    assert "nothing has changed" in chat.texts(calls)[0]
    member = await bot.storage.participants.get(workshop.id, 4242)
    assert member is not None
    assert not (await bot.storage.participants.consents(member.id))[Purpose.QUOTE].active


async def test_stop_taking_part_and_erase_what_was_said(
    chat: Chat, bot: RunningBot, workshop: Workshop
) -> None:
    await chat.join(chat.invite)
    await chat.say(f"{SENTINEL} family")
    await chat.say("/consent")
    calls = await chat.press("Stop taking part")
    assert "What should happen to what you said?" in chat.texts(calls)[0]
    assert chat.buttons() == ["Erase what I said", "Keep it, anonymised", "Keep taking part"]
    calls = await chat.press("Erase what I said")
    assert "has been erased, and you are no longer taking part" in chat.texts(calls)[0]
    assert await bot.storage.participants.get(workshop.id, 4242) is None
    assert await bot.storage.db.fetchall("SELECT * FROM answers") == []
    await bot.app.update_persistence()
    assert await bot.storage.db.fetchall("SELECT * FROM ptb_user_data") == []
    assert await bot.storage.db.fetchall("SELECT * FROM ptb_conversations") == []
    calls = await chat.say("/mine")
    assert "You haven't shared anything yet" in chat.texts(calls)[0]


async def test_stop_taking_part_and_keep_it_anonymised(
    chat: Chat, bot: RunningBot, workshop: Workshop
) -> None:
    await chat.join(chat.invite)
    await chat.say("Kept without a name")
    member = await bot.storage.participants.get(workshop.id, 4242)
    assert member is not None
    await chat.say("/consent")
    await chat.press("Stop taking part")
    calls = await chat.press("Keep it, anonymised")
    assert "What you said is kept anonymised" in chat.texts(calls)[0]
    assert await bot.storage.participants.get(workshop.id, 4242) is None
    kept = await bot.storage.participants.by_id(member.id)
    assert kept is not None
    assert kept.pseudonym == member.pseudonym
    assert kept.telegram_user_id < 0  # cut loose from the person's Telegram id
    answers = await bot.storage.answers.for_participant(member.id)
    assert [a.value for a in answers.values()] == ["Kept without a name"]
    assert await bot.storage.participants.memberships(4242) == []


async def test_keep_taking_part_changes_nothing(
    chat: Chat, bot: RunningBot, workshop: Workshop
) -> None:
    await chat.join(chat.invite)
    await chat.say("/consent")
    await chat.press("Stop taking part")
    calls = await chat.press("Keep taking part")
    assert "nothing has changed" in chat.texts(calls)[0]
    assert await bot.storage.participants.get(workshop.id, 4242) is not None


async def test_old_and_forged_consent_buttons_change_nothing(
    chat: Chat, bot: RunningBot, workshop: Workshop
) -> None:
    await chat.join(chat.invite)
    other = bot.chat(777, "Other")
    await other.join(chat.invite)
    stranger = bot.chat(555, "Stranger")
    for data in (
        ChangeConsent(workshop.id, Purpose.UPDATES, False).pack(),
        LeaveWorkshop(Leaving.ERASE, workshop.id).pack(),
        ChangeConsent(999, Purpose.UPDATES, False).pack(),
        "rt:set:1:nonsense:0",
    ):
        calls = await stranger.press_data(data)
        assert any(c.method == "answerCallbackQuery" for c in calls)
    assert await bot.storage.participants.get(workshop.id, 777) is not None
    # A yes to taking part, or a no to what is already no: an old button.
    await chat.press_data(ChangeConsent(workshop.id, Purpose.TAKE_PART, True).pack())
    await chat.press_data(ChangeConsent(workshop.id, Purpose.QUOTE, False).pack())
    member = await bot.storage.participants.get(workshop.id, 4242)
    assert member is not None
    consents = await bot.storage.participants.consents(member.id)
    assert consents[Purpose.UPDATES].active
    assert not consents[Purpose.QUOTE].active
    # After erasing, the old "Erase what I said" button does nothing more.
    await chat.say("/consent")
    await chat.press("Stop taking part")
    await chat.press("Erase what I said")
    calls = await chat.press_data(LeaveWorkshop(Leaving.ERASE, workshop.id).pack())
    assert "has been erased" not in "\n".join(chat.texts(calls))


# ---- /mydata -------------------------------------------------------------------------------


async def test_mydata_sends_their_answers_and_views_and_nobody_elses(
    chat: Chat, bot: RunningBot, workshop: Workshop
) -> None:
    await chat.join(chat.invite)
    await chat.say("MINE-answer-about-buses")
    await chat.say("/share")
    await chat.say("MINE-view-on-clinics")
    await chat.press("Done – share it")
    other = bot.chat(777, "Other")
    await other.join(chat.invite)
    await other.say("THEIRS-answer")
    before = len(bot.fake.calls)
    calls = await chat.say("/mydata")
    summary = chat.texts(calls)[0]
    assert "Everything I hold about you" in summary
    assert "• answers to questions: 1" in summary
    assert "• views you shared: 1" in summary
    sent = [c for c in bot.fake.calls[before:] if c.method == "sendDocument"]
    files = [f for c in sent for f in c.files.values()]
    assert [name for name, _ in files] == ["my-data.json"]
    raw = files[0][1]
    document = json.loads(raw)
    assert document["telegram_user_id"] == 4242
    assert b"MINE-answer-about-buses" in raw
    assert b"MINE-view-on-clinics" in raw
    assert b"THEIRS-answer" not in raw
    assert b"777" not in raw
    assert [p["telegram_user_id"] for p in document["tables"]["participants"]] == [4242]


async def test_mydata_for_a_stranger_holds_nothing(bot: RunningBot) -> None:
    chat = bot.chat(31337)
    calls = await chat.say("/mydata")
    assert "I hold nothing about you" in chat.texts(calls)[0]
    assert [name for name, _ in bot.fake.files_sent()] == ["my-data.json"]


# ---- /forget leaves nothing ----------------------------------------------------------------


async def test_forget_says_telegram_keeps_the_chat_and_erases_every_byte(
    chat: Chat, bot: RunningBot, workshop: Workshop, db_path: Path
) -> None:
    await chat.join(chat.invite)
    await chat.say(f"{SENTINEL} family")
    await chat.say("/share")
    await chat.say(f"{SENTINEL} view")
    await chat.press("Done – share it")
    await bot.app.update_persistence()
    assert sum(_occurrences(db_path).values()) > 0
    calls = await chat.say("/forget")
    assert "Telegram keeps this chat's messages on your phone" in chat.texts(calls)[0]
    assert chat.buttons() == ["Yes, erase it", "No, keep it"]
    calls = await chat.press("Yes, erase it")
    assert "wiped from the database shortly" not in chat.texts(calls)[0]
    await bot.app.update_persistence()
    assert await bot.storage.participants.get(workshop.id, 4242) is None
    assert _occurrences(db_path) == {"db": 0, "-wal": 0, "-shm": 0}
    assert await bot.storage.db.fetchall("SELECT * FROM ptb_user_data") == []
    await bot.stop()
    assert _occurrences(db_path) == {"db": 0, "-wal": 0, "-shm": 0}


async def test_forget_with_a_reader_open_says_so_and_finishes_later(
    chat: Chat, bot: RunningBot, workshop: Workshop, db_path: Path
) -> None:
    await chat.join(chat.invite)
    await chat.say(f"{SENTINEL} family")
    await chat.say("/forget")
    reader = sqlite3.connect(db_path, isolation_level=None)
    try:
        reader.execute("BEGIN")  # an export or a backup reading at this moment
        reader.execute("SELECT count(*) FROM answers").fetchone()
        calls = await chat.press("Yes, erase it")
        assert "wiped from the database shortly" in chat.texts(calls)[0]
        assert bot.app.job_queue.get_jobs_by_name("finish-erasure")
        assert bot.storage.db.checkpoint_pending
    finally:
        reader.close()
    await jobs.finish_erasure(bot.context())
    assert not bot.storage.db.checkpoint_pending
    assert _occurrences(db_path) == {"db": 0, "-wal": 0, "-shm": 0}


async def test_forget_in_one_of_two_workshops_keeps_the_other_going(bot: RunningBot) -> None:
    first = await bot.storage.workshops.create(load_workshop_file(EXAMPLE))
    second = await bot.storage.workshops.create(load_workshop_file(EXAMPLE))
    chat = bot.chat()
    await chat.join(first.invite_code)
    await chat.join(second.invite_code)
    await chat.say("/forget")
    await chat.press_data(f"fg:pick:{second.id}")
    await chat.press("Yes, erase it")
    assert await bot.storage.participants.get(second.id, 4242) is None
    assert [m.workshop_id for m in await bot.storage.participants.memberships(4242)] == [first.id]
    calls = await chat.say("/consent")
    assert len(chat.texts(calls)) == 1
