"""Optional "about you" questions after submitting: who is taking part, kept apart."""

from __future__ import annotations

from telegram import CallbackQuery, Update

from chat.callbacks.journey import AboutOffer, AboutPick, AboutSkip, Decision
from chat.context import BotContext
from chat.messaging import Button, say
from chat.place import latest_place
from chat.screens import Family, expired, pressed, settle_press
from chat.states import END
from domain.translations import about_in
from storage.about import NOT_SAID
from storage.kinds import ParticipantStatus as Status
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
        "about/offer",
        buttons=[
            [(t.label("buttons.about_yes"), AboutOffer(Decision.YES).pack())],
            [(t.label("buttons.about_no"), AboutOffer(Decision.NO).pack())],
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
    """Shown in the person's language; what they pick is kept as the workshop wrote it
    (on_pick), so the counts of every language add up."""
    t = context.texts
    shown = about_in(question, context.language)
    rows: list[list[Button]] = [
        [(option, AboutPick(question.position, i).pack())]
        for i, option in enumerate(shown.options)
    ]
    rows.append([(t.label("buttons.prefer_not"), AboutSkip(question.position).pack())])
    await say(update, context, "about/question", buttons=rows, question=shown)


async def _submitted(
    update: Update, context: BotContext, family: type[Family]
) -> tuple[CallbackQuery, Participant, AboutQuestion | None, Family] | None:
    """The press, if the person has submitted their answers; with the about-you question
    they are at (None when all are answered). None after the expired reply."""
    press = await pressed(update, context, family)
    if press is None:
        return None
    query, user, data = press
    place = await latest_place(context, user.id)
    if place is None or place.status != Status.SUBMITTED:
        await expired(update, context)
        return None
    return query, place.participant, await _next(context, place.participant), data


async def on_offer(update: Update, context: BotContext) -> int | None:
    """Yes or no to the questions about the person."""
    found = await _submitted(update, context, AboutOffer)
    if found is None:
        return None
    query, _, question, offer = found
    if offer.decision is Decision.NO:
        await settle_press(update, context, query)
        await say(update, context, "about/declined")
        return END
    if question is None:
        return await expired(update, context)
    await settle_press(update, context, query)
    await _ask(update, context, question)
    return END


async def on_pick(update: Update, context: BotContext) -> int | None:
    """One option of the current about-you question."""
    found = await _submitted(update, context, AboutPick)
    if found is None:
        return None
    query, participant, question, pick = found
    if question is None or pick.position != question.position:
        return await expired(update, context)
    if pick.index >= len(question.options):
        return await expired(update, context)
    await settle_press(update, context, query)
    return await _keep(update, context, participant, question, question.options[pick.index])


async def on_skip(update: Update, context: BotContext) -> int | None:
    """'Prefer not to say' to the current about-you question."""
    found = await _submitted(update, context, AboutSkip)
    if found is None:
        return None
    query, participant, question, skip = found
    if question is None or skip.position != question.position:
        return await expired(update, context)
    await settle_press(update, context, query)
    return await _keep(update, context, participant, question, NOT_SAID)


async def _keep(
    update: Update,
    context: BotContext,
    participant: Participant,
    question: AboutQuestion,
    value: str,
) -> int:
    """Keep one about-you answer, then ask the next question or say thank you."""
    await context.storage.about.save(participant.id, question.id, value)
    following = await _next(context, participant)
    if following is None:
        await say(update, context, "about/thanks")
        return END
    await _ask(update, context, following)
    return END
