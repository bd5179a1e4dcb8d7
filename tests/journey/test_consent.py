"""Consent before data: nothing typed is kept until take_part is granted."""

from __future__ import annotations

from chat.callbacks.journey import ConsentNext, ConsentStep
from domain.texts import sha256, texts
from storage.models import Workshop
from tests.conftest import RunningBot
from tests.support.chat import Chat


async def _count(bot: RunningBot, table: str) -> int:
    row = await bot.storage.db.fetchone(f"SELECT COUNT(*) FROM {table}")
    assert row is not None
    return int(row[0])


async def test_nothing_typed_is_stored_before_consent(chat: Chat, bot: RunningBot) -> None:
    await chat.say(f"/start {chat.invite}")
    calls = await chat.say("My name is Sam Smith and I live at 4 Elm Road")
    assert "I haven't kept what you typed" in chat.texts(calls)[0]
    await chat.sticker()
    await chat.say("/share")
    await chat.say("a view before consenting")
    for table in ("participants", "consents", "answers", "views", "seen_messages"):
        assert await _count(bot, table) == 0, table
    rows = await bot.storage.db.fetchall("SELECT data FROM ptb_user_data")
    await bot.app.update_persistence()
    rows = await bot.storage.db.fetchall("SELECT data FROM ptb_user_data")
    assert all("Elm Road" not in r["data"] for r in rows)


async def test_refusing_take_part_records_refusal_and_keeps_nothing(
    chat: Chat, bot: RunningBot
) -> None:
    await chat.say(f"/start {chat.invite}")
    await chat.press("No, thank you")
    assert "completely fine" in chat.last_text()
    assert await bot.storage.participants.get(1, 4242) is None  # no row about them at all
    tombstones = await bot.storage.db.fetchall("SELECT * FROM consent_tombstones")
    assert [(t["purpose"], t["granted"]) for t in tombstones] == [("take_part", 0)]
    calls = await chat.say("Actually here is what I think")
    assert "haven't kept" in chat.texts(calls)[0]
    assert await _count(bot, "answers") == 0
    assert await _count(bot, "views") == 0


async def test_declined_person_can_change_their_mind(chat: Chat, bot: RunningBot) -> None:
    await chat.say(f"/start {chat.invite}")
    await chat.press("No, thank you")
    await chat.join(chat.invite)
    assert "Question 1 of 6" in chat.last_text()
    member = await bot.storage.participants.get(1, 4242)
    assert member is not None
    consents = await bot.storage.participants.consents(member.id)
    assert consents["take_part"].active


async def test_consent_hash_is_of_the_exact_text_shown(
    chat: Chat, bot: RunningBot, workshop: Workshop
) -> None:
    await chat.say(f"/start {chat.invite}")
    shown = chat.last_text()
    await chat.press("Yes, I agree to take part")
    member = await bot.storage.participants.get(workshop.id, 4242)
    assert member is not None
    consents = await bot.storage.participants.consents(member.id)
    assert consents["take_part"].text_sha256 == sha256(shown)
    assert shown == texts().render("journey/consent_take_part", workshop=workshop)


async def test_tell_me_more_explains_and_offers_the_choice_again(chat: Chat) -> None:
    calls = await chat.say(f"/start {chat.invite}")
    first = "".join(chat.texts(calls))
    calls = await chat.press("Tell me more first")
    shown = [c for c in calls if c.method == "sendMessage"]
    more, again = (c.text for c in shown)
    assert "P-7F3A" in more  # who sees the answers
    assert "365 days" in more  # how long they are kept
    assert "serious harm" in more  # when confidentiality would be broken
    assert "/forget" in more  # how to erase
    assert "Samaritans" in more
    assert "<b>co-design</b>" in more
    assert "Where the hospital and clinics are" in more
    # The detail that was not shown: none of the first contact's lines again.
    for line in first.splitlines():
        if len(line) > 20:
            assert line not in more, line
    assert "Can we keep your answers?" in again
    assert "Samaritans" not in again  # the support list is not repeated
    assert chat.buttons()[0] == "Yes, I agree to take part"


