"""Every person in their own language: a Polish-speaking participant goes from /start to the
last update in Polish, can switch with /language, and their consent names the language."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from chat.context import LANGUAGE
from domain.texts import Texts, sha256, texts
from storage.models import Workshop
from tests.conftest import OWNER, RunningBot
from tests.domain.test_catalogs import extracted
from tests.support.chat import Chat
from tests.support.loop import at_london, messages_to, run_jobs

PL = texts("pl")
EN = texts()


def polish(bot: RunningBot, user_id: int = 4242, name: str = "Ola") -> Chat:
    chat = bot.chat(user_id, name)
    chat.user["language_code"] = "pl"
    return chat


@cache
def english_sentences() -> list[str]:
    """English texts of the bot long enough that finding one means it was not translated
    (values cut out, since they are filled in)."""
    found = []
    for forms in extracted().values():
        for form in forms:
            for piece in re.split(r"%\(\w+\)[sd]|<[^>]+>", form):
                piece = piece.strip(" .,:;()\n")
                if len(piece) >= 24:
                    found.append(piece)
    return found


def _every_label(t: Texts) -> list[str]:
    from jinja2.runtime import Macro

    found: list[str] = []
    for key in t.label_keys():
        value = t._lookup(key)
        if isinstance(value, list):
            found += t.labels(key)
        elif not isinstance(value, Macro):
            found.append(t.label(key))
    return found


def english_labels() -> list[str]:
    return _every_label(EN)


def polish_labels() -> list[str]:
    return _every_label(PL)


def assert_no_english(text: str) -> None:
    plain = re.sub(r"<[^>]+>", "", text).replace("&#39;", "'").replace("&#34;", '"')
    for sentence in english_sentences():
        assert sentence not in plain, f"English left in a Polish message: {sentence!r}"


async def test_a_polish_participant_goes_through_it_all_in_polish(
    bot: RunningBot, workshop: Workshop
) -> None:
    ola = polish(bot)
    calls = await ola.say(f"/start {workshop.invite_code}")
    welcome, consent = ola.texts(calls)[:2]
    assert "Jak dotrzeć na wizytę" in welcome  # the workshop's own words, in Polish
    assert welcome.startswith(
        "<b>" + PL.render("journey/welcome", workshop=_polish(workshop), written_in=None)[3:20]
    )
    assert consent.startswith("<b>Czy")
    assert "Getting to appointments" not in welcome
    assert ola.buttons() == [
        PL.label("buttons.take_part_yes"),
        PL.label("buttons.take_part_no"),
        PL.label("buttons.tell_more"),
    ]
    await ola.press(PL.label("buttons.take_part_yes"))
    await ola.press(PL.label("buttons.updates_yes"))
    await ola.press(PL.label("buttons.quote_no"))
    await ola.press(PL.label("buttons.start_questions"))
    assert "Co jest dla ciebie ważne?" in ola.last_text()
    await ola.say("Wnuki")
    await ola.say("Gotowanie")
    await ola.say("Częściej wychodzić z domu")
    assert "Kto jest dla ciebie najważniejszy?" in ola.last_text()
    await ola.say("Moja córka")
    await ola.press(PL.labels("relationships.how_often")[1])
    await ola.press(PL.labels("relationships.support")[1])
    await ola.press(PL.label("buttons.support_done"))
    await ola.press(PL.label("buttons.thats_all"))
    await ola.say("Nad morze")
    await ola.say("Więcej spacerować")
    review = ola.last_text()
    assert "Moja córka – Co tydzień – Telefonicznie" in review
    stored = await bot.storage.answers.for_participant(
        (await bot.storage.participants.get(workshop.id, 4242)).id  # type: ignore[union-attr]
    )
    (people,) = [a.value for a in stored.values() if isinstance(a.value, dict)]
    assert people["entries"][0]["how_often"] == "Every week"  # as the bot wrote it
    assert people["entries"][0]["support"] == ["Phone"]
    await ola.press(PL.label("buttons.submit"))
    assert "Jak dotrzeć na wizytę" in ola.last_text()  # thanks, naming the workshop

    member = await bot.storage.participants.get(workshop.id, 4242)
    assert member is not None
    assert member.language == "pl"
    assert member.status == "submitted"
    consents = await bot.storage.participants.consents(member.id)
    assert {c.language for c in consents.values()} == {"pl"}
    # The hash is of the Polish words shown, not of the English ones.
    polish_words = sha256(
        PL.render("journey/consent_take_part", workshop=_polish(workshop), purpose="take_part")
    )
    english_words = sha256(
        EN.render("journey/consent_take_part", workshop=workshop, purpose="take_part")
    )
    assert consents["take_part"].text_sha256 == polish_words
    assert consents["take_part"].text_sha256 != english_words

    # A progress update reaches her in Polish, in the version written for Polish readers.
    owner = bot.chat(OWNER, "Priya")
    at_london(bot, 11)
    await owner.say("/update")
    await owner.press(EN.label("buttons.write_notice"))
    await owner.say("The venue has moved to the library.")
    preview = "\n".join(owner.texts(owner.fake.calls[-6:]))
    assert "1 person reads Polski" in preview
    await owner.press(EN.label("buttons.add_version", language="Polski"))
    await owner.say("Spotkanie jest teraz w bibliotece.")
    await owner.press(EN.label("buttons.send_now"))
    await run_jobs(bot)
    received = messages_to(bot, 4242)[-1]
    assert "Spotkanie jest teraz w bibliotece." in received
    assert "The venue has moved" not in received

    for text in [c.text for c in ola.sent()]:
        assert_no_english(text)
    # Nor any English button: every label she was shown is a Polish one.
    english_only = set(english_labels()) - set(polish_labels())
    shown = {label for call in ola.sent() for label, _data in call.buttons}
    assert shown
    assert not shown & english_only, shown & english_only


def _polish(workshop: Workshop) -> Workshop:
    from domain.translations import workshop_in

    return workshop_in(workshop, "pl")


async def test_language_switches_at_once_and_shows_the_question_again(
    bot: RunningBot, workshop: Workshop
) -> None:
    ola = polish(bot)
    await ola.say(f"/start {workshop.invite_code}")
    await ola.press(PL.label("buttons.take_part_yes"))
    await ola.press(PL.label("buttons.updates_no"))
    await ola.press(PL.label("buttons.quote_no"))
    await ola.press(PL.label("buttons.start_questions"))
    assert "Co jest dla ciebie ważne?" in ola.last_text()
    calls = await ola.say("/language")
    assert ola.buttons() == ["English", "✓ Polski"]
    assert "Polski" in ola.texts(calls)[0]
    calls = await ola.press("English")
    shown = ola.texts(calls)
    assert "I will speak to you in English" in shown[0]
    assert "What is important to you?" in shown[-1]  # the same question, now in English
    assert ola.buttons() == [EN.label("buttons.skip"), EN.label("buttons.pause")]
    # Her answer is kept whatever the language, and she stays in English from now on.
    await ola.say("Grandchildren")
    assert "What are you good at?" in ola.last_text()
    member = await bot.storage.participants.get(workshop.id, 4242)
    assert member is not None
    assert member.language == "en"
    consents = await bot.storage.participants.consents(member.id)
    assert consents["take_part"].language == "pl"  # what she agreed to, and in which words


async def test_an_unsupported_telegram_language_gets_the_workshop_language(
    bot: RunningBot, workshop: Workshop
) -> None:
    chat = bot.chat(5151, "Hans")
    chat.user["language_code"] = "de"
    calls = await chat.say(f"/start {workshop.invite_code}")
    assert "Welcome to Getting to appointments" in chat.texts(calls)[0]


async def test_nothing_is_stored_before_consent_for_a_polish_speaker(
    bot: RunningBot, workshop: Workshop
) -> None:
    ola = polish(bot)
    await ola.say(f"/start {workshop.invite_code}")
    assert await bot.storage.participants.get(workshop.id, 4242) is None
    # Telegram's language is read on each update, not kept: nothing about her is remembered.
    assert LANGUAGE not in bot.app.user_data.get(4242, {})
    await bot.app.update_persistence()
    rows = await bot.storage.db.fetchall("SELECT * FROM ptb_user_data")
    assert all("language" not in str(dict(r)) for r in rows)


async def test_a_forged_language_button_has_expired(bot: RunningBot, workshop: Workshop) -> None:
    ola = polish(bot)
    await ola.say("/language")
    calls = await ola.press_data("lang:xx")
    assert [c.method for c in calls].count("answerCallbackQuery") == 1
    assert ola.texts(calls) == [PL.render("common/expired_nowhere")]
    # Still spoken to in Polish.
    calls = await ola.say("/help")
    assert PL.label("commands.help") in ola.texts(calls)[0]


@pytest.mark.parametrize("code", ["pl", "pl-PL"])
async def test_the_help_is_in_polish_for_a_polish_phone(
    bot: RunningBot, workshop: Workshop, code: str
) -> None:
    chat = bot.chat(6161, "Ola")
    chat.user["language_code"] = code
    calls = await chat.say("/help")
    text = chat.texts(calls)[0]
    assert f"/language – {PL.label('commands.language')}" in text
    assert_no_english(text)


async def test_a_phone_in_a_language_without_a_catalog_gets_the_workshops_and_keeps_it(
    bot: RunningBot,
) -> None:
    from dataclasses import replace

    from domain.workshop_file import load_workshop_file
    from tests.conftest import EXAMPLE

    polish_workshop = await bot.storage.workshops.create(
        replace(load_workshop_file(EXAMPLE), language="pl", title="Warsztat", translations={})
    )
    hans = bot.chat(5252, "Hans")
    hans.user["language_code"] = "de"
    calls = await hans.say(f"/start {polish_workshop.invite_code}")
    assert hans.texts(calls)[0].startswith("<b>Witaj w warsztacie Warsztat")
    await hans.press(PL.label("buttons.take_part_yes"))
    # Joined: later messages, with no workshop in sight, stay in Polish.
    calls = await hans.say("/help")
    assert PL.label("commands.help") in hans.texts(calls)[0]
    member = await bot.storage.participants.get(polish_workshop.id, 5252)
    assert member is not None
    assert member.language == "pl"


async def test_a_polish_reader_answers_a_translated_choice_in_polish(
    bot: RunningBot, tmp_path: Path
) -> None:
    from domain.workshop_file import load_workshop_file
    from tests.domain.test_workshop_file import HEADER, write
    from tests.domain.test_workshop_translations import POLISH, QUESTIONS

    buses = await bot.storage.workshops.create(
        load_workshop_file(write(tmp_path, HEADER + POLISH + QUESTIONS))
    )
    ola = polish(bot, 7171)
    await ola.join(buses.invite_code)
    assert "Co jest dla ciebie ważne?" in ola.last_text()
    await ola.say("Punktualność")
    assert "Jak podróżujesz?" in ola.last_text()
    assert ola.buttons()[:3] == ["Autobusem", "Samochodem", "Pieszo"]
    await ola.press("Pieszo")
    review = ola.last_text()  # the last question answered: the review, in her words
    assert "Jak podróżujesz?" in review
    assert "Pieszo" in review
    assert "Walk" not in review
    member = await bot.storage.participants.get(buses.id, 7171)
    assert member is not None
    answers = await bot.storage.answers.for_participant(member.id)
    # Her words as she wrote them; her choice as the workshop wrote it, so answers in
    # every language count together in exports and themes.
    assert [a.value for a in answers.values()] == ["Punktualność", "Walk"]
    calls = await ola.say("/mine")
    assert "Pieszo" in ola.texts(calls)[0]  # shown back in her language
    assert "Walk" not in ola.texts(calls)[0]
    # An English reader of the same workshop gets it as written.
    sam = bot.chat(7272, "Sam")
    await sam.join(buses.invite_code)
    await sam.say("On time")
    assert sam.buttons()[:3] == ["Bus", "Car", "Walk"]


URDU = "مجھے اپنے پوتے پوتیوں سے ملنا اچھا لگتا ہے"
ARABIC_WITH_MARKS = "أُحِبُّ الطَّبْخَ مَعَ عَائِلَتِي"


async def test_right_to_left_answers_are_kept_and_shown_exactly(chat: Chat) -> None:
    await chat.join(chat.invite)
    await chat.say(URDU)
    await chat.say(ARABIC_WITH_MARKS)
    calls = await chat.say("/mine")
    mine = chat.texts(calls)[0]
    assert URDU in mine
    assert ARABIC_WITH_MARKS in mine  # every mark, in order


def test_a_long_right_to_left_text_is_cut_and_split_between_words() -> None:
    from domain.texts import shorten, split_message

    long = " ".join([ARABIC_WITH_MARKS] * 400)
    cut = shorten(long, 120)
    assert cut.endswith("…")
    assert ARABIC_WITH_MARKS.startswith(cut.split(" ")[0])
    assert all(word in ARABIC_WITH_MARKS.split(" ") for word in cut[:-1].split(" "))
    parts = split_message(long)
    assert "".join(p.replace(" ", "") for p in parts) == long.replace(" ", "")
    assert all(not p[0].isspace() and not p[-1].isspace() for p in parts)


async def test_taps_made_in_polish_read_in_english_after_a_switch(
    bot: RunningBot, workshop: Workshop
) -> None:
    ola = polish(bot, 9191)
    await ola.join(workshop.invite_code)
    for answer in ("Wnuki", "Gotowanie", "Wychodzić"):
        await ola.say(answer)
    await ola.say("Moja córka")
    await ola.press(PL.labels("relationships.how_often")[1])
    await ola.press(PL.labels("relationships.support")[1])
    await ola.say("/language")
    calls = await ola.press("English")
    shown = ola.texts(calls)[-1]
    assert "Kept in your own words" not in shown  # her taps were taps, in any language
    assert "✓ " + EN.labels("relationships.support")[1] in ola.buttons()
    await ola.press("✓ " + EN.labels("relationships.support")[1])  # untick it, in English
    assert EN.labels("relationships.support")[1] in ola.buttons()
    await ola.press(EN.label("buttons.support_done"))
    await ola.press(EN.label("buttons.thats_all"))
    await ola.say("The sea")
    await ola.say("Walk")
    assert "Moja córka – Every week" in ola.last_text()


async def test_about_you_is_asked_in_polish_and_kept_as_written(
    bot: RunningBot, tmp_path: Path
) -> None:
    from domain.workshop_file import load_workshop_file
    from tests.domain.test_workshop_file import HEADER, write
    from tests.domain.test_workshop_translations import ABOUT, POLISH, QUESTIONS

    buses = await bot.storage.workshops.create(
        load_workshop_file(write(tmp_path, HEADER + POLISH + QUESTIONS + ABOUT))
    )
    ola = polish(bot, 7373)
    await ola.join(buses.invite_code)
    await ola.say("Punktualność")
    await ola.press("Pieszo")
    await ola.press(PL.label("buttons.submit"))
    await ola.press(PL.label("buttons.about_yes"))
    assert "Twoja grupa wiekowa?" in ola.last_text()
    assert ola.buttons()[:3] == ["Poniżej 25", "25–64", "65 lub więcej"]
    await ola.press("65 lub więcej")
    member = await bot.storage.participants.get(buses.id, 7373)
    assert member is not None
    assert list((await bot.storage.about.answered(member.id)).values()) == ["65 or over"]
