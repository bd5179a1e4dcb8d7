"""/views: read answers and shared views page by page, and tag them with themes."""

from __future__ import annotations

from telegram import Update

from chat import callbacks
from chat.context import BotContext
from chat.messaging import Button, replace, say
from handlers.facilitator.access import (
    audit,
    gone,
    is_staff,
    may_run,
    parsed_button,
    refuse,
    workshop_from_button,
)
from storage.feed import ALL, VIEWS_ONLY
from storage.models import Workshop

PAGE = 5
KIND_CODE = {"answer": "a", "view": "v"}
KIND_NAME = {"a": "answer", "v": "view"}


async def show_views_menu(update: Update, context: BotContext, workshop: Workshop) -> None:
    """Ask what to read: everything, shared views, or the answers to one question."""
    storage = context.storage
    t = context.texts
    rows: list[list[Button]] = [
        [(t.label("buttons.read_all"), callbacks.make("vw", "page", workshop.id, ALL, 0))],
        [
            (
                t.label("buttons.read_views"),
                callbacks.make("vw", "page", workshop.id, VIEWS_ONLY, 0),
            )
        ],
    ]
    for q in await storage.workshops.questions(workshop.id):
        label = f"{q.position + 1}. {q.prompt}"
        rows.append([(label[:60], callbacks.make("vw", "page", workshop.id, f"q{q.position}", 0))])
    total = await storage.feed.count(workshop.id)
    await say(update, context, "fac_views_menu", buttons=rows, workshop=workshop, total=total)


def _which(raw: str) -> str | int:
    return int(raw[1:]) if raw.startswith("q") else raw


async def on_page(update: Update, context: BotContext) -> None:
    """One page of answers and views, newest first, with Tag buttons and paging."""
    cb = await parsed_button(update, context, "button")
    if cb is None:
        return
    workshop = await workshop_from_button(update, context, "views", cb.int_arg(0))
    if workshop is None:
        return
    which, offset = cb.args[1], cb.int_arg(2)
    feed = context.storage.feed
    total = await feed.count(workshop.id, _which(which))
    items = await feed.items(workshop.id, _which(which), offset=offset, limit=PAGE)
    t = context.texts
    rows: list[list[Button]] = []
    tags = [
        (t.label("buttons.tag").format(n=offset + i + 1),
         callbacks.make("vw", "tag", KIND_CODE[item.kind], item.id))
        for i, item in enumerate(items)
    ]  # fmt: skip
    if tags:
        rows.append(tags[:3])
        if tags[3:]:
            rows.append(tags[3:])
    nav: list[Button] = []
    if offset > 0:
        back = callbacks.make("vw", "page", workshop.id, which, max(offset - PAGE, 0))
        nav.append((t.label("buttons.newer"), back))
    if offset + PAGE < total:
        nav.append(
            (
                t.label("buttons.older"),
                callbacks.make("vw", "page", workshop.id, which, offset + PAGE),
            )
        )
    if nav:
        rows.append(nav)
    await audit(update, context, "views", workshop.id, f"{which}@{offset}")
    await say(
        update,
        context,
        "fac_views_page",
        buttons=rows,
        workshop=workshop,
        items=items,
        offset=offset,
        total=total,
        which=which,
        timezone=workshop.timezone,
    )


async def _item_workshop(
    update: Update, context: BotContext, kind: str, item_id: int
) -> int | None:
    """The workshop of an answer or view, if the presser may run it; else refuse."""
    user = update.effective_user
    workshop_id = await context.storage.themes.item_workshop(KIND_NAME[kind], item_id)
    if user is not None and workshop_id is None and await is_staff(context, user.id):
        await gone(update, context)
        return None
    if user is None or workshop_id is None or not await may_run(context, user.id, workshop_id):
        await refuse(update, context, "tag", workshop_id)
        return None
    return workshop_id


async def on_tag(update: Update, context: BotContext) -> None:
    """Show the themes for one item as on/off buttons, and apply a change."""
    cb = await parsed_button(update, context, "button")
    if cb is None:
        return
    kind, item_id = cb.args[0], cb.int_arg(1)
    workshop_id = await _item_workshop(update, context, kind, item_id)
    if workshop_id is None:
        return
    themes = context.storage.themes
    user = update.effective_user
    assert user is not None
    if cb.action in ("on", "off"):
        theme = await themes.get(cb.int_arg(2))
        if theme is None:
            await gone(update, context)
            return
        if theme.workshop_id != workshop_id:
            await refuse(update, context, "tag", workshop_id)
            return
        if cb.action == "on":
            await themes.tag(theme.id, KIND_NAME[kind], item_id, user.id)
        else:
            await themes.untag(theme.id, KIND_NAME[kind], item_id)
        await audit(
            update, context, f"tag-{cb.action}", workshop_id, f"{theme.id}:{kind}{item_id}"
        )
    await show_tagging(update, context, workshop_id, kind, item_id, in_place=cb.action != "tag")


async def show_tagging(
    update: Update,
    context: BotContext,
    workshop_id: int,
    kind: str,
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
        data = callbacks.make("vw", "off" if on else "on", kind, item_id, theme.id)
        rows.append([(("✓ " if on else "") + theme.name, data)])
    rows.append([(t.label("buttons.new_theme"), callbacks.make("vw", "new", kind, item_id))])
    values = {"item": await storage.feed.item(KIND_NAME[kind], item_id)}
    if in_place and update.callback_query is not None:
        await replace(update.callback_query, context, "fac_tagging", buttons=rows, **values)
    else:
        await say(update, context, "fac_tagging", buttons=rows, **values)
