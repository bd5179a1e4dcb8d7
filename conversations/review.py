"""The review screen: every answer with a Change button, then Submit."""

from __future__ import annotations

from telegram import Update

from chat.callbacks.journey import ChangeAnswer, SubmitAnswers
from chat.context import BotContext
from chat.messaging import say
from chat.place import Place, latest_place
from chat.screens import Family, expired, moved_on, on_screen, pressed, settle_press, show_question
from chat.states import END, State
from conversations import about_you
from storage.kinds import ParticipantStatus as Status


async def _reviewing(
    update: Update, context: BotContext, family: type[Family]
) -> tuple[Place, Family] | None:
    """The press, if it is on the person's review screen (answered, its buttons off);
    else None, after the moved-on or expired reply."""
    press = await pressed(update, context, family)
    if press is None:
        return None
    query, user, data = press
    if not await on_screen(update, context):
        await moved_on(update, context)
        return None
    place = await latest_place(context, user.id)
    if place is None or place.status != Status.REVIEWING:
        await expired(update, context)
        return None
    if isinstance(data, ChangeAnswer) and data.position >= place.total:
        await expired(update, context)
        return None
    await settle_press(update, context, query)
    return place, data


async def on_submit(update: Update, context: BotContext) -> int | None:
    """Submit every answer, say thank you and offer the questions about the person."""
    found = await _reviewing(update, context, SubmitAnswers)
    if found is None:
        return None
    place, _ = found
    await context.storage.participants.move(place.participant.id, status=Status.SUBMITTED)
    await say(update, context, "questions/thanks", workshop=place.workshop)
    await about_you.offer(update, context, place.workshop.id)
    return END


async def on_change(update: Update, context: BotContext) -> int | None:
    """Go back to one question to change its answer, then return to the review screen."""
    found = await _reviewing(update, context, ChangeAnswer)
    if found is None:
        return None
    place, change = found
    await context.storage.participants.move(
        place.participant.id, status=Status.ANSWERING, position=change.position, changing=True
    )
    fresh = await latest_place(context, place.participant.telegram_user_id)
    assert fresh is not None
    await show_question(update, context, fresh)
    return State.QUESTIONS
