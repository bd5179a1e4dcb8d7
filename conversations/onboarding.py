"""Joining a workshop: the invite link, an honest welcome, and consent purpose by purpose."""

from __future__ import annotations

import re

from telegram import CallbackQuery, Update, User

from chat.callbacks.journey import ConsentDecision, ConsentNext, ConsentStep
from chat.context import BotContext
from chat.messaging import say
from chat.place import BEFORE_QUESTIONS, GONE, place_of
from chat.screens import (
    ask_consent,
    consent_text,
    expired,
    next_purpose,
    pressed,
    settle_consent,
    settle_press,
    show_consent_step,
    show_place,
    show_where_you_are,
    text_version,
)
from chat.states import END, INVITE, SHARE_WORKSHOP, State
from conversations.questions import resume
from domain.texts import language_name, sha256
from handlers.facilitator import team
from storage.kinds import ParticipantStatus as Status
from storage.kinds import Purpose
from storage.models import Participant, Workshop
from storage.workshops import FACILITATOR_PREFIX

# Telegram deep-link payloads: up to 64 of these characters.
PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
METHOD = "telegram-button"


async def start(update: Update, context: BotContext) -> int:
    """Open the workshop behind an invite link, or explain how to join one."""
    user = update.effective_user
    if user is None:
        return END
    context.memory.pop(SHARE_WORKSHOP, None)
    storage = context.storage
    if not context.args:
        context.memory.pop(INVITE, None)
        memberships = await storage.participants.memberships(user.id)
        workshops = [await storage.workshops.get(m.workshop_id) for m in memberships]
        await say(
            update,
            context,
            "journey/start_no_code",
            memberships=[(m, w) for m, w in zip(memberships, workshops, strict=True) if w],
            total_of={
                m.workshop_id: len(await storage.workshops.questions(m.workshop_id))
                for m in memberships
            },
        )
        return END
    code = context.args[0]
    if PAYLOAD.match(code) and code.startswith(FACILITATOR_PREFIX):
        context.memory.pop(INVITE, None)
        await team.redeem(update, context, code)
        return END
    workshop = await storage.workshops.by_invite(code) if PAYLOAD.match(code) else None
    if workshop is None:
        await say(update, context, "journey/invite_unknown", malformed=not PAYLOAD.match(code))
        return END
    context.otherwise_speak(workshop.language)
    await storage.opens.record(workshop.id, user.id)
    participant = await storage.participants.get(workshop.id, user.id)
    joined = participant is not None and participant.status not in GONE
    if not workshop.is_open and not joined:
        context.memory.pop(INVITE, None)
        await say(update, context, "journey/workshop_closed", workshop=workshop)
        return END
    if participant is None or not joined:
        # Told at once when the workshop's own words are not in the person's language.
        other = None if context.language in workshop.languages else workshop.language
        await say(
            update,
            context,
            "journey/welcome",
            workshop=workshop,
            written_in=language_name(other) if other else None,
        )
        return await show_consent_step(update, context, workshop, None)
    return await _welcome_back(update, context, workshop, participant)


async def _welcome_back(
    update: Update, context: BotContext, workshop: Workshop, participant: Participant
) -> int:
    if participant.status in BEFORE_QUESTIONS:
        return await show_consent_step(update, context, workshop, participant)
    context.memory.pop(INVITE, None)
    if participant.status == Status.SUBMITTED:
        await say(update, context, "journey/already_submitted", workshop=workshop)
        return END
    # Whatever they were doing in this workshop, they carry on from where they were.
    await context.storage.participants.make_current(participant.id)
    return await resume(update, context)


async def _joining(
    update: Update, context: BotContext, user: User, invite: str
) -> tuple[Workshop, Participant | None] | None:
    """The workshop a consent button names, if it may still be joined, and the presser's
    membership of it; None after the expired reply."""
    storage = context.storage
    workshop = await storage.workshops.by_invite(invite)
    if workshop is None:
        await expired(update, context)
        return None
    context.otherwise_speak(workshop.language)
    participant = await storage.participants.get(workshop.id, user.id)
    if not workshop.is_open and (participant is None or participant.status in GONE):
        # Closed to new people, and they are not (or no longer) in it: an old button
        # cannot let them in.
        query = update.callback_query
        if query is not None:
            await settle_press(update, context, query)
        context.memory.pop(INVITE, None)
        await say(update, context, "journey/workshop_closed", workshop=workshop)
        return None
    return workshop, participant