async def test_a_consent_choice_shows_on_its_message_and_says_what_is_next(
    chat: Chat, bot: RunningBot
) -> None:
    await chat.say(f"/start {chat.invite}")
    asked = chat.sent()[-1]
    calls = await chat.press("Yes, I agree to take part")
    edited = [c for c in calls if c.method == "editMessageText"]
    assert len(edited) == 1
    assert edited[0].message_id == asked.message_id
    assert edited[0].text.startswith("<b>Can we keep your answers?</b>")
    assert edited[0].text.endswith("<i>You chose: Yes, I agree to take part</i>")
    assert bot.fake.keyboard_of(4242, asked.message_id) is None
    assert "Next: whether you would like progress updates." in chat.texts(calls)[1]
    updates = chat.sent()[-1]
    calls = await chat.press("No updates, thanks")
    assert chat.texts(calls)[0].endswith("<i>You chose: No updates, thanks</i>")
    assert bot.fake.keyboard_of(4242, updates.message_id) is None
    assert "Next: whether we may quote you." in chat.texts(calls)[1]
    calls = await chat.press("Yes, you may quote me")
    assert chat.texts(calls)[0].endswith("<i>You chose: Yes, you may quote me</i>")
    assert "Next: how we work together, then the questions." in chat.texts(calls)[1]
    assert "how we work together" in chat.last_text()


async def test_declining_shows_the_choice_and_what_happens_now(
    chat: Chat, bot: RunningBot
) -> None:
    await chat.say(f"/start {chat.invite}")
    asked = chat.sent()[-1]
    calls = await chat.press("No, thank you")
    assert chat.texts(calls)[0].endswith("<i>You chose: No, thank you</i>")
    assert bot.fake.keyboard_of(4242, asked.message_id) is None
    assert "tap the invite link again" in chat.texts(calls)[-1]


async def test_nothing_is_pre_ticked_each_purpose_is_asked(chat: Chat, bot: RunningBot) -> None:
    await chat.say(f"/start {chat.invite}")
    await chat.press("Yes, I agree to take part")
    member = await bot.storage.participants.get(1, 4242)
    assert member is not None
    assert set(await bot.storage.participants.consents(member.id)) == {"take_part"}
    assert chat.buttons() == ["Yes, send me updates", "No updates, thanks"]


async def test_double_tap_on_agree_records_once(chat: Chat, bot: RunningBot) -> None:
    await chat.say(f"/start {chat.invite}")
    await chat.press("Yes, I agree to take part")
    calls = await chat.press("Yes, I agree to take part")
    assert "expired" in chat.texts(calls)[0]
    assert "hear what happens" in chat.texts(calls)[-1]
    assert await _count(bot, "participants") == 1
    assert await _count(bot, "consents") == 1


async def test_cancel_on_consent_screen(chat: Chat, bot: RunningBot) -> None:
    await chat.say(f"/start {chat.invite}")
    calls = await chat.say("/cancel")
    assert "Nothing has been kept" in chat.texts(calls)[0]
    assert await _count(bot, "participants") == 0


async def test_unknown_and_malformed_invites(bot: RunningBot) -> None:
    chat = bot.chat()
    calls = await chat.say("/start AAAAAAAAAAAAAAAAAAAAAA")
    assert "I don't recognise that invite link" in chat.texts(calls)[0]
    calls = await chat.say("/start <script>")
    assert "doesn't look quite right" in chat.texts(calls)[0]
    calls = await chat.say("/start " + "a" * 65)
    assert "doesn't look quite right" in chat.texts(calls)[0]
    calls = await chat.say("/start f_AAAAAAAAAAAAAAAAAAAAAA")
    assert "facilitator link has expired or has already been used" in chat.texts(calls)[0]


async def test_closed_workshop_turns_new_people_away_kindly(
    chat: Chat, bot: RunningBot, workshop: Workshop
) -> None:
    await bot.storage.workshops.set_status(workshop.id, "closed")
    calls = await chat.say(f"/start {chat.invite}")
    assert "no longer taking new people" in chat.texts(calls)[0]
    assert chat.buttons() == []


async def test_start_without_code_explains_and_lists_workshops(chat: Chat) -> None:
    calls = await chat.say("/start")
    assert "tap the invite link" in chat.texts(calls)[0]
    assert "Your workshops" not in chat.texts(calls)[0]
    await chat.join(chat.invite)
    await chat.say("Family")
    calls = await chat.say("/start")
    text = chat.texts(calls)[0]
    assert "Getting to appointments" in text
    assert "question 2, /resume to carry on" in text


