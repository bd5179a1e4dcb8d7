"""Sharing a view at any time: free text in one or more messages, then Done."""

from __future__ import annotations

from telegram import Update

from chat.callbacks.journey import ShareEnd, ShareFinish, ShareFor
from chat.context import BotContext
from chat.messaging import say, settle
from chat.place import ANSWERING, GONE
from chat.screens import expired, pressed, share_buttons, show_share_prompt
from chat.states import END, INVITE, SHARE_WORKSHOP, State
from storage.kinds import ParticipantStatus as Status
from storage.models import Participant

VIEW_LIMIT = 20000


async def _members(context: BotContext, user_id: int) -> list[Participant]:
    return await context.storage.participants.memberships(user_id)


async def begin(update: Update, context: BotContext) -> int:
    """Ask which workshop the view is for (if more than one), then invite the person to write."""
    user = update.effective_user
    if user is None:
        return END
    context.memory.pop(INVITE, None)
    members = await _members(context, user.id)
    if not members:
        await say(update, context, "share_not_member")
        return END
    paused = None
    for member in members:
        if member.status in ANSWERING:
            await context.storage.participants.move(member.id, status=Status.PAUSED)
            paused = member
    if paused is not None:
        await say(update, context, "share_pauses_questions", number=paused.position + 1)
    if len(members) == 1:
        workshop = await context.storage.workshops.get(members[0].workshop_id)
        assert workshop is not None
        return await show_share_prompt(update, context, workshop)
    workshops = [await context.storage.workshops.get(m.workshop_id) for m in members]
    rows = [[(w.title, ShareFor(w.id).pack())] for w in workshops if w is not None]
    rows += share_buttons(context.texts, done=False)
    context.memory[SHARE_WORKSHOP] = None  # choosing: the buttons say which
    await say(update, context, "share_pick", buttons=rows)
    return State.SHARING


async def _sharer(update: Update, context: BotContext) -> Participant | None:
    """The membership the view is being written for, checked against the database."""
    user = update.effective_user
    workshop_id = context.memory.get(SHARE_WORKSHOP)
    if user is None or not isinstance(workshop_id, int):
        return None
    member = await context.storage.participants.get(workshop_id, user.id)
    if member is None or member.status in GONE:
        return None
    return member


async def add_text(update: Update, context: BotContext) -> int:
    """Keep one message of the view as a draft and offer Done."""
    message = update.effective_message
    if message is None or message.text is None:
        return State.SHARING
    member = await _sharer(update, context)
    if member is None and SHARE_WORKSHOP in context.memory and not context.memory[SHARE_WORKSHOP]:
        await say(update, context, "share_pick_first")  # the workshop buttons are showing
        return State.SHARING
    if member is None:  # erased meanwhile, or no longer a member: sharing is over
        context.memory.pop(SHARE_WORKSHOP, None)
        await say(update, context, "text_not_kept", workshop=None, status=None)
        return END
    text = message.text.strip()[:VIEW_LIMIT]
    await context.storage.views.add_draft(member.id, text, message.message_id)
    await say(update, context, "share_draft_kept", buttons=share_buttons(context.texts, done=True))
    return State.SHARING


async def not_text(update: Update, context: BotContext) -> int:
    """Stickers, photos and voice notes cannot be kept as a view yet."""
    await say(update, context, "not_text", asking=False, sharing=True)
    return State.SHARING


async def on_pick(update: Update, context: BotContext) -> int | None:
    """The workshop the view is for, when the person is in more than one."""
    press = await pressed(update, context, ShareFor)
    if press is None:
        return None
    query, user, pick = press
    storage = context.storage
    member = await storage.participants.get(pick.workshop_id, user.id)
    workshop = await storage.workshops.get(pick.workshop_id)
    if member is None or member.status in GONE or workshop is None:
        return await expired(update, context)
    await settle(query)
    return await show_share_prompt(update, context, workshop)


async def on_finish(update: Update, context: BotContext) -> int | None:
    """Share the drafts, or cancel."""
    press = await pressed(update, context, ShareFinish)
    if press is None:
        return None
    query, user, finish = press
    storage = context.storage
    member = await _sharer(update, context) or await _member_with_drafts(context, user.id)
    if member is None and finish.end is ShareEnd.CANCEL:
        await settle(query)
        return await cancel(update, context)
    if member is None:
        return await expired(update, context)
    await settle(query)
    context.memory.pop(SHARE_WORKSHOP, None)
    workshop = await storage.workshops.get(member.workshop_id)
    if finish.end is ShareEnd.CANCEL:
        await storage.views.discard_drafts(member.id)
        await say(update, context, "share_cancelled")
        return END
    views = await storage.views.share_drafts(member.id)
    if not views:
        await say(update, context, "share_empty")
        return END
    await say(update, context, "share_done", workshop=workshop, views=views)
    return END


async def _member_with_drafts(context: BotContext, user_id: int) -> Participant | None:
    # After a restart the chosen workshop may be forgotten; the drafts are not.
    for member in await _members(context, user_id):
        if await context.storage.views.drafts(member.id):
            return member
    return None


async def cancel(update: Update, context: BotContext) -> int:
    """Leave sharing; drafts are dropped because the person chose not to share them."""
    member = await _sharer(update, context)
    context.memory.pop(SHARE_WORKSHOP, None)
    if member is not None:
        await context.storage.views.discard_drafts(member.id)
    await say(update, context, "share_cancelled")
    return END
