"""The review screen: every answer with a Change button, then Submit."""

from __future__ import annotations

from telegram import Update

from chat.context import BotContext
from chat.messaging import acknowledge, retire_buttons, say
from chat.place import latest_place
from chat.screens import expired, pressed, show_question
from chat.states import END, State
from conversations import about_you


async def on_review_button(update: Update, context: BotContext) -> int | None:
    """Change one answer, or submit them all."""
    press = await pressed(update, context)
    if press is None:
        return None
    query, user, cb = press
    place = await latest_place(context, user.id)
    if place is None or place.status != "reviewing":
        return await expired(update, context)
    await acknowledge(query)
    await retire_buttons(query)
    participants = context.storage.participants
    if cb.action == "submit":
        await participants.move(place.participant.id, status="submitted")
        await say(update, context, "thanks", workshop=place.workshop)
        await about_you.offer(update, context, place.workshop.id)
        return END
    position = cb.int_arg(0)
    if position >= place.total:
        return await expired(update, context)
    await participants.move(
        place.participant.id, status="answering", position=position, changing=True
    )
    fresh = await latest_place(context, user.id)
    assert fresh is not None
    await show_question(update, context, fresh)
    return State.QUESTIONS
