"""What every facilitator prompt shares: its draft in user_data, and how its callbacks run.

A flow keeps one typed draft (a dataclass) under its own key, stored JSON-safe so that
persistence keeps it across a restart, with when it was last touched and a short nonce
(``DraftMeta``): persistence restores a prompt but not its timeout, so a step that finds its
draft quiet for longer than ``TIMEOUT_MINUTES`` closes it then; and a step's button carries
the nonce of the draft it was shown for, so one from an older draft of the same flow changes
nothing. Every callback of the facilitator conversation runs through ``taken``: what it
takes, no later group sees (``ApplicationHandlerStop(state)``), and an error is reported
once, here, rather than passed on as someone's answer. A step of an open prompt runs
through ``step``, which loads the draft and checks the role again. Drafts are cleared only
when their prompt ends or another replaces it: a button that opens no prompt returns None.

A step is durable when its prompt is shown: persistence writes only every few seconds, so
``taken`` holds back the prompt a callback asks (``ask``, ``prompt``) until the person's
drafts and the conversation's new state are written to the database, together; a kill -9
right after the prompt then leaves the next thing typed to that prompt's step. Until the
callback returns, a persistence write of the conversation's state (from before the step) is
held back; persistence writes the same values again later.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from functools import wraps
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler

from chat.callbacks import FAMILIES, CallbackData
from chat.callbacks.facilitator import CancelPrompt, Pick, PickWorkshop
from chat.context import BotContext
from chat.filters import command
from chat.handler_types import AnyHandler
from chat.messaging import Button, acknowledge, say
from chat.states import END
from handlers.facilitator.access import (
    button,
    chosen_workshop,
    permit,
    permit_staff,
    picked,
    staff_only,
)
from handlers.facilitator.loop import now
from storage.models import Workshop

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

D = TypeVar("D", bound="DataclassInstance")
F = TypeVar("F", bound=CallbackData)
Next = int | None  # the next state; None keeps the one the conversation is in
Callback = Callable[[Update, BotContext], Coroutine[Any, Any, Next]]
StepCallback = Callable[[Update, BotContext, D], Awaitable[Next]]

NAME = "facilitator"  # the persistent conversation's name
TIMEOUT_MINUTES = 30
KEYS: list[str] = []  # every flow's user_data key
META = "_meta"  # in a stored draft: {"touched": ISO time, "nonce": NONCE}
_TAKEN: set[object] = set()  # every callback that keeps what it takes from later groups
# The prompts a callback of the conversation has asked, held back until its step is kept.
_HELD: ContextVar[list[Callable[[], Awaitable[object]]] | None] = ContextVar(
    "held_prompts", default=None
)


class Store(Generic[D]):
    """One flow's draft, kept in ``context.user_data[key]`` as a plain dict.

    ``expired`` is what a button of this flow says when it is pressed for a draft that is
    no longer open (its prompt ended, or an older draft of the same flow)."""

    def __init__(self, key: str, kind: type[D], *, expired: str = "facilitator/gone") -> None:
        if key in KEYS:
            raise ValueError(f"draft key {key!r} is used twice")
        KEYS.append(key)
        self.key = key
        self.kind = kind
        self.expired = expired

    def _stored(self, context: BotContext) -> dict[str, Any] | None:
        found = context.user_data.get(self.key) if context.user_data is not None else None
        return found if isinstance(found, dict) else None

    def get(self, context: BotContext) -> D | None:
        found = self._stored(context)
        if found is None:
            return None
        try:
            return self.kind(**{k: v for k, v in found.items() if k != META})
        except (TypeError, ValueError):  # kept by an older version of the flow
            return None

    def open(self, context: BotContext, draft: D) -> None:
        """Keep a new draft of this flow (closing any other): its buttons are its own."""
        clear(context)
        self._keep(context, draft, secrets.token_hex(3))

    def put(self, context: BotContext, draft: D) -> None:
        """Keep this draft, and only this one: one prompt is open at a time."""
        nonce = self.nonce(context)
        clear(context)
        self._keep(context, draft, nonce or secrets.token_hex(3))

    def _keep(self, context: BotContext, draft: D, nonce: str) -> None:
        if context.user_data is not None:
            stored = dataclasses.asdict(draft)
            stored[META] = {"touched": now(context).isoformat(), "nonce": nonce}
            context.user_data[self.key] = stored

    def nonce(self, context: BotContext) -> str | None:
        """The open draft's nonce, carried by its step buttons."""
        meta = (self._stored(context) or {}).get(META)
        nonce = meta.get("nonce") if isinstance(meta, dict) else None
        return nonce if isinstance(nonce, str) else None

    def buttons_for(self, context: BotContext) -> str:
        """The nonce for the buttons of the draft just kept."""
        nonce = self.nonce(context)
        assert nonce is not None, "keep the draft before showing its buttons"
        return nonce


