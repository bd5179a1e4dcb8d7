"""Staff in their own language, and workshops and updates kept true in every language."""

from __future__ import annotations

from domain.texts import texts
from storage.models import Workshop
from tests.conftest import OWNER, RunningBot
from tests.support.chat import Chat
from tests.support.loop import at_london, messages_to, run_jobs

PL = texts("pl")
EN = texts()
FAY = 5555


def polish(bot: RunningBot, user_id: int, name: str) -> Chat:
    chat = bot.chat(user_id, name)
    chat.user["language_code"] = "pl"
    return chat


async def _choose_polish(chat: Chat) -> None:
    await chat.say("/language")
    await chat.press("Polski")


async def test_an_owner_who_chooses_polish_gets_safeguarding_alerts_in_polish(
    bot: RunningBot, workshop: Workshop
) -> None:
    owner = bot.chat(OWNER, "Priya")
    await _choose_polish(owner)
    assert await bot.storage.facilitators.languages([OWNER]) == {OWNER: "pl"}
    await bot.chat(7001, "Sam").say(f"/start {workshop.invite_code}")
    await bot.chat(7001, "Sam").say("I want to kill myself")
    alert = [c.text for c in bot.fake.calls if c.chat_id == OWNER][-1]
    assert "Someone who has not agreed" not in alert
    assert "I want to kill myself" in alert
    menus = [c for c in bot.fake.calls if c.method == "setMyCommands"]
    assert PL.label("commands.workshops") in str(menus[-1].params)


async def test_a_facilitator_joining_by_invite_keeps_their_phones_language(
    bot: RunningBot, workshop: Workshop
) -> None:
    owner = bot.chat(OWNER, "Priya")
    code = await bot.storage.facilitators.create_invite(workshop.id, OWNER)
    fay = polish(bot, FAY, "Fay")
    await fay.say(f"/start {code}")
    assert await bot.storage.facilitators.languages([FAY]) == {FAY: "pl"}
    # Still running another workshop when an English-speaking owner removes her from this
    # one: her menu is redrawn, in Polish.
    from dataclasses import replace

    from domain.workshop_file import load_workshop_file
    from tests.conftest import EXAMPLE

    other = await bot.storage.workshops.create(
        replace(load_workshop_file(EXAMPLE), title="Another workshop")
    )
    await bot.storage.facilitators.add(other.id, FAY, OWNER, "Fay")
    await owner.say(f"/team {workshop.id}")
    before = len(bot.fake.calls)
    await owner.press_data(
        next(d for _label, d in owner_buttons(owner) if d.startswith("tm:remove"))
    )
    (menu,) = [c for c in bot.fake.calls[before:] if c.method == "setMyCommands"]
    assert menu.chat_id == FAY or str(FAY) in str(menu.params)
    assert PL.label("commands.workshops") in str(menu.params)
    assert EN.label("commands.workshops") not in str(menu.params)


def owner_buttons(chat: Chat) -> list[tuple[str, str]]:
    for call in reversed(chat.sent()):
        if call.buttons:
            return call.buttons
    return []


async def test_editing_a_translated_field_takes_the_translation_off_and_says_so(
    bot: RunningBot, workshop: Workshop
) -> None:
    owner = bot.chat(OWNER, "Priya")
    assert workshop.languages == ("en", "pl")
    await owner.press_data(f"we:title:{workshop.id}")
    calls = await owner.say("Getting to appointments, together")
    told = "\n".join(owner.texts(calls))
    assert "Polski translation no longer says the same" in told
    edited = await bot.storage.workshops.get(workshop.id)
    assert edited is not None
    assert edited.languages == ("en",)
    questions = await bot.storage.workshops.questions(workshop.id)
    assert all(q.translations == {} for q in questions)
    # A Polish reader now gets the workshop as written, and is told it is in English.
    ola = polish(bot, 7002, "Ola")
    calls = await ola.say(f"/start {workshop.invite_code}")
    welcome = ola.texts(calls)[0]
    assert "Getting to appointments, together" in welcome
    assert "English" in welcome


