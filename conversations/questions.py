"""The "What matters to you" questions: one a message, each answer saved as it is given."""

from __future__ import annotations

from telegram import Message, Update

from chat import callbacks
from chat.callbacks import Callback
from chat.context import BotContext
from chat.messaging import acknowledge, retire_buttons, say
from chat.place import ANSWERING, Place, answer_at, latest_place, place_of
from chat.screens import (
    SCALE,
    expired,
    show_consent_step,
    show_place,
    show_question,
    show_review,
)
from chat.states import END, INVITE, SHARE_WORKSHOP, State
from domain import relationships as rel

# Telegram cuts messages at 4,096 characters, so a text this long has probably been split.
LONG_TEXT = 4000
# Past this, a long answer stops waiting for more parts.
ANSWER_LIMIT = 20000


# ---- moving on -----------------------------------------------------------------------------


async def advance(update: Update, context: BotContext, place: Place) -> int:
    """Go to the next question, or back to the review screen after a change."""
    participants = context.storage.participants
    participant_id = place.participant.id
    nxt = place.participant.position + 1
    if place.participant.changing or nxt >= place.total:
        await participants.move(
            participant_id, status="reviewing", position=place.total, changing=False
        )
    else:
        await participants.move(participant_id, status="answering", position=nxt)
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
    question = place.question
    if question is None:
        await show_review(update, context, place)
        return State.QUESTIONS
    text = message.text.strip()
    if question.kind == "text":
        return await _save_text(update, context, place, message, text)
    if question.kind == "relationships":
        return await _relationship_text(update, context, place, message, text)
    value = _match_option(question.kind, question.options, text)
    if value is None:
        await say(update, context, "use_buttons", kind=question.kind)
        await show_question(update, context, place)
        return State.QUESTIONS
    saved = await context.storage.answers.save(
        place.participant.id, question.id, value, message_id=message.message_id
    )
    return await advance(update, context, place) if saved else State.QUESTIONS


def _match_option(kind: str, options: tuple[str, ...], text: str) -> str | int | None:
    folded = text.casefold().strip(" .")
    if kind == "scale":
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
    answers = context.storage.answers
    continuing = place.status == "continuing"
    if continuing:
        before = await answer_at(context, place)
        if before is not None and isinstance(before.value, str):
            text = f"{before.value}\n{text}"
    still_long = len(message.text or "") >= LONG_TEXT and len(text) < ANSWER_LIMIT
    saved = await answers.save(
        place.participant.id,
        question.id,
        text,
        message_id=message.message_id,
        # An answer made of several messages cannot follow an edit of one of them.
        editable=not continuing and not still_long,
        status="continuing" if still_long else None,
    )
    if not saved:  # the same message again: it is already kept
        return State.QUESTIONS
    if still_long:
        next_button = callbacks.make("wm", "next", place.participant.position)
        await say(
            update,
            context,
            "long_answer",
            buttons=[[(context.texts.label("buttons.next"), next_button)]],
            length=len(text),
        )
        return State.QUESTIONS
    if continuing:
        place = await refresh(context, place)
        await context.storage.participants.move(place.participant.id, status="answering")
        place = await refresh(context, place)
    return await advance(update, context, place)


async def _relationship_text(
    update: Update, context: BotContext, place: Place, message: Message, text: str
) -> int:
    question = place.question
    assert question is not None
    entries = rel.entries_of(await answer_at(context, place))
    step = rel.step_of(entries)
    if step in (rel.Step.WHO, rel.Step.MORE):
        rel.current(entries).who = text[: rel.WHO_LIMIT]
    elif step is rel.Step.OFTEN:
        entries[-1].how_often = text[: rel.WHO_LIMIT]
    else:  # a kind of support in their own words
        if text[: rel.WHO_LIMIT] not in entries[-1].support:
            entries[-1].support.append(text[: rel.WHO_LIMIT])
    await context.storage.answers.save(
        place.participant.id, question.id, rel.value_of(entries), message_id=message.message_id
    )
    await show_question(update, context, place)
    return State.QUESTIONS


async def _text_elsewhere(update: Update, context: BotContext, place: Place | None) -> int | None:
    """Text that is not an answer: nothing is kept; say what the person can do."""
    if place is not None and place.status == "reviewing":
        await say(update, context, "use_buttons", kind="review")
        await show_review(update, context, place)
        return State.QUESTIONS
    await say(
        update,
        context,
        "text_not_kept",
        workshop=place.workshop if place else None,
        status=place.status if place else None,
    )
    return END


async def not_text(update: Update, context: BotContext) -> int:
    """A sticker, photo, voice note or location while a question is waiting."""
    user = update.effective_user
    place = await latest_place(context, user.id) if user else None
    await say(update, context, "not_text", asking=bool(place and place.status in ANSWERING))
    if place is not None and place.status in (*ANSWERING, "reviewing"):
        return await show_place(update, context, place)
    return END


# ---- buttons -------------------------------------------------------------------------------


