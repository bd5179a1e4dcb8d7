"""Safeguarding: every private message is checked for risk phrases, at any step.

Registered in the earliest group of bot.app, for new and edited messages, commands and
captions, before consent too and inside facilitator prompts. A hit gets the person a caring
reply with where to get help at once, stores a flag, and alerts every facilitator of the
person's workshop (the owners when they are in none yet, or it has no facilitators) with a
button to mark it handled. The alert is a direct send: quiet hours do not hold it.

Nothing here stops the update: the message still goes on to be handled as usual (kept as
an answer if the person has agreed to take part; before that, the flag is all that is
stored of it).
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import MessageHandler, filters

from chat.callbacks.safety import FlagHandled
from chat.context import BotContext
from chat.handler_types import AnyHandler
from chat.messaging import say, send
from chat.states import INVITE
from domain.safeguarding import risk_phrase
from handlers.facilitator.menus import staff_texts
from storage.flags import Flag
from storage.models import Workshop

log = logging.getLogger(__name__)

CHECKED = (
    filters.ChatType.PRIVATE
    & (filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE)
    & (filters.TEXT | filters.CAPTION)
)


async def check(update: Update, context: BotContext) -> None:
    """Answer a message with a risk phrase with where to get help, and raise a flag."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    text = message.text or message.caption or ""
    phrase = risk_phrase(text, context.settings.risk_phrases)
    if phrase is None:
        return
    storage = context.storage
    member = await storage.participants.latest(user.id)
    workshop: Workshop | None = None
    if member is not None:
        workshop = await storage.workshops.get(member.workshop_id)
    else:
        # On the consent screens of a workshop they were invited to: not a member yet.
        invite = context.memory.get(INVITE)
        workshop = await storage.workshops.by_invite(invite) if isinstance(invite, str) else None
    flag = await storage.flags.raise_flag(
        user.id,
        phrase,
        text,
        workshop_id=workshop.id if workshop else None,
        participant_id=member.id if member and workshop else None,
    )
    log.warning("safeguarding flag %d raised (workshop %s)", flag.id, flag.workshop_id)
    try:
        await say(update, context, "safeguarding/help", workshop=workshop)
    except TelegramError as exc:
        # The facilitators must hear of it even if the person could not be answered.
        log.warning("could not send help for safeguarding flag %d: %s", flag.id, exc)
    await alert(context, flag, workshop)


async def alert(context: BotContext, flag: Flag, workshop: Workshop | None) -> int:
    """Tell every facilitator of the workshop (or the owners) now; return how many were told."""
    recipients: list[int] = []
    if workshop is not None:
        recipients = [
            i for i, _name in await context.storage.facilitators.of_workshop(workshop.id)
        ]
    if not recipients:
        recipients = sorted(context.settings.admins)
    timezone = workshop.timezone if workshop else context.settings.timezone
    told = 0
    # Each facilitator reads the alert in their own language, not the participant's.
    for user_id, t in (
        await staff_texts(context.storage, list(dict.fromkeys(recipients)))
    ).items():
        html = t.render("safeguarding/flag_alert", flag=flag, workshop=workshop, timezone=timezone)
        label = t.label("buttons.flag_handled", n=flag.id)
        buttons = [[(label, FlagHandled(flag.id).pack())]]
        try:
            await send(context, user_id, html, buttons)
            told += 1
        except TelegramError as exc:
            # Someone who blocked the bot (or never opened it): the others are still told.
            log.warning("could not alert a facilitator of flag %d: %s", flag.id, exc)
    if not told:
        log.error("safeguarding flag %d reached no facilitator; see /flags", flag.id)
    return told


def handlers() -> list[AnyHandler]:
    """The earliest group: checks every private message and stops none."""
    return [MessageHandler(CHECKED, check)]
