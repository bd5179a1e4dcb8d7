"""The "What matters to you" questions: one a message, each answer saved as it is given."""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from telegram import CallbackQuery, Message, Update

from chat.callbacks.journey import PickOf, QuestionAction, QuestionMove, QuestionPick
from chat.callbacks.loop import NoReminders
from chat.context import BotContext
from chat.messaging import acknowledge, say
from chat.place import (
    ANSWERING,
    BEFORE_QUESTIONS,
    ON_QUESTIONS,
    Place,
    answer_at,
    latest_place,
    place_of,
)
from chat.screens import (
    SCALE,
    expired,
    moved_on,
    next_button,
    on_screen,
    pressed,
    show_consent_step,
    show_place,
    show_question,
    show_review,
    show_screen,
    take_buttons_off,
)
from chat.states import END, INVITE, SHARE_WORKSHOP, State
from domain import relationships as rel
from domain.texts import SOURCE_LANGUAGE, texts
from storage.answers import Step
from storage.kinds import ParticipantStatus as Status
from storage.kinds import QuestionKind as Kind
from storage.models import Answer, Relationship

# Telegram cuts messages at 4,096 characters, so a text this long has probably been split.
LONG_TEXT = 4000
# Past this, a long answer stops waiting for more parts.
ANSWER_LIMIT = 20000


# ---- moving on -----------------------------------------------------------------------------


def next_step(place: Place) -> Step:
    """Where the person goes after the current question: the next one, or the review
    screen at the end or after changing one answer."""
    nxt = place.participant.position + 1
    if place.participant.changing or nxt >= place.total:
        return Step(Status.REVIEWING, place.total, changing=False)
    return Step(Status.ANSWERING, nxt)


async def save_and_advance(
    update: Update,
    context: BotContext,
    place: Place,
    value: object,
    *,
    skipped: bool = False,
    message_id: int | None = None,
    editable: bool = False,
) -> int:
    """Keep the answer and move on, in one transaction; then show where the person is."""
    question = place.question
    assert question is not None
    moved = await context.storage.answers.save_and_move(
        place.participant.id,
        question.id,
        value,
        to=next_step(place),
        skipped=skipped,
        message_id=message_id,
        editable=editable,
    )
    if moved is None:  # the same message again: it is already kept
        return State.QUESTIONS
    return await show_place(update, context, replace(place, participant=moved))


async def move_to(update: Update, context: BotContext, place: Place, step: Step) -> int:
    """Move without answering (Back, Next), then show where the person is."""
    participants = context.storage.participants
    await participants.move(
        place.participant.id, status=step.status, position=step.position, changing=step.changing
    )
    return await show_place(update, context, await refresh(context, place))


async def refresh(context: BotContext, place: Place) -> Place:
    """The same membership, read again after a change."""
    fresh = await place_of(context, await context.storage.participants.by_id(place.participant.id))
    return fresh or place


# ---- typed answers -------------------------------------------------------------------------


