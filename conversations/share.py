"""Sharing a view at any time: free text in one or more messages, then Done.

The share session is a typed step in the database (``storage.typed_steps``), opened in the
same transaction that pauses the questions, so the view typed after a crash is still kept
as a view. Its buttons carry the session, so Done on an old prompt changes nothing.
"""

from __future__ import annotations

import secrets

from telegram import Update

from chat.callbacks.journey import ShareEnd, ShareFinish, ShareFor
from chat.context import BotContext
from chat.messaging import Button, acknowledge, say, settle
from chat.place import ANSWERING, GONE
from chat.screens import expired, pressed
from chat.states import END, INVITE, SHARE_WORKSHOP, State
from domain.texts import shorten
from domain.translations import workshop_in
from storage.kinds import StepKind
from storage.models import Participant, Workshop
from storage.typed_steps import TypedStep

# A view holds this many characters; a long paste past it goes on as a view of its own.
VIEW_LIMIT = 20000
# Telegram cuts messages at 4,096 characters, so a text this long has probably been split.
LONG_TEXT = 4000
BOOT = "boot"


def boot(context: BotContext) -> str:
    """This run of the bot: a typed step opened in it is known to its conversation state."""
    value = context.bot_data.get(BOOT)
    if not isinstance(value, str):
        value = context.bot_data[BOOT] = secrets.token_hex(8)
    return value


def update_id(update: Update) -> int | None:
    """Telegram's id of this update (0 or less: made up, not from Telegram)."""
    return update.update_id if update.update_id > 0 else None


async def moved_on(update: Update, context: BotContext) -> None:
    """A button of a step that is over: say so on the button, change nothing."""
    query = update.callback_query
    if query is not None:
        await acknowledge(query, context.texts.plain("common/moved_on"))


async def already_handled(context: BotContext, update: Update) -> bool:
    """Telegram sent this update again (it was handled, then the bot stopped unconfirmed)."""
    handled = update_id(update)
    return handled is not None and await context.storage.typed_steps.handled(handled)


async def begin(update: Update, context: BotContext) -> int | None:
    """Ask which workshop the view is for (if more than one), then invite the person to write."""
    user = update.effective_user
    if user is None or await already_handled(context, update):
        return None
    context.memory.pop(INVITE, None)
    storage = context.storage
    members = await storage.participants.memberships(user.id)
    if not members:
        await say(update, context, "share/not_member")
        return END
    paused = [m for m in members if m.status in ANSWERING]
    single = members[0] if len(members) == 1 else None
    step = await storage.views.open_sharing(
        user.id,
        single.id if single else None,
        pause=tuple(m.id for m in paused),
        boot=boot(context),
        update_id=update_id(update),
    )
    if step is None:
        return None
    if paused:
        await say(update, context, "share/pauses_questions", number=paused[-1].position + 1)
    if single is not None:
        workshop = await storage.workshops.get(single.workshop_id)
        assert workshop is not None
        return await _prompt(update, context, workshop, single, step)
    workshops = [await storage.workshops.get(m.workshop_id) for m in members]
    rows: list[list[Button]] = [
        [(shorten(workshop_in(w, context.language).title, 50), ShareFor(w.id).pack())]
        for w in workshops
        if w is not None
    ]
    rows += _buttons(context, step, done=False)
    context.memory[SHARE_WORKSHOP] = None  # choosing: the buttons say which
    await say(update, context, "share/pick", buttons=rows)
    return State.SHARING


def _buttons(context: BotContext, step: int, *, done: bool) -> list[list[Button]]:
    """Done (when there is something to share) and Cancel, for one share session."""
    t = context.texts
    rows: list[list[Button]] = []
    if done:
        rows.append([(t.label("buttons.share_done"), ShareFinish(ShareEnd.DONE, step).pack())])
    rows.append([(t.label("buttons.cancel"), ShareFinish(ShareEnd.CANCEL, step).pack())])
    return rows


async def _prompt(
    update: Update, context: BotContext, workshop: Workshop, member: Participant, step: int
) -> int:
    context.memory[SHARE_WORKSHOP] = workshop.id
    drafts = await context.storage.views.drafts(member.id)
    rows = _buttons(context, step, done=bool(drafts))
    await say(update, context, "share/prompt", buttons=rows, workshop=workshop, drafts=drafts)
    return State.SHARING


