"""Command menus: everyone sees the participant commands; facilitators also see theirs."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from domain.texts import SOURCE_LANGUAGE, Texts, languages, texts
from storage import Storage

log = logging.getLogger(__name__)

PARTICIPANT_COMMANDS = (
    "start", "resume", "share", "mine", "consent", "mydata", "forget", "stop", "updates",
    "language", "help", "cancel",
)  # fmt: skip
FACILITATOR_COMMANDS = (
    "workshops", "workshop", "newworkshop", "invite", "views", "themes", "stats", "export",
    "action", "actions", "update", "scheduled", "report", "session",
    "team", "addfacilitator", "removefacilitator", "close", "flags",
)  # fmt: skip
OWNER_COMMANDS = ("audit",)


async def staff_texts(storage: Storage, people: Sequence[int]) -> dict[int, Texts]:
    """Each member of staff with the texts in the language they read."""
    spoken = await storage.facilitators.languages(list(people))
    return {person: texts(spoken.get(person, SOURCE_LANGUAGE)) for person in people}


def _commands(t: Texts, names: tuple[str, ...]) -> list[BotCommand]:
    return [BotCommand(name, t.label(f"commands.{name}")) for name in names]


async def set_participant_menu(bot: Bot) -> None:
    """The menu everyone sees, described in each language: Telegram shows a person the one
    for their app's language, and the source language's to everyone else."""
    try:
        for language in languages():
            await bot.set_my_commands(
                _commands(texts(language), PARTICIPANT_COMMANDS),
                scope=BotCommandScopeDefault(),
                language_code=None if language == SOURCE_LANGUAGE else language,
            )
    except TelegramError as exc:
        log.warning("could not set the command menu: %s", exc)


async def set_staff_menu(
    bot: Bot, t: Texts, user_id: int, *, staff: bool, owner: bool = False
) -> None:
    """Give a facilitator's private chat the facilitator menu (an owner's, with the owners'
    commands), or take it away again."""
    scope = BotCommandScopeChat(user_id)
    try:
        if staff:
            names: tuple[str, ...] = PARTICIPANT_COMMANDS + FACILITATOR_COMMANDS
            names += OWNER_COMMANDS if owner else ()
            await bot.set_my_commands(_commands(t, names), scope=scope)
        else:
            await bot.delete_my_commands(scope=scope)
    except TelegramError as exc:
        # A person who never opened a chat with the bot has no chat to set a menu for.
        log.info("could not set a facilitator menu: %s", exc)
