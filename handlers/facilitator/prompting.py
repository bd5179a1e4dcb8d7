"""Typed steps of facilitator flows: what each awaited answer means, kept in user_data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ConversationHandler

from chat import callbacks
from chat.context import BotContext
from chat.messaging import Button, say

AWAITING = 1
KEY = "awaiting"
NEW_WORKSHOP_DRAFT = "new_workshop"  # conversations.new_workshop keeps its draft here
# Returned by a step that finds its prompt was left behind: the update is not its to take.
PASS = -2

Callback = Callable[[Update, BotContext], Awaitable[Any]]


def exclusive(callback: Callback) -> Callback:
    """Facilitator conversations run in a group before the participant conversation: what
    they take, nobody else sees; what they PASS on, the participant conversation handles."""

    @wraps(callback)
    async def run(update: Update, context: BotContext) -> Any:
        try:
            state = await callback(update, context)
        except ApplicationHandlerStop:
            raise
        except Exception as exc:
            # Report it here and stop: a later group must not take the same update too.
            await context.application.process_error(update, exc)
            raise ApplicationHandlerStop from exc
        if state == PASS:
            return ConversationHandler.END
        raise ApplicationHandlerStop(state)

    return run


Step = Callable[[Update, BotContext, dict[str, Any], str], Awaitable[int]]
# what -> the function that takes the typed text for it (filled in by each flow's module)
TEXT_STEPS: dict[str, Step] = {}


def text_step(what: str) -> Callable[[Step], Step]:
    def register(step: Step) -> Step:
        TEXT_STEPS[what] = step
        return step

    return register


def cancel_row(context: BotContext) -> list[list[Button]]:
    return [[(context.texts.label("buttons.cancel"), callbacks.make("fi", "cancel"))]]


async def await_text(
    update: Update,
    context: BotContext,
    what: dict[str, Any],
    prompt: str,
    *,
    buttons: list[list[Button]] | None = None,
    **values: Any,
) -> int:
    """Remember what the next typed message is for, and ask for it.

    One facilitator prompt at a time: this closes a /newworkshop set-up left open.
    """
    context.user_data.pop(NEW_WORKSHOP_DRAFT, None)
    context.user_data[KEY] = what
    rows = [*(buttons or []), *cancel_row(context)]
    await say(update, context, prompt, buttons=rows, **values)
    return AWAITING


def awaiting(context: BotContext) -> dict[str, Any] | None:
    found = context.user_data.get(KEY)
    return found if isinstance(found, dict) else None


async def fits(
    update: Update, context: BotContext, text: str | None, limit: int, *, required: bool = True
) -> bool:
    """Whether typed text is within its limit (and there, if required); if not, say so."""
    if (required and not text) or len(text or "") > limit:
        await say(update, context, "fac_field_problem", problem="too_long", limit=limit)
        return False
    return True
