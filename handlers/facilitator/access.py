"""Who may run which workshop: owners (from configuration) run all, facilitators their own.

Authorisation is by numeric Telegram user id only, checked on every command, every button
press (button data can be forged) and every typed answer to a prompt (the role may have
changed since the prompt was shown). It is written once, in ``permit`` and
``permit_staff``; the decorators ``staff_only`` (commands) and ``button`` (presses) and
the prompts' typed steps all go through them. A refusal is one plain sentence and an
audit row.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from functools import wraps
from typing import Any, TypeVar

from telegram import Update

from chat.callbacks import CallbackData
from chat.callbacks.facilitator import Pick, PickWorkshop
from chat.context import BotContext
from chat.messaging import acknowledge, say
from chat.screens import expired
from chat.states import END
from domain.texts import shorten
from storage.models import Workshop

Handler = Callable[[Update, BotContext], Coroutine[Any, Any, Any]]
F = TypeVar("F", bound=CallbackData)
R = TypeVar("R")
# The workshop a button is about (None: what it names is gone)
About = Callable[[BotContext, F], Awaitable[int | None]]


def is_owner(context: BotContext, user_id: int) -> bool:
    return user_id in context.settings.admins


async def is_staff(context: BotContext, user_id: int) -> bool:
    """An owner, or a facilitator of at least one workshop."""
    return is_owner(context, user_id) or bool(
        await context.storage.facilitators.workshops_of(user_id)
    )


async def may_run(context: BotContext, user_id: int, workshop_id: int) -> bool:
    if is_owner(context, user_id):
        return await context.storage.workshops.get(workshop_id) is not None
    return await context.storage.facilitators.is_facilitator(workshop_id, user_id)


async def workshops_run_by(context: BotContext, user_id: int) -> list[Workshop]:
    storage = context.storage
    if is_owner(context, user_id):
        return await storage.workshops.all()
    found = [
        await storage.workshops.get(i) for i in await storage.facilitators.workshops_of(user_id)
    ]
    return [w for w in found if w is not None]


async def refuse(
    update: Update, context: BotContext, action: str, workshop_id: int | None = None
) -> None:
    """Say plainly that this is for facilitators, and record the attempt (up to the hourly
    limits of ``storage.audit``, so that strangers cannot grow the log without bound)."""
    user = update.effective_user
    if user is not None:
        await context.storage.audit.record_refusal(user.id, action, workshop_id=workshop_id)
    if update.callback_query is not None:
        await acknowledge(update.callback_query)
    await say(update, context, "facilitator/refused", user_id=user.id if user else None)


async def gone(update: Update, context: BotContext) -> None:
    """A button about something that no longer exists (deleted, merged, erased)."""
    if update.callback_query is not None:
        await acknowledge(update.callback_query)
    await say(update, context, "facilitator/gone")


# ---- the check -----------------------------------------------------------------------------


async def permit_staff(update: Update, context: BotContext, action: str) -> bool:
    """Whether the sender is an owner or a facilitator; if not, refuse (and audit)."""
    user = update.effective_user
    if user is not None and await is_staff(context, user.id):
        return True
    await refuse(update, context, action)
    return False


async def permit(
    update: Update, context: BotContext, action: str, workshop_id: int | None
) -> Workshop | None:
    """The workshop, if the sender runs it. Otherwise say why not: to staff, that what the
    button named is gone (``workshop_id`` None, or deleted); to anyone else, a refusal."""
    user = update.effective_user
    storage = context.storage
    workshop = await storage.workshops.get(workshop_id) if workshop_id is not None else None
    if user is not None and workshop is None and await is_staff(context, user.id):
        await gone(update, context)
        return None
    if user is None or workshop is None or not await may_run(context, user.id, workshop.id):
        await refuse(update, context, action, workshop_id)
        return None
    if update.callback_query is not None:
        await acknowledge(update.callback_query)
    return workshop


# ---- decorators ----------------------------------------------------------------------------


def staff_only(action: str) -> Callable[[Handler], Handler]:
    """A command only owners and facilitators may send; anyone else is refused and audited."""

    def decorate(callback: Handler) -> Handler:
        @wraps(callback)
        async def guarded(update: Update, context: BotContext) -> Any:
            if not await permit_staff(update, context, action):
                return END
            return await callback(update, context)

        return guarded

    return decorate


async def named_workshop(context: BotContext, data: CallbackData) -> int | None:
    """The workshop a button names in its ``workshop`` field."""
    workshop = getattr(data, "workshop", None)
    return workshop if isinstance(workshop, int) else None


ButtonCallback = Callable[[Update, BotContext, F, Workshop], Awaitable[R]]
Guarded = Callable[[Update, BotContext], Coroutine[Any, Any, R | None]]


def button(
    family: type[F], action: str, about: About[F] = named_workshop
) -> Callable[[ButtonCallback[F, R]], Guarded[R]]:
    """A facilitator button: its data read as ``family`` (malformed data is an expired
    button) and the presser checked against the workshop it is ``about``.

    A refused or expired press returns None: in a conversation, whatever prompt is open
    stays open (a press that changes nothing must not throw away typed work)."""

    def decorate(callback: ButtonCallback[F, R]) -> Guarded[R]:
        @wraps(callback)
        async def guarded(update: Update, context: BotContext) -> R | None:
            query = update.callback_query
            data = family.unpack(query.data if query is not None else None)
            if data is None:
                await expired(update, context)
                return None
            workshop = await permit(update, context, action, await about(context, data))
            if workshop is None:
                return None
            return await callback(update, context, data, workshop)

        return guarded

    return decorate


def picked(command: Pick) -> Callable[[object], bool]:
    """The ``CallbackQueryHandler`` pattern for a workshop picked for ``command``."""

    def matches(data: object) -> bool:
        found = PickWorkshop.unpack(data)
        return found is not None and found.command is command

    matches.__name__ = f"picked_{command.value}"
    return matches


async def chosen_workshop(
    update: Update, context: BotContext, pick: Pick, *, command: str | None = None
) -> Workshop | None:
    """The workshop a command is about: named by number, the only one, or picked by button
    (``pick``: what the picked button does; ``command``: the name typed, if an alias).

    Returns None when a picker was shown or the person may not run the one they named.
    """
    command = command or pick.value
    user = update.effective_user
    assert user is not None
    args = context.args or []
    if args:
        if not args[0].isascii() or not args[0].isdigit() or len(args[0]) > 12:
            await say(update, context, "facilitator/bad_number", command=command)
            return None
        workshop_id = int(args[0])
        if not await may_run(context, user.id, workshop_id):
            if is_owner(context, user.id):
                await say(update, context, "facilitator/no_such_workshop", number=workshop_id)
            else:
                await refuse(update, context, command, workshop_id)
            return None
        return await context.storage.workshops.get(workshop_id)
    mine = await workshops_run_by(context, user.id)
    if not mine:
        await say(update, context, "facilitator/no_workshops")
        return None
    if len(mine) == 1:
        return mine[0]
    rows = [[(f"{w.id}. {shorten(w.title, 50)}", PickWorkshop(pick, w.id).pack())] for w in mine]
    await say(update, context, "facilitator/pick_workshop", buttons=rows, command=command)
    return None


async def audit(
    update: Update, context: BotContext, action: str, workshop_id: int | None, detail: str = ""
) -> None:
    user = update.effective_user
    if user is not None:
        await context.storage.audit.record(
            user.id, action, workshop_id=workshop_id, allowed=True, detail=detail
        )
