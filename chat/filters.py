"""Filters shared by the conversations: private chats, new messages only."""

from __future__ import annotations

from typing import Any

from telegram.ext import CommandHandler, filters

from chat.context import BotContext

PRIVATE = filters.ChatType.PRIVATE
# Edited messages are handled on their own (handlers.participant), never as new input.
NEW_MESSAGE = filters.UpdateType.MESSAGE & PRIVATE
TEXT = NEW_MESSAGE & filters.TEXT & ~filters.COMMAND
NOT_TEXT = NEW_MESSAGE & ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL
DOCUMENT = NEW_MESSAGE & filters.Document.ALL


def command(name: str, callback: Any) -> CommandHandler[BotContext, Any]:
    """A command from a private chat, not from an edit of an old message."""
    return CommandHandler(name, callback, filters=NEW_MESSAGE)
