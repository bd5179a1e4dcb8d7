"""A person's rights in the chat: /consent to see and change each choice, /mydata for a
copy of everything held about them, and what follows an erasure."""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ConversationHandler

from chat.callbacks.rights import (
    ChangeConsent,
    ConsentAgain,
    KeepConsent,
    LeaveWorkshop,
    Leaving,
)
from chat.context import BotContext
from chat.filters import command
from chat.messaging import Button, say, send, settle
from chat.place import GONE
from chat.screens import consent_text, expired, pressed, text_version
from chat.states import FEEDBACK_ON, INVITE, SHARE_WORKSHOP
from domain.texts import Texts, sha256
from handlers.facilitator.access import is_staff
from handlers.jobs import finish_erasure_soon
from storage.kinds import Purpose
from storage.models import Consent, Participant, Workshop

METHOD = "telegram-button:/consent"
# What a button offers for a purpose that is yes now, and for one that is no.
_STOP = {
    Purpose.TAKE_PART: "buttons.stop_take_part",
    Purpose.UPDATES: "buttons.stop_updates",
    Purpose.QUOTE: "buttons.stop_quote",
}
_START = {Purpose.UPDATES: "buttons.start_updates", Purpose.QUOTE: "buttons.allow_quote"}


# ---- after an erasure ----------------------------------------------------------------------


async def after_erasure(context: BotContext, user_id: int, *, finished: bool) -> None:
    """Forget the flow state an erased membership leaves in memory, and make sure the
    erased words leave the -wal too when the erasure could not do it at once.

    With no other membership or role left, the person's whole ``user_data`` is emptied and
    their conversations ended, so PTB has nothing of theirs to write back.
    """
    if not finished:
        finish_erasure_soon(context)
    memory = context.memory
    if await context.storage.participants.memberships(user_id) or await is_staff(context, user_id):
        for key in (INVITE, SHARE_WORKSHOP, FEEDBACK_ON):
            memory.pop(key, None)
        return
    memory.clear()  # written back empty, which deletes the stored row
    end_conversations(context, user_id)


def end_conversations(context: BotContext, user_id: int) -> None:
    """End every conversation this person is in, and have the ending stored."""
    for group in context.application.handlers.values():
        for handler in group:
            if isinstance(handler, ConversationHandler):
                # PTB has no public way to end a conversation from outside it; deleting the
                # key is what the handler itself does on END, and persistence sees it.
                states = handler._conversations
                for key in [k for k in states if k and k[-1] == user_id]:
                    del states[key]


# ---- /consent ------------------------------------------------------------------------------


def _buttons(t: Texts, workshop_id: int, consents: dict[Purpose, Consent]) -> list[list[Button]]:
    rows = []
    for purpose in Purpose:
        current = consents.get(purpose)
        if current is not None and current.active:
            key, granted = _STOP[purpose], False
        elif purpose in _START:
            key, granted = _START[purpose], True
        else:
            continue
        rows.append([(t.label(key), ChangeConsent(workshop_id, purpose, granted).pack())])
    return rows


async def show_consents(update: Update, context: BotContext) -> None:
    """Each workshop the person takes part in, what they agreed to, a button per choice."""
    user = update.effective_user
    if user is None:
        return
    storage = context.storage
    members = await storage.participants.memberships(user.id)
    shown = 0
    for member in members:
        workshop = await storage.workshops.get(member.workshop_id)
        if workshop is None:
            continue
        consents = await storage.participants.consents(member.id)
        await say(
            update,
            context,
            "rights/consent_overview",
            buttons=_buttons(context.texts, workshop.id, consents),
            workshop=workshop,
            participant=member,
            consents=consents,
        )
        shown += 1
    if not shown:
        await say(update, context, "rights/consent_nothing")


async def _membership(
    update: Update, context: BotContext, user_id: int, workshop_id: int
) -> tuple[Participant, Workshop, dict[Purpose, Consent]] | None:
    """The presser's membership of the workshop a button names, if they still take part."""
    storage = context.storage
    member = await storage.participants.get(workshop_id, user_id)
    workshop = await storage.workshops.get(workshop_id)
    if member is None or member.status in GONE or workshop is None:
        await expired(update, context)
        return None
    return member, workshop, await storage.participants.consents(member.id)


def _active(consents: dict[Purpose, Consent], purpose: Purpose) -> bool:
    current = consents.get(purpose)
    return current is not None and current.active


