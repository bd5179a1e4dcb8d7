"""What a person is shown at each place in their journey, and how to get back to it.

Handlers change the database and then call these; nothing here changes data except to
record that the consent screens are complete.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from telegram import CallbackQuery, Update, User
from telegram.error import BadRequest

from chat.callbacks import CallbackData
from chat.callbacks.journey import (
    ChangeAnswer,
    ConsentDecision,
    ConsentNext,
    ConsentStep,
    Decision,
    PickOf,
    QuestionAction,
    QuestionMove,
    QuestionPick,
    ShareEnd,
    ShareFinish,
    SubmitAnswers,
)
from chat.context import BotContext
from chat.messaging import Button, acknowledge, replace, retire_buttons, say, send
from chat.place import (
    BEFORE_QUESTIONS,
    CONSENTING,
    ON_QUESTIONS,
    Place,
    answer_at,
    latest_place,
)
from chat.states import END, FEEDBACK_ON, INVITE, SHARE_WORKSHOP, State
from domain import relationships as rel
from domain.texts import SOURCE_LANGUAGE, Texts, sha256, texts
from storage.kinds import ParticipantStatus, Purpose, QuestionKind
from storage.models import Consent, Participant, Relationship, Workshop

log = logging.getLogger(__name__)

SCALE = range(1, 6)
Family = TypeVar("Family", bound=CallbackData)

# ---- the screen message --------------------------------------------------------------------
# A person's question or review screen is one message at a time: showing the next takes
# the buttons off the last, and a button on any other message has moved on.


def _pressed_message_id(update: Update) -> int | None:
    query = update.callback_query
    return query.message.message_id if query is not None and query.message else None


async def take_buttons_off(update: Update, context: BotContext) -> None:
    """Take the buttons off the person's screen message, if they are still on it."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    message_id = await context.storage.participants.take_screen_buttons(user.id)
    if message_id is not None:
        await _edit_buttons_off(context, chat.id, message_id)


async def _edit_buttons_off(context: BotContext, chat_id: int, message_id: int) -> None:
    try:
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    except BadRequest as exc:
        log.info("could not take the buttons off a screen: %s", exc.message)


async def show_screen(
    update: Update,
    context: BotContext,
    participant: Participant,
    template: str,
    /,
    *,
    buttons: Sequence[Sequence[Button]],
    **values: Any,
) -> None:
    """Send the person's new screen and remember it; the last one's buttons come off.

    Remembering the new screen forgets the last one's buttons in the same write; only
    when nothing could be sent is that noted by itself.
    """
    participants = context.storage.participants
    user, chat = update.effective_user, update.effective_chat
    old = await participants.screen_message(user.id) if user is not None else None
    if old is not None and old[1] and chat is not None:
        await _edit_buttons_off(context, chat.id, old[0])
    sent = False
    try:
        message = await say(update, context, template, buttons=buttons, **values)
        if message is not None:
            await participants.set_screen_message(
                participant.id, message.message_id, buttons=bool(buttons)
            )
            sent = True
    finally:
        if not sent and old is not None and old[1] and user is not None:
            await participants.screen_buttons_gone(user.id)


async def on_screen(update: Update, context: BotContext) -> bool:
    """Whether the pressed button is on the person's screen message (or no screen is
    known, as for a screen shown before the bot remembered them)."""
    user = update.effective_user
    pressed_id = _pressed_message_id(update)
    if user is None or pressed_id is None:
        return True
    screen = await context.storage.participants.screen_message(user.id)
    return screen is None or screen[0] == pressed_id


async def moved_on(update: Update, context: BotContext) -> None:
    """A button on a message that has been superseded: say so briefly, change nothing."""
    query = update.callback_query
    if query is not None:
        await acknowledge(query, context.texts.plain("common/moved_on"))


# ---- asking --------------------------------------------------------------------------------


