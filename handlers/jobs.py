"""Scheduled work. The JobQueue only ticks: what to do is decided from the database."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import cast

from telegram.ext import JobQueue

from chat.callbacks.journey import FeedbackVerdict
from chat.callbacks.loop import CantCome, NoReminders, StartUpdate
from chat.context import BotContext
from domain.broadcast import Buttons, deliveries_for, delivery
from domain.texts import Texts, texts
from handlers.delivery import Worker, stamp
from handlers.facilitator.menus import staff_texts
from storage import Storage
from storage.kinds import DeliveryKind, UpdateKind, Verdict
from storage.updates import ProgressUpdate

log = logging.getLogger(__name__)


def feedback_buttons(t: Texts, update_id: int) -> Buttons:
    """'Does this reflect what you said?' Yes / Partly / No, for one update."""
    return (
        tuple(
            (t.label(f"buttons.feedback_{verdict}"), FeedbackVerdict(verdict, update_id).pack())
            for verdict in Verdict
        ),
    )


def update_buttons(t: Texts, update_id: int, kind: UpdateKind) -> Buttons:
    """The buttons under an update: only a progress update asks for co-evaluation."""
    return feedback_buttons(t, update_id) if kind == UpdateKind.PROGRESS else ()


HOUSEKEEPING_EVERY = 3600.0  # seconds
DELIVER_EVERY = 2.0
HEARTBEAT_EVERY = 30.0
NUDGE_EVERY = 300.0
REMINDER_AFTER = timedelta(hours=48)
REMINDERS_AT_MOST = 2
SESSION_NOTICE = timedelta(hours=24)


async def housekeeping(context: BotContext) -> None:
    """Warn facilitators a week before a purge; delete everything past its retention
    period, and stale state of non-participants."""
    storage = context.storage
    worker: Worker = context.bot_data["worker"]
    now = worker.clock()
    # Purged first: what is already past its time is not warned about, it goes.
    purged = await storage.housekeeping.purge_expired(now)
    warned = await warn_before_purge(storage, now, context.settings.admins)
    strangers = await storage.housekeeping.forget_strangers(keep=context.settings.admins)
    if warned or any(purged.values()) or strangers:
        log.info(
            "housekeeping: %d purge warnings, %d rows past retention deleted, %d stale states",
            warned,
            sum(purged.values()),
            strangers,
        )
    if warned:
        await worker.run(context.bot)


async def team_languages(
    storage: Storage, workshop_id: int, owners: frozenset[int]
) -> dict[int, Texts]:
    """A workshop's facilitators (or the owners, when it has none), each with the texts in
    their own language."""
    team = [member for member, _name in await storage.facilitators.of_workshop(workshop_id)]
    return await staff_texts(storage, team or sorted(owners))


async def warn_before_purge(storage: Storage, now: datetime, owners: frozenset[int]) -> int:
    """'What people said in X will be deleted on …': once per purge, to its facilitators
    (or the owners when it has none), a week before."""
    count = 0
    for due in await storage.housekeeping.purges_due(now):
        workshop = await storage.workshops.get(due.workshop_id)
        if workshop is None:
            continue
        rows = [
            delivery(
                DeliveryKind.NUDGE,
                workshop,
                member,
                t.render("facilitator/retention_warning", workshop=workshop, due_at=due.due_at),
                now,
            )
            for member, t in (await team_languages(storage, workshop.id, owners)).items()
        ]
        if await storage.outbox.enqueue_retention_warning(
            rows, workshop.id, due.due_at, stamp(now)
        ):
            count += len(rows)
    return count


FINISH_ERASURE_EVERY = 30.0  # seconds


async def finish_erasure(context: BotContext) -> None:
    """Try again to wipe erased words from the -wal, until it works."""
    if await context.storage.db.finish_checkpoint() and context.job is not None:
        context.job.schedule_removal()


def finish_erasure_soon(context: BotContext) -> None:
    """An erasure could not clean the -wal at once (a reader was open): keep trying."""
    job_queue = cast("JobQueue[BotContext] | None", context.job_queue)  # see deliver_soon
    if job_queue is not None and not job_queue.get_jobs_by_name("finish-erasure"):
        job_queue.run_repeating(
            finish_erasure, interval=FINISH_ERASURE_EVERY, first=1.0, name="finish-erasure"
        )


async def enqueue_update(storage: Storage, update: ProgressUpdate, now: datetime) -> int:
    """Write one delivery per recipient for an update (once), in one transaction; each in
    the recipient's language."""
    workshop = await storage.workshops.get(update.workshop_id)
    if workshop is None:
        return 0
    actions = await storage.actions.many(list(update.action_ids))
    recipients = await storage.updates.recipients(workshop.id)

    def buttons(t: Texts) -> Buttons:
        return update_buttons(t, update.id, update.kind)

    rows = deliveries_for(workshop, update, actions, recipients, now, buttons)
    return await storage.outbox.enqueue_update(update.id, rows)


