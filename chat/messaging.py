"""Sending templates to a person: split under Telegram's limit, buttons on the last part."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from chat.context import BotContext
from domain.texts import split_message

log = logging.getLogger(__name__)

Button = tuple[str, str]  # (label, callback data)


def keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


async def say(
    update: Update,
    context: BotContext,
    template: str,
    /,
    *,
    buttons: Sequence[Sequence[Button]] | None = None,
    **values: Any,
) -> Message | None:
    """Render a template and send it to the chat this update came from."""
    chat = update.effective_chat
    if chat is None:
        return None
    return await send(context, chat.id, context.texts.render(template, **values), buttons)


async def replace(
    query: CallbackQuery,
    context: BotContext,
    template: str,
    /,
    *,
    buttons: Sequence[Sequence[Button]] | None = None,
    **values: Any,
) -> Message | None:
    """Show an updated screen in the message whose button was pressed; return the
    message now showing it.

    Falls back to a new message when the old one cannot be edited (too old, too long).
    """
    html = context.texts.render(template, **values)
    message = query.message
    if isinstance(message, Message) and len(split_message(html)) == 1:
        try:
            await message.edit_text(html, reply_markup=keyboard(buttons) if buttons else None)
            return message
        except BadRequest as exc:
            log.info("could not edit a message in place: %s", exc.message)
    if message is not None:
        return await send(context, message.chat.id, html, buttons)
    return None


async def send(
    context: BotContext,
    chat_id: int,
    html: str,
    buttons: Sequence[Sequence[Button]] | None = None,
) -> Message:
    """Send rendered HTML, split if long; the buttons go with the last part."""
    parts = split_message(html)
    message: Message | None = None
    for index, part in enumerate(parts):
        markup = keyboard(buttons) if buttons and index == len(parts) - 1 else None
        message = await context.bot.send_message(chat_id, part, reply_markup=markup)
    assert message is not None
    return message


# Ids of the button presses answered lately: Telegram refuses a second answer, and a press
# can pass through more than one check (a role check after a refusal, say). Updates are
# handled one at a time, so a short memory is enough.
_ANSWERED: OrderedDict[str, None] = OrderedDict()
_REMEMBERED = 256


async def acknowledge(query: CallbackQuery, text: str | None = None) -> None:
    """Answer a button press once; an old press can no longer be answered, and that is fine."""
    if query.id in _ANSWERED:
        return
    _ANSWERED[query.id] = None
    while len(_ANSWERED) > _REMEMBERED:
        _ANSWERED.popitem(last=False)
    try:
        await query.answer(text)
    except BadRequest as exc:
        log.info("could not answer a callback query: %s", exc.message)


async def retire_buttons(query: CallbackQuery) -> None:
    """Take the buttons off the message that was pressed, so it cannot be pressed again."""
    message = query.message
    if not isinstance(message, Message) or message.reply_markup is None:
        return
    try:
        await message.edit_reply_markup(reply_markup=None)
    except BadRequest as exc:
        log.info("could not remove old buttons: %s", exc.message)


async def settle(query: CallbackQuery) -> None:
    """Answer a button press and take the buttons off its message: it has done its work."""
    await acknowledge(query)
    await retire_buttons(query)