async def show_question(
    update: Update, context: BotContext, place: Place, *, in_place: bool = False
) -> None:
    """Ask the current question, with the progress line and what the person said before.

    ``in_place`` edits the pressed message instead (ticking support types on and off).
    """
    question = place.question
    if question is None:
        await show_review(update, context, place)
        return
    t = context.texts
    pos = place.participant.position
    answer = await answer_at(context, place)
    rows: list[list[Button]] = []
    values: dict[str, Any] = {
        "step": None,
        "entries": [],
        "entry": None,
        "previous": None,
        "limit": rel.WHO_LIMIT,
        "own": [],
    }
    if question.kind == QuestionKind.RELATIONSHIPS:
        entries = rel.entries_of(answer)
        step = rel.step_of(entries)
        values["step"] = step.value
        values["entries"] = [e for e in entries if e.complete]
        values["entry"] = entries[-1] if entries and not entries[-1].complete else None
        if step is rel.Step.SUPPORT:
            values["own"] = _own_words(t, entries[-1])
        rows += _relationship_buttons(t, pos, step, entries)
        # Back at a finished list: "That's everyone" keeps it, so Skip would only mislead.
        kept = step is rel.Step.MORE
    else:
        kept = answer is not None and not answer.skipped
        if answer is not None and kept:
            values["previous"] = question.as_shown(answer.value)
        if question.kind == QuestionKind.CHOICE:
            rows += [
                [(option, QuestionPick(PickOf.ANSWER, pos, i).pack())]
                for i, option in enumerate(question.options)
            ]
        elif question.kind == QuestionKind.SCALE:
            rows.append([(str(n), QuestionPick(PickOf.ANSWER, pos, n).pack()) for n in SCALE])
    rows += _navigation(t, place, kept=kept, keep=question.kind != QuestionKind.RELATIONSHIPS)
    values.update(
        question=question,
        number=place.number,
        total=place.total,
        changing=place.participant.changing,
    )
    query = update.callback_query
    if in_place and query is not None:
        shown = await replace(query, context, "questions/question", buttons=rows, **values)
        if shown is not None and shown.message_id != _pressed_message_id(update):
            await context.storage.participants.set_screen_message(
                place.participant.id, shown.message_id
            )
    else:
        await show_screen(
            update, context, place.participant, "questions/question", buttons=rows, **values
        )


def _own_words(t: Texts, entry: Relationship) -> list[str]:
    """What the person typed for this relationship instead of tapping a button, said back
    so they know it was understood."""
    written = texts(SOURCE_LANGUAGE)  # what a tap stores, whatever the person reads
    tapped = written.labels("relationships.how_often")
    often = [entry.how_often] if entry.how_often not in tapped else []
    support = written.labels("relationships.support")
    return [w for w in often if w] + [s for s in entry.support if s not in support]


def _relationship_buttons(
    t: Texts, pos: int, step: rel.Step, entries: list[Relationship]
) -> list[list[Button]]:
    if step is rel.Step.OFTEN:
        return _pairs(
            [
                (label, QuestionPick(PickOf.HOW_OFTEN, pos, i).pack())
                for i, label in enumerate(t.labels("relationships.how_often"))
            ]
        )
    if step is rel.Step.SUPPORT:
        chosen = set(entries[-1].support)
        written = texts(SOURCE_LANGUAGE).labels("relationships.support")
        rows = _pairs(
            [
                (
                    ("✓ " if written[i] in chosen else "") + label,
                    QuestionPick(PickOf.SUPPORT, pos, i).pack(),
                )
                for i, label in enumerate(t.labels("relationships.support"))
            ]
        )
        rows.append([_move(t, "buttons.support_done", QuestionAction.SUPPORT_DONE, pos)])
        return rows
    if step is rel.Step.MORE:
        return [
            [
                _move(t, "buttons.add_another", QuestionAction.ADD_ANOTHER, pos),
                _move(t, "buttons.thats_all", QuestionAction.THATS_ALL, pos),
            ]
        ]
    return []


def _move(t: Texts, label: str, action: QuestionAction, position: int) -> Button:
    return (t.label(label), QuestionMove(action, position).pack())


def _navigation(t: Texts, place: Place, *, kept: bool, keep: bool) -> list[list[Button]]:
    """Back, Skip and Pause; at a question already answered, Keep and Clear instead of Skip
    (``keep``: the question has no keeping button of its own)."""
    pos = place.participant.position
    rows: list[list[Button]] = []
    row: list[Button] = []
    if pos > 0 or place.participant.changing:
        row.append(_move(t, "buttons.back", QuestionAction.BACK, pos))
    if kept:
        clear = _move(t, "buttons.clear_answer", QuestionAction.CLEAR, pos)
        if keep:
            rows.append([_move(t, "buttons.keep_answer", QuestionAction.KEEP, pos), clear])
        else:
            rows.append([clear])
    else:
        row.append(_move(t, "buttons.skip", QuestionAction.SKIP, pos))
    row.append(_move(t, "buttons.pause", QuestionAction.PAUSE, pos))
    rows.append(row)
    return rows


def next_button(t: Texts, position: int) -> list[list[Button]]:
    """The one button under a long answer that is still arriving in parts."""
    return [[_move(t, "buttons.next", QuestionAction.NEXT, position)]]


def _pairs(buttons: list[Button]) -> list[list[Button]]:
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


async def show_place(update: Update, context: BotContext, place: Place) -> int:
    """Show the question or review screen the person is at, and return the state for it."""
    if place.status == ParticipantStatus.REVIEWING or place.question is None:
        await show_review(update, context, place)
    else:
        await show_question(update, context, place)
    return State.QUESTIONS