async def on_change(update: Update, context: BotContext) -> None:
    """A choice's button: say no at once, ask how to leave, or show the words to say yes to."""
    press = await pressed(update, context, ChangeConsent)
    if press is None:
        return
    query, user, change = press
    found = await _membership(update, context, user.id, change.workshop_id)
    if found is None:
        return
    member, workshop, consents = found
    purpose, t = change.purpose, context.texts
    if change.granted == _active(consents, purpose) or (
        purpose is Purpose.TAKE_PART and change.granted
    ):
        await expired(update, context)  # already so: an old button
        return
    await settle(query)
    if purpose is Purpose.TAKE_PART:
        rows = [
            [(t.label(f"buttons.leave_{name}"), LeaveWorkshop(how, workshop.id).pack())]
            for name, how in (
                ("erase", Leaving.ERASE),
                ("anonymise", Leaving.ANONYMISE),
                ("stay", Leaving.STAY),
            )
        ]
        await say(update, context, "rights/leave_ask", buttons=rows, workshop=workshop)
        return
    if not change.granted:
        cancelled = await context.storage.participants.withdraw_consent(member.id, purpose)
        await say(
            update,
            context,
            "rights/changed",
            workshop=workshop,
            purpose=purpose,
            granted=False,
            cancelled=cancelled,
        )
        return
    await _ask_again(update, context, workshop, purpose)


async def _ask_again(
    update: Update, context: BotContext, workshop: Workshop, purpose: Purpose
) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    t = context.texts
    html = consent_text(t, purpose, workshop)
    again = ConsentAgain(workshop.id, purpose, text_version(html)).pack()
    buttons = [
        [(t.label("buttons.agree_again"), again)],
        [(t.label("buttons.keep_as_is"), KeepConsent().pack())],
    ]
    await send(context, chat.id, html, buttons)


async def on_again(update: Update, context: BotContext) -> None:
    """Yes again to updates or quoting, recorded for the words just shown."""
    press = await pressed(update, context, ConsentAgain)
    if press is None:
        return
    query, user, again = press
    found = await _membership(update, context, user.id, again.workshop_id)
    if found is None:
        return
    member, workshop, consents = found
    purpose = again.purpose
    if purpose is Purpose.TAKE_PART or _active(consents, purpose):
        await expired(update, context)
        return
    html = consent_text(context.texts, purpose, workshop)
    await settle(query)
    if text_version(html) != again.version:
        await say(update, context, "journey/consent_changed")  # nothing recorded: read them anew
        await _ask_again(update, context, workshop, purpose)
        return
    await context.storage.participants.decide(
        member.id,
        purpose,
        granted=True,
        text_sha256=sha256(html),
        method=METHOD,
        language=context.language,
    )
    await say(
        update,
        context,
        "rights/changed",
        workshop=workshop,
        purpose=purpose,
        granted=True,
        cancelled=0,
    )


async def on_keep(update: Update, context: BotContext) -> None:
    press = await pressed(update, context, KeepConsent)
    if press is None:
        return
    await settle(press[0])
    await say(update, context, "rights/kept")


async def on_leave(update: Update, context: BotContext) -> None:
    """Stop taking part: erase what they said, or keep it anonymised; or stay after all."""
    press = await pressed(update, context, LeaveWorkshop)
    if press is None:
        return
    query, user, leave = press
    found = await _membership(update, context, user.id, leave.workshop_id)
    if found is None:
        return
    member, workshop, _consents = found
    await settle(query)
    if leave.how is Leaving.STAY:
        await say(update, context, "rights/kept")
        return
    participants = context.storage.participants
    erased = leave.how is Leaving.ERASE
    result = await (participants.erase if erased else participants.anonymise)(member.id)
    await after_erasure(context, user.id, finished=result.finished)
    await say(
        update,
        context,
        "rights/left",
        workshop=workshop,
        erased=erased,
        finished=result.finished,
    )


# ---- /mydata -------------------------------------------------------------------------------


async def send_my_data(update: Update, context: BotContext) -> None:
    """Everything held about the person, as a JSON file, with a readable summary."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return
    data = await context.storage.mydata.collect(user.id)
    await say(update, context, "rights/mydata", counts=data.counts())
    await context.bot.send_document(chat.id, InputFile(data.to_json(), filename="my-data.json"))


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    """Registered before the participant commands (whose catch-alls would take these)."""
    return [
        command("consent", show_consents),
        command("mydata", send_my_data),
        CallbackQueryHandler(on_change, pattern=ChangeConsent.pattern()),
        CallbackQueryHandler(on_again, pattern=ConsentAgain.pattern()),
        CallbackQueryHandler(on_keep, pattern=KeepConsent.pattern()),
        CallbackQueryHandler(on_leave, pattern=LeaveWorkshop.pattern()),
    ]
