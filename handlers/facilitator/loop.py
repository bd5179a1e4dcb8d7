"""Closing the loop, for facilitators: the lists of actions and waiting updates, the report,
and what the action, update and session prompts (conversations.facilitator) share."""

from __future__ import annotations

from datetime import datetime

from telegram import Update

from chat.callbacks.loop import CancelUpdate, ChangeAction
from chat.context import BotContext
from chat.messaging import Button, say
from domain.when import parse_local
from handlers.delivery import Worker, stamp
from handlers.facilitator.access import audit
from storage.kinds import UpdateStatus
from storage.models import Workshop

REPORTED = 10  # most recent updates in /report
ACTION_TITLE_LIMIT = 300  # characters in an action's title (a workshop's title has its own)
REASON_LIMIT = 1000
VENUE_LIMIT = 300


def now(context: BotContext) -> datetime:
    worker: Worker = context.bot_data["worker"]
    return worker.clock()


async def future(
    update: Update, context: BotContext, workshop: Workshop, text: str
) -> datetime | None:
    """The future time typed (in the workshop's time zone); or say what was wrong."""
    moment = parse_local(text, workshop.timezone, now(context))
    if moment is None or moment <= now(context):
        past = moment is not None
        await say(
            update,
            context,
            "facilitator/update/when_problem",
            timezone=workshop.timezone,
            past=past,
        )
        return None
    return moment


async def show_actions(update: Update, context: BotContext, workshop: Workshop) -> None:
    actions = await context.storage.actions.of_workshop(workshop.id)
    t = context.texts
    rows: list[list[Button]] = [
        [(t.label("buttons.change_action", n=i), ChangeAction(a.id).pack())]
        for i, a in enumerate(actions, start=1)
    ]
    await say(
        update,
        context,
        "facilitator/action/list",
        buttons=rows,
        workshop=workshop,
        actions=actions,
    )


async def show_scheduled(update: Update, context: BotContext, workshop: Workshop) -> None:
    """Updates nobody has received yet (scheduled or held by quiet hours), with Cancel."""
    pending = await context.storage.updates.waiting(workshop.id)
    t = context.texts
    rows = [
        [(t.label("buttons.cancel_update", n=i), CancelUpdate(u.id).pack())]
        for i, u in enumerate(pending, start=1)
    ]
    await say(
        update,
        context,
        "facilitator/update/waiting",
        buttons=rows,
        workshop=workshop,
        updates=pending,
    )


async def show_report(update: Update, context: BotContext, workshop: Workshop) -> None:
    """For recent updates: sent, waiting, unreachable, failed (why), and what people said."""
    storage = context.storage
    reports = []
    for sent in (await storage.updates.of_workshop(workshop.id, UpdateStatus.SENT))[:REPORTED]:
        counts, reasons = await storage.outbox.report(sent.id)
        reports.append(
            {
                "update": sent,
                "counts": counts,
                "reasons": reasons,
                "stopped": await storage.outbox.stopped_before(sent.id),
                "tally": await storage.feedback.tally(sent.id),
                "comments": await storage.feedback.comments(sent.id),
            }
        )
    sessions = [
        (session, await storage.sessions.cant_come_count(session.id))
        for session in await storage.sessions.upcoming(workshop.id, stamp(now(context)))
    ]
    await audit(update, context, "report", workshop.id)
    await say(
        update,
        context,
        "facilitator/update/report",
        workshop=workshop,
        reports=reports,
        sessions=sessions,
    )
