"""What every facilitator prompt shares: its draft in user_data, and how its callbacks run.

A flow keeps one typed draft (a dataclass) under its own key, stored JSON-safe so that
persistence keeps it across a restart. Every callback of the facilitator conversation runs
through ``taken``: what it takes, no later group sees (``ApplicationHandlerStop(state)``),
and an error is reported once, here, rather than passed on as someone's answer. A step of
an open prompt runs through ``step``, which loads the draft and checks the role again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Coroutine
from functools import wraps
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop, BaseHandler

from chat.callbacks import CallbackData
from chat.callbacks.facilitator import CancelPrompt
from chat.context import BotContext
from chat.messaging import Button, say
from chat.states import END
from handlers.facilitator.access import permit, permit_staff

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

D = TypeVar("D", bound="DataclassInstance")
F = TypeVar("F", bound=CallbackData)
Next = int | None  # the next state; None keeps the one the conversation is in
Callback = Callable[[Update, BotContext], Coroutine[Any, Any, Next]]
StepCallback = Callable[[Update, BotContext, D], Awaitable[Next]]

KEYS: list[str] = []  # every flow's user_data key


class Store(Generic[D]):
    """One flow's draft, kept in ``context.user_data[key]`` as a plain dict."""

    def __init__(self, key: str, kind: type[D]) -> None:
        if key in KEYS:
            raise ValueError(f"draft key {key!r} is used twice")
        KEYS.append(key)
        self.key = key
        self.kind = kind

    def get(self, context: BotContext) -> D | None:
        found = context.user_data.get(self.key) if context.user_data is not None else None
        if not isinstance(found, dict):
            return None
        try:
            return self.kind(**found)
        except TypeError:  # kept by an older version of the flow
            return None

    def put(self, context: BotContext, draft: D) -> None:
        """Keep this draft, and only this one: one prompt is open at a time."""
        clear(context)
        if context.user_data is not None:
            context.user_data[self.key] = dataclasses.asdict(draft)


def clear(context: BotContext) -> None:
    """Drop every facilitator draft (the prompt is closed)."""
    if context.user_data is not None:
        for key in KEYS:
            context.user_data.pop(key, None)


def taken(callback: Callback) -> Callback:
    """Run a callback of the facilitator conversation and keep the update to it."""

    @wraps(callback)
    async def run(update: Update, context: BotContext) -> Next:
        try:
            state = await callback(update, context)
        except ApplicationHandlerStop:
            raise
        except Exception as exc:
            # Report it here and stop: a later group must not take the same update too.
            await context.application.process_error(update, exc)
            raise ApplicationHandlerStop from exc
        if state == END:
            clear(context)
        raise ApplicationHandlerStop(state)

    return run


def step(store: Store[D], action: str) -> Callable[[StepCallback[D]], Callback]:
    """A step of an open prompt: typed text or one of its buttons.

    The draft is loaded and the role checked again (it may have changed since the prompt
    was shown). With no draft the prompt was closed elsewhere (STOP, /updates): the
    conversation ends and the update goes on to whoever else it is for.
    """

    def decorate(callback: StepCallback[D]) -> Callback:
        @wraps(callback)
        async def run(update: Update, context: BotContext) -> Next:
            draft = store.get(context)
            if draft is None:
                clear(context)
                return END  # not taken: the update goes on

            async def checked(update: Update, context: BotContext) -> Next:
                assert draft is not None
                workshop = getattr(draft, "workshop", None)
                if isinstance(workshop, int):
                    allowed = await permit(update, context, action, workshop) is not None
                else:  # a draft of a new workshop: staff may start one
                    allowed = await permit_staff(update, context, action)
                return await callback(update, context, draft) if allowed else END

            return await taken(checked)(update, context)

        return run

    return decorate


@dataclasses.dataclass(frozen=True, slots=True)
class Flow:
    """One prompt: how it starts, what each of its states takes, where its draft is, the
    buttons that only work while it is open, and what it says when they are pressed late
    and when it is cancelled."""

    entry_points: list[BaseHandler]  # type: ignore[type-arg]
    states: dict[object, list[BaseHandler]]  # type: ignore[type-arg]
    store: Store[Any]
    steps: tuple[type[CallbackData], ...] = ()
    expired: str = "fac_gone"
    cancelled: str = "fac_cancelled"


async def ask(
    update: Update,
    context: BotContext,
    template: str,
    *,
    buttons: list[list[Button]] | None = None,
    **values: Any,
) -> None:
    """Ask for the next typed answer, with a Cancel button under any others."""
    cancel = [(context.texts.label("buttons.cancel"), CancelPrompt().pack())]
    await say(update, context, template, buttons=[*(buttons or []), cancel], **values)


async def fits(
    update: Update, context: BotContext, text: str | None, limit: int, *, required: bool = True
) -> bool:
    """Whether typed text is within its limit (and there, if required); if not, say so."""
    if (required and not text) or len(text or "") > limit:
        await say(update, context, "fac_field_problem", problem="too_long", limit=limit)
        return False
    return True


def pressed(update: Update, family: type[F]) -> F:
    """The data of the button a state's handler matched (its pattern is the family's)."""
    query = update.callback_query
    found = family.unpack(query.data if query is not None else None)
    assert found is not None
    return found


def typed(message: Message | None) -> str:
    return ((message.text if message is not None else None) or "").strip()
