"""STOP, /stop and /updates; the buttons on reminders and session notices; and noting that
someone who writes to the bot has not blocked it.

STOP is caught before everything else, wherever the person is, and is never kept as an
answer. Nothing else anyone types turns updates back on: only /updates does.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import wraps
from typing import Any

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from chat.callbacks.loop import CantCome, NoReminders, UpdatesFrom
from chat.context import BotContext
from chat.filters import NEW_MESSAGE
from chat.handler_types import AnyHandler
from chat.messaging import acknowledge, retire_buttons, say
from chat.screens import expired, show_where_you_are, text_hash
from domain.texts import shorten
from domain.translations import workshop_in
from storage.kinds import ParticipantStatus, Purpose

STOP_WORD = filters.Regex(r"(?i)^\s*stop\s*[.!]?\s*$")
LEFT = (ParticipantStatus.DECLINED, ParticipantStatus.WITHDRAWN)

Closing = Callable[[BotContext], None]
Callback = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


async def reachable_again(update: Update, context: BotContext) -> None:
    """Someone who writes to the bot has not blocked it (any more)."""
    if update.message is not None and update.effective_user is not None:
        await context.storage.outbox.reachable_again(update.effective_user.id)


def _only(closing: Closing, callback: Callback) -> Callback:
    """Close any open prompt first; then nobody else sees the update (errors included)."""

    @wraps(callback)
    async def run(update: Update, context: BotContext) -> None:
        closing(context)
        try:
            await callback(update, context)
        except Exception as exc:
            await context.application.process_error(update, exc)
        raise ApplicationHandlerStop

    return run


async def stop(update: Update, context: BotContext) -> None:
    """End updates and reminders for this person, in every workshop, and say so."""
    user = update.effective_user
    if user is None:
        return
    storage = context.storage
    await storage.participants.set_stopped(user.id, stopped=True)
    await storage.outbox.cancel_pending_to(user.id)
    await say(update, context, "loop/stopped")


async def updates_on(update: Update, context: BotContext) -> None:
    """/updates: turn updates back on; offer them to anyone who said no when joining."""
    user = update.effective_user
    if user is None:
        return
    storage = context.storage
    await storage.participants.set_stopped(user.id, stopped=False)
    t = context.texts
    offers = []
    for member in await storage.participants.memberships(user.id):
        consent = (await storage.participants.consents(member.id)).get(Purpose.UPDATES)
        if consent is None or not consent.active:
            workshop = await storage.workshops.get(member.workshop_id)
            if workshop is not None:
                offers.append(workshop_in(workshop, context.language))
    rows = [
        [(t.label("buttons.updates_for", title=shorten(w.title, 40)), UpdatesFrom(w.id).pack())]
        for w in offers
    ]
    await say(update, context, "loop/updates_on", buttons=rows, offers=offers)


async def on_optin(update: Update, context: BotContext) -> None:
    """Yes to updates from one workshop, recorded like any consent (with the words shown)."""
    query, user = update.callback_query, update.effective_user
    data = UpdatesFrom.unpack(query.data if query is not None else None)
    if query is None or user is None or data is None:
        await expired(update, context)
        return
    storage = context.storage
    member = await storage.participants.get(data.workshop, user.id)
    workshop = await storage.workshops.get(data.workshop)
    if member is None or workshop is None or member.status in LEFT:
        await expired(update, context)
        return
    await acknowledge(query)
    await retire_buttons(query)
    await storage.participants.decide(
        member.id,
        Purpose.UPDATES,
        granted=True,
        text_sha256=text_hash(context.texts, Purpose.UPDATES, workshop),
        method="telegram-button",
        language=context.language,
    )
    await say(update, context, "loop/updates_optin", workshop=workshop)


async def on_no_reminders(update: Update, context: BotContext) -> None:
    """'Don't remind me' on a reminder."""
    query, user = update.callback_query, update.effective_user
    data = NoReminders.unpack(query.data if query is not None else None)
    member = await context.storage.participants.by_id(data.member) if data else None
    if query is None or user is None or member is None or member.telegram_user_id != user.id:
        await expired(update, context)
        return
    await acknowledge(query)
    await retire_buttons(query)
    await context.storage.participants.set_no_reminders(member.id)
    await say(update, context, "loop/reminders_off")
    await show_where_you_are(update, context)


async def on_cant_come(update: Update, context: BotContext) -> None:
    """'Can't come' on a session notice."""
    query, user = update.callback_query, update.effective_user
    data = CantCome.unpack(query.data if query is not None else None)
    storage = context.storage
    session = await storage.sessions.get(data.session) if data else None
    member = (
        await storage.participants.get(session.workshop_id, user.id)
        if session is not None and user is not None
        else None
    )
    if query is None or session is None or member is None or member.status in LEFT:
        await expired(update, context)
        return
    await acknowledge(query)
    await retire_buttons(query)
    await storage.sessions.cant_come(session.id, member.id)
    await say(update, context, "loop/session_cant_come", session=session)


def presence() -> list[AnyHandler]:
    """Registered early, stopping nothing: any message shows the person can be reached."""
    return [TypeHandler(Update, reachable_again)]


def handlers(closing: Closing) -> list[AnyHandler]:
    """Registered in an early group: STOP works in any state and is kept nowhere.
    ``closing`` closes any facilitator prompt the person had open."""
    return [
        CommandHandler("stop", _only(closing, stop), filters=NEW_MESSAGE),
        MessageHandler(NEW_MESSAGE & filters.TEXT & STOP_WORD, _only(closing, stop)),
        CommandHandler("updates", _only(closing, updates_on), filters=NEW_MESSAGE),
    ]


def buttons() -> list[AnyHandler]:
    """Registered with the general handlers."""
    return [
        CallbackQueryHandler(on_optin, pattern=UpdatesFrom.pattern()),
        CallbackQueryHandler(on_no_reminders, pattern=NoReminders.pattern()),
        CallbackQueryHandler(on_cant_come, pattern=CantCome.pattern()),
    ]
