"""Participant commands that work anywhere: help, what I have shared, erase, and the rest."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from chat.callbacks.journey import Erase, EraseStep, KeepData
from chat.context import BotContext
from chat.filters import NEW_MESSAGE, PRIVATE, command
from chat.handler_types import AnyHandler
from chat.messaging import say, settle
from chat.place import GONE
from chat.screens import expired, pressed, show_where_you_are
from chat.states import FEEDBACK_ON
from domain.texts import shorten
from domain.translations import workshop_in
from handlers import optout, rights
from handlers.facilitator.access import is_staff
from handlers.facilitator.menus import FACILITATOR_COMMANDS, PARTICIPANT_COMMANDS
from storage.kinds import QuestionKind, StepKind
from storage.models import Participant

EDITED = filters.UpdateType.EDITED_MESSAGE & PRIVATE


async def _show_where_you_are(update: Update, context: BotContext) -> None:
    """Show the screen the person was on; if that left a comment prompt behind, the
    database forgets it too, so that after a restart the next text answers the screen."""
    prompted = FEEDBACK_ON in context.memory
    await show_where_you_are(update, context)
    user = update.effective_user
    if prompted and FEEDBACK_ON not in context.memory and user is not None:
        await context.storage.typed_steps.close(user.id, kind=StepKind.COMMENT)


async def show_help(update: Update, context: BotContext) -> None:
    """Say what the bot does, list the commands and support contacts, then carry on."""
    user = update.effective_user
    latest = await context.storage.participants.latest(user.id) if user else None
    workshop = await context.storage.workshops.get(latest.workshop_id) if latest else None
    staff = user is not None and await is_staff(context, user.id)
    await say(
        update,
        context,
        "common/help",
        workshop=workshop,
        staff=staff,
        commands=PARTICIPANT_COMMANDS,
        staff_commands=FACILITATOR_COMMANDS,
    )
    await _show_where_you_are(update, context)


async def show_mine(update: Update, context: BotContext) -> None:
    """List everything the person has answered and shared, workshop by workshop."""
    user = update.effective_user
    if user is None:
        return
    storage = context.storage
    sections = []
    for member in await storage.participants.memberships(user.id):
        workshop = await storage.workshops.get(member.workshop_id)
        if workshop is None:
            continue
        answers = await storage.answers.for_participant(member.id)
        questions = await storage.workshops.questions(workshop.id)
        sections.append(
            {
                "workshop": workshop,
                "participant": member,
                "consents": await storage.participants.consents(member.id),
                "items": [(q, answers[q.id]) for q in questions if q.id in answers],
                "views": await storage.views.shared(member.id),
            }
        )
    await say(update, context, "mine/mine", sections=sections)
    await _show_where_you_are(update, context)


async def forget(update: Update, context: BotContext) -> None:
    """Offer to erase what the person said in a workshop, after a clear confirmation."""
    user = update.effective_user
    if user is None:
        return
    members = await context.storage.participants.memberships(user.id)
    if not members:
        await say(update, context, "mine/forget_nothing")
        return
    if len(members) == 1:
        await _confirm_forget(update, context, members[0])
        return
    rows = []
    for member in members:
        workshop = await context.storage.workshops.get(member.workshop_id)
        if workshop is not None:
            title = workshop_in(workshop, context.language).title
            rows.append([(shorten(title, 50), Erase(EraseStep.PICK, workshop.id).pack())])
    rows.append([(context.texts.label("buttons.erase_no"), KeepData().pack())])
    await say(update, context, "mine/forget_pick", buttons=rows)


async def _confirm_forget(update: Update, context: BotContext, member: Participant) -> None:
    workshop = await context.storage.workshops.get(member.workshop_id)
    t = context.texts
    await say(
        update,
        context,
        "mine/forget_confirm",
        buttons=[
            [(t.label("buttons.erase_yes"), Erase(EraseStep.CONFIRM, member.workshop_id).pack())],
            [(t.label("buttons.erase_no"), KeepData().pack())],
        ],
        workshop=workshop,
    )


async def on_keep(update: Update, context: BotContext) -> None:
    """Erase nothing."""
    press = await pressed(update, context, KeepData)
    if press is None:
        return
    query = press[0]
    await settle(query)
    await say(update, context, "mine/forget_kept")


async def on_erase(update: Update, context: BotContext) -> None:
    """Erase, after the person confirmed, only their own membership of that workshop: from
    every table, leaving only tombstones that name no one."""
    press = await pressed(update, context, Erase)
    if press is None:
        return
    query, user, erase = press
    storage = context.storage
    member = await storage.participants.get(erase.workshop_id, user.id)
    if member is None or member.status in GONE:
        await expired(update, context)
        return
    await settle(query)
    if erase.step is EraseStep.PICK:
        await _confirm_forget(update, context, member)
        return
    workshop = await storage.workshops.get(member.workshop_id)
    erased = await storage.participants.erase(member.id)
    await rights.after_erasure(context, user.id, finished=erased.finished)
    await say(update, context, "mine/forget_done", workshop=workshop, finished=erased.finished)


async def unknown_command(update: Update, context: BotContext) -> None:
    """A command the bot does not have: say so kindly and show where the person is."""
    await say(update, context, "common/unknown_command")
    await _show_where_you_are(update, context)


async def edited(update: Update, context: BotContext) -> None:
    """An edited message: change the answer or view it gave, if it gave one."""
    message = update.edited_message
    user = update.effective_user
    if message is None or user is None:
        return
    storage = context.storage
    if message.text is None:
        await say(update, context, "questions/edit_not_kept")
        return
    for member in await storage.participants.memberships(user.id):
        answer = await storage.answers.by_message(member.id, message.message_id)
        questions = await storage.workshops.questions(member.workshop_id)
        kinds = {q.id: q.kind for q in questions}
        if answer is not None and kinds.get(answer.question_id) == QuestionKind.TEXT:
            await storage.answers.replace_text(member.id, answer.question_id, message.text)
            await say(update, context, "questions/edit_kept", what="answer")
            return
        view = await storage.views.by_message(member.id, message.message_id)
        if view is not None:
            await storage.views.replace_text(view.id, message.text)
            await say(update, context, "questions/edit_kept", what="view")
            return
    await say(update, context, "questions/edit_not_kept")


async def stale_button(update: Update, context: BotContext) -> None:
    """Any button no flow claimed: old, from another version, or forged."""
    await expired(update, context)


def handlers() -> list[AnyHandler]:
    """Registered after the journey conversation: they answer what it did not take."""
    return [
        command("help", show_help),
        command("mine", show_mine),
        command("forget", forget),
        CallbackQueryHandler(on_erase, pattern=Erase.pattern()),
        CallbackQueryHandler(on_keep, pattern=KeepData.pattern()),
        *optout.buttons(),
        MessageHandler(NEW_MESSAGE & filters.COMMAND, unknown_command),
        MessageHandler(EDITED, edited),
        CallbackQueryHandler(stale_button),
    ]
