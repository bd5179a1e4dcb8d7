"""Naming themes: a new theme (from /themes, or for one answer or view from /views), and
renaming one. (Choosing and merging themes are single buttons: handlers.facilitator.themes.)"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler

from chat.callbacks.facilitator import ItemKind, NewTheme, NewThemeFor, RenameTheme
from chat.context import BotContext
from chat.filters import TEXT
from chat.messaging import say
from chat.states import END
from conversations.facilitator.drafts import Flow, Next, Store, ask, step, taken, typed
from handlers.facilitator.access import audit, button, gone
from handlers.facilitator.themes import show_themes, theme_workshop
from handlers.facilitator.views import KIND_NAME, item_workshop, show_tagging
from storage.models import Workshop

THEME_NAME_LIMIT = 60


class State(IntEnum):
    NAME = 60


@dataclass
class Draft:
    workshop: int
    rename: int | None = None  # the theme being renamed
    kind: ItemKind | None = None  # a new theme tagged straight away on this item
    item: int | None = None

    def __post_init__(self) -> None:
        if self.kind is not None:
            self.kind = ItemKind(self.kind)  # stored by its value


DRAFT = Store("theme", Draft)


@button(NewTheme, "themes")
async def new_theme(
    update: Update, context: BotContext, data: NewTheme, workshop: Workshop
) -> Next:
    DRAFT.open(context, Draft(workshop.id))
    await ask(update, context, "facilitator/themes/ask_name")
    return State.NAME


@button(NewThemeFor, "tag", item_workshop)
async def new_theme_for(
    update: Update, context: BotContext, data: NewThemeFor, workshop: Workshop
) -> Next:
    DRAFT.open(context, Draft(workshop.id, kind=data.kind, item=data.item))
    await ask(update, context, "facilitator/themes/ask_name")
    return State.NAME


@button(RenameTheme, "rename-theme", theme_workshop)
async def rename(
    update: Update, context: BotContext, data: RenameTheme, workshop: Workshop
) -> Next:
    theme = await context.storage.themes.get(data.theme)
    assert theme is not None
    DRAFT.open(context, Draft(workshop.id, rename=theme.id))
    await ask(update, context, "facilitator/themes/ask_rename", theme=theme)
    return State.NAME


@step(DRAFT, "theme")
async def take_name(update: Update, context: BotContext, draft: Draft) -> Next:
    user = update.effective_user
    assert user is not None
    name = " ".join(typed(update.effective_message).split())
    if not name or len(name) > THEME_NAME_LIMIT:
        await say(update, context, "facilitator/themes/name_problem", limit=THEME_NAME_LIMIT)
        return None
    themes = context.storage.themes
    if draft.rename is not None:
        theme = await themes.get(draft.rename)
        if theme is None or theme.workshop_id != draft.workshop:
            await gone(update, context)
            return END
        if not await themes.rename(theme.id, name):
            await say(update, context, "facilitator/themes/exists", name=name)
            return None
        await audit(update, context, "rename-theme", draft.workshop, str(theme.id))
    elif draft.kind is not None and draft.item is not None:
        kind = draft.kind
        if await themes.item_workshop(KIND_NAME[kind], draft.item) != draft.workshop:
            await gone(update, context)
            return END
        tag = (KIND_NAME[kind], draft.item, user.id)
        created = await themes.create(draft.workshop, name, tag=tag)
        if created is None:
            await say(update, context, "facilitator/themes/exists", name=name)
            return None
        await audit(update, context, "new-theme", draft.workshop, str(created.id))
        await show_tagging(update, context, draft.workshop, kind, draft.item)
        return END
    else:
        created = await themes.create(draft.workshop, name)
        if created is None:
            await say(update, context, "facilitator/themes/exists", name=name)
            return None
        await audit(update, context, "new-theme", draft.workshop, str(created.id))
    workshop = await context.storage.workshops.get(draft.workshop)
    assert workshop is not None
    await show_themes(update, context, workshop)
    return END


def build() -> Flow:
    return Flow(
        entry_points=[
            CallbackQueryHandler(taken(new_theme), pattern=NewTheme.pattern()),
            CallbackQueryHandler(taken(new_theme_for), pattern=NewThemeFor.pattern()),
            CallbackQueryHandler(taken(rename), pattern=RenameTheme.pattern()),
        ],
        states={State.NAME: [MessageHandler(TEXT, take_name)]},
        store=DRAFT,
        command="/themes",
    )
