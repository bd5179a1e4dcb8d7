"""/views: read answers and shared views page by page, and tag them with themes."""

from __future__ import annotations

from telegram import Update

from chat.callbacks.facilitator import (
    Feed,
    FeedPage,
    ItemKind,
    NewThemeFor,
    QuestionPage,
    ShowTags,
    TagOff,
    TagOn,
)
from chat.context import BotContext
from chat.messaging import Button, replace, say
from domain.texts import shorten
from handlers.facilitator.access import audit, button, gone, refuse
from storage.kinds import FeedKind
from storage.models import Workshop

PAGE = 5
KIND_NAME: dict[ItemKind, FeedKind] = {
    ItemKind.ANSWER: FeedKind.ANSWER,
    ItemKind.VIEW: FeedKind.VIEW,
}
KIND_CODE: dict[FeedKind, ItemKind] = {name: code for code, name in KIND_NAME.items()}


async def show_views_menu(update: Update, context: BotContext, workshop: Workshop) -> None:
    """Ask what to read: everything, shared views, or the answers to one question."""
    storage = context.storage
    t = context.texts
    rows: list[list[Button]] = [
        [(t.label("buttons.read_all"), FeedPage(workshop.id, Feed.ALL, 0).pack())],
        [(t.label("buttons.read_views"), FeedPage(workshop.id, Feed.VIEWS, 0).pack())],
    ]
    for q in await storage.workshops.questions(workshop.id):
        label = f"{q.position + 1}. {q.prompt}"
        rows.append([(shorten(label, 60), QuestionPage(workshop.id, q.position, 0).pack())])
    total = await storage.feed.count(workshop.id)
    await say(
        update, context, "facilitator/views/menu", buttons=rows, workshop=workshop, total=total
    )


def _page(data: FeedPage | QuestionPage, offset: int) -> str:
    if isinstance(data, FeedPage):
        return FeedPage(data.workshop, data.feed, offset).pack()
    return QuestionPage(data.workshop, data.position, offset).pack()


async def _show_page(
    update: Update, context: BotContext, data: FeedPage | QuestionPage, workshop: Workshop
) -> None:
    """One page of answers and views, newest first, with Tag buttons and paging."""
    which: str | int = data.feed.value if isinstance(data, FeedPage) else data.position
    shown = which if isinstance(which, str) else f"q{which}"
    offset = data.offset
    feed = context.storage.feed
    total = await feed.count(workshop.id, which)
    items = await feed.items(workshop.id, which, offset=offset, limit=PAGE)
    t = context.texts
    rows: list[list[Button]] = []
    tags = [
        (
            t.label("buttons.tag", n=offset + i + 1),
            ShowTags(KIND_CODE[FeedKind(item.kind)], item.id).pack(),
        )
        for i, item in enumerate(items)
    ]
    if tags:
        rows.append(tags[:3])
        if tags[3:]:
            rows.append(tags[3:])
    nav: list[Button] = []
    if offset > 0:
        nav.append((t.label("buttons.newer"), _page(data, max(offset - PAGE, 0))))
    if offset + PAGE < total:
        nav.append((t.label("buttons.older"), _page(data, offset + PAGE)))
    if nav:
        rows.append(nav)
    await audit(update, context, "views", workshop.id, f"{shown}@{offset}")
    await say(
        update,
        context,
        "facilitator/views/page",
        buttons=rows,
        workshop=workshop,
        items=items,
        offset=offset,
        total=total,
        which=shown,
        timezone=workshop.timezone,
    )


@button(FeedPage, "views")
async def on_feed_page(
    update: Update, context: BotContext, data: FeedPage, workshop: Workshop
) -> None:
    await _show_page(update, context, data, workshop)


@button(QuestionPage, "views")
async def on_question_page(
    update: Update, context: BotContext, data: QuestionPage, workshop: Workshop
) -> None:
    await _show_page(update, context, data, workshop)


async def item_workshop(
    context: BotContext, data: ShowTags | TagOn | TagOff | NewThemeFor
) -> int | None:
    """The workshop of the answer or view a button names."""
    return await context.storage.themes.item_workshop(KIND_NAME[data.kind], data.item)


@button(ShowTags, "tag", item_workshop)
async def on_show_tags(
    update: Update, context: BotContext, data: ShowTags, workshop: Workshop
) -> None:
    await show_tagging(update, context, workshop.id, data.kind, data.item)


async def _tag(
    update: Update, context: BotContext, data: TagOn | TagOff, workshop: Workshop
) -> None:
    """Put a theme on an item or take it off, and show the item's themes again."""
    themes = context.storage.themes
    user = update.effective_user
    assert user is not None
    theme = await themes.get(data.theme)
    if theme is None:
        await gone(update, context)
        return
    if theme.workshop_id != workshop.id:
        await refuse(update, context, "tag", workshop.id)
        return
    on = isinstance(data, TagOn)
    if on:
        await themes.tag(theme.id, KIND_NAME[data.kind], data.item, user.id)
    else:
        await themes.untag(theme.id, KIND_NAME[data.kind], data.item)
    detail = f"{theme.id}:{data.kind.value}{data.item}"
    await audit(update, context, "tag-on" if on else "tag-off", workshop.id, detail)
    await show_tagging(update, context, workshop.id, data.kind, data.item, in_place=True)


@button(TagOn, "tag", item_workshop)
async def on_tag_on(update: Update, context: BotContext, data: TagOn, workshop: Workshop) -> None:
    await _tag(update, context, data, workshop)


@button(TagOff, "tag", item_workshop)
async def on_tag_off(
    update: Update, context: BotContext, data: TagOff, workshop: Workshop
) -> None:
    await _tag(update, context, data, workshop)


async def show_tagging(
    update: Update,
    context: BotContext,
    workshop_id: int,
    kind: ItemKind,
    item_id: int,
    *,
    in_place: bool = False,
) -> None:
    storage = context.storage
    t = context.texts
    tagged = await storage.themes.of_item(KIND_NAME[kind], item_id)
    rows: list[list[Button]] = []
    for theme in await storage.themes.of_workshop(workshop_id):
        on = theme.id in tagged
        data = (TagOff if on else TagOn)(kind, item_id, theme.id).pack()
        rows.append([(("✓ " if on else "") + theme.name, data)])
    rows.append([(t.label("buttons.new_theme"), NewThemeFor(kind, item_id).pack())])
    values = {"item": await storage.feed.item(KIND_NAME[kind], item_id)}
    if in_place and update.callback_query is not None:
        await replace(
            update.callback_query, context, "facilitator/views/tagging", buttons=rows, **values
        )
    else:
        await say(update, context, "facilitator/views/tagging", buttons=rows, **values)