async def take_view(update: Update, context: BotContext, step: TypedStep) -> int:
    """Keep one message of the view as a draft (a split paste joins the part before it)."""
    message = update.effective_message
    if message is None or message.text is None:
        return State.SHARING
    storage = context.storage
    if step.participant_id is None:
        await say(update, context, "share/pick_first")  # the workshop buttons are showing
        return State.SHARING
    member = await storage.participants.by_id(step.participant_id)
    if member is None or member.status in GONE:  # erased meanwhile: sharing is over
        await storage.typed_steps.close(step.telegram_user_id, kind=StepKind.VIEW)
        context.memory.pop(SHARE_WORKSHOP, None)
        await say(update, context, "questions/text_not_kept", workshop=None, status=None)
        return END
    text = message.text.strip()
    join = step.continuing
    separate = False
    if join:
        drafts = await storage.views.drafts(member.id)
        if drafts and len(drafts[-1].text) + 1 + len(text) > VIEW_LIMIT:
            join, separate = False, True
    long = len(message.text) >= LONG_TEXT
    view = await storage.views.keep_part(
        member.id,
        text,
        message.message_id,
        join=join,
        step_id=step.id,
        more_to_come=long,
        update_id=update_id(update),
    )
    context.memory[SHARE_WORKSHOP] = member.workshop_id
    if view is None:  # the same message again: it is already kept
        return State.SHARING
    buttons = _buttons(context, step.id, done=True)
    if long:
        await say(
            update,
            context,
            "share/long_part",
            buttons=buttons,
            length=len(view.text),
            limit=VIEW_LIMIT,
            separate=separate,
        )
    else:
        await say(update, context, "share/draft_kept", buttons=buttons, separate=separate)
    return State.SHARING


async def not_text(update: Update, context: BotContext) -> int:
    """Stickers, photos and voice notes cannot be kept as a view yet."""
    await say(update, context, "common/not_text", asking=False, sharing=True)
    return State.SHARING


async def on_pick(update: Update, context: BotContext) -> int | None:
    """The workshop the view is for, when the person is in more than one."""
    press = await pressed(update, context, ShareFor)
    if press is None:
        return None
    query, user, pick = press
    if await already_handled(context, update):
        return None
    storage = context.storage
    member = await storage.participants.get(pick.workshop_id, user.id)
    workshop = await storage.workshops.get(pick.workshop_id)
    if member is None or member.status in GONE or workshop is None:
        return await expired(update, context)
    step = await storage.views.open_sharing(
        user.id, member.id, boot=boot(context), update_id=update_id(update)
    )
    if step is None:
        return None
    await settle(query)
    return await _prompt(update, context, workshop, member, step)


async def on_finish(update: Update, context: BotContext) -> int | None:
    """Share the drafts, or cancel."""
    press = await pressed(update, context, ShareFinish)
    if press is None:
        return None
    query, user, finish = press
    if await already_handled(context, update):
        return None
    storage = context.storage
    step = await storage.typed_steps.current(user.id)
    if step is not None and step.kind is not StepKind.VIEW:
        step = None
    if finish.step and (step is None or step.id != finish.step):
        await moved_on(update, context)  # a button of a share session that is over
        return None
    member = await _sharer(context, step) or await _member_with_drafts(context, user.id)
    if member is None and finish.end is ShareEnd.CANCEL:
        await settle(query)
        return await cancel(update, context)
    if member is None:
        return await expired(update, context)
    await settle(query)
    context.memory.pop(SHARE_WORKSHOP, None)
    step_id = step.id if step is not None else None
    if finish.end is ShareEnd.CANCEL:
        await storage.views.discard_drafts(member.id, step_id=step_id, update_id=update_id(update))
        await say(update, context, "share/cancelled")
        return END
    views = await storage.views.share_drafts(
        member.id, step_id=step_id, update_id=update_id(update)
    )
    if not views:
        await say(update, context, "share/empty")
        return END
    workshop = await storage.workshops.get(member.workshop_id)
    await say(update, context, "share/done", workshop=workshop, views=views)
    return END


async def _sharer(context: BotContext, step: TypedStep | None) -> Participant | None:
    """The membership the view is being written for, checked against the database."""
    if step is None or step.participant_id is None:
        return None
    member = await context.storage.participants.by_id(step.participant_id)
    if member is None or member.status in GONE:
        return None
    return member


async def _member_with_drafts(context: BotContext, user_id: int) -> Participant | None:
    # A prompt shown again from memory has no session on its buttons; the drafts know.
    for member in await context.storage.participants.memberships(user_id):
        if await context.storage.views.drafts(member.id):
            return member
    return None


async def cancel(update: Update, context: BotContext) -> int:
    """Leave sharing; drafts are dropped because the person chose not to share them."""
    user = update.effective_user
    context.memory.pop(SHARE_WORKSHOP, None)
    if user is not None:
        step = await context.storage.typed_steps.current(user.id)
        if step is not None and step.kind is StepKind.VIEW:
            member = await _sharer(context, step)
            if member is not None:
                await context.storage.views.discard_drafts(member.id, step_id=step.id)
            await context.storage.typed_steps.close(user.id, kind=StepKind.VIEW)
    await say(update, context, "share/cancelled")
    return END
