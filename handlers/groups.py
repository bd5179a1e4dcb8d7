"""The bot works in private chats only: in a group it says so, keeps nothing, and leaves."""

from __future__ import annotations

import logging

from telegram import Chat, ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, TypeHandler

from chat.context import BotContext
from chat.handler_types import AnyHandler

log = logging.getLogger(__name__)
SHARED_CHATS = (Chat.GROUP, Chat.SUPERGROUP, Chat.CHANNEL)


async def leave_shared_chat(update: Update, context: BotContext) -> None:
    """Explain, leave, and stop every other handler from seeing the update."""
    chat = update.effective_chat
    if chat is None or chat.type not in SHARED_CHATS:
        return
    if update.callback_query is not None:
        try:  # stop the button's spinner; nothing else happens here
            await update.callback_query.answer()
        except TelegramError as exc:
            log.info("could not answer a button in a shared chat: %s", exc)
        raise ApplicationHandlerStop
    member: ChatMemberUpdated | None = update.my_chat_member
    if member is not None:
        joining = member.new_chat_member.status in (
            ChatMemberStatus.MEMBER,
            ChatMemberStatus.ADMINISTRATOR,
        )
    else:  # only a new message gets the explanation, not edits or channel posts
        joining = update.message is not None
    if joining:
        try:
            if chat.type != Chat.CHANNEL:
                await context.bot.send_message(
                    chat.id, context.texts.render("common/private_only")
                )
            await context.bot.leave_chat(chat.id)
        except TelegramError as exc:
            log.info("could not leave a shared chat: %s", exc)
    raise ApplicationHandlerStop


def handlers() -> list[AnyHandler]:
    """Registered in the first group, so nothing else ever sees a group's messages."""
    return [TypeHandler(Update, leave_shared_chat)]
