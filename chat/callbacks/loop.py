"""Button families of closing the loop: actions and updates for facilitators; the
buttons on reminders, session notices and /updates for participants."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from chat.callbacks import facilitator
from chat.callbacks.data import FAMILIES, CallbackData, nonce_field, str_field
from chat.callbacks.language import LANGUAGE_CODE
from storage.kinds import ActionStatus, UpdateKind

# ---- actions ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewActionStatus(CallbackData):
    """The status of the action being written."""

    prefix: ClassVar[str] = "ac:status"
    status: ActionStatus
    draft: str = nonce_field()


@dataclass(frozen=True, slots=True)
class ActionTheme(CallbackData):
    """Choose (or unchoose) a theme for the action being written."""

    prefix: ClassVar[str] = "ac:theme"
    theme: int
    draft: str = nonce_field()


@dataclass(frozen=True, slots=True)
class SaveAction(CallbackData):
    prefix: ClassVar[str] = "ac:save"
    draft: str = nonce_field()


@dataclass(frozen=True, slots=True)
class ChangeAction(CallbackData):
    """Show the statuses an existing action can move to."""

    prefix: ClassVar[str] = "ac:edit"
    action: int


@dataclass(frozen=True, slots=True)
class SetActionStatus(CallbackData):
    prefix: ClassVar[str] = "ac:set"
    action: int
    status: ActionStatus


# ---- updates ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartUpdate(CallbackData):
    """'Write an update' on a facilitator's nudge."""

    prefix: ClassVar[str] = "up:start"
    workshop: int


@dataclass(frozen=True, slots=True)
class UpdateAction(CallbackData):
    """Choose (or unchoose) an action the update is about."""

    prefix: ClassVar[str] = "up:act"
    action: int
    draft: str = nonce_field()


@dataclass(frozen=True, slots=True)
class WriteUpdate(CallbackData):
    """Go on to write it, as this kind: a progress update (with the actions chosen), a
    reminder or a notice."""

    prefix: ClassVar[str] = "up:next"
    kind: UpdateKind
    draft: str = nonce_field()


@dataclass(frozen=True, slots=True)
class WriteVersion(CallbackData):
    """Write (or write again) the update's version in one language its recipients read."""

    prefix: ClassVar[str] = "up:lang"
    language: str = str_field(LANGUAGE_CODE)
    draft: str = nonce_field()


@dataclass(frozen=True, slots=True)
class SendNow(CallbackData):
    prefix: ClassVar[str] = "up:now"
    draft: str = nonce_field()


@dataclass(frozen=True, slots=True)
class SendLater(CallbackData):
    prefix: ClassVar[str] = "up:later"
    draft: str = nonce_field()


@dataclass(frozen=True, slots=True)
class SendAnyway(CallbackData):
    """Send an update held by quiet hours now (an urgent notice, a change of venue)."""

    prefix: ClassVar[str] = "up:anyway"
    update: int


@dataclass(frozen=True, slots=True)
class CancelUpdate(CallbackData):
    """Cancel an update nobody has received yet."""

    prefix: ClassVar[str] = "up:cancel"
    update: int


# ---- participants -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UpdatesFrom(CallbackData):
    """Yes to updates from one workshop (offered by /updates)."""

    prefix: ClassVar[str] = "up:optin"
    workshop: int


@dataclass(frozen=True, slots=True)
class NoReminders(CallbackData):
    prefix: ClassVar[str] = "rm:off"
    member: int


@dataclass(frozen=True, slots=True)
class CantCome(CallbackData):
    prefix: ClassVar[str] = "se:no"
    session: int


PARTICIPANT: tuple[type[CallbackData], ...] = (UpdatesFrom, NoReminders, CantCome)
# Every button of the facilitator console (every family in this module and in
# chat.callbacks.facilitator but the participants'): while a facilitator prompt is open,
# any other button (a participant's, a stale or forged one) closes the prompt and goes on.
FACILITATOR: tuple[type[CallbackData], ...] = tuple(
    family
    for family in FAMILIES.values()
    if family.__module__ in (__name__, facilitator.__name__) and family not in PARTICIPANT
)


def is_facilitator_button(data: object) -> bool:
    return any(family.unpack(data) is not None for family in FACILITATOR)
