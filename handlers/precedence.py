"""When a facilitator acts as a participant, any facilitator prompt they left open closes.

Facilitator prompts run before the participant conversation and take typed text while open;
this runs first and drops a prompt the moment the person turns to their own journey.
"""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import BaseHandler, TypeHandler

from chat.context import BotContext
from conversations.new_workshop import DRAFT
from handlers.facilitator.menus import FACILITATOR_COMMANDS
from handlers.facilitator.prompting import KEY

# Buttons and commands that belong to facilitator flows; every other button or command
# (participant ones, /help, unknown commands, stale or forged buttons) is a participant turn.
FACILITATOR_BUTTONS = re.compile(r"^(fw|we|wc|vw|th|tm|nw|fi|ac|up:(?!optin))")
FACILITATOR_ONLY = frozenset({*FACILITATOR_COMMANDS, "cancel"})


def _is_participant_turn(update: Update) -> bool:
    query = update.callback_query
    if query is not None:
        return not (isinstance(query.data, str) and FACILITATOR_BUTTONS.match(query.data))
    message = update.message
    if message is None or not message.text or not message.text.startswith("/"):
        return False
    words = message.text[1:].split(maxsplit=1)
    name = words[0].split("@", 1)[0].lower() if words else ""
    return name not in FACILITATOR_ONLY


def drop_prompts(context: BotContext) -> None:
    context.user_data.pop(KEY, None)
    context.user_data.pop(DRAFT, None)


async def close_facilitator_prompts(update: Update, context: BotContext) -> None:
    if context.user_data is not None and _is_participant_turn(update):
        drop_prompts(context)
    # Someone who writes to the bot has not blocked it (any more).
    if update.message is not None and update.effective_user is not None:
        await context.storage.outbox.reachable_again(update.effective_user.id)


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [TypeHandler(Update, close_facilitator_prompts)]
