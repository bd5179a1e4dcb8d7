"""/themes: each theme with its counts; choosing a theme to rename, and merging themes.
(Naming and renaming are typed prompts: conversations.facilitator.theme.)"""

from __future__ import annotations

from telegram import Update

from chat.callbacks.facilitator import (
    MergeInto,
    MergeTheme,
    NewTheme,
    PickTheme,
    RenameTheme,
    ThemeAction,
)
from chat.context import BotContext
from chat.messaging import Button, say
from handlers.facilitator.access import audit, button, permit
from storage.models import Workshop


async def show_themes(update: Update, context: BotContext, workshop: Workshop) -> None:
    """Every theme with how many answers and views carry it, from how many people."""
    t = context.texts
    counts = await context.storage.themes.counts(workshop.id)
    rows: list[list[Button]] = [[(t.label("buttons.new_theme"), NewTheme(workshop.id).pack())]]
    if counts:
        rows.append(
            [
                (
                    t.label("buttons.rename_theme"),
                    PickTheme(workshop.id, ThemeAction.RENAME).pack(),
                ),
                (
                    t.label("buttons.merge_themes"),
                    PickTheme(workshop.id, ThemeAction.MERGE).pack(),
                ),
            ]
        )
    await say(
        update, context, "facilitator/themes/list", buttons=rows, workshop=workshop, counts=counts
    )


async def theme_workshop(context: BotContext, data: RenameTheme | MergeTheme) -> int | None:
    theme = await context.storage.themes.get(data.theme)
    return None if theme is None else theme.workshop_id


async def source_workshop(context: BotContext, data: MergeInto) -> int | None:
    theme = await context.storage.themes.get(data.source)
    return None if theme is None else theme.workshop_id


async def target_workshop(context: BotContext, data: MergeInto) -> int | None:
    theme = await context.storage.themes.get(data.target)
    return None if theme is None else theme.workshop_id


@button(PickTheme, "themes")
async def on_pick(
    update: Update, context: BotContext, data: PickTheme, workshop: Workshop
) -> None:
    """Choose a theme to rename or merge."""
    family = RenameTheme if data.action is ThemeAction.RENAME else MergeTheme
    rows = [
        [(theme.name, family(theme.id).pack())]
        for theme in await context.storage.themes.of_workshop(workshop.id)
    ]
    await say(update, context, "facilitator/themes/pick", buttons=rows, action=data.action.value)


@button(MergeTheme, "themes", theme_workshop)
async def on_merge(
    update: Update, context: BotContext, data: MergeTheme, workshop: Workshop
) -> None:
    """Choose the theme to merge this one into."""
    source = await context.storage.themes.get(data.theme)
    assert source is not None
    others = [
        x for x in await context.storage.themes.of_workshop(workshop.id) if x.id != source.id
    ]
    rows = [[(x.name, MergeInto(source.id, x.id).pack())] for x in others]
    await say(update, context, "facilitator/themes/merge_into", buttons=rows, source=source)


@button(MergeInto, "themes", source_workshop)
async def on_merge_into(
    update: Update, context: BotContext, data: MergeInto, workshop: Workshop
) -> None:
    """Merge the first theme into the second, once the second is checked too."""
    if await permit(update, context, "themes", await target_workshop(context, data)) is None:
        return
    storage = context.storage
    source = await storage.themes.get(data.source)
    target = await storage.themes.get(data.target)
    assert source is not None
    assert target is not None
    if target.workshop_id != source.workshop_id or target.id == source.id:
        await say(update, context, "common/expired_nowhere")
        return
    await storage.themes.merge(source.id, target.id)
    await audit(update, context, "merge-themes", source.workshop_id, f"{source.id}->{target.id}")
    await say(update, context, "facilitator/themes/merged", source=source, target=target)
    await show_themes(update, context, workshop)