async def answer_text(update: Update, context: BotContext) -> int | None:
    """Keep what the person typed as the answer to their current question."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or message.text is None:
        return None
    place = await latest_place(context, user.id)
    if place is None or place.status not in ANSWERING:
        return await _text_elsewhere(update, context, place)
    return await _answer(update, context, place, message, message.text)


async def _answer(
    update: Update, context: BotContext, place: Place, message: Message, typed: str
) -> int:
    """Keep ``typed`` (a message's text or caption) as the answer to the current question."""
    question = place.question
    if question is None:
        await show_review(update, context, place)
        return State.QUESTIONS
    text = typed.strip()
    if question.kind == Kind.TEXT:
        return await _save_text(update, context, place, message, text)
    if question.kind == Kind.RELATIONSHIPS:
        return await _relationship_text(update, context, place, message, text)
    value = _match_option(question.kind, question.options, text)
    if value is None:
        await say(update, context, "common/use_buttons", kind=question.kind)
        await show_question(update, context, place)
        return State.QUESTIONS
    if question.kind == Kind.CHOICE:  # typed, not tapped: say which answer it was taken as
        await say(update, context, "questions/typed_choice_kept", option=value)
        value = question.as_written(str(value))
    return await save_and_advance(update, context, place, value, message_id=message.message_id)


def _match_option(kind: str, options: tuple[str, ...], text: str) -> str | int | None:
    folded = text.casefold().strip(" .")
    if kind == Kind.SCALE:
        return int(folded) if folded.isdigit() and int(folded) in SCALE else None
    for i, option in enumerate(options, start=1):
        if folded in (option.casefold(), str(i)):
            return option
    return None


async def _save_text(
    update: Update, context: BotContext, place: Place, message: Message, text: str
) -> int:
    question = place.question
    assert question is not None
    continuing = place.status == Status.CONTINUING
    if continuing:
        before = await answer_at(context, place)
        if before is not None and isinstance(before.value, str):
            text = f"{before.value}\n{text}"
    still_long = len(message.text or "") >= LONG_TEXT and len(text) < ANSWER_LIMIT
    # An answer made of several messages cannot follow an edit of one of them.
    editable = not continuing and not still_long
    if not still_long:
        return await save_and_advance(
            update, context, place, text, message_id=message.message_id, editable=editable
        )
    kept = await context.storage.answers.save_and_move(
        place.participant.id,
        question.id,
        text,
        to=Step(Status.CONTINUING),
        message_id=message.message_id,
        editable=editable,
    )
    if kept is not None:  # None: the same message again, already kept
        await show_screen(
            update,
            context,
            kept,
            "questions/long_answer",
            buttons=next_button(context.texts, place.participant.position),
            length=len(text),
        )
    return State.QUESTIONS


async def _relationship_text(
    update: Update, context: BotContext, place: Place, message: Message, text: str
) -> int:
    question = place.question
    assert question is not None
    entries = rel.entries_of(await answer_at(context, place))
    step = rel.step_of(entries)
    if len(text) > rel.WHO_LIMIT:  # never cut: say so, and ask again
        asked = rel.Step.WHO if step is rel.Step.MORE else step
        await say(
            update,
            context,
            "questions/relationship_too_long",
            step=asked.value,
            limit=rel.WHO_LIMIT,
            length=len(text),
        )
        await show_question(update, context, place)
        return State.QUESTIONS
    if step in (rel.Step.WHO, rel.Step.MORE):
        rel.current(entries).who = text
    elif step is rel.Step.OFTEN:  # a button's words typed are that button
        entries[-1].how_often = context.texts.as_written("relationships.how_often", text)
    else:
        support = context.texts.as_written("relationships.support", text)
        if support not in entries[-1].support:  # a kind of support, maybe in their words
            entries[-1].support.append(support)
    await context.storage.answers.save(
        place.participant.id, question.id, rel.value_of(entries), message_id=message.message_id
    )
    await show_question(update, context, place)
    return State.QUESTIONS


async def _text_elsewhere(update: Update, context: BotContext, place: Place | None) -> int | None:
    """Text that is not an answer: nothing is kept; say what the person can do."""
    if place is not None and place.status == Status.REVIEWING:
        await say(update, context, "common/use_buttons", kind="review")
        await show_review(update, context, place)
        return State.QUESTIONS
    await say(
        update,
        context,
        "questions/text_not_kept",
        workshop=place.workshop if place else None,
        status=place.status if place else None,
    )
    return END


async def not_text(update: Update, context: BotContext) -> int:
    """A sticker, photo, voice note or location while a question is waiting; the words
    written with a photo or file are the answer."""
    user = update.effective_user
    message = update.effective_message
    place = await latest_place(context, user.id) if user else None
    caption = message.caption.strip() if message is not None and message.caption else ""
    if message is not None and caption and place is not None and place.status in ANSWERING:
        await say(update, context, "questions/caption_kept")
        return await _answer(update, context, place, message, caption)
    await say(update, context, "common/not_text", asking=bool(place and place.status in ANSWERING))
    if place is not None and place.status in ON_QUESTIONS:
        return await show_place(update, context, place)
    return END


# ---- buttons -------------------------------------------------------------------------------


Press = TypeVar("Press", QuestionMove, QuestionPick)


async def _at_question(
    update: Update, context: BotContext, family: type[Press]
) -> tuple[CallbackQuery, Place, Press] | None:
    """The press, if it is on the person's screen and belongs to the question they are
    at; else None, after the moved-on or expired reply. The press is not answered yet:
    ``_accept`` answers it once the handler knows it will act on it."""
    press = await pressed(update, context, family)
    if press is None:
        return None
    query, user, data = press
    if not await on_screen(update, context):
        await moved_on(update, context)
        return None
    place = await latest_place(context, user.id)
    if (
        place is None
        or place.status not in ANSWERING
        or data.position != place.participant.position
        or place.question is None
    ):
        await expired(update, context)
        return None
    return query, place, data


async def _accept(
    update: Update, context: BotContext, query: CallbackQuery, *, in_place: bool = False
) -> None:
    """Answer the press; unless the screen changes in place, its buttons come off."""
    await acknowledge(query)
    if not in_place:
        await take_buttons_off(update, context)


def _has_answer(place: Place, answer: object) -> bool:
    """A text, choice or scale question answered before: its screen offers Keep and
    Clear, never Skip."""
    question = place.question
    return (
        question is not None
        and question.kind != Kind.RELATIONSHIPS
        and isinstance(answer, Answer)
        and not answer.skipped
    )


async def on_move(update: Update, context: BotContext) -> int | None:
    """Skip, Back, Pause, Next, Keep, Clear, and the steps of the relationships question."""
    found = await _at_question(update, context, QuestionMove)
    if found is None:
        return None
    query, place, data = found
    pid = place.participant.id
    action = data.action
    if action in _RELATIONSHIP_MOVES:
        return await _relationship_move(update, context, query, place, action)
    if action is QuestionAction.SKIP and _has_answer(place, await answer_at(context, place)):
        await moved_on(update, context)  # a Skip from before the answer: it stays
        return None
    await _accept(update, context, query)
    if action is QuestionAction.PAUSE:
        await context.storage.participants.move(pid, status=Status.PAUSED)
        # The reminders-off button belongs to the opt-out handlers.
        off = NoReminders(pid).pack()
        await say(
            update,
            context,
            "questions/paused",
            workshop=place.workshop,
            buttons=[[(context.texts.label("buttons.no_reminders"), off)]],
        )
        return END
    if action is QuestionAction.BACK:
        if place.participant.changing:
            back = Step(Status.REVIEWING, place.total, changing=False)
        else:
            back = Step(Status.ANSWERING, max(place.participant.position - 1, 0))
        return await move_to(update, context, place, back)
    if action in (QuestionAction.NEXT, QuestionAction.KEEP):
        return await move_to(update, context, place, next_step(place))
    if action is QuestionAction.CLEAR:
        return await save_and_advance(update, context, place, None, skipped=True)
    return await _skip(update, context, place)


_RELATIONSHIP_MOVES = (
    QuestionAction.SUPPORT_DONE,
    QuestionAction.ADD_ANOTHER,
    QuestionAction.THATS_ALL,
)


async def on_pick(update: Update, context: BotContext) -> int | None:
    """An option of the current question: a choice, a number, how often, a kind of support."""
    found = await _at_question(update, context, QuestionPick)
    if found is None:
        return None
    query, place, data = found
    if data.of is PickOf.ANSWER:
        return await _pick(update, context, query, place, data.index)
    return await _relationship_pick(update, context, query, place, data)


async def _skip(update: Update, context: BotContext, place: Place) -> int:
    question = place.question
    assert question is not None
    if question.kind == Kind.RELATIONSHIPS:
        kept = rel.finished(rel.entries_of(await answer_at(context, place)))
        if kept:
            return await save_and_advance(update, context, place, rel.value_of(kept))
    return await save_and_advance(update, context, place, None, skipped=True)


async def _pick(
    update: Update, context: BotContext, query: CallbackQuery, place: Place, index: int
) -> int:
    question = place.question
    assert question is not None
    if question.kind == Kind.CHOICE and index < len(question.options):
        value: str | int = question.as_written(question.options[index])
    elif question.kind == Kind.SCALE and index in SCALE:
        value = index
    else:
        return await expired(update, context)
    await _accept(update, context, query)
    return await save_and_advance(update, context, place, value)


async def _relationship_pick(
    update: Update, context: BotContext, query: CallbackQuery, place: Place, data: QuestionPick
) -> int:
    question = place.question
    assert question is not None
    if question.kind != Kind.RELATIONSHIPS:
        return await expired(update, context)
    entries = rel.entries_of(await answer_at(context, place))
    step = rel.step_of(entries)
    if data.of is PickOf.HOW_OFTEN and step is rel.Step.OFTEN:
        # Kept in the source language, as every tap is: see Texts.as_written.
        options = texts(SOURCE_LANGUAGE).labels("relationships.how_often")
        if data.index >= len(options):
            return await expired(update, context)
        entries[-1].how_often = options[data.index]
    elif data.of is PickOf.SUPPORT and step is rel.Step.SUPPORT:
        options = texts(SOURCE_LANGUAGE).labels("relationships.support")
        if data.index >= len(options):
            return await expired(update, context)
        label = options[data.index]
        chosen = entries[-1].support
        chosen.remove(label) if label in chosen else chosen.append(label)
    else:
        return await expired(update, context)
    # Ticking a kind of support edits the same message; everything else moves on.
    in_place = data.of is PickOf.SUPPORT
    await _accept(update, context, query, in_place=in_place)
    await context.storage.answers.save(place.participant.id, question.id, rel.value_of(entries))
    await show_question(update, context, place, in_place=in_place)
    return State.QUESTIONS


async def _relationship_move(
    update: Update,
    context: BotContext,
    query: CallbackQuery,
    place: Place,
    action: QuestionAction,
) -> int:
    question = place.question
    assert question is not None
    if question.kind != Kind.RELATIONSHIPS:
        return await expired(update, context)
    entries = rel.entries_of(await answer_at(context, place))
    step = rel.step_of(entries)
    if action is QuestionAction.SUPPORT_DONE and step is rel.Step.SUPPORT:
        entries[-1].complete = True
    elif action is QuestionAction.ADD_ANOTHER and step is rel.Step.MORE:
        entries.append(Relationship())  # the next name typed fills it in
    elif action is QuestionAction.THATS_ALL and step is rel.Step.MORE:
        await _accept(update, context, query)
        finished = rel.value_of(rel.finished(entries))
        return await save_and_advance(update, context, place, finished)
    else:
        return await expired(update, context)
    await _accept(update, context, query)
    await context.storage.answers.save(place.participant.id, question.id, rel.value_of(entries))
    await show_question(update, context, place)
    return State.QUESTIONS


# ---- resuming ------------------------------------------------------------------------------


async def resume(update: Update, context: BotContext) -> int:
    """Carry on where the person left off, in the workshop they used last."""
    user = update.effective_user
    if user is None:
        return END
    context.memory.pop(INVITE, None)
    context.memory.pop(SHARE_WORKSHOP, None)
    place = await latest_place(context, user.id)
    if place is None:
        await say(update, context, "common/nothing_to_resume")
        return END
    if place.status in BEFORE_QUESTIONS:
        return await show_consent_step(update, context, place.workshop, place.participant)
    if place.status == Status.SUBMITTED:
        await say(update, context, "journey/already_submitted", workshop=place.workshop)
        return END
    if place.status == Status.PAUSED:
        at_end = place.participant.position >= place.total
        status = Status.REVIEWING if at_end else Status.ANSWERING
        await context.storage.participants.move(place.participant.id, status=status)
        place = await refresh(context, place)
    await say(update, context, "journey/welcome_back", workshop=place.workshop)
    return await show_place(update, context, place)


async def cancel(update: Update, context: BotContext) -> int:
    """Leave the questions; every answer given so far stays saved."""
    user = update.effective_user
    place = await latest_place(context, user.id) if user else None
    if place is not None and place.status in ON_QUESTIONS:
        await context.storage.participants.move(place.participant.id, status=Status.PAUSED)
        await say(update, context, "questions/paused", workshop=place.workshop)
    else:
        await say(update, context, "common/nothing_to_cancel")
    return END
