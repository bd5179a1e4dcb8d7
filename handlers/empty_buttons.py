"""A button press with no data at all (a client can send one) gets the kind reply.

python-telegram-bot lets a press with empty data through every ``CallbackQueryHandler``
that has a pattern, so a step would take it as its own button; it is caught here, before
any of them sees it.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, TypeHandler

from chat.context import BotContext
from chat.handler_types import AnyHandler
from chat.messaging import acknowledge
from chat.screens import expired


async def refuse_empty(update: Update, context: BotContext) -> None:
    """Answer a press with empty data as an expired button, and let nothing else see it."""
    query = update.callback_query
    if query is None or query.data:
        return
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        await acknowledge(query)
    else:
        await expired(update, context)
    raise ApplicationHandlerStop


def handlers() -> list[AnyHandler]:
    return [TypeHandler(Update, refuse_empty)]