async def on_button(update: Update, context: BotContext) -> int | None:
    """Skip, Back, Pause, Next and the answer buttons of the current question."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return None
    cb = callbacks.parse(query.data)
    place = await latest_place(context, user.id)
    if (
        cb is None
        or place is None
        or place.status not in ANSWERING
        or cb.int_arg(0) != place.participant.position
        or place.question is None
    ):
        return await expired(update, context)
    await acknowledge(query)
    if cb.action != "sup":  # ticking a support type edits the same message
        await retire_buttons(query)
    return await _act(update, context, place, cb)


async def _act(update: Update, context: BotContext, place: Place, cb: Callback) -> int:
    question = place.question
    assert question is not None
    storage = context.storage
    pid = place.participant.id
    if cb.action == "pause":
        await storage.participants.move(pid, status="paused")
        off = callbacks.make("rm", "off", pid)
        await say(
            update,
            context,
            "paused",
            workshop=place.workshop,
            buttons=[[(context.texts.label("buttons.no_reminders"), off)]],
        )
        return END
    if cb.action == "back":
        if place.participant.changing:
            await storage.participants.move(
                pid, status="reviewing", position=place.total, changing=False
            )
        else:
            await storage.participants.move(
                pid, status="answering", position=max(place.participant.position - 1, 0)
            )
        return await show_place(update, context, await refresh(context, place))
    if cb.action == "next":
        await storage.participants.move(pid, status="answering")
        return await advance(update, context, await refresh(context, place))
    if cb.action == "skip":
        return await _skip(update, context, place)
    if cb.action == "pick":
        return await _pick(update, context, place, cb.int_arg(1))
    return await _relationship_button(update, context, place, cb)


async def _skip(update: Update, context: BotContext, place: Place) -> int:
    question = place.question
    assert question is not None
    answers = context.storage.answers
    if question.kind == "relationships":
        kept = rel.finished(rel.entries_of(await answer_at(context, place)))
        if kept:
            await answers.save(place.participant.id, question.id, rel.value_of(kept))
            return await advance(update, context, place)
    await answers.save(place.participant.id, question.id, None, skipped=True)
    return await advance(update, context, place)


async def _pick(update: Update, context: BotContext, place: Place, index: int) -> int:
    question = place.question
    assert question is not None
    if question.kind == "choice" and index < len(question.options):
        value: str | int = question.options[index]
    elif question.kind == "scale" and index in SCALE:
        value = index
    else:
        return await expired(update, context)
    await context.storage.answers.save(place.participant.id, question.id, value)
    return await advance(update, context, place)


async def _relationship_button(
    update: Update, context: BotContext, place: Place, cb: Callback
) -> int:
    question = place.question
    assert question is not None
    if question.kind != "relationships":
        return await expired(update, context)
    t = context.texts
    entries = rel.entries_of(await answer_at(context, place))
    step = rel.step_of(entries)
    if cb.action == "often" and step is rel.Step.OFTEN:
        options = t.labels("relationships.how_often")
        if cb.int_arg(1) >= len(options):
            return await expired(update, context)
        entries[-1].how_often = options[cb.int_arg(1)]
    elif cb.action == "sup" and step is rel.Step.SUPPORT:
        options = t.labels("relationships.support")
        if cb.int_arg(1) >= len(options):
            return await expired(update, context)
        label = options[cb.int_arg(1)]
        chosen = entries[-1].support
        chosen.remove(label) if label in chosen else chosen.append(label)
    elif cb.action == "supdone" and step is rel.Step.SUPPORT:
        entries[-1].complete = True
    elif cb.action == "more" and step is rel.Step.MORE:
        pass  # the next name typed starts a new entry
    elif cb.action == "enough" and step is rel.Step.MORE:
        await context.storage.answers.save(
            place.participant.id, question.id, rel.value_of(rel.finished(entries))
        )
        return await advance(update, context, place)
    else:
        return await expired(update, context)
    if cb.action == "more":
        entries.append(rel.Relationship())
    await context.storage.answers.save(place.participant.id, question.id, rel.value_of(entries))
    await show_question(update, context, place, in_place=cb.action == "sup")
    return State.QUESTIONS


# ---- resuming ------------------------------------------------------------------------------


async def resume(update: Update, context: BotContext) -> int:
    """Carry on where the person left off, in the workshop they used last."""
    user = update.effective_user
    if user is None:
        return END
    context.user_data.pop(INVITE, None)
    context.user_data.pop(SHARE_WORKSHOP, None)
    place = await latest_place(context, user.id)
    if place is None:
        await say(update, context, "nothing_to_resume")
        return END
    if place.status in ("consenting", "ready"):
        return await show_consent_step(update, context, place.workshop, place.participant)
    if place.status == "submitted":
        await say(update, context, "already_submitted", workshop=place.workshop)
        return END
    if place.status == "paused":
        status = "reviewing" if place.participant.position >= place.total else "answering"
        await context.storage.participants.move(place.participant.id, status=status)
        place = await refresh(context, place)
    await say(update, context, "welcome_back", workshop=place.workshop)
    return await show_place(update, context, place)


async def cancel(update: Update, context: BotContext) -> int:
    """Leave the questions; every answer given so far stays saved."""
    user = update.effective_user
    place = await latest_place(context, user.id) if user else None
    if place is not None and place.status in (*ANSWERING, "reviewing"):
        await context.storage.participants.move(place.participant.id, status="paused")
        await say(update, context, "paused", workshop=place.workshop)
    else:
        await say(update, context, "nothing_to_cancel")
    return END