# ---- review --------------------------------------------------------------------------------

CHANGE_BUTTONS_PER_ROW = 3


async def show_review(update: Update, context: BotContext, place: Place) -> None:
    """List the answers given so far, with a Change button for each question."""
    answers = await context.storage.answers.for_participant(place.participant.id)
    t = context.texts
    rows: list[list[Button]] = []
    row: list[Button] = []
    for question in place.questions:
        label = t.label("buttons.change", n=question.position + 1)
        row.append((label, ChangeAnswer(question.position).pack()))
        if len(row) == CHANGE_BUTTONS_PER_ROW:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    rows.append([(t.label("buttons.submit"), SubmitAnswers().pack())])
    await show_screen(
        update,
        context,
        place.participant,
        "questions/review",
        buttons=rows,
        workshop=place.workshop,
        items=[(q, answers.get(q.id)) for q in place.questions],
    )


# ---- consent -------------------------------------------------------------------------------


def consent_text(t: Texts, purpose: Purpose, workshop: Workshop) -> str:
    """The exact words shown for one purpose; their hash goes into the consent record."""
    return t.render(f"journey/consent_{purpose}", workshop=workshop)


def text_version(html: str) -> str:
    """A short version of a text, carried in its buttons: a decision is recorded only for
    the words it was shown with."""
    return base64.urlsafe_b64encode(hashlib.sha256(html.encode("utf-8")).digest())[:4].decode()


def consent_buttons(t: Texts, purpose: Purpose, workshop: Workshop) -> list[list[Button]]:
    code = workshop.invite_code
    version = text_version(consent_text(t, purpose, workshop))
    rows = [
        [
            (
                t.label(f"buttons.{purpose}_{d}"),
                ConsentDecision(d, purpose, code, version).pack(),
            )
        ]
        for d in Decision
    ]
    if purpose == Purpose.TAKE_PART:
        more = ConsentNext(ConsentStep.MORE, code).pack()
        rows.append([(t.label("buttons.tell_more"), more)])
    return rows


async def show_consent_step(
    update: Update, context: BotContext, workshop: Workshop, participant: Participant | None
) -> int:
    """Ask about the next purpose not yet decided, or show the ground rules once all are."""
    t = context.texts
    context.memory[INVITE] = workshop.invite_code
    consents = await context.storage.participants.consents(participant.id) if participant else {}
    purpose = next_purpose(consents)
    if purpose is not None:
        await ask_consent(update, context, workshop, purpose)
        return State.CONSENT
    assert participant is not None
    # All decided but not marked ready: a record from before the two landed together.
    if participant.status == ParticipantStatus.CONSENTING:
        await context.storage.participants.move(participant.id, status=ParticipantStatus.READY)
    code = workshop.invite_code
    await say(
        update,
        context,
        "journey/ground_rules",
        buttons=[
            [(t.label("buttons.start_questions"), ConsentNext(ConsentStep.GO, code).pack())],
            [(t.label("buttons.later"), ConsentNext(ConsentStep.LATER, code).pack())],
        ],
        workshop=workshop,
    )
    return State.CONSENT


def next_purpose(
    consents: Mapping[Purpose, Consent], *, deciding: Purpose | None = None
) -> Purpose | None:
    """The first purpose still to be decided (taking part until it is agreed), if any;
    ``deciding`` counts as decided (it is being recorded now)."""
    for purpose in Purpose:
        if purpose == deciding:
            continue
        decided = consents.get(purpose)
        if decided is None or decided.withdrawn_at is not None:
            return purpose
        if purpose == Purpose.TAKE_PART and not decided.granted:
            return purpose
    return None


async def ask_consent(
    update: Update, context: BotContext, workshop: Workshop, purpose: Purpose
) -> None:
    """Show the words for one purpose with its yes / no buttons."""
    chat = update.effective_chat
    if chat is not None:
        t = context.texts
        html = consent_text(t, purpose, workshop)
        await send(context, chat.id, html, consent_buttons(t, purpose, workshop))


async def settle_consent(
    update: Update, context: BotContext, query: CallbackQuery, pressed: ConsentDecision
) -> None:
    """Answer a consent press: its message keeps the words, shows the choice made under
    them, and loses its buttons."""
    await acknowledge(query)
    t = context.texts
    workshop = await context.storage.workshops.by_invite(pressed.invite)
    if workshop is None:
        await retire_buttons(query)
        return
    choice = t.label(f"buttons.{pressed.purpose}_{pressed.decision}")
    html = t.render(
        "journey/consent_chosen", purpose=pressed.purpose, workshop=workshop, choice=choice
    )
    try:
        await query.edit_message_text(html, reply_markup=None)
    except BadRequest as exc:
        log.info("could not show the consent choice: %s", exc.message)
        await retire_buttons(query)