async def on_consent_step(update: Update, context: BotContext) -> int | None:
    """Tell me more, start the questions, or start them later."""
    press = await pressed(update, context, ConsentNext)
    if press is None:
        return None
    query, user, button = press
    joining = await _joining(update, context, user, button.invite)
    if joining is None:
        return None
    workshop, participant = joining
    step = button.step
    storage = context.storage
    if step is ConsentStep.MORE:
        await settle_press(update, context, query)
        await say(update, context, "journey/consent_more", workshop=workshop)
        if participant is not None and participant.status not in GONE:
            return await show_where_you_are(update, context)  # they have already agreed
        await ask_consent(update, context, workshop, Purpose.TAKE_PART)
        return State.CONSENT
    if participant is None or participant.status != Status.READY:
        return await expired(update, context)
    await settle_press(update, context, query)
    context.memory.pop(INVITE, None)
    context.memory.pop(SHARE_WORKSHOP, None)
    if step is ConsentStep.LATER:
        await storage.participants.move(participant.id, status=Status.PAUSED, position=0)
        await say(update, context, "questions/paused", workshop=workshop)
        return END
    await storage.participants.move(participant.id, status=Status.ANSWERING, position=0)
    place = await place_of(context, await storage.participants.by_id(participant.id))
    assert place is not None
    return await show_place(update, context, place)


async def on_decision(update: Update, context: BotContext) -> int | None:
    """Record a consent decision, then ask the next purpose or show the ground rules."""
    press = await pressed(update, context, ConsentDecision)
    if press is None:
        return None
    query, user, decision = press
    joining = await _joining(update, context, user, decision.invite)
    if joining is None:
        return None
    workshop, participant = joining
    storage = context.storage
    purpose, granted = decision.purpose, decision.decision.granted
    html = consent_text(context.texts, purpose, workshop)
    if purpose is Purpose.TAKE_PART:
        if participant is not None and participant.status not in GONE:
            return await expired(update, context)  # already decided: a second tap
        if text_version(html) != decision.version:
            return await _ask_again(update, context, query, workshop, purpose)
        shown = sha256(html)
        await settle_consent(update, context, query, decision)
        if not granted:  # nothing about them is kept: only a tombstone of the refusal
            await storage.participants.decline(
                workshop.id, user.id, text_sha256=shown, method=METHOD, language=context.language
            )
            context.memory.pop(INVITE, None)
            await say(update, context, "journey/declined", workshop=workshop)
            return END
        participant = await storage.participants.decide_take_part(
            workshop.id,
            user.id,
            granted=True,
            text_sha256=shown,
            method=METHOD,
            language=context.language,
        )
        context.keep_language()
        upcoming = next_purpose(await storage.participants.consents(participant.id))
        await say(
            update,
            context,
            "journey/consent_noted",
            purpose=purpose,
            granted=True,
            upcoming=upcoming,
        )
        return await show_consent_step(update, context, workshop, participant)

    consents = await storage.participants.consents(participant.id) if participant else {}
    earlier = consents.get(purpose)
    already = earlier is not None and earlier.withdrawn_at is None
    if participant is None or participant.status != Status.CONSENTING or already:
        return await expired(update, context)
    if text_version(html) != decision.version:
        return await _ask_again(update, context, query, workshop, purpose)
    shown = sha256(html)
    await settle_consent(update, context, query, decision)
    # The last decision and being ready for the questions land together.
    upcoming = next_purpose(consents, deciding=purpose)
    last = upcoming is None
    await storage.participants.decide(
        participant.id,
        purpose,
        granted=granted,
        text_sha256=shown,
        method=METHOD,
        status=Status.READY if last else None,
        language=context.language,
    )
    await say(
        update,
        context,
        "journey/consent_noted",
        purpose=purpose,
        granted=granted,
        upcoming=upcoming,
    )
    fresh = await storage.participants.by_id(participant.id)
    return await show_consent_step(update, context, workshop, fresh or participant)


async def _ask_again(
    update: Update,
    context: BotContext,
    query: CallbackQuery,
    workshop: Workshop,
    purpose: Purpose,
) -> int:
    """The words changed after the person read them: nothing is recorded; they are shown
    the words as they are now, to decide on those."""
    await settle_press(update, context, query)
    await say(update, context, "journey/consent_changed")
    await ask_consent(update, context, workshop, purpose)
    return State.CONSENT


async def consent_text_only(update: Update, context: BotContext) -> int:
    """Typed text on a consent screen: not kept; point to the buttons."""
    await say(update, context, "common/use_buttons", kind="consent")
    return State.CONSENT


async def cancel(update: Update, context: BotContext) -> int:
    """Leave the consent screens; nothing typed there was kept."""
    invite = context.memory.pop(INVITE, None)
    user = update.effective_user
    workshop = await context.storage.workshops.by_invite(invite) if invite else None
    member = (
        await context.storage.participants.get(workshop.id, user.id) if workshop and user else None
    )
    joined = member is not None and member.status not in GONE
    await say(update, context, "journey/consent_cancelled", joined=joined)
    return END