async def deliver(context: BotContext) -> None:
    """Enqueue scheduled updates that are due, then send whatever is due in the outbox."""
    storage = context.storage
    worker: Worker = context.bot_data["worker"]
    now = worker.clock()
    for update in await storage.updates.due(stamp(now)):
        await enqueue_update(storage, update, now)
    await worker.run(context.bot)


def deliver_soon(context: BotContext) -> None:
    """Start sending now rather than at the next tick."""
    # PTB annotates CallbackContext.job_queue as JobQueue[ST] with ST unbound by the class,
    # so mypy cannot see that it is the application's JobQueue[BotContext]; it is.
    job_queue = cast("JobQueue[BotContext] | None", context.job_queue)
    if job_queue is not None:
        job_queue.run_once(deliver, 0.0, name="deliver-now")


async def nudge(context: BotContext) -> None:
    """Reminders for unfinished questions and sessions, and nudges for quiet facilitators."""
    storage = context.storage
    worker: Worker = context.bot_data["worker"]
    now = worker.clock()
    await remind_unfinished(storage, now, timedelta(hours=context.settings.reminder_after_hours))
    await remind_sessions(storage, now)
    await nudge_facilitators(storage, now, context.settings.admins)
    await worker.run(context.bot)


async def remind_unfinished(
    storage: Storage, now: datetime, after: timedelta = REMINDER_AFTER
) -> int:
    """A gentle reminder to people part-way through the questions, at most twice."""
    sent = 0
    people = await storage.participants.to_remind(stamp(now - after), REMINDERS_AT_MOST)
    for person in people:
        workshop = await storage.workshops.get(person.workshop_id)
        if workshop is None:
            continue
        t = texts(person.language)
        row = delivery(
            DeliveryKind.REMINDER,
            workshop,
            person.telegram_user_id,
            t.render("loop/reminder", workshop=workshop, number=person.position + 1),
            now,
            participant_id=person.id,
            buttons=(((t.label("buttons.no_reminders"), NoReminders(person.id).pack()),),),
        )
        # The count goes up with the queued row, so a crash can never cause a third.
        sent += await storage.outbox.enqueue_reminder(
            row, person.id, person.reminders_sent, stamp(now)
        )
    return sent


async def remind_sessions(storage: Storage, now: datetime) -> int:
    """The day before a session: a notice to everyone who chose updates."""
    count = 0
    for session in await storage.sessions.to_remind(stamp(now), stamp(now + SESSION_NOTICE)):
        workshop = await storage.workshops.get(session.workshop_id)
        if workshop is None:
            continue
        rows = []
        for person in await storage.updates.recipients(workshop.id):
            t = texts(person.language)
            button = ((t.label("buttons.cant_come"), CantCome(session.id).pack()),)
            rows.append(
                delivery(
                    DeliveryKind.SESSION,
                    workshop,
                    person.chat_id,
                    t.render("loop/session_reminder", workshop=workshop, session=session),
                    now,
                    buttons=(button,),
                    participant_id=person.participant_id,
                    session_id=session.id,
                )
            )
        if await storage.outbox.enqueue_session_notice(rows, session.id, stamp(now)):
            count += len(rows)
    return count


async def nudge_facilitators(storage: Storage, now: datetime, owners: frozenset[int]) -> int:
    """'People in X have not heard from you for N days', once per quiet spell."""
    count = 0
    for workshop in await storage.workshops.all():
        if not workshop.is_open or not await storage.updates.recipients(workshop.id):
            continue
        since = await storage.updates.last_sent(workshop.id) or workshop.created_at
        if datetime.fromisoformat(since) + timedelta(days=workshop.update_cadence_days) > now:
            continue
        rows = [
            delivery(
                DeliveryKind.NUDGE,
                workshop,
                member,
                t.render(
                    "facilitator/nudge", workshop=workshop, days=workshop.update_cadence_days
                ),
                now,
                buttons=(((t.label("buttons.write_update"), StartUpdate(workshop.id).pack()),),),
            )
            for member, t in (await team_languages(storage, workshop.id, owners)).items()
        ]
        if await storage.outbox.enqueue_nudge(rows, workshop.id, since, stamp(now)):
            count += len(rows)
    return count


async def heartbeat(context: BotContext) -> None:
    """Note that the bot is alive and ticking (``doingwith health`` reads it)."""
    await context.storage.meta.beat(datetime.now(UTC))


def schedule(job_queue: JobQueue[BotContext]) -> None:
    job_queue.run_repeating(heartbeat, interval=HEARTBEAT_EVERY, first=1.0, name="heartbeat")
    job_queue.run_repeating(
        housekeeping, interval=HOUSEKEEPING_EVERY, first=60.0, name="housekeeping"
    )
    job_queue.run_repeating(deliver, interval=DELIVER_EVERY, first=1.0, name="deliver")
    job_queue.run_repeating(nudge, interval=NUDGE_EVERY, first=30.0, name="nudge")
