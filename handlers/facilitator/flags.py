"""/flags and 'Mark handled': the safeguarding flags a facilitator can act on.

A facilitator sees the open flags of the workshops they run, an owner every workshop's and
those of people in no workshop yet. Pseudonyms only: never a Telegram id or a name.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from chat.callbacks.safety import FlagHandled
from chat.context import BotContext
from chat.filters import NEW_MESSAGE
from chat.handler_types import AnyHandler
from chat.messaging import Button, acknowledge, say
from chat.screens import expired
from handlers.facilitator.access import (
    audit,
    gone,
    is_owner,
    is_staff,
    may_run,
    refuse,
    staff_only,
    workshops_run_by,
)
from storage.flags import Flag


@staff_only("flags")
async def show_flags(update: Update, context: BotContext) -> None:
    user = update.effective_user
    assert user is not None
    storage = context.storage
    mine = await workshops_run_by(context, user.id)
    flags = await storage.flags.open_for([w.id for w in mine])
    if is_owner(context, user.id):
        flags = sorted([*flags, *await storage.flags.open_unplaced()], key=_raised)
    t = context.texts
    rows: list[list[Button]] = [
        [(t.label("buttons.flag_handled", n=flag.id), FlagHandled(flag.id).pack())]
        for flag in flags
    ]
    await audit(update, context, "flags", None, f"open={len(flags)}")
    await say(
        update,
        context,
        "safeguarding/flags",
        buttons=rows,
        flags=flags,
        titles={w.id: w.title for w in mine},
        timezone=context.settings.timezone,
    )


def _raised(flag: Flag) -> tuple[str, int]:
    return flag.raised_at, flag.id


async def may_handle(context: BotContext, user_id: int, flag: Flag) -> bool:
    """Facilitators of the flag's workshop and owners; owners alone for one in none."""
    if flag.workshop_id is None:
        return is_owner(context, user_id)
    return await may_run(context, user_id, flag.workshop_id)


async def on_handled(update: Update, context: BotContext) -> None:
    query, user = update.callback_query, update.effective_user
    data = FlagHandled.unpack(query.data if query is not None else None)
    if query is None or user is None or data is None:
        await expired(update, context)
        return
    storage = context.storage
    flag = await storage.flags.get(data.flag)
    if flag is None or not await may_handle(context, user.id, flag):
        if flag is None and await is_staff(context, user.id):
            await gone(update, context)  # erased, or purged by retention
        else:
            await refuse(update, context, "flag-handled", flag.workshop_id if flag else None)
        return
    await acknowledge(query)
    done = await storage.flags.handle(flag.id, user.id)
    if done:
        await audit(update, context, "flag-handled", flag.workshop_id, f"flag {flag.id}")
    await say(update, context, "safeguarding/flag_handled", flag=flag, done=done)


def handlers() -> list[AnyHandler]:
    return [
        CommandHandler("flags", show_flags, filters=NEW_MESSAGE),
        CallbackQueryHandler(on_handled, pattern=FlagHandled.pattern()),
    ]
