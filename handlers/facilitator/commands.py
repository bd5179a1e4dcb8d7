"""The facilitator commands and buttons, each checked against the sender's role."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from chat.context import BotContext
from chat.filters import NEW_MESSAGE
from handlers.facilitator import loop, team, themes, views, workshops
from handlers.facilitator.access import (
    chosen_workshop,
    parsed_button,
    staff_only,
    workshop_from_button,
)
from handlers.facilitator.exports import send_export
from handlers.facilitator.stats import send_stats
from storage.models import Workshop

WorkshopAction = Callable[[Update, BotContext, Workshop], Awaitable[None]]

# Commands about one workshop: named by number, the only one, or picked with a button.
ACTIONS: dict[str, WorkshopAction] = {
    "workshop": workshops.show_workshop,
    "invite": workshops.send_invite,
    "views": views.show_views_menu,
    "themes": themes.show_themes,
    "export": send_export,
    "stats": send_stats,
    "team": team.show_team,
    "addfacilitator": team.send_facilitator_invite,
    "actions": loop.show_actions,
    "scheduled": loop.show_scheduled,
    "report": loop.show_report,
}
ALIASES = {"removefacilitator": "team"}


def _command(name: str, action: WorkshopAction) -> Callable[[Update, BotContext], Awaitable[None]]:
    @staff_only(name)
    async def run(update: Update, context: BotContext) -> None:
        workshop = await chosen_workshop(update, context, name)
        if workshop is not None:
            await action(update, context, workshop)

    run.__name__ = f"run_{name}"
    return run


async def on_pick(update: Update, context: BotContext) -> None:
    """A workshop picked from the list a command showed."""
    cb = await parsed_button(update, context, "pick")
    if cb is None or cb.action not in ACTIONS:
        return
    workshop = await workshop_from_button(update, context, cb.action, cb.int_arg(0))
    if workshop is not None:
        await ACTIONS[cb.action](update, context, workshop)


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    found: list[BaseHandler] = [  # type: ignore[type-arg]
        CommandHandler("workshops", workshops.list_workshops, filters=NEW_MESSAGE)
    ]
    for name, action in ACTIONS.items():
        found.append(CommandHandler(name, _command(name, action), filters=NEW_MESSAGE))
    for alias, name in ALIASES.items():
        found.append(CommandHandler(alias, _command(alias, ACTIONS[name]), filters=NEW_MESSAGE))
    found += [
        CallbackQueryHandler(on_pick, pattern=r"^fw:"),
        CallbackQueryHandler(workshops.on_edit_level, pattern=r"^we:levels?:"),
        CallbackQueryHandler(workshops.on_reopen, pattern=r"^wc:reopen:"),
        CallbackQueryHandler(views.on_page, pattern=r"^vw:page:"),
        CallbackQueryHandler(views.on_tag, pattern=r"^vw:(tag|on|off):"),
        CallbackQueryHandler(themes.on_theme_button, pattern=r"^th:(pick|merge|into):"),
        CallbackQueryHandler(team.on_remove, pattern=r"^tm:"),
    ]
    return found
