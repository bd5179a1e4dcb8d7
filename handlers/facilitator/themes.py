"""/themes: each theme with its counts; create, rename and merge themes."""

from __future__ import annotations

from telegram import Update

from chat import callbacks
from chat.context import BotContext
from chat.messaging import Button, say
from handlers.facilitator.access import (
    audit,
    gone,
    is_staff,
    may_run,
    parsed_button,
    refuse,
    workshop_from_button,
)
from storage.models import Theme, Workshop


async def show_themes(update: Update, context: BotContext, workshop: Workshop) -> None:
    """Every theme with how many answers and views carry it, from how many people."""
    t = context.texts
    counts = await context.storage.themes.counts(workshop.id)
    rows: list[list[Button]] = [
        [(t.label("buttons.new_theme"), callbacks.make("th", "new", workshop.id))]
    ]
    if counts:
        rows.append(
            [
                (
                    t.label("buttons.rename_theme"),
                    callbacks.make("th", "pick", workshop.id, "rename"),
                ),
                (
                    t.label("buttons.merge_themes"),
                    callbacks.make("th", "pick", workshop.id, "merge"),
                ),
            ]
        )
    await say(update, context, "fac_themes", buttons=rows, workshop=workshop, counts=counts)


async def _theme(update: Update, context: BotContext, action: str, theme_id: int) -> Theme | None:
    """The theme a button names, if the presser may run its workshop; else refuse."""
    user = update.effective_user
    theme = await context.storage.themes.get(theme_id)
    if user is not None and theme is None and await is_staff(context, user.id):
        await gone(update, context)
        return None
    if user is None or theme is None or not await may_run(context, user.id, theme.workshop_id):
        await refuse(update, context, action, theme.workshop_id if theme else None)
        return None
    return theme


async def on_theme_button(update: Update, context: BotContext) -> None:
    """Choose a theme to rename or merge, a theme to merge into, or merge them."""
    cb = await parsed_button(update, context, "button")
    if cb is None:
        return
    storage = context.storage
    if cb.action == "pick":
        workshop = await workshop_from_button(update, context, "themes", cb.int_arg(0))
        if workshop is None:
            return
        action = cb.args[1]
        rows = [
            [(theme.name, callbacks.make("th", action, theme.id))]
            for theme in await storage.themes.of_workshop(workshop.id)
        ]
        await say(update, context, "fac_theme_pick", buttons=rows, action=action)
        return
    source = await _theme(update, context, "themes", cb.int_arg(0))
    if source is None:
        return
    if cb.action == "merge":
        others = [
            x for x in await storage.themes.of_workshop(source.workshop_id) if x.id != source.id
        ]
        rows = [[(x.name, callbacks.make("th", "into", source.id, x.id))] for x in others]
        await say(update, context, "fac_theme_merge_into", buttons=rows, source=source)
        return
    target = await _theme(update, context, "themes", cb.int_arg(1))
    if target is None or target.workshop_id != source.workshop_id or target.id == source.id:
        if target is not None:
            await say(update, context, "expired_nowhere")
        return
    await storage.themes.merge(source.id, target.id)
    await audit(update, context, "merge-themes", source.workshop_id, f"{source.id}->{target.id}")
    workshop = await storage.workshops.get(source.workshop_id)
    await say(update, context, "fac_theme_merged", source=source, target=target)
    if workshop is not None:
        await show_themes(update, context, workshop)
