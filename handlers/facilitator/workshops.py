"""/workshops, /workshop with edit buttons, /invite with a QR poster, reopening."""

from __future__ import annotations

import asyncio

from telegram import InputFile, Update

from chat.callbacks.facilitator import EditField, Field, Pick, PickWorkshop, Reopen, SetLevel
from chat.context import BotContext
from chat.messaging import Button, say
from domain.texts import language_name
from handlers.facilitator.access import audit, button, staff_only, workshops_run_by
from storage.kinds import EngagementLevel, ParticipantStatus
from storage.models import Workshop


def invite_link(context: BotContext, workshop: Workshop) -> str:
    return f"https://t.me/{context.bot.username}?start={workshop.invite_code}"


@staff_only("workshops")
async def list_workshops(update: Update, context: BotContext) -> None:
    """List the workshops this person runs, with how many people are at each stage."""
    user = update.effective_user
    assert user is not None
    left = (ParticipantStatus.DECLINED, ParticipantStatus.WITHDRAWN)
    rows = []
    for workshop in await workshops_run_by(context, user.id):
        counts = await context.storage.workshops.participant_counts(workshop.id)
        taking_part = sum(n for s, n in counts.items() if s not in left)
        rows.append((workshop, taking_part, counts.get(ParticipantStatus.SUBMITTED, 0)))
    await say(update, context, "facilitator/workshops", rows=rows)


async def show_workshop(update: Update, context: BotContext, workshop: Workshop) -> None:
    """One workshop in full, with a button for each thing that can be changed."""
    t = context.texts
    edit: list[Button] = [
        (t.label(f"fields.{field.value}"), EditField(field, workshop.id).pack()) for field in Field
    ]
    rows = [edit[i : i + 2] for i in range(0, len(edit), 2)]
    rows.append([(t.label("buttons.invite"), PickWorkshop(Pick.INVITE, workshop.id).pack())])
    if workshop.is_open:
        rows.append([(t.label("buttons.close"), PickWorkshop(Pick.CLOSE, workshop.id).pack())])
    else:
        rows.append([(t.label("buttons.reopen"), Reopen(workshop.id).pack())])
    counts = await context.storage.workshops.participant_counts(workshop.id)
    await say(
        update,
        context,
        "facilitator/workshop/show",
        buttons=rows,
        workshop=workshop,
        link=invite_link(context, workshop),
        counts=counts,
        language_names=[language_name(code) for code in workshop.languages],
    )


async def send_invite(update: Update, context: BotContext, workshop: Workshop) -> None:
    """The participant link, and a print-ready poster with its QR code."""
    # Imported here, not at start: the poster pulls in matplotlib's fonts and Pillow.
    from domain.poster import workshop_poster

    chat = update.effective_chat
    assert chat is not None
    link = invite_link(context, workshop)
    await say(update, context, "facilitator/invite/link", workshop=workshop, link=link)
    try:
        png = await asyncio.to_thread(workshop_poster, workshop, link)
    except ValueError:  # text that cannot fit a page: the link above still works
        await say(update, context, "facilitator/invite/no_poster")
        await audit(update, context, "invite", workshop.id)
        return
    await context.bot.send_document(
        chat.id,
        InputFile(png, filename=f"invite-poster-{workshop.id}.png"),
        caption=context.texts.render("facilitator/invite/poster_caption", workshop=workshop),
    )
    await audit(update, context, "invite", workshop.id)


def is_levels(data: object) -> bool:
    found = EditField.unpack(data)
    return found is not None and found.field is Field.LEVELS


@button(EditField, "edit")
async def on_show_levels(
    update: Update, context: BotContext, data: EditField, workshop: Workshop
) -> None:
    """Show the five engagement levels as buttons."""
    rows = [
        [(context.texts.label(f"level_names.{level}"), SetLevel(workshop.id, level).pack())]
        for level in EngagementLevel
    ]
    await say(update, context, "facilitator/workshop/pick_level", buttons=rows, workshop=workshop)


@button(SetLevel, "edit")
async def on_set_level(
    update: Update, context: BotContext, data: SetLevel, workshop: Workshop
) -> None:
    """Store the engagement level chosen."""
    await context.storage.workshops.update(workshop.id, "engagement_level", data.level)
    await audit(update, context, "edit", workshop.id, "engagement_level")
    refreshed = await context.storage.workshops.get(workshop.id)
    assert refreshed is not None
    await say(update, context, "facilitator/workshop/saved", field="engagement_level")
    await show_workshop(update, context, refreshed)


@button(Reopen, "reopen")
async def on_reopen(update: Update, context: BotContext, data: Reopen, workshop: Workshop) -> None:
    await context.storage.workshops.reopen(workshop.id)
    await audit(update, context, "reopen", workshop.id)
    await say(update, context, "facilitator/workshop/reopened", workshop=workshop)
