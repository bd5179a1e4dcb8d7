"""Who may run which workshop: owners (from configuration) run all, facilitators their own.

Authorisation is by numeric Telegram user id only, checked on every command and every
button press (button data can be forged). A refusal is one plain sentence and an audit row.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from telegram import Update

from chat import callbacks
from chat.callbacks import Callback
from chat.context import BotContext
from chat.messaging import acknowledge, say
from chat.screens import expired
from storage.models import Workshop

Handler = Callable[[Update, BotContext], Awaitable[Any]]


def is_owner(context: BotContext, user_id: int) -> bool:
    return user_id in context.settings.admins


async def is_staff(context: BotContext, user_id: int) -> bool:
    """An owner, or a facilitator of at least one workshop."""
    return is_owner(context, user_id) or bool(
        await context.storage.facilitators.workshops_of(user_id)
    )


async def may_run(context: BotContext, user_id: int, workshop_id: int) -> bool:
    if is_owner(context, user_id):
        return await context.storage.workshops.get(workshop_id) is not None
    return await context.storage.facilitators.is_facilitator(workshop_id, user_id)


async def workshops_run_by(context: BotContext, user_id: int) -> list[Workshop]:
    storage = context.storage
    if is_owner(context, user_id):
        return await storage.workshops.all()
    found = [
        await storage.workshops.get(i) for i in await storage.facilitators.workshops_of(user_id)
    ]
    return [w for w in found if w is not None]


async def refuse(
    update: Update, context: BotContext, action: str, workshop_id: int | None = None
) -> None:
    """Say plainly that this is for facilitators, and record the attempt."""
    user = update.effective_user
    if user is not None:
        await context.storage.audit.record(user.id, action, workshop_id=workshop_id, allowed=False)
    if update.callback_query is not None:
        await acknowledge(update.callback_query)
    await say(update, context, "fac_refused", user_id=user.id if user else None)


def staff_only(action: str) -> Callable[[Handler], Handler]:
    """Let only owners and facilitators through; anyone else is refused and audited."""

    def decorate(callback: Handler) -> Handler:
        @wraps(callback)
        async def guarded(update: Update, context: BotContext) -> Any:
            user = update.effective_user
            if user is None or not await is_staff(context, user.id):
                await refuse(update, context, action)
                return None
            return await callback(update, context)

        return guarded

    return decorate


async def chosen_workshop(update: Update, context: BotContext, command: str) -> Workshop | None:
    """The workshop a command is about: named by number, the only one, or picked by button.

    Returns None when a picker was shown or the person may not run the one they named.
    """
    user = update.effective_user
    assert user is not None
    args = context.args or []
    if args:
        if not args[0].isascii() or not args[0].isdigit() or len(args[0]) > 12:
            await say(update, context, "fac_bad_number", command=command)
            return None
        workshop_id = int(args[0])
        if not await may_run(context, user.id, workshop_id):
            if is_owner(context, user.id):
                await say(update, context, "fac_no_such_workshop", number=workshop_id)
            else:
                await refuse(update, context, command, workshop_id)
            return None
        return await context.storage.workshops.get(workshop_id)
    mine = await workshops_run_by(context, user.id)
    if not mine:
        await say(update, context, "fac_no_workshops")
        return None
    if len(mine) == 1:
        return mine[0]
    rows = [[(f"{w.id}. {w.title}", callbacks.make("fw", command, w.id))] for w in mine]
    await say(update, context, "fac_pick_workshop", buttons=rows, command=command)
    return None


async def workshop_from_button(
    update: Update, context: BotContext, action: str, workshop_id: int
) -> Workshop | None:
    """The workshop a button names, if the presser may run it; otherwise refuse."""
    user = update.effective_user
    workshop = await context.storage.workshops.get(workshop_id)
    if user is not None and workshop is None and await is_staff(context, user.id):
        await gone(update, context)
        return None
    if user is None or workshop is None or not await may_run(context, user.id, workshop_id):
        await refuse(update, context, action, workshop_id)
        return None
    if update.callback_query is not None:
        await acknowledge(update.callback_query)
    return workshop


async def gone(update: Update, context: BotContext) -> None:
    """A button about something that no longer exists (deleted, merged, erased)."""
    if update.callback_query is not None:
        await acknowledge(update.callback_query)
    await say(update, context, "fac_gone")


async def audit(
    update: Update, context: BotContext, action: str, workshop_id: int | None, detail: str = ""
) -> None:
    user = update.effective_user
    if user is not None:
        await context.storage.audit.record(
            user.id, action, workshop_id=workshop_id, allowed=True, detail=detail
        )


async def parsed_button(update: Update, context: BotContext, action: str) -> Callback | None:
    """The pressed button's data, checked; malformed data is treated as an expired button."""
    query = update.callback_query
    cb = callbacks.parse(query.data) if query is not None else None
    if cb is None:
        await expired(update, context)
    return cb
