"""Optional "about you" questions after submitting: who is taking part, kept apart."""

from __future__ import annotations

from telegram import Update

from chat import callbacks
from chat.context import BotContext
from chat.messaging import Button, acknowledge, retire_buttons, say
from chat.place import latest_place
from chat.screens import expired, pressed
from chat.states import END
from storage.about import NOT_SAID
from storage.models import AboutQuestion, Participant


async def offer(update: Update, context: BotContext, workshop_id: int) -> None:
    """After the thank-you: ask whether the person will answer a few questions about them."""
    questions = await context.storage.about.questions(workshop_id)
    if not questions:
        return
    t = context.texts
    await say(
        update,
        context,
        "about_offer",
        buttons=[
            [(t.label("buttons.about_yes"), callbacks.make("ab", "yes"))],
            [(t.label("buttons.about_no"), callbacks.make("ab", "no"))],
        ],
        count=len(questions),
    )


async def _next(context: BotContext, participant: Participant) -> AboutQuestion | None:
    answered = await context.storage.about.answered(participant.id)
    for question in await context.storage.about.questions(participant.workshop_id):
        if question.id not in answered:
            return question
    return None


async def _ask(update: Update, context: BotContext, question: AboutQuestion) -> None:
    t = context.texts
    rows: list[list[Button]] = [
        [(option, callbacks.make("ab", "pick", question.position, i))]
        for i, option in enumerate(question.options)
    ]
    rows.append([(t.label("buttons.prefer_not"), callbacks.make("ab", "skip", question.position))])
    await say(update, context, "about_question", buttons=rows, question=question)


async def on_button(update: Update, context: BotContext) -> int | None:
    """Yes / No to the offer, then one option (or 'prefer not to say') per question."""
    press = await pressed(update, context)
    if press is None:
        return None
    query, user, cb = press
    place = await latest_place(context, user.id)
    if place is None or place.status != "submitted":
        return await expired(update, context)
    question = await _next(context, place.participant)
    if question is None and cb.action != "no":
        return await expired(update, context)
    if cb.action in ("pick", "skip") and (question is None or cb.int_arg(0) != question.position):
        return await expired(update, context)
    await acknowledge(query)
    await retire_buttons(query)
    if cb.action == "no":
        await say(update, context, "about_declined")
        return END
    if cb.action in ("pick", "skip"):
        assert question is not None
        if cb.action == "pick":
            if cb.int_arg(1) >= len(question.options):
                return await expired(update, context)
            value = question.options[cb.int_arg(1)]
        else:
            value = NOT_SAID
        await context.storage.about.save(place.participant.id, question.id, value)
        question = await _next(context, place.participant)
    if question is None:
        await say(update, context, "about_thanks")
        return END
    await _ask(update, context, question)
    return END