async def _answers(bot: RunningBot, workshop_id: int = 1) -> list[object]:
    member = await bot.storage.participants.get(workshop_id, 4242)
    assert member is not None
    answers = await bot.storage.answers.for_participant(member.id)
    return [a.value for _, a in sorted(answers.items())]


async def test_old_tell_me_more_after_consent_keeps_answers_flowing(
    chat: Chat, bot: RunningBot
) -> None:
    await chat.say(f"/start {chat.invite}")
    more = dict(chat.sent()[-1].buttons)["Tell me more first"]
    consent_message = chat.sent()[-1].message_id
    await chat.press("Yes, I agree to take part")
    await chat.press("No updates, thanks")
    await chat.press("Please don't quote me")
    await chat.press("Start the questions")
    calls = await chat.press_data(more, message_id=consent_message)
    assert "More about taking part" in chat.texts(calls)[0]
    assert "Question 1 of 6" in chat.texts(calls)[-1]
    await chat.say("Family")
    assert "Question 2 of 6" in chat.last_text()
    assert await _answers(bot) == ["Family"]


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


async def test_cancel_after_agreeing_does_not_claim_nothing_was_kept(chat: Chat) -> None:
    await chat.say(f"/start {chat.invite}")
    await chat.press("Yes, I agree to take part")
    calls = await chat.say("/cancel")
    text = chat.texts(calls)[0]
    assert "Nothing has been kept" not in text
    assert "/resume" in text


async def test_a_declined_person_cannot_join_a_closed_workshop_by_an_old_button(
    chat: Chat, bot: RunningBot, workshop: Workshop
) -> None:
    await chat.say(f"/start {chat.invite}")
    asked = chat.sent()[-1]
    yes = dict(asked.buttons)["Yes, I agree to take part"]
    await chat.press("No, thank you")
    await bot.storage.workshops.close(workshop.id, None)
    calls = await chat.press_data(yes, message_id=asked.message_id)
    texts_sent = chat.texts(calls)
    assert texts_sent == [
        "<b>Getting to appointments: a 100-day lab</b> is no longer taking new people. "
        "Thank you for wanting to take part."
    ]
    assert [c.method for c in calls].count("answerCallbackQuery") == 1
    assert await bot.storage.participants.get(workshop.id, 4242) is None
    tombstones = await bot.storage.db.fetchall("SELECT granted FROM consent_tombstones")
    assert [t["granted"] for t in tombstones] == [0]
    more = ConsentNext(ConsentStep.MORE, chat.invite).pack()
    calls = await chat.press_data(more, message_id=asked.message_id)
    assert "no longer taking new people" in chat.texts(calls)[0]


async def test_consent_changed_since_it_was_shown_is_shown_again(
    chat: Chat, bot: RunningBot, workshop: Workshop
) -> None:
    await chat.say(f"/start {chat.invite}")
    # a facilitator shortens how long answers are kept, while the person is reading
    await bot.storage.workshops.update(workshop.id, "retention_days", 30)
    calls = await chat.press("Yes, I agree to take part")
    texts_sent = chat.texts(calls)
    assert texts_sent[0] == (
        "The words about this changed after you read them. Here they are as they are now: "
        "please read them again before you decide."
    )
    fresh = await bot.storage.workshops.get(workshop.id)
    assert fresh is not None
    now_shown = texts().render("journey/consent_take_part", workshop=fresh)
    assert texts_sent[-1] == now_shown
    assert "30 days" in now_shown
    assert await bot.storage.participants.get(workshop.id, 4242) is None  # nothing recorded
    await chat.press("Yes, I agree to take part")
    member = await bot.storage.participants.get(workshop.id, 4242)
    assert member is not None
    consents = await bot.storage.participants.consents(member.id)
    assert consents["take_part"].text_sha256 == sha256(now_shown)


async def test_a_later_purpose_records_the_words_that_were_shown(
    chat: Chat, bot: RunningBot, workshop: Workshop
) -> None:
    await chat.say(f"/start {chat.invite}")
    await chat.press("Yes, I agree to take part")
    shown = chat.sent()[-1].text
    await chat.press("Yes, send me updates")
    member = await bot.storage.participants.get(workshop.id, 4242)
    assert member is not None
    consents = await bot.storage.participants.consents(member.id)
    assert consents["updates"].text_sha256 == sha256(shown)
    assert shown == texts().render("journey/consent_updates", workshop=workshop)