def clear(context: BotContext) -> None:
    """Drop every facilitator draft (the prompt is closed)."""
    if context.user_data is not None:
        for key in KEYS:
            context.user_data.pop(key, None)


def _meta(context: BotContext) -> dict[str, Any] | None:
    """The meta of the open draft (one at a time), if any; {} for one without."""
    data = context.user_data
    for key in KEYS:
        found = data.get(key) if data is not None else None
        if isinstance(found, dict):
            meta = found.get(META)
            return meta if isinstance(meta, dict) else {}
    return None


def stale(context: BotContext) -> bool:
    """Whether the open draft has been quiet for longer than the timeout (a prompt left
    open across a restart: persistence keeps the prompt, not its timeout job)."""
    meta = _meta(context)
    if meta is None:
        return False
    try:
        touched = datetime.fromisoformat(str(meta.get("touched")))
    except ValueError:
        return True  # kept before drafts were dated: too old to trust
    return now(context) - touched > timedelta(minutes=TIMEOUT_MINUTES)


def touch(context: BotContext) -> None:
    """The open draft was used just now."""
    meta = _meta(context)
    if meta is not None:
        meta["touched"] = now(context).isoformat()


async def time_out(update: Update, context: BotContext) -> Next:
    """Close a prompt found quiet for too long, and say so. Typed text goes on to whoever
    else it is for (the journey); a button is taken here, the reply being this one."""
    clear(context)
    await say(update, context, "facilitator/timed_out", minutes=TIMEOUT_MINUTES)
    if update.callback_query is not None:
        await acknowledge(update.callback_query)
        raise ApplicationHandlerStop(END)
    return END


def mark_taken(callback: Callback) -> None:
    """Count a callback built on ``taken`` (it keeps what it takes) as one that does."""
    _TAKEN.add(callback)


def takes(callback: object) -> bool:
    """Whether a callback keeps what it takes from every later group (``taken``, ``step``)."""
    return callback in _TAKEN


