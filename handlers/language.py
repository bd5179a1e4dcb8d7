"""/language: every language the bot speaks, each named in itself; a tap switches at once
and shows the person's current screen again in the new language."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from chat.callbacks.language import PickLanguage
from chat.context import LANGUAGE, BotContext
from chat.filters import command
from chat.handler_types import AnyHandler
from chat.messaging import acknowledge, retire_buttons, say
from chat.screens import expired, pressed, show_where_you_are
from domain.texts import best_language, language_name, languages
from handlers.facilitator.access import is_staff
from handlers.facilitator.menus import set_staff_menu


async def show_languages(update: Update, context: BotContext) -> None:
    current = context.language
    buttons = [
        [(("✓ " if code == current else "") + language_name(code), PickLanguage(code).pack())]
        for code in languages()
    ]
    await say(
        update, context, "common/language_pick", buttons=buttons, current=language_name(current)
    )


async def on_pick(update: Update, context: BotContext) -> None:
    press = await pressed(update, context, PickLanguage)
    if press is None:
        return
    query, user, pick = press
    if pick.code not in languages():  # a catalog since taken away, or forged data
        await expired(update, context)
        return
    await acknowledge(query)
    await retire_buttons(query)
    if pick.code == best_language(context.telegram_language):
        context.memory.pop(LANGUAGE, None)  # Telegram's own: nothing to remember
    else:
        context.memory[LANGUAGE] = pick.code
    # Later updates and reminders, to every workshop they are in, in it too.
    await context.storage.participants.set_language(user.id, pick.code)
    if await is_staff(context, user.id):
        await context.storage.facilitators.set_language(user.id, pick.code)
        owner = user.id in context.settings.admins
        await set_staff_menu(context.bot, context.texts, user.id, staff=True, owner=owner)
    await show_where_you_are(
        update,
        context,
        intro="common/language_set",
        nowhere="common/language_set",
    )


def handlers() -> list[AnyHandler]:
    return [
        command("language", show_languages),
        CallbackQueryHandler(on_pick, pattern=PickLanguage.pattern()),
    ]
