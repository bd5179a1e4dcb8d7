"""/session: when, where, and any access notes; participants are told and reminded."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler

from chat.callbacks.facilitator import Pick, SkipOptional
from chat.context import BotContext
from chat.filters import TEXT
from chat.messaging import say
from chat.states import END
from conversations.facilitator.drafts import (
    Flow,
    Next,
    Store,
    ask,
    fits,
    step,
    typed,
    ways_in,
)
from handlers.delivery import stamp
from handlers.facilitator.access import audit
from handlers.facilitator.loop import VENUE_LIMIT, future
from storage.models import Workshop


class State(IntEnum):
    WHEN = 30
    VENUE = 31
    ACCESS = 32


@dataclass
class Draft:
    workshop: int
    starts_at: str = ""
    venue: str = ""


DRAFT = Store("session", Draft)


async def _begin(update: Update, context: BotContext, workshop: Workshop) -> Next:
    DRAFT.open(context, Draft(workshop.id))
    await ask(update, context, "facilitator/session/ask_when", timezone=workshop.timezone)
    return State.WHEN


@step(DRAFT, "session")
async def take_when(update: Update, context: BotContext, draft: Draft) -> Next:
    workshop = await context.storage.workshops.get(draft.workshop)
    assert workshop is not None
    moment = await future(update, context, workshop, typed(update.effective_message))
    if moment is None:
        return None
    draft.starts_at = stamp(moment)
    DRAFT.put(context, draft)
    await ask(update, context, "facilitator/session/ask_venue")
    return State.VENUE


@step(DRAFT, "session")
async def take_venue(update: Update, context: BotContext, draft: Draft) -> Next:
    text = typed(update.effective_message)
    if not await fits(update, context, text, VENUE_LIMIT):
        return None
    draft.venue = text
    DRAFT.put(context, draft)
    nonce = DRAFT.buttons_for(context)
    skip = [[(context.texts.label("buttons.no_notes"), SkipOptional(nonce).pack())]]
    await ask(update, context, "facilitator/session/ask_access", buttons=skip)
    return State.ACCESS


async def _save(update: Update, context: BotContext, draft: Draft, notes: str) -> Next:
    if not await fits(update, context, notes, VENUE_LIMIT * 3, required=False):
        return None
    user = update.effective_user
    assert user is not None
    storage = context.storage
    session = await storage.sessions.create(
        draft.workshop, draft.starts_at, draft.venue, notes, user.id
    )
    await audit(update, context, "session", draft.workshop, str(session.id))
    workshop = await storage.workshops.get(draft.workshop)
    await say(update, context, "facilitator/session/saved", session=session, workshop=workshop)
    return END


@step(DRAFT, "session")
async def take_access(update: Update, context: BotContext, draft: Draft) -> Next:
    return await _save(update, context, draft, typed(update.effective_message))


@step(DRAFT, "session")
async def no_notes(update: Update, context: BotContext, draft: Draft) -> Next:
    return await _save(update, context, draft, "")


def build() -> Flow:
    return Flow(
        entry_points=[
            *ways_in("session", Pick.SESSION, _begin),
        ],
        states={
            State.WHEN: [MessageHandler(TEXT, take_when)],
            State.VENUE: [MessageHandler(TEXT, take_venue)],
            State.ACCESS: [
                MessageHandler(TEXT, take_access),
                CallbackQueryHandler(no_notes, pattern=SkipOptional.pattern()),
            ],
        },
        store=DRAFT,
        command="/session",
        steps=(SkipOptional,),
    )