@asynccontextmanager
async def keep_step(update: Update, context: BotContext, state: Next) -> AsyncIterator[None]:
    """Write the person's drafts and the conversation's state (unless None: unchanged)
    straight to the database, as persistence would at its next flush, and hold that state
    there while the block shows the step's prompt (the conversation takes it in memory
    only then). The key is the conversation's: (chat, user), one per person in each chat."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or context.user_data is None:
        yield
        return
    async with context.storage.conversations.step(
        NAME,
        (chat.id, user.id),
        None if state == END else state,
        user_id=user.id,
        data=dict(context.user_data),
        moved=state is not None,
    ):
        yield


async def _show(
    update: Update, context: BotContext, held: list[Callable[[], Awaitable[object]]]
) -> None:
    try:
        for show in held:
            await show()
    except Exception as exc:
        await context.application.process_error(update, exc)


def taken(callback: Callback) -> Callback:
    """Run a callback of the facilitator conversation and keep the update to it: the step
    is kept (``keep_step``) before the prompt it asked is shown."""

    @wraps(callback)
    async def run(update: Update, context: BotContext) -> Next:
        held: list[Callable[[], Awaitable[object]]] = []
        token = _HELD.set(held)
        try:
            try:
                state = await callback(update, context)
            except ApplicationHandlerStop as stop:
                state = stop.state if isinstance(stop.state, int) else None
        except Exception as exc:
            # Report it here and stop: a later group must not take the same update too.
            await context.application.process_error(update, exc)
            raise ApplicationHandlerStop from exc
        finally:
            _HELD.reset(token)
        if state == END:
            clear(context)
        try:
            async with keep_step(update, context, state):
                await _show(update, context, held)
        except Exception as exc:  # the step could not be kept: its prompt is not shown
            await context.application.process_error(update, exc)
        raise ApplicationHandlerStop(state)

    _TAKEN.add(run)
    return run


def _pressed_nonce(update: Update) -> str | None:
    """The draft nonce on the pressed button, if its family carries one."""
    query = update.callback_query
    if query is None:
        return None
    for family in FAMILIES.values():
        found = family.unpack(query.data)
        if found is not None:
            nonce = getattr(found, "draft", None)
            return nonce if isinstance(nonce, str) else None
    return None


def step(store: Store[D], action: str) -> Callable[[StepCallback[D]], Callback]:
    """A step of an open prompt: typed text or one of its buttons.

    The draft is loaded and the role checked again (it may have changed since the prompt
    was shown). With no draft the prompt was closed elsewhere (STOP, /updates): the
    conversation ends and the update goes on to whoever else it is for; so it does when
    the draft is too old (``time_out``). A button shown for an older draft of the flow
    has expired: it changes nothing, and the open prompt stays open.
    """

    def decorate(callback: StepCallback[D]) -> Callback:
        @wraps(callback)
        async def run(update: Update, context: BotContext) -> Next:
            draft = store.get(context)
            if draft is None:
                clear(context)
                return END  # not taken: the update goes on
            if stale(context):
                return await time_out(update, context)

            async def checked(update: Update, context: BotContext) -> Next:
                assert draft is not None
                pressed_nonce = _pressed_nonce(update)
                if pressed_nonce is not None and pressed_nonce != store.nonce(context):
                    query = update.callback_query
                    assert query is not None
                    await acknowledge(query)
                    await say(update, context, store.expired)
                    return None
                workshop = getattr(draft, "workshop", None)
                if isinstance(workshop, int):
                    allowed = await permit(update, context, action, workshop) is not None
                else:  # a draft of a new workshop: staff may start one
                    allowed = await permit_staff(update, context, action)
                if not allowed:
                    return END
                touch(context)
                return await callback(update, context, draft)

            return await taken(checked)(update, context)

        _TAKEN.add(run)
        return run

    return decorate


@dataclasses.dataclass(frozen=True, slots=True)
class Flow:
    """One prompt: how it starts, what each of its states takes, where its draft is, the
    buttons that only work while it is open, the command it is named by when it is closed
    unfinished, and what it says when it is cancelled."""

    entry_points: list[AnyHandler]
    states: dict[object, list[AnyHandler]]
    store: Store[Any]
    command: str
    steps: tuple[type[CallbackData], ...] = ()
    cancelled: str = "facilitator/cancelled"

    @property
    def expired(self) -> str:
        return self.store.expired


async def prompt(
    update: Update,
    context: BotContext,
    template: str,
    *,
    buttons: list[list[Button]] | None = None,
    **values: Any,
) -> None:
    """Show the prompt of the step a callback moves to: in a callback of the conversation,
    once that step is kept (see ``taken``); the callback returns its state next."""

    async def show() -> None:
        await say(update, context, template, buttons=buttons, **values)

    held = _HELD.get()
    if held is None:
        await show()
    else:
        held.append(show)


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
    await prompt(update, context, template, buttons=[*(buttons or []), cancel], **values)


async def fits(
    update: Update, context: BotContext, text: str | None, limit: int, *, required: bool = True
) -> bool:
    """Whether typed text is within its limit (and there, if required); if not, say so."""
    if (required and not text) or len(text or "") > limit:
        await say(
            update, context, "facilitator/workshop/field_problem", problem="too_long", limit=limit
        )
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


def ways_in(
    name: str, pick: Pick, start: Callable[[Update, BotContext, Workshop], Awaitable[Next]]
) -> list[AnyHandler]:
    """The two ways into a flow about one workshop: ``/name [n]`` (which asks which
    workshop when that is not clear) and the button of that question; both check the role."""

    @staff_only(name)
    async def by_command(update: Update, context: BotContext) -> Next:
        workshop = await chosen_workshop(update, context, pick)
        return END if workshop is None else await start(update, context, workshop)

    @button(PickWorkshop, name)
    async def by_button(
        update: Update, context: BotContext, data: PickWorkshop, workshop: Workshop
    ) -> Next:
        return await start(update, context, workshop)

    return [
        command(name, taken(by_command)),
        CallbackQueryHandler(taken(by_button), pattern=picked(pick)),
    ]
