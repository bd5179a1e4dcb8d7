"""/workshops, /workshop with edit buttons, /invite with a QR poster, closing and reopening."""

from __future__ import annotations

import asyncio

from telegram import InputFile, Update

from chat import callbacks
from chat.callbacks import EDIT_FIELDS
from chat.context import BotContext
from chat.messaging import Button, say
from domain.poster import invite_poster
from handlers.facilitator.access import (
    audit,
    parsed_button,
    staff_only,
    workshop_from_button,
    workshops_run_by,
)
from storage.models import ENGAGEMENT_LEVELS, Workshop


def invite_link(context: BotContext, workshop: Workshop) -> str:
    return f"https://t.me/{context.bot.username}?start={workshop.invite_code}"


@staff_only("workshops")
async def list_workshops(update: Update, context: BotContext) -> None:
    """List the workshops this person runs, with how many people are at each stage."""
    user = update.effective_user
    assert user is not None
    rows = []
    for workshop in await workshops_run_by(context, user.id):
        counts = await context.storage.workshops.participant_counts(workshop.id)
        taking_part = sum(n for s, n in counts.items() if s not in ("declined", "withdrawn"))
        rows.append((workshop, taking_part, counts.get("submitted", 0)))
    await say(update, context, "fac_workshops", rows=rows)


async def show_workshop(update: Update, context: BotContext, workshop: Workshop) -> None:
    """One workshop in full, with a button for each thing that can be changed."""
    t = context.texts
    edit: list[Button] = [
        (t.label(f"fields.{name}"), callbacks.make("we", name, workshop.id))
        for name in EDIT_FIELDS
    ]
    rows = [edit[i : i + 2] for i in range(0, len(edit), 2)]
    rows.append([(t.label("buttons.invite"), callbacks.make("fw", "invite", workshop.id))])
    if workshop.is_open:
        rows.append([(t.label("buttons.close"), callbacks.make("fw", "close", workshop.id))])
    else:
        rows.append([(t.label("buttons.reopen"), callbacks.make("wc", "reopen", workshop.id))])
    counts = await context.storage.workshops.participant_counts(workshop.id)
    await say(
        update,
        context,
        "fac_workshop",
        buttons=rows,
        workshop=workshop,
        link=invite_link(context, workshop),
        counts=counts,
    )


async def send_invite(update: Update, context: BotContext, workshop: Workshop) -> None:
    """The participant link, and a print-ready poster with its QR code."""
    chat = update.effective_chat
    assert chat is not None
    link = invite_link(context, workshop)
    await say(update, context, "fac_invite", workshop=workshop, link=link)
    t = context.texts
    try:
        png = await asyncio.to_thread(
            invite_poster,
            title=workshop.title,
            link=link,
            blurb=t.plain("poster_blurb", workshop=workshop),
            footer=t.plain("poster_footer", workshop=workshop),
        )
    except ValueError:  # text that cannot fit a page: the link above still works
        await say(update, context, "fac_no_poster")
        await audit(update, context, "invite", workshop.id)
        return
    await context.bot.send_document(
        chat.id,
        InputFile(png, filename=f"invite-poster-{workshop.id}.png"),
        caption=t.render("fac_poster_caption", workshop=workshop),
    )
    await audit(update, context, "invite", workshop.id)


async def on_edit_level(update: Update, context: BotContext) -> None:
    """Show the five engagement levels, or store the one chosen."""
    cb = await parsed_button(update, context, "button")
    if cb is None:
        return
    workshop = await workshop_from_button(update, context, "edit", cb.int_arg(0))
    if workshop is None:
        return
    if cb.action == "levels":
        rows = [
            [
                (
                    context.texts.label(f"level_names.{level}"),
                    callbacks.make("we", "level", workshop.id, i),
                )
            ]
            for i, level in enumerate(ENGAGEMENT_LEVELS)
        ]
        await say(update, context, "fac_pick_level", buttons=rows, workshop=workshop)
        return
    index = cb.int_arg(1)
    if index >= len(ENGAGEMENT_LEVELS):
        await say(update, context, "expired_nowhere")
        return
    await context.storage.workshops.update(
        workshop.id, "engagement_level", ENGAGEMENT_LEVELS[index]
    )
    await audit(update, context, "edit", workshop.id, "engagement_level")
    refreshed = await context.storage.workshops.get(workshop.id)
    assert refreshed is not None
    await say(update, context, "fac_saved", field="engagement_level")
    await show_workshop(update, context, refreshed)


async def on_reopen(update: Update, context: BotContext) -> None:
    cb = await parsed_button(update, context, "button")
    if cb is None:
        return
    workshop = await workshop_from_button(update, context, "reopen", cb.int_arg(0))
    if workshop is None:
        return
    await context.storage.workshops.reopen(workshop.id)
    await audit(update, context, "reopen", workshop.id)
    await say(update, context, "fac_reopened", workshop=workshop)