def text_hash(t: Texts, purpose: Purpose, workshop: Workshop) -> str:
    return sha256(consent_text(t, purpose, workshop))


# ---- sharing a view ------------------------------------------------------------------------


async def show_share_prompt(update: Update, context: BotContext, workshop: Workshop) -> int:
    """Invite the person to write, showing anything they have already started."""
    t = context.texts
    context.memory[SHARE_WORKSHOP] = workshop.id
    participant = await _member(context, update, workshop.id)
    drafts = await context.storage.views.drafts(participant.id) if participant else []
    rows = share_buttons(t, done=bool(drafts))
    await say(update, context, "share/prompt", buttons=rows, workshop=workshop, drafts=drafts)
    return State.SHARING


def share_buttons(t: Texts, *, done: bool) -> list[list[Button]]:
    """Done (when there is something to share) and Cancel, under a view being written."""
    rows: list[list[Button]] = []
    if done:
        rows.append([(t.label("buttons.share_done"), ShareFinish(ShareEnd.DONE).pack())])
    rows.append([(t.label("buttons.cancel"), ShareFinish(ShareEnd.CANCEL).pack())])
    return rows


async def _member(context: BotContext, update: Update, workshop_id: int) -> Participant | None:
    user = update.effective_user
    if user is None:
        return None
    return await context.storage.participants.get(workshop_id, user.id)


# ---- finding the way back ------------------------------------------------------------------


async def show_where_you_are(
    update: Update,
    context: BotContext,
    *,
    intro: str | None = None,
    nowhere: str | None = None,
) -> int:
    """Show the screen the person was on, so nothing they were doing is lost.

    ``intro`` is said first when there is such a screen; ``nowhere`` when there is not.
    """
    user = update.effective_user
    if user is None:
        return END

    async def lead() -> None:
        # A screen is shown again: the next text answers it, not an earlier feedback prompt.
        context.memory.pop(FEEDBACK_ON, None)
        if intro is not None:
            await say(update, context, intro)

    storage = context.storage
    share_workshop = context.memory.get(SHARE_WORKSHOP)
    if isinstance(share_workshop, int):
        workshop = await storage.workshops.get(share_workshop)
        if workshop is not None and await _member(context, update, workshop.id):
            await lead()
            return await show_share_prompt(update, context, workshop)
    if share_workshop is not None:  # None while choosing a workshop: keep that
        context.memory.pop(SHARE_WORKSHOP, None)
    invite = context.memory.get(INVITE)
    if isinstance(invite, str):
        workshop = await storage.workshops.by_invite(invite)
        if workshop is not None and workshop.is_open:
            participant = await storage.participants.get(workshop.id, user.id)
            if participant is None or participant.status in CONSENTING:
                await lead()
                return await show_consent_step(update, context, workshop, participant)
        context.memory.pop(INVITE, None)
    place = await latest_place(context, user.id)
    if place is not None and place.status in ON_QUESTIONS:
        await lead()
        return await show_place(update, context, place)
    if place is not None and place.status in BEFORE_QUESTIONS:
        await lead()
        return await show_consent_step(update, context, place.workshop, place.participant)
    if nowhere is not None:
        await say(update, context, nowhere)
    if place is not None and place.status == ParticipantStatus.PAUSED:
        await say(update, context, "questions/paused_reminder", workshop=place.workshop)
    return END


async def pressed(
    update: Update, context: BotContext, family: type[Family]
) -> tuple[CallbackQuery, User, Family] | None:
    """The button press, its presser and its data read as ``family``; None (after saying
    the button has expired) when the data is malformed, forged or of another family."""
    query = update.callback_query
    user = update.effective_user
    data: Family | None = None
    if query is not None:
        data = family.unpack(query.data)
    if query is None or user is None or data is None:
        await expired(update, context)
        return None
    return query, user, data


async def expired(update: Update, context: BotContext) -> int:
    """Answer a button from an old message (or forged data) kindly, and show the way back."""
    query = update.callback_query
    if query is not None:
        await settle_press(update, context, query)
    return await show_where_you_are(
        update, context, intro="common/expired", nowhere="common/expired_nowhere"
    )


async def settle_press(update: Update, context: BotContext, query: CallbackQuery) -> None:
    """Answer a button press and take the buttons off its message, once: through the
    screen's record when the message is the person's screen."""
    await acknowledge(query)
    user = update.effective_user
    screen = await context.storage.participants.screen_message(user.id) if user else None
    if screen is not None and screen[0] == _pressed_message_id(update):
        await take_buttons_off(update, context)
    else:
        await retire_buttons(query)
