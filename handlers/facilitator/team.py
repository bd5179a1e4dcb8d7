"""Facilitators of a workshop: one-time invite links, the team list, removing someone."""

from __future__ import annotations

from telegram import Update

from chat.callbacks.facilitator import Pick, PickWorkshop, RemoveFacilitator
from chat.context import BotContext
from chat.messaging import Button, say
from handlers.facilitator.access import audit, button, is_owner, is_staff
from handlers.facilitator.menus import set_staff_menu, staff_texts
from storage.models import Workshop


async def show_team(update: Update, context: BotContext, workshop: Workshop) -> None:
    """Who runs this workshop, with a Remove button each and an invite button."""
    user = update.effective_user
    assert user is not None
    t = context.texts
    team = await context.storage.facilitators.of_workshop(workshop.id)
    rows: list[list[Button]] = [
        [
            (
                t.label("buttons.remove", name=name or str(member_id)),
                RemoveFacilitator(workshop.id, member_id).pack(),
            )
        ]
        for member_id, name in team
        if member_id != user.id
    ]
    invite = PickWorkshop(Pick.ADDFACILITATOR, workshop.id).pack()
    rows.append([(t.label("buttons.add_facilitator"), invite)])
    await say(
        update,
        context,
        "facilitator/team/list",
        buttons=rows,
        workshop=workshop,
        team=team,
        me=user.id,
    )


async def send_facilitator_invite(update: Update, context: BotContext, workshop: Workshop) -> None:
    """A link that makes whoever opens it first (within 7 days) a facilitator."""
    user = update.effective_user
    assert user is not None
    code = await context.storage.facilitators.create_invite(workshop.id, user.id)
    await audit(update, context, "facilitator-invite", workshop.id)
    link = f"https://t.me/{context.bot.username}?start={code}"
    await say(update, context, "facilitator/team/invite", workshop=workshop, link=link)


@button(RemoveFacilitator, "removefacilitator")
async def on_remove(
    update: Update, context: BotContext, data: RemoveFacilitator, workshop: Workshop
) -> None:
    removed = await context.storage.facilitators.remove(workshop.id, data.member)
    if removed:
        await audit(update, context, "removefacilitator", workshop.id, str(data.member))
        staff = await is_staff(context, data.member)
        owner = is_owner(context, data.member)
        # Their menu, in their language, not the language of whoever removed them.
        words = (await staff_texts(context.storage, [data.member]))[data.member]
        await set_staff_menu(context.bot, words, data.member, staff=staff, owner=owner)
    await say(update, context, "facilitator/team/removed", workshop=workshop, removed=removed)
    await show_team(update, context, workshop)


async def redeem(update: Update, context: BotContext, code: str) -> None:
    """Someone opened a facilitator link: make them a facilitator, once."""
    user = update.effective_user
    assert user is not None
    storage = context.storage
    workshop_id = await storage.facilitators.redeem(
        code,
        user.id,
        name=user.first_name,
        owners=context.settings.admins,
        language=context.language,
    )
    if workshop_id is None:
        await storage.audit.record(user.id, "facilitator-join", allowed=False)
        await say(update, context, "facilitator/invite/unusable")
        return
    await storage.audit.record(user.id, "facilitator-join", workshop_id=workshop_id)
    workshop = await storage.workshops.get(workshop_id)
    owner = is_owner(context, user.id)
    await set_staff_menu(context.bot, context.texts, user.id, staff=True, owner=owner)
    await say(update, context, "facilitator/welcome", workshop=workshop)
