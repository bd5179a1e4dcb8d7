"""The facilitator's single-shot commands and buttons (group 0 in bot.app), each checked
against the sender's role. Prompts that wait for typed text are conversations.facilitator."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from chat.callbacks.facilitator import (
    FeedPage,
    MergeInto,
    MergeTheme,
    Pick,
    PickTheme,
    PickWorkshop,
    QuestionPage,
    RemoveFacilitator,
    Reopen,
    SetLevel,
    ShowTags,
    TagOff,
    TagOn,
)
from chat.context import BotContext
from chat.filters import NEW_MESSAGE
from chat.handler_types import AnyHandler
from handlers.facilitator import loop, team, themes, views, workshops
from handlers.facilitator.access import button, chosen_workshop, picked, staff_only
from handlers.facilitator.exports import send_export
from handlers.facilitator.stats import send_stats
from storage.models import Workshop

WorkshopAction = Callable[[Update, BotContext, Workshop], Awaitable[None]]

# Commands about one workshop: named by number, the only one, or picked with a button.
ACTIONS: dict[Pick, WorkshopAction] = {
    Pick.WORKSHOP: workshops.show_workshop,
    Pick.INVITE: workshops.send_invite,
    Pick.VIEWS: views.show_views_menu,
    Pick.THEMES: themes.show_themes,
    Pick.EXPORT: send_export,
    Pick.STATS: send_stats,
    Pick.TEAM: team.show_team,
    Pick.ADDFACILITATOR: team.send_facilitator_invite,
    Pick.ACTIONS: loop.show_actions,
    Pick.SCHEDULED: loop.show_scheduled,
    Pick.REPORT: loop.show_report,
}
ALIASES = {"removefacilitator": Pick.TEAM}


def _command(name: str, pick: Pick) -> Callable[[Update, BotContext], Coroutine[Any, Any, Any]]:
    @staff_only(name)
    async def run(update: Update, context: BotContext) -> None:
        workshop = await chosen_workshop(update, context, pick, command=name)
        if workshop is not None:
            await ACTIONS[pick](update, context, workshop)

    run.__name__ = f"run_{name}"
    return run


def _pick(pick: Pick) -> Callable[[Update, BotContext], Coroutine[Any, Any, object]]:
    @button(PickWorkshop, pick.value)
    async def on_pick(
        update: Update, context: BotContext, data: PickWorkshop, workshop: Workshop
    ) -> None:
        """A workshop picked from the list a command showed."""
        await ACTIONS[pick](update, context, workshop)

    return on_pick


def handlers() -> list[AnyHandler]:
    found: list[AnyHandler] = [
        CommandHandler("workshops", workshops.list_workshops, filters=NEW_MESSAGE)
    ]
    for pick in ACTIONS:
        found.append(CommandHandler(pick.value, _command(pick.value, pick), filters=NEW_MESSAGE))
        found.append(CallbackQueryHandler(_pick(pick), pattern=picked(pick)))
    for alias, pick in ALIASES.items():
        found.append(CommandHandler(alias, _command(alias, pick), filters=NEW_MESSAGE))
    found += [
        CallbackQueryHandler(workshops.on_show_levels, pattern=workshops.is_levels),
        CallbackQueryHandler(workshops.on_set_level, pattern=SetLevel.pattern()),
        CallbackQueryHandler(workshops.on_reopen, pattern=Reopen.pattern()),
        CallbackQueryHandler(views.on_feed_page, pattern=FeedPage.pattern()),
        CallbackQueryHandler(views.on_question_page, pattern=QuestionPage.pattern()),
        CallbackQueryHandler(views.on_show_tags, pattern=ShowTags.pattern()),
        CallbackQueryHandler(views.on_tag_on, pattern=TagOn.pattern()),
        CallbackQueryHandler(views.on_tag_off, pattern=TagOff.pattern()),
        CallbackQueryHandler(themes.on_pick, pattern=PickTheme.pattern()),
        CallbackQueryHandler(themes.on_merge, pattern=MergeTheme.pattern()),
        CallbackQueryHandler(themes.on_merge_into, pattern=MergeInto.pattern()),
        CallbackQueryHandler(team.on_remove, pattern=RemoveFacilitator.pattern()),
    ]
    return found
