"""/action: a new action (title, status, the reason if it is not possible, its themes);
and changing the status of an action from /actions (with the reason, if not possible)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler

from chat.callbacks.facilitator import Pick
from chat.callbacks.loop import (
    ActionTheme,
    ChangeAction,
    NewActionStatus,
    SaveAction,
    SetActionStatus,
)
from chat.context import BotContext
from chat.filters import TEXT
from chat.messaging import Button, replace, say
from chat.states import END
from conversations.facilitator.drafts import (
    Flow,
    Next,
    Store,
    ask,
    fits,
    pressed,
    step,
    taken,
    typed,
    ways_in,
)
from handlers.facilitator.access import audit, button, gone
from handlers.facilitator.loop import ACTION_TITLE_LIMIT, REASON_LIMIT, show_actions
from storage.kinds import ActionStatus
from storage.models import Workshop


class State(IntEnum):
    TITLE = 10
    STATUS = 11
    REASON = 12
    THEMES = 13
    CHANGE_REASON = 14


@dataclass
class Draft:
    workshop: int
    title: str = ""
    status: ActionStatus = ActionStatus.PLANNED
    reason: str | None = None
    themes: list[int] = field(default_factory=list)
    action: int | None = None  # an existing action whose status is changing

    def __post_init__(self) -> None:
        self.status = ActionStatus(self.status)  # stored by its value


DRAFT = Store("action", Draft)


# ---- a new action --------------------------------------------------------------------------


async def _begin(update: Update, context: BotContext, workshop: Workshop) -> Next:
    DRAFT.open(context, Draft(workshop.id))
    await ask(update, context, "facilitator/action/ask", workshop=workshop)
    return State.TITLE


@step(DRAFT, "action")
async def take_title(update: Update, context: BotContext, draft: Draft) -> Next:
    text = typed(update.effective_message)
    if not await fits(update, context, text, ACTION_TITLE_LIMIT):
        return None
    draft.title = text
    DRAFT.put(context, draft)
    t = context.texts
    nonce = DRAFT.buttons_for(context)
    rows = [
        [(t.label(f"action_status.{status.value}"), NewActionStatus(status, nonce).pack())]
        for status in ActionStatus
    ]
    await ask(update, context, "facilitator/action/ask_status", buttons=rows)
    return State.STATUS


@step(DRAFT, "action")
async def take_status(update: Update, context: BotContext, draft: Draft) -> Next:
    status = pressed(update, NewActionStatus).status
    draft.status = status
    DRAFT.put(context, draft)
    if status is ActionStatus.NOT_POSSIBLE:
        await ask(update, context, "facilitator/action/ask_reason")
        return State.REASON
    return await _theme_picker(update, context, draft)


@step(DRAFT, "action")
async def take_reason(update: Update, context: BotContext, draft: Draft) -> Next:
    text = typed(update.effective_message)
    if not await fits(update, context, text, REASON_LIMIT):
        return None
    draft.reason = text
    DRAFT.put(context, draft)
    return await _theme_picker(update, context, draft)


async def _theme_picker(
    update: Update, context: BotContext, draft: Draft, *, in_place: bool = False
) -> Next:
    t = context.texts
    chosen = set(draft.themes)
    nonce = DRAFT.buttons_for(context)
    rows: list[list[Button]] = [
        [
            (
                ("✓ " if theme.id in chosen else "") + theme.name,
                ActionTheme(theme.id, nonce).pack(),
            )
        ]
        for theme in await context.storage.themes.of_workshop(draft.workshop)
    ]
    rows.append([(t.label("buttons.save_action"), SaveAction(nonce).pack())])
    if in_place and update.callback_query is not None:
        await replace(
            update.callback_query, context, "facilitator/action/ask_themes", buttons=rows
        )
    else:
        await ask(update, context, "facilitator/action/ask_themes", buttons=rows)
    return State.THEMES


@step(DRAFT, "action")
async def toggle_theme(update: Update, context: BotContext, draft: Draft) -> Next:
    theme = await context.storage.themes.get(pressed(update, ActionTheme).theme)
    if theme is None or theme.workshop_id != draft.workshop:
        await gone(update, context)
        return None
    draft.themes = sorted(set(draft.themes) ^ {theme.id})
    DRAFT.put(context, draft)
    return await _theme_picker(update, context, draft, in_place=True)


@step(DRAFT, "action")
async def save(update: Update, context: BotContext, draft: Draft) -> Next:
    user = update.effective_user
    assert user is not None
    storage = context.storage
    action = await storage.actions.create(
        draft.workshop,
        draft.title,
        draft.status,
        draft.reason,
        list(draft.themes),
        user.id,
    )
    await audit(update, context, "action", draft.workshop, str(action.id))
    await say(update, context, "facilitator/action/saved", action=action)
    workshop = await storage.workshops.get(draft.workshop)
    assert workshop is not None
    await show_actions(update, context, workshop)
    return END


# ---- changing an action's status -----------------------------------------------------------


async def action_workshop(context: BotContext, data: ChangeAction | SetActionStatus) -> int | None:
    action = await context.storage.actions.get(data.action)
    return None if action is None else action.workshop_id


@button(ChangeAction, "action", action_workshop)
async def change(
    update: Update, context: BotContext, data: ChangeAction, workshop: Workshop
) -> Next:
    """The statuses the action can move to."""
    action = await context.storage.actions.get(data.action)
    t = context.texts
    rows = [
        [(t.label(f"action_status.{s.value}"), SetActionStatus(data.action, s).pack())]
        for s in ActionStatus
    ]
    await say(update, context, "facilitator/action/ask_status", buttons=rows, action=action)
    return None  # not a prompt: whatever else is open stays open


@button(SetActionStatus, "action", action_workshop)
async def set_status(
    update: Update, context: BotContext, data: SetActionStatus, workshop: Workshop
) -> Next:
    """Store the new status; a reason is asked for when it is not possible."""
    if data.status is ActionStatus.NOT_POSSIBLE:
        DRAFT.open(context, Draft(workshop.id, action=data.action))
        await ask(update, context, "facilitator/action/ask_reason")
        return State.CHANGE_REASON
    user = update.effective_user
    assert user is not None
    await context.storage.actions.set_status(data.action, data.status, None, user.id)
    await audit(update, context, "action-status", workshop.id, str(data.action))
    await show_actions(update, context, workshop)
    return None  # not a prompt: whatever else is open stays open


@step(DRAFT, "action")
async def take_change_reason(update: Update, context: BotContext, draft: Draft) -> Next:
    text = typed(update.effective_message)
    if not await fits(update, context, text, REASON_LIMIT):
        return None
    user = update.effective_user
    assert user is not None
    assert draft.action is not None
    storage = context.storage
    await storage.actions.set_status(draft.action, ActionStatus.NOT_POSSIBLE, text, user.id)
    await audit(update, context, "action-status", draft.workshop, str(draft.action))
    workshop = await storage.workshops.get(draft.workshop)
    assert workshop is not None
    await show_actions(update, context, workshop)
    return END


def build() -> Flow:
    return Flow(
        entry_points=[
            *ways_in("action", Pick.ACTION, _begin),
            CallbackQueryHandler(taken(change), pattern=ChangeAction.pattern()),
            CallbackQueryHandler(taken(set_status), pattern=SetActionStatus.pattern()),
        ],
        states={
            State.TITLE: [MessageHandler(TEXT, take_title)],
            State.STATUS: [CallbackQueryHandler(take_status, pattern=NewActionStatus.pattern())],
            State.REASON: [MessageHandler(TEXT, take_reason)],
            State.THEMES: [
                CallbackQueryHandler(toggle_theme, pattern=ActionTheme.pattern()),
                CallbackQueryHandler(save, pattern=SaveAction.pattern()),
            ],
            State.CHANGE_REASON: [MessageHandler(TEXT, take_change_reason)],
        },
        store=DRAFT,
        command="/action",
        steps=(
            NewActionStatus,
            ActionTheme,
            SaveAction,
        ),
    )
