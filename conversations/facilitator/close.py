"""/close: a closing message for the people waiting to hear, or close silently, or not."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler

from chat.callbacks.facilitator import CloseSilently, KeepOpen, Pick
from chat.context import BotContext
from chat.filters import TEXT
from chat.handler_types import AnyHandler
from chat.messaging import retire_buttons, say
from chat.states import END
from conversations.facilitator.drafts import (
    Flow,
    Next,
    Store,
    ask,
    fits,
    stale,
    step,
    taken,
    time_out,
    typed,
    ways_in,
)
from handlers.facilitator.access import audit, button, gone
from storage.models import Workshop

MESSAGE_LIMIT = 1000


class State(IntEnum):
    MESSAGE = 40


@dataclass
class Draft:
    workshop: int


DRAFT = Store("close", Draft)


async def _ask(update: Update, context: BotContext, workshop: Workshop) -> Next:
    DRAFT.open(context, Draft(workshop.id))
    t = context.texts
    nonce = DRAFT.buttons_for(context)
    rows = [
        [(t.label("buttons.close_silently"), CloseSilently(workshop.id, nonce).pack())],
        [(t.label("buttons.keep_open"), KeepOpen(workshop.id, nonce).pack())],
    ]
    await ask(update, context, "facilitator/workshop/ask_closing", buttons=rows, workshop=workshop)
    return State.MESSAGE


async def close(update: Update, context: BotContext, workshop_id: int, message: str) -> Next:
    if not await fits(update, context, message, MESSAGE_LIMIT, required=False):
        return None
    storage = context.storage
    await storage.workshops.close(workshop_id, message or None)
    await audit(update, context, "close", workshop_id)
    await say(
        update,
        context,
        "facilitator/workshop/closed",
        workshop=await storage.workshops.get(workshop_id),
    )
    return END


@step(DRAFT, "close")
async def take_message(update: Update, context: BotContext, draft: Draft) -> Next:
    return await close(update, context, draft.workshop, typed(update.effective_message))


async def _this_prompt(
    update: Update, context: BotContext, data: CloseSilently | KeepOpen
) -> Draft | None:
    """The open closing prompt the button was shown for, if it is still open."""
    query = update.callback_query
    assert query is not None
    await retire_buttons(query)
    if stale(context):  # left open across a restart
        await time_out(update, context)
    draft = DRAFT.get(context)
    if draft is None or draft.workshop != data.workshop or data.draft != DRAFT.nonce(context):
        await gone(update, context)
        return None
    return draft


@button(CloseSilently, "close")
async def silently(
    update: Update, context: BotContext, data: CloseSilently, workshop: Workshop
) -> Next:
    """Close without a message (only while that workshop's prompt is open)."""
    draft = await _this_prompt(update, context, data)
    return None if draft is None else await close(update, context, draft.workshop, "")


@button(KeepOpen, "close")
async def keep_open(
    update: Update, context: BotContext, data: KeepOpen, workshop: Workshop
) -> Next:
    if await _this_prompt(update, context, data) is None:
        return None
    await say(update, context, "facilitator/workshop/kept_open")
    return END


def build() -> Flow:
    buttons: list[AnyHandler] = [
        CallbackQueryHandler(taken(silently), pattern=CloseSilently.pattern()),
        CallbackQueryHandler(taken(keep_open), pattern=KeepOpen.pattern()),
    ]
    return Flow(
        entry_points=[
            *ways_in("close", Pick.CLOSE, _ask),
            # Checked against the workshop on the button first, then the prompt.
            *buttons,
        ],
        states={State.MESSAGE: [MessageHandler(TEXT, take_message), *buttons]},
        store=DRAFT,
        command="/close",
    )
