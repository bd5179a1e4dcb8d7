"""What people receive: the kinds of update, the preview a facilitator sees before sending,
labels cut at a word, STOP in the figures, and quiet hours said out loud (with an override)."""

from __future__ import annotations

from storage.models import Workshop
from tests.conftest import OWNER, RunningBot
from tests.support.chat import Chat
from tests.support.fake_telegram import Call
from tests.support.loop import at_london, messages_to, people_in, record_action, run_jobs

SCOPE = "This workshop could change:"
QUESTION = "Does this reflect what you said?"


def deliveries_to(bot: RunningBot, chat_id: int, marker: str) -> list[Call]:
    """The messages with ``marker`` that reached ``chat_id`` (a failed send has no id)."""
    return [
        c
        for c in bot.fake.calls
        if c.method == "sendMessage"
        and c.chat_id == chat_id
        and marker in c.text
        and c.message_id is not None
    ]


async def write(owner: Chat, kind_button: str, body: str) -> list[Call]:
    """/update, choose the kind on the first screen, write the body: the preview's calls."""
    await owner.say("/update")
    await owner.press(kind_button)
    return await owner.say(body)


async def test_a_notice_is_just_the_message(bot: RunningBot, workshop: Workshop) -> None:
    await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    await record_action(owner)
    at_london(bot, 12)
    await owner.say("/update")
    assert "A notice instead (venue, time)" in owner.buttons()
    await owner.press("Evening buses on route 47")  # chosen, then a notice after all
    await owner.press("A notice instead (venue, time)")
    assert "Write the notice" in owner.last_text()
    preview = "\n".join(owner.texts(await owner.say("Thursday's session moves to Room 4.")))
    assert "Notice from Getting to appointments" in preview
    assert SCOPE not in preview
    assert QUESTION not in preview
    assert "With the buttons" not in preview
    assert "Evening buses" not in preview
    await owner.press("Send now")
    assert "what people said" not in owner.last_text()
    await run_jobs(bot)
    for chat_id in (101, 102):
        (notice,) = deliveries_to(bot, chat_id, "Room 4")
        assert notice.text.startswith("<b>Notice from Getting to appointments")
        assert SCOPE not in notice.text
        assert QUESTION not in notice.text
        assert "Evening buses" not in notice.text
        assert notice.buttons == []  # no co-evaluation to answer
    (saved,) = await bot.storage.updates.of_workshop(workshop.id)
    assert (saved.kind, saved.action_ids) == ("notice", ())
    report = owner.texts(await owner.say("/report"))[0]
    assert "(notice)" in report
    assert "Does it reflect what they said?" not in report


async def test_a_reminder_is_stored_as_one_and_sent_later_without_the_question(
    bot: RunningBot, workshop: Workshop
) -> None:
    await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    at_london(bot, 12)
    await write(owner, "A reminder instead", "Bring a friend on Thursday.")
    await owner.press("Send later…")
    await owner.say("in 2 hours")
    assert "Scheduled for" in owner.last_text()
    (saved,) = await bot.storage.updates.of_workshop(workshop.id)
    assert saved.kind == "reminder"
    bot.clock.advance(hours=3)
    await run_jobs(bot)
    (reminder,) = deliveries_to(bot, 102, "Bring a friend")
    assert reminder.text.startswith("<b>Reminder from")
    assert SCOPE not in reminder.text
    assert QUESTION not in reminder.text
    assert reminder.buttons == []


async def test_a_progress_update_still_lists_actions_and_asks(
    bot: RunningBot, workshop: Workshop
) -> None:
    await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    await record_action(owner)
    at_london(bot, 12)
    await owner.say("/update")
    await owner.press("Evening buses on route 47")
    await owner.press("Next: write the message")
    assert "Say what happened and what comes next" in owner.last_text()
    await owner.say("Thank you all.")
    await owner.press("Send now")
    await run_jobs(bot)
    (update,) = deliveries_to(bot, 102, "Thank you all.")
    assert SCOPE in update.text
    assert QUESTION in update.text
    assert [label for label, _ in update.buttons] == ["Yes", "Partly", "No"]
    (saved,) = await bot.storage.updates.of_workshop(workshop.id)
    assert saved.kind == "progress"


