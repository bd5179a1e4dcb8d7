"""Every facilitator prompt, as one persistent conversation (group -1 in bot.app).

Each flow (a module here) has its own ``State`` range, a typed draft and a ``build()``
giving its entry points and states; this module joins them. One prompt is open at a time
by construction: starting another flow switches to it (the flows' entry points are also
fallbacks). What the conversation takes it keeps from every later group; what is not its
own ends the prompt and goes on to the participant journey and the other commands: any
other command (/help, /views, /start …) and any button that is not a facilitator's (with
a line saying what was closed, if anything was half-written). A prompt left quiet for
``TIMEOUT_MINUTES`` closes, and says so: by its timeout job, or, for one left open across a
restart (persistence keeps the prompt, not the job), when it is next used. ``build`` checks
that every callback keeps what it takes from the later groups, but ``LET_THROUGH``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from chat.callbacks.facilitator import CancelPrompt
from chat.callbacks.loop import is_facilitator_button
from chat.context import BotContext
from chat.filters import NEW_MESSAGE, NOT_TEXT, TEXT, command
from chat.handler_types import AnyHandler, Conversation
from chat.messaging import acknowledge, retire_buttons, say
from chat.states import END
from conversations.facilitator import action, close, drafts, edit, new_workshop, session, theme
from conversations.facilitator import update as update_flow
from conversations.facilitator.drafts import TIMEOUT_MINUTES, Callback, Flow, Next, taken
from handlers.facilitator.access import is_staff, refuse

__all__ = ["NAME", "TIMEOUT_MINUTES", "build", "close_prompts"]

NAME = drafts.NAME
FLOWS = (action, update_flow, session, close, edit, theme, new_workshop)

# Their handlers hold no state, so every Application built shares them.
BUILT = tuple(flow.build() for flow in FLOWS)


def close_prompts(context: BotContext) -> None:
    """Close any open prompt (STOP and /updates do: nothing typed next goes to it)."""
    drafts.clear(context)


def _open_flow(context: BotContext) -> Flow | None:
    return next((f for f in BUILT if f.store.get(context) is not None), None)


def _open(context: BotContext) -> bool:
    return context.user_data is not None and any(k in context.user_data for k in drafts.KEYS)


def _while_open(callback: Callback) -> Callback:
    """A fallback of an open prompt; one closed elsewhere (STOP) lets the update go on, and
    one found quiet for too long (left open across a restart) times out first."""
    inner = taken(callback)

    async def run(update: Update, context: BotContext) -> Next:
        if not _open(context):
            drafts.clear(context)
            return END
        if drafts.stale(context):
            return await drafts.time_out(update, context)
        return await inner(update, context)

    run.__name__ = callback.__name__
    drafts.mark_taken(run)
    return run


async def cancel(update: Update, context: BotContext) -> Next:
    """/cancel or the Cancel button: close the prompt, keep nothing."""
    query = update.callback_query
    if query is not None:
        await acknowledge(query)
        await retire_buttons(query)
    open_ = _open_flow(context)
    await say(update, context, open_.cancelled if open_ is not None else "facilitator/cancelled")
    return END


async def expired_step(update: Update, context: BotContext) -> Next:
    """A step's button with its prompt closed: expired for staff, refused for anyone else."""
    user = update.effective_user
    query = update.callback_query
    if user is None or not await is_staff(context, user.id):
        await refuse(update, context, "button")
        return None
    if query is not None:
        await acknowledge(query)
    data = query.data if query is not None else None
    flow = next(f for f in BUILT if any(step.unpack(data) for step in f.steps))
    await say(update, context, flow.expired)
    return None


async def use_buttons(update: Update, context: BotContext) -> Next:
    await say(update, context, "facilitator/new/use_buttons")
    return None


async def type_please(update: Update, context: BotContext) -> Next:
    await say(update, context, "facilitator/type_please")
    return None


async def leave(update: Update, context: BotContext) -> Next:
    """Not the prompt's: close it, say so in a line if anything was half-written, and let
    the update go on (no ApplicationHandlerStop)."""
    open_ = _open_flow(context)
    if open_ is not None:
        if drafts.stale(context):
            await say(update, context, "facilitator/timed_out", minutes=TIMEOUT_MINUTES)
        else:
            await say(update, context, "facilitator/left", command=open_.command)
    drafts.clear(context)
    return END


async def timed_out(update: Update, context: BotContext) -> None:
    if _open(context):
        drafts.clear(context)
        await say(update, context, "facilitator/timed_out", minutes=TIMEOUT_MINUTES)


# The callbacks that deliberately let the update go on to the later groups.
LET_THROUGH = (leave, timed_out)


def _is_step(data: object) -> bool:
    """A button that only works while its prompt is open."""
    return any(step.unpack(data) is not None for flow in BUILT for step in flow.steps)


def _not_ours(data: object) -> bool:
    return not is_facilitator_button(data)


def every_handler(conversation: Conversation) -> Iterable[AnyHandler]:
    """Every handler of the conversation: its entry points, states and fallbacks."""
    yield from conversation.entry_points
    for handlers in conversation.states.values():
        yield from handlers
    yield from conversation.fallbacks


def _check_taken(conversation: Conversation) -> None:
    """What the conversation takes no later group may take too: every callback keeps the
    update to itself (``drafts.taken`` / ``drafts.step``), but those that let it go on."""
    for handler in every_handler(conversation):
        callback = handler.callback
        if not drafts.takes(callback) and callback not in LET_THROUGH:
            name = getattr(callback, "__qualname__", repr(callback))
            raise ValueError(f"{name} would let a later group take the update too")


def build(flows: Sequence[Flow] = BUILT) -> Conversation:
    entry_points: list[AnyHandler] = []
    states: dict[object, list[AnyHandler]] = {}
    for built in flows:
        entry_points += built.entry_points
        for state, handlers in built.states.items():
            if state in states:
                raise ValueError(f"state {state!r} is used by two facilitator flows")
            states[state] = handlers
    states[ConversationHandler.TIMEOUT] = [TypeHandler(Update, timed_out)]
    ours: list[AnyHandler] = [
        CallbackQueryHandler(taken(cancel), pattern=CancelPrompt.pattern()),
        CallbackQueryHandler(taken(expired_step), pattern=_is_step),
    ]
    fallbacks: list[AnyHandler] = [
        command("cancel", _while_open(cancel)),
        *entry_points,
        *ours,
        # Not the prompt's: any other command, any button not a facilitator's.
        MessageHandler(NEW_MESSAGE & filters.COMMAND, leave),
        CallbackQueryHandler(leave, pattern=_not_ours),
        MessageHandler(TEXT, _while_open(use_buttons)),
        MessageHandler(NOT_TEXT, _while_open(type_please)),
    ]
    with warnings.catch_warnings():
        # Buttons are checked against the role and the draft, not tracked per message.
        warnings.filterwarnings("ignore", message=".*per_message.*", category=PTBUserWarning)
        conversation: Conversation = ConversationHandler(
            name=NAME,
            persistent=True,
            conversation_timeout=TIMEOUT_MINUTES * 60,
            entry_points=[*entry_points, *ours],
            states=states,
            fallbacks=fallbacks,
        )
    _check_taken(conversation)
    return conversation
