"""Actions, personalised updates, the outbox, quiet hours, co-evaluation, nudges, STOP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers import jobs
from storage.models import Workshop
from tests.conftest import OWNER, BotFactory, RunningBot
from tests.support.loop import (
    LONDON,
    at_london,
    messages_to,
    people_in,
    record_action,
    run_jobs,
    send_update,
)


async def test_action_with_themes_and_status_history(bot: RunningBot, workshop: Workshop) -> None:
    await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    await record_action(owner)
    assert "Saved: <b>Evening buses on route 47</b> (in progress)" in "\n".join(
        owner.texts(bot.fake.calls[-3:])
    )
    actions = await bot.storage.actions.of_workshop(workshop.id)
    assert [(a.title, a.status, a.theme_names) for a in actions] == [
        ("Evening buses on route 47", "in_progress", ("transport",))
    ]
    await owner.say("/actions")
    await owner.press("Change 1")
    await owner.press("Not possible")
    assert "Why is it not possible?" in owner.last_text()
    await owner.say("The bus company ended the contract")
    action = (await bot.storage.actions.of_workshop(workshop.id))[0]
    assert action.status == "not_possible"
    assert action.reason == "The bus company ended the contract"
    history = await bot.storage.actions.history(action.id)
    assert [h[0] for h in history] == ["in_progress", "not_possible"]


async def test_personalised_update_reaches_only_those_who_chose_updates(
    bot: RunningBot, workshop: Workshop
) -> None:
    people = await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    await record_action(owner)
    at_london(bot, 12)
    await owner.say("/update")
    await owner.press("Evening buses on route 47")
    await owner.press("Next: write the message")
    await owner.say("Thank you <all> & everyone.")
    preview = "\n".join(owner.texts(bot.fake.calls[-4:]))
    assert "This goes to 2 people who chose updates; 1 of them get the personal version" in preview
    assert "You told us about <b>transport</b>" in preview
    await owner.press("Send now")
    assert "Sending to 2 people" in owner.last_text()
    await run_jobs(bot)
    ann = messages_to(bot, 101)[-1]
    ben = messages_to(bot, 102)[-1]
    assert "You told us about <b>transport</b>" in ann
    assert "Evening buses on route 47" in ann
    assert "You told us about" not in ben
    assert "What has happened:" in ben
    assert "Thank you &lt;all&gt; &amp; everyone." in ben
    assert "Does this reflect what you said?" in ben
    assert all("Update from" not in m for m in messages_to(bot, 103))
    deliveries = await bot.storage.outbox.for_update(1)
    assert sorted((d.chat_id, d.state, d.personalised) for d in deliveries) == [
        (101, "sent", True),
        (102, "sent", False),
    ]
    assert all(d.telegram_message_id for d in deliveries)
    del people


async def test_quiet_hours_hold_updates_until_morning(bot: RunningBot, workshop: Workshop) -> None:
    await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    await record_action(owner)
    at_london(bot, 22, 30)
    await send_update(owner)
    told = owner.last_text()  # not "Sending to 2 people": it waits, and says till when
    assert "It is quiet hours in Europe/London until 09:00; this goes to 2 people at 09:00" in told
    assert "Sending to" not in told
    await run_jobs(bot)
    assert not any("Update from" in m for m in messages_to(bot, 101))
    at_london(bot, 8, 59, days=1)
    await run_jobs(bot)
    assert not any("Update from" in m for m in messages_to(bot, 101))
    at_london(bot, 9, 0, days=1)
    await run_jobs(bot)
    assert any("Update from" in m for m in messages_to(bot, 101))


async def test_feedback_recorded_once_and_forgery_changes_nothing(
    bot: RunningBot, workshop: Workshop
) -> None:
    people = await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    await record_action(owner)
    at_london(bot, 12)
    await send_update(owner)
    await run_jobs(bot)
    ann = people["ann"]
    await ann.press("Partly")
    assert "What did it miss?" in ann.last_text()
    await ann.say("It missed Sundays")
    calls = await ann.press_data("fb:yes:1")
    assert "already answered" in ann.texts(calls)[0]
    cat = people["cat"]  # got no update: may not answer one
    calls = await cat.press_data("fb:no:1")
    assert cat.texts(calls)[0].startswith("That button")
    await ann.press_data("fb:no:999")
    assert await bot.storage.feedback.tally(1) == {"yes": 0, "partly": 1, "no": 0}
    ann_member = await bot.storage.participants.get(workshop.id, 101)
    assert ann_member is not None
    assert await bot.storage.feedback.comments(1) == [
        (ann_member.pseudonym, "partly", "It missed Sundays")
    ]
    # The comment was not kept as an answer to a question.
    calls = await owner.say("/report")
    report = owner.texts(calls)[0]
    assert "Sent 2, waiting 0, unreachable 0, failed 0" in report
    assert "Yes 0, partly 1, no 0" in report
    assert "It missed Sundays" in report


async def test_retry_after_forbidden_bad_request_and_timeouts(
    bot: RunningBot, workshop: Workshop
) -> None:
    await people_in(bot, workshop)
    dan = bot.chat(104, "Dan")
    await dan.join(workshop.invite_code, updates=True)
    owner = bot.chat(OWNER, "Olu")
    await record_action(owner)
    at_london(bot, 12)
    waits: list[float] = []
    worker = bot.app.bot_data["worker"]

    async def no_wait(seconds: float) -> None:
        waits.append(seconds)
        bot.clock.advance(seconds=seconds)  # as if the time had passed

    worker.sleep = no_wait
    await send_update(owner)
    fake = bot.fake  # the next sends are the deliveries, in order: Ann, Ben, Dan
    fake.fail("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3, chat_id=101)
    fake.fail("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=101)
    fake.fail("sendMessage", 400, "Bad Request: chat not found", chat_id=102)
    fake.fail("sendMessage", 0, "timed out", chat_id=104)
    await run_jobs(bot)  # 429: waits, then the rest go on
    assert waits == [3.0]
    await run_jobs(bot)
    states = {d.chat_id: (d.state, d.last_error) for d in await bot.storage.outbox.for_update(1)}
    assert states[101][0] == "unreachable"
    assert (
        states[102] == ("failed", "BadRequest: Bad Request: chat not found")
        or states[102][0] == "failed"
    )
    assert states[104][0] == "pending"  # timed out: tried again later
    bot.clock.advance(seconds=30)
    await run_jobs(bot)
    states = {d.chat_id: d.state for d in await bot.storage.outbox.for_update(1)}
    assert states == {101: "unreachable", 102: "failed", 104: "sent"}
    ann = await bot.storage.participants.get(workshop.id, 101)
    assert ann is not None
    recipients = {r.chat_id for r in await bot.storage.updates.recipients(workshop.id)}
    assert 101 not in recipients  # blocked: no further attempts


async def test_gives_up_after_the_attempt_limit(bot: RunningBot, workshop: Workshop) -> None:
    await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    await record_action(owner)
    at_london(bot, 12)
    worker = bot.app.bot_data["worker"]
    worker.max_attempts = 3
    await send_update(owner)
    for _ in range(6):
        bot.fake.fail("sendMessage", 0, "timed out")
    for _ in range(4):
        await run_jobs(bot)
        bot.clock.advance(minutes=5)
    states = sorted(d.state for d in await bot.storage.outbox.for_update(1))
    assert states == ["failed", "failed"]
    reasons = {d.last_error for d in await bot.storage.outbox.for_update(1)}
    assert all(r and r.endswith("(gave up)") for r in reasons)


async def test_restart_mid_broadcast_loses_and_repeats_nothing(make_bot: BotFactory) -> None:
    first = await make_bot()
    from domain.workshop_file import load_workshop_file
    from tests.conftest import EXAMPLE

    workshop = await first.storage.workshops.create(load_workshop_file(EXAMPLE))
    for user_id in range(201, 206):
        await first.chat(user_id).join(workshop.invite_code, updates=True)
    saved = await first.storage.updates.create(
        workshop.id, "Hello all", [], "2000-01-01T00:00:00+00:00", OWNER
    )
    await jobs.enqueue_update(first.storage, saved, first.clock())
    # One sent, two claimed (in flight) when the process dies, two still pending.
    rows = await first.storage.outbox.for_update(saved.id)
    await first.storage.outbox.sent(rows[0].id, 777)
    await first.storage.db.execute(
        "UPDATE deliveries SET state = 'sending' WHERE id IN (?, ?)", (rows[1].id, rows[2].id)
    )
    await first.crash()

    second = await make_bot()
    await jobs.deliver(second.context())
    sent_to = sorted(c.chat_id for c in second.fake.calls if c.method == "sendMessage")
    assert sent_to == [202, 203, 204, 205]  # 201 was done; 202, 203 were in flight
    states = {d.chat_id: d.state for d in await second.storage.outbox.for_update(saved.id)}
    assert set(states.values()) == {"sent"}


async def test_scheduled_update_survives_restart_and_fires_once(make_bot: BotFactory) -> None:
    first = await make_bot()
    from domain.workshop_file import load_workshop_file
    from tests.conftest import EXAMPLE

    workshop = await first.storage.workshops.create(load_workshop_file(EXAMPLE))
    await first.chat(301).join(workshop.invite_code, updates=True)
    owner = first.chat(OWNER, "Olu")
    at_london(first, 12)
    await owner.say("/update")
    await owner.press("Next: write the message")
    await owner.say("See you on Thursday")
    await owner.press("Send later…")
    when = (first.clock.now.astimezone(LONDON) + timedelta(days=1)).strftime("%Y-%m-%d 10:00")
    await owner.say(when)
    assert "Scheduled for" in owner.last_text()
    await owner.say("/scheduled")
    assert "See you on Thursday" in owner.last_text()
    await first.stop()

    second = await make_bot()
    second.clock.now = first.clock.now
    await run_jobs(second)
    assert messages_to(second, 301) == []
    second.clock.advance(days=1, hours=1)
    await run_jobs(second)
    await run_jobs(second)
    updates = [m for m in messages_to(second, 301) if "See you on Thursday" in m]
    assert len(updates) == 1


async def test_cancel_a_scheduled_update(bot: RunningBot, workshop: Workshop) -> None:
    await bot.chat(401).join(workshop.invite_code, updates=True)
    saved = await bot.storage.updates.create(
        workshop.id, "Later", [], "2999-01-01T10:00:00+00:00", OWNER
    )
    owner = bot.chat(OWNER, "Olu")
    await owner.say("/scheduled")
    await owner.press("Cancel 1")
    assert "Cancelled" in owner.last_text()
    found = await bot.storage.updates.get(saved.id)
    assert found is not None
    assert found.status == "cancelled"


async def test_reminders_for_unfinished_questions(bot: RunningBot, workshop: Workshop) -> None:
    quiet, done, no_more = bot.chat(501), bot.chat(502), bot.chat(503)
    for chat in (quiet, done, no_more):
        await chat.join(workshop.invite_code, updates=False)
        await chat.say("First answer")
    for _ in range(5):
        await done.press("Skip")
    await done.press("Submit my answers")
    await no_more.press("Pause")
    await no_more.press("Don't remind me")
    at_london(bot, 12, days=2)
    await run_jobs(bot)
    assert any("you were at question 2" in m for m in messages_to(bot, 501))
    assert not any("Hello again" in m for m in messages_to(bot, 502))
    assert not any("Hello again" in m for m in messages_to(bot, 503))
    await run_jobs(bot)  # not again straight away
    assert sum("Hello again" in m for m in messages_to(bot, 501)) == 1
    at_london(bot, 22, days=4)  # quiet hours: waits for the morning
    await run_jobs(bot)
    assert sum("Hello again" in m for m in messages_to(bot, 501)) == 1
    at_london(bot, 10, days=5)
    await run_jobs(bot)
    assert sum("Hello again" in m for m in messages_to(bot, 501)) == 2
    at_london(bot, 12, days=9)
    await run_jobs(bot)
    assert sum("Hello again" in m for m in messages_to(bot, 501)) == 2  # at most twice


async def test_facilitator_nudged_once_when_people_have_not_heard(
    bot: RunningBot, workshop: Workshop
) -> None:
    await bot.chat(601).join(workshop.invite_code, updates=True)
    await bot.storage.facilitators.add(workshop.id, 602, OWNER, "Fay")
    at_london(bot, 12, days=15)
    await run_jobs(bot)
    nudges = [m for m in messages_to(bot, 602) if "have not heard from you for 14 days" in m]
    assert len(nudges) == 1
    await run_jobs(bot)
    assert len([m for m in messages_to(bot, 602) if "have not heard" in m]) == 1
    fay = bot.chat(602, "Fay")
    await fay.press("Write an update")
    assert "Update for Getting to appointments" in fay.last_text()


async def test_session_reminder_and_cant_come(bot: RunningBot, workshop: Workshop) -> None:
    person = bot.chat(701)
    await person.join(workshop.invite_code, updates=True)
    owner = bot.chat(OWNER, "Olu")
    at_london(bot, 12)
    await owner.say("/session")
    when = (bot.clock.now.astimezone(LONDON) + timedelta(days=3)).strftime("%Y-%m-%d 14:00")
    await owner.say(when)
    await owner.say("Northfield Library, 1 High St")
    await owner.say("Step-free entrance; hearing loop")
    assert "Everyone who chose updates gets a reminder the day before" in owner.last_text()
    await run_jobs(bot)
    assert not any("Reminder:" in m for m in messages_to(bot, 701))
    bot.clock.advance(days=2, hours=3)
    await run_jobs(bot)
    reminder = next(m for m in messages_to(bot, 701) if "Reminder:" in m)
    assert "Northfield Library" in reminder
    assert "Step-free entrance" in reminder
    await person.press("I can't come")
    assert await bot.storage.sessions.cant_come_count(1) == 1


async def test_stop_and_updates(bot: RunningBot, workshop: Workshop) -> None:
    person = bot.chat(801)
    await person.join(workshop.invite_code, updates=True)
    calls = await person.say("STOP")
    assert "will not get updates or reminders" in person.texts(calls)[0]
    member = await bot.storage.participants.get(workshop.id, 801)
    assert member is not None
    assert await bot.storage.answers.for_participant(member.id) == {}  # STOP is not an answer
    await person.say("Yes please send me things")  # not an opt-in
    assert await bot.storage.participants.is_stopped(801)
    assert await bot.storage.updates.recipients(workshop.id) == []
    calls = await person.say("/updates")
    assert "Updates are on again" in person.texts(calls)[0]
    assert [r.chat_id for r in await bot.storage.updates.recipients(workshop.id)] == [801]


async def test_updates_opt_in_later(bot: RunningBot, workshop: Workshop) -> None:
    person = bot.chat(802)
    await person.join(workshop.invite_code, updates=False)
    await person.say("/updates")
    await person.press("Updates from Getting to appointments: a 100-day lab")
    assert [r.chat_id for r in await bot.storage.updates.recipients(workshop.id)] == [802]


async def test_strangers_cannot_use_loop_commands(bot: RunningBot, workshop: Workshop) -> None:
    stranger = bot.chat(999)
    for command in ("action", "actions", "update", "scheduled", "report", "session"):
        calls = await stranger.say(f"/{command} {workshop.id}")
        assert stranger.texts(calls)[0].startswith("This command is for facilitators."), command
    for data in ("ac:edit:1", "ac:set:1:planned", "up:cancel:1", "up:start:1", "fw:update:1"):
        calls = await stranger.press_data(data)
        assert stranger.texts(calls)[0].startswith(("This command is for", "That is no longer")), (
            data
        )


async def test_quiet_hours_are_set_per_workshop(bot: RunningBot, workshop: Workshop) -> None:
    await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    await owner.say("/workshop")
    await owner.press("Quiet hours start")
    calls = await owner.say("8pm")
    assert "time of day like 21:00" in owner.texts(calls)[0]
    await owner.say("19:30")
    changed = await bot.storage.workshops.get(workshop.id)
    assert changed is not None
    assert changed.quiet_start == "19:30"
    await record_action(owner)
    at_london(bot, 20)
    await send_update(owner)
    await run_jobs(bot)
    assert not any("Update from" in m for m in messages_to(bot, 101))


async def test_worker_holds_messages_that_fall_due_in_quiet_hours(
    bot: RunningBot, workshop: Workshop
) -> None:
    await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    await record_action(owner)
    at_london(bot, 12)
    await send_update(owner)  # queued at noon...
    at_london(bot, 23, 30)  # ...but the worker only gets to it late at night
    await run_jobs(bot)
    assert not any("Update from" in m for m in messages_to(bot, 101))
    at_london(bot, 9, 1, days=1)
    await run_jobs(bot)
    assert any("Update from" in m for m in messages_to(bot, 101))


async def test_checked_again_just_before_sending(bot: RunningBot, workshop: Workshop) -> None:
    people = await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    await record_action(owner)
    at_london(bot, 22)  # held until morning; meanwhile people change their minds
    await send_update(owner)
    await people["ben"].say("STOP")
    await people["ann"].say("/forget")
    await people["ann"].press("Yes, erase it")
    at_london(bot, 10, days=1)
    await run_jobs(bot)
    assert not any("Update from" in m for m in messages_to(bot, 101))
    assert not any("Update from" in m for m in messages_to(bot, 102))
    # Ann's erasure took her deliveries too; her old buttons keep nothing now.
    assert [d.chat_id for d in await bot.storage.outbox.for_update(1)] == [102]
    calls = await people["ann"].press_data("fb:no:1")
    assert people["ann"].texts(calls)[0].startswith("That button")
    assert await bot.storage.feedback.tally(1) == {"yes": 0, "partly": 0, "no": 0}


async def test_no_reminder_after_finishing_even_if_queued(
    bot: RunningBot, workshop: Workshop
) -> None:
    person = bot.chat(901)
    await person.join(workshop.invite_code, updates=False)
    await person.say("First")
    at_london(bot, 22, days=2)  # reminder queued, held for the morning
    await run_jobs(bot)
    for _ in range(5):
        await person.press("Skip")
    await person.press("Submit my answers")
    at_london(bot, 10, days=3)
    await run_jobs(bot)
    assert not any("Hello again" in m for m in messages_to(bot, 901))


async def test_too_long_update_is_refused_at_preview(bot: RunningBot, workshop: Workshop) -> None:
    await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    for n in range(4):
        await owner.say("/action")
        await owner.say(f"Action {n} " + "x" * 280)
        await owner.press("Not possible")
        await owner.say("Because " + "y" * 900)
        await owner.press("Save the action")
    await owner.say("/update")
    for n in range(4):
        await owner.press(next(b for b in owner.buttons() if b.startswith(f"Action {n}")))
    await owner.press("Next: write the message")
    calls = await owner.say("z" * 2400)
    assert "more than one Telegram message holds" in owner.texts(calls)[0]
    assert await bot.storage.updates.of_workshop(workshop.id) == []


async def test_updates_command_makes_a_blocked_person_reachable(
    bot: RunningBot, workshop: Workshop
) -> None:
    person = bot.chat(902)
    await person.join(workshop.invite_code, updates=True)
    await bot.storage.db.execute("UPDATE participants SET unreachable_at = 'x'")
    assert await bot.storage.updates.recipients(workshop.id) == []
    await person.say("/updates")
    assert [r.chat_id for r in await bot.storage.updates.recipients(workshop.id)] == [902]


async def test_a_message_from_someone_reachable_writes_no_reachability(
    bot: RunningBot, workshop: Workshop
) -> None:
    person = bot.chat(903)
    await person.join(workshop.invite_code, updates=True)
    statements: list[str] = []
    await bot.storage.db.conn.set_trace_callback(statements.append)
    try:
        await person.say("Buses")
        await person.say("/updates")
    finally:
        await bot.storage.db.conn.set_trace_callback(None)
    assert statements  # the trace saw the messages' own reads and writes
    assert [s for s in statements if "unreachable_at = NULL" in s] == []


def test_quiet_hours_edges() -> None:
    from domain.quiet_hours import in_quiet_hours, next_allowed

    # The night the clocks go back (25 Oct 2026, 02:00 BST -> 01:00 GMT).
    moment = datetime(2026, 10, 25, 1, 15, tzinfo=UTC)  # 01:15 GMT, the second 01:15
    assert next_allowed(moment, "Europe/London", "00:30", "01:30") >= moment
    assert not in_quiet_hours(moment, "Europe/London", "21:00", "21:00")  # equal: off
    noon = datetime(2026, 6, 1, 11, 0, tzinfo=UTC)
    assert next_allowed(noon, "Europe/London", "21:00", "09:00") == noon
    night = datetime(2026, 6, 1, 22, 0, tzinfo=UTC)  # 23:00 BST
    assert next_allowed(night, "Europe/London", "21:00", "09:00") == datetime(
        2026, 6, 2, 8, 0, tzinfo=UTC
    )


def test_dates_that_cannot_be_read() -> None:
    from domain.when import parse_local

    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert parse_local("31/02/2027 10:00", "Europe/London", now) is None
    assert parse_local("9999-12-31 23:59", "America/New_York", now) is None
    assert parse_local("tomorrow", "Europe/London", now) is None
    assert parse_local("1/12 10:00", "Europe/London", now) == datetime(
        2026, 12, 1, 10, 0, tzinfo=UTC
    )


async def test_an_update_held_by_quiet_hours_can_be_cancelled(
    bot: RunningBot, workshop: Workshop
) -> None:
    await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    await record_action(owner)
    at_london(bot, 22)
    await send_update(owner)  # queued, held until 09:00
    await owner.say("/scheduled")
    assert "Thank you all." in owner.last_text()
    await owner.press("Cancel 1")
    assert "Cancelled" in owner.last_text()
    at_london(bot, 10, days=1)
    await run_jobs(bot)
    assert not any("Update from" in m for m in messages_to(bot, 101))
    states = {d.state for d in await bot.storage.outbox.for_update(1)}
    assert states == {"cancelled"}
    # Once a message has gone out, it is too late.
    await send_update(owner)
    await run_jobs(bot)
    assert await bot.storage.updates.cancel(2) is False


async def test_the_heartbeat_job_notes_that_the_bot_is_alive(bot: RunningBot) -> None:
    assert await bot.storage.meta.last_beat() is None
    await jobs.heartbeat(bot.context())
    beat = await bot.storage.meta.last_beat()
    assert beat is not None
    assert (datetime.now(UTC) - beat).total_seconds() < 60
    assert "heartbeat" in {job.name for job in bot.app.job_queue.jobs()}