async def test_the_preview_is_exactly_what_each_recipient_gets(
    bot: RunningBot, workshop: Workshop
) -> None:
    await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    await record_action(owner)
    at_london(bot, 12)
    await owner.say("/update")
    await owner.press("Evening buses on route 47")
    await owner.press("Next: write the message")
    previews = owner.texts(await owner.say("Thank you <all> & everyone."))
    await owner.press("Send now")
    await run_jobs(bot)
    ann, ben = messages_to(bot, 101)[-1], messages_to(bot, 102)[-1]
    personal = next(p for p in previews if "whose views led to these actions" in p)
    general = next(p for p in previews if "Everyone else (1) will see:" in p)
    assert ann in personal
    assert ann not in general
    assert ben in general
    assert "With the buttons: Yes · Partly · No" in general


async def test_everyone_else_only_when_there_is_anyone_else(
    bot: RunningBot, workshop: Workshop
) -> None:
    people = await people_in(bot, workshop)
    await people["ben"].say("STOP")  # only Ann, whose view led to the action, is left
    owner = bot.chat(OWNER, "Olu")
    await record_action(owner)
    await owner.say("/update")
    await owner.press("Evening buses on route 47")
    await owner.press("Next: write the message")
    preview = "\n".join(owner.texts(await owner.say("Thank you all.")))
    assert "1 person whose views led to these actions will see:" in preview
    assert "Everyone else" not in preview
    assert preview.count("<b>Update from") == 1


async def test_everyone_sees_one_version_of_a_reminder(
    bot: RunningBot, workshop: Workshop
) -> None:
    await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    await record_action(owner)
    preview = "\n".join(owner.texts(await write(owner, "A reminder instead", "See you soon.")))
    assert "Everyone (2) will see:" in preview
    assert "Everyone else" not in preview
    assert "personal version" not in preview
    assert preview.count("Reminder from") == 1


async def test_action_titles_on_buttons_are_cut_at_a_word(
    bot: RunningBot, workshop: Workshop
) -> None:
    await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    title = "Evening buses on route 47 and a new shelter at the hospital stop by winter"
    await record_action(owner, title)
    await owner.say("/update")
    label = owner.buttons()[0]
    assert label == "Evening buses on route 47 and a new shelter at…"
    assert len(label) <= 50
    await owner.press(label)
    assert owner.buttons()[0] == "✓ " + label


async def test_workshop_titles_on_buttons_are_cut_at_a_word(
    bot: RunningBot, workshop: Workshop
) -> None:
    title = "Getting to appointments on time in the north of the city, a 100-day lab"
    await bot.storage.db.execute("UPDATE workshops SET title = ?", (title,))
    person = bot.chat(802)
    await person.join(workshop.invite_code, updates=False)
    await person.say("/updates")
    assert "Updates from Getting to appointments on time in the…" in person.buttons()


async def test_people_who_sent_stop_count_in_stats_and_report(
    bot: RunningBot, workshop: Workshop
) -> None:
    people = await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    stats = "\n".join(owner.texts(await owner.say("/stats")))
    assert "Sent STOP (no updates or reminders): 0" in stats
    await people["ben"].say("STOP")
    stats = "\n".join(owner.texts(await owner.say("/stats")))
    assert "Sent STOP (no updates or reminders): 1" in stats
    at_london(bot, 12)
    await write(owner, "A reminder instead", "See you soon.")
    await owner.press("Send now")
    assert "Sending to 1 person" in owner.last_text()
    await run_jobs(bot)
    report = owner.texts(await owner.say("/report"))[0]
    assert "Sent 1, waiting 0, unreachable 0, failed 0, not sent (stopped or left) 1" in report


async def test_quiet_hours_say_when_it_goes_and_can_be_overridden(
    bot: RunningBot, workshop: Workshop
) -> None:
    await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    at_london(bot, 22, 30)
    await write(owner, "A notice instead (venue, time)", "Tomorrow we meet in Room 4.")
    await owner.press("Send now")
    told = owner.last_text()
    assert "It is quiet hours in Europe/London until 09:00; this goes to 2 people at 09:00" in told
    assert "Sending to" not in told
    await run_jobs(bot)
    assert deliveries_to(bot, 101, "Room 4") == []
    await owner.press("Send it now anyway")
    assert "Sending now to 2 people" in owner.last_text()
    await run_jobs(bot)
    assert len(deliveries_to(bot, 101, "Room 4")) == 1
    assert len(deliveries_to(bot, 102, "Room 4")) == 1
    # Pressed again (or late): nothing is waiting, nothing goes twice.
    await owner.press("Send it now anyway")
    assert "Nothing is waiting" in owner.last_text()
    await run_jobs(bot)
    assert len(deliveries_to(bot, 101, "Room 4")) == 1


