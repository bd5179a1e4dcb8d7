"""When a facilitator acts as a participant, any facilitator prompt they left open closes.

Facilitator prompts run before the participant conversation and take typed text while open;
this runs first and drops a prompt the moment the person turns to their own journey.
"""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import BaseHandler, TypeHandler

from bot.context import BotContext
from conversations.new_workshop import DRAFT
from handlers.facilitator.prompting import KEY

PARTICIPANT_BUTTONS = re.compile(r"^(cons|wm|rv|sh|ab|fb|fg|rm|se):")
PARTICIPANT_COMMANDS = frozenset({"start", "resume", "share", "mine", "forget", "stop", "updates"})


def _is_participant_turn(update: Update) -> bool:
    query = update.callback_query
    if query is not None:
        return isinstance(query.data, str) and bool(PARTICIPANT_BUTTONS.match(query.data))
    message = update.message
    if message is None or not message.text or not message.text.startswith("/"):
        return False
    name = (
        message.text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if message.text[1:] else ""
    )
    return name in PARTICIPANT_COMMANDS


async def close_facilitator_prompts(update: Update, context: BotContext) -> None:
    if context.user_data is not None and _is_participant_turn(update):
        context.user_data.pop(KEY, None)
        context.user_data.pop(DRAFT, None)
    # Someone who writes to the bot has not blocked it (any more).
    if update.message is not None and update.effective_user is not None:
        await context.storage.outbox.reachable_again(update.effective_user.id)


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [TypeHandler(Update, close_facilitator_prompts)]
