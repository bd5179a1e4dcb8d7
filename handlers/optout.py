"""STOP, /stop and /updates; and the buttons on reminders and session notices.

STOP is caught before everything else, wherever the person is, and is never kept as an
answer. Nothing else anyone types turns updates back on: only /updates does.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from chat import callbacks
from chat.context import BotContext
from chat.filters import NEW_MESSAGE
from chat.messaging import acknowledge, retire_buttons, say
from chat.screens import expired, pressed, show_where_you_are, text_hash
from handlers.facilitator.prompting import exclusive
from handlers.precedence import drop_prompts

STOP_WORD = filters.Regex(r"(?i)^\s*stop\s*[.!]?\s*$")


async def stop(update: Update, context: BotContext) -> None:
    """End updates and reminders for this person, in every workshop, and say so."""
    user = update.effective_user
    if user is None:
        return
    storage = context.storage
    drop_prompts(context)
    await storage.participants.set_stopped(user.id, stopped=True)
    await storage.outbox.reachable_again(user.id)  # they wrote to us, so not blocked
    await storage.outbox.cancel_pending_to(user.id)
    await say(update, context, "stopped")


async def updates_on(update: Update, context: BotContext) -> None:
    """/updates: turn updates back on; offer them to anyone who said no when joining."""
    user = update.effective_user
    if user is None:
        return
    storage = context.storage
    drop_prompts(context)
    await storage.participants.set_stopped(user.id, stopped=False)
    await storage.outbox.reachable_again(user.id)
    t = context.texts
    offers = []
    for member in await storage.participants.memberships(user.id):
        consent = (await storage.participants.consents(member.id)).get("updates")
        if consent is None or not consent.active:
            workshop = await storage.workshops.get(member.workshop_id)
            if workshop is not None:
                offers.append(workshop)
    rows = [
        [
            (
                t.label("buttons.updates_for").format(title=w.title[:40]),
                callbacks.make("up", "optin", w.id),
            )
        ]
        for w in offers
    ]
    await say(update, context, "updates_on", buttons=rows, offers=offers)


async def on_optin(update: Update, context: BotContext) -> None:
    """Yes to updates from one workshop, recorded like any consent (with the words shown)."""
    press = await pressed(update, context)
    if press is None:
        return
    query, user, cb = press
    storage = context.storage
    member = await storage.participants.get(cb.int_arg(0), user.id)
    workshop = await storage.workshops.get(cb.int_arg(0))
    if member is None or workshop is None or member.status in ("declined", "withdrawn"):
        await expired(update, context)
        return
    await acknowledge(query)
    await retire_buttons(query)
    await storage.participants.decide(
        member.id,
        "updates",
        granted=True,
        text_sha256=text_hash(context.texts, "updates", workshop),
        method="telegram-button",
    )
    await say(update, context, "updates_optin", workshop=workshop)


async def on_reminder_button(update: Update, context: BotContext) -> None:
    """'Don't remind me' on a reminder, or 'Can't come' on a session notice."""
    press = await pressed(update, context)
    if press is None:
        return
    query, user, cb = press
    storage = context.storage
    if cb.flow == "rm":
        member = await storage.participants.by_id(cb.int_arg(0))
        if member is None or member.telegram_user_id != user.id:
            await expired(update, context)
            return
        await acknowledge(query)
        await retire_buttons(query)
        await storage.participants.set_no_reminders(member.id)
        await say(update, context, "reminders_off")
        await show_where_you_are(update, context)
        return
    session = await storage.sessions.get(cb.int_arg(0))
    member = await storage.participants.get(session.workshop_id, user.id) if session else None
    if session is None or member is None or member.status in ("declined", "withdrawn"):
        await expired(update, context)
        return
    await acknowledge(query)
    await retire_buttons(query)
    await storage.sessions.cant_come(session.id, member.id)
    await say(update, context, "session_cant_come", session=session)


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    """Registered in an early group: STOP works in any state and is kept nowhere."""
    return [
        CommandHandler("stop", exclusive(stop), filters=NEW_MESSAGE),
        MessageHandler(NEW_MESSAGE & filters.TEXT & STOP_WORD, exclusive(stop)),
        CommandHandler("updates", exclusive(updates_on), filters=NEW_MESSAGE),
    ]


def buttons() -> list[BaseHandler]:  # type: ignore[type-arg]
    """Registered with the general handlers."""
    return [
        CallbackQueryHandler(on_optin, pattern=r"^up:optin:"),
        CallbackQueryHandler(on_reminder_button, pattern=r"^(rm|se):"),
    ]