async def test_sending_anyway_releases_only_that_update(
    bot: RunningBot, workshop: Workshop
) -> None:
    people = await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    at_london(bot, 23)
    await write(owner, "A reminder instead", "Bring a friend.")
    await owner.press("Send now")
    await write(owner, "A notice instead (venue, time)", "Room 4 tomorrow.")
    await owner.press("Send now")
    await owner.press("Send it now anyway")
    await run_jobs(bot)
    assert len(deliveries_to(bot, 102, "Room 4")) == 1
    assert deliveries_to(bot, 102, "Bring a friend") == []  # still held for the morning
    at_london(bot, 9, 0, days=1)
    await run_jobs(bot)
    assert len(deliveries_to(bot, 102, "Bring a friend")) == 1
    del people


async def test_outside_quiet_hours_there_is_nothing_to_override(
    bot: RunningBot, workshop: Workshop
) -> None:
    await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    at_london(bot, 12)
    await write(owner, "A notice instead (venue, time)", "Room 4 tomorrow.")
    calls = await owner.press("Send now")
    assert "Sending to 2 people" in owner.texts(calls)[-1]
    assert all(label != "Send it now anyway" for c in calls for label, _ in c.buttons)


async def test_send_anyway_is_for_facilitators_of_that_workshop(
    bot: RunningBot, workshop: Workshop
) -> None:
    await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    at_london(bot, 23)
    await write(owner, "A notice instead (venue, time)", "Room 4 tomorrow.")
    await owner.press("Send now")
    stranger = bot.chat(999)
    calls = await stranger.press_data("up:anyway:1")
    assert stranger.texts(calls)[0].startswith(("This command is for", "That is no longer"))
    calls = await owner.press_data("up:anyway:999")
    assert owner.texts(calls)[0].startswith("That is no longer")
    await run_jobs(bot)
    assert deliveries_to(bot, 101, "Room 4") == []


async def test_a_notice_sent_anyway_is_retried_at_once_after_a_timeout(
    bot: RunningBot, workshop: Workshop
) -> None:
    await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    at_london(bot, 23)
    await write(owner, "A notice instead (venue, time)", "Room 4 tomorrow.")
    await owner.press("Send now")
    await owner.press("Send it now anyway")
    bot.fake.fail("sendMessage", 0, "timed out", chat_id=101)
    await run_jobs(bot)
    assert deliveries_to(bot, 101, "Room 4") == []
    bot.clock.advance(minutes=5)  # still quiet hours: the retry is not held till morning
    await run_jobs(bot)
    assert len(deliveries_to(bot, 101, "Room 4")) == 1


async def test_a_time_chosen_in_quiet_hours_says_when_it_really_goes(
    bot: RunningBot, workshop: Workshop
) -> None:
    await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    at_london(bot, 12)
    await write(owner, "A reminder instead", "Bring a friend.")
    await owner.press("Send later…")
    await owner.say("23:30")
    told = owner.last_text()
    assert "That is in quiet hours in Europe/London: it goes at 09:00." in told
    await owner.say("/scheduled")
    assert "(reminder): Bring a friend." in owner.last_text()
    await owner.say("/update")
    await owner.press("A reminder instead")
    await owner.say("Another one.")
    await owner.press("Send later…")
    await owner.say("in 2 hours")
    assert "quiet hours" not in owner.last_text()


async def test_a_forged_verdict_on_a_notice_is_not_kept(
    bot: RunningBot, workshop: Workshop
) -> None:
    people = await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    at_london(bot, 12)
    await owner.say("/update")
    await owner.press("A notice instead (venue, time)")
    await owner.say("Thursday's session moves to Room 4.")
    await owner.press("Send now")
    await run_jobs(bot)
    (notice,) = await bot.storage.updates.of_workshop(workshop.id)
    calls = await people["ann"].press_data(f"fb:yes:{notice.id}")
    assert "expired" in " ".join(people["ann"].texts(calls)).lower()
    assert sum((await bot.storage.feedback.tally(notice.id)).values()) == 0