async def test_a_polish_facilitator_changing_the_cadence_keeps_the_default_words_english(
    bot: RunningBot, workshop: Workshop
) -> None:
    default = EN.plain("facilitator/workshop/default_hear_back", days=14)
    await bot.storage.workshops.update(workshop.id, "hear_back", default)
    owner = bot.chat(OWNER, "Priya")
    await _choose_polish(owner)
    await owner.press_data(f"we:update_cadence_days:{workshop.id}")
    await owner.say("28")
    edited = await bot.storage.workshops.get(workshop.id)
    assert edited is not None
    assert edited.hear_back == EN.plain("facilitator/workshop/default_hear_back", days=28)


async def _polish_reader(bot: RunningBot, workshop: Workshop) -> Chat:
    ola = polish(bot, 7003, "Ola")
    await ola.join(workshop.invite_code, updates=True)
    return ola


async def test_a_corrected_update_sets_its_old_polish_version_aside(
    bot: RunningBot, workshop: Workshop
) -> None:
    await _polish_reader(bot, workshop)
    owner = bot.chat(OWNER, "Priya")
    at_london(bot, 11)
    await owner.say("/update")
    await owner.press(EN.label("buttons.write_notice"))
    await owner.say("We meet on Friday.")
    await owner.press(EN.label("buttons.add_version", language="Polski"))
    await owner.say("Spotykamy się w piątek.")
    calls = await owner.say("We meet on Saturday.")
    assert any("set it aside" in t for t in owner.texts(calls))
    await owner.press(EN.label("buttons.send_now"))
    await run_jobs(bot)
    received = messages_to(bot, 7003)[-1]
    assert "We meet on Saturday." in received
    assert "piątek" not in received


async def test_a_version_too_long_is_asked_for_again_not_the_message(
    bot: RunningBot, workshop: Workshop
) -> None:
    await _polish_reader(bot, workshop)
    owner = bot.chat(OWNER, "Priya")
    await owner.say("/update")
    await owner.press(EN.label("buttons.write_notice"))
    await owner.say("A short notice.")
    await owner.press(EN.label("buttons.add_version", language="Polski"))
    calls = await owner.say("&" * 1000)  # 5,000 characters once escaped
    said = owner.texts(calls)
    assert any("more than one Telegram message holds" in t for t in said)
    assert "Write the message in Polski" in said[-1]
    calls = await owner.say("Krótkie ogłoszenie.")
    assert EN.label("buttons.send_now") in owner.buttons()


async def test_a_forged_version_in_the_workshops_own_language_changes_nothing(
    bot: RunningBot, workshop: Workshop
) -> None:
    await _polish_reader(bot, workshop)
    owner = bot.chat(OWNER, "Priya")
    await owner.say("/update")
    await owner.press(EN.label("buttons.write_notice"))
    await owner.say("A short notice.")
    nonce = next(d for _label, d in owner_buttons(owner) if d.startswith("up:lang")).rsplit(
        ":", 1
    )[1]
    calls = await owner.press_data(f"up:lang:en:{nonce}")
    assert not any("Write the message in" in t for t in owner.texts(calls))


async def test_reminders_and_nudges_go_in_each_readers_language(
    bot: RunningBot, workshop: Workshop
) -> None:
    from datetime import timedelta

    from handlers import jobs

    ola = polish(bot, 7004, "Ola")
    await ola.join(workshop.invite_code, updates=True)
    await ola.say("Wnuki")
    sam = bot.chat(7005, "Sam")
    await sam.join(workshop.invite_code, updates=True)
    await sam.say("Grandchildren")
    at_london(bot, 11, days=3)
    sent = await jobs.remind_unfinished(bot.storage, bot.clock(), timedelta(hours=1))
    assert sent == 2
    await bot.app.bot_data["worker"].run(bot.app.bot)
    (to_ola,) = messages_to(bot, 7004)[-1:]
    (to_sam,) = messages_to(bot, 7005)[-1:]
    assert to_ola != to_sam
    assert to_sam.startswith(EN.render("loop/reminder", workshop=workshop, number=2)[:20])
    assert to_ola.startswith(PL.render("loop/reminder", workshop=workshop, number=2)[:20])
