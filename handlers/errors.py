"""The one error handler: log the fault (never what a person wrote) and reply kindly."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from chat.context import BotContext

log = logging.getLogger(__name__)


async def report_error(update: object, context: BotContext) -> None:
    """Log the exception with its traceback; tell the person their answers are safe."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    log.error(
        "error while handling update %s: %s",
        update_id,
        type(error).__name__,
        exc_info=error,
    )
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != ChatType.PRIVATE:
        return
    try:
        await context.bot.send_message(
            update.effective_chat.id, context.texts.render("common/error")
        )
    except TelegramError:
        log.warning("could not tell the person about the error")
