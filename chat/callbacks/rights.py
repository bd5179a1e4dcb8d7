"""Button families of a person's rights: changing one consent from /consent, and how to
leave a workshop (erase what they said, or keep it anonymised)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from chat.callbacks.data import CallbackData, str_field
from chat.callbacks.journey import TEXT_VERSION
from storage.kinds import Purpose


@dataclass(frozen=True, slots=True)
class ChangeConsent(CallbackData):
    """Say no (``granted`` false) or yes again to one purpose in one workshop:
    ``rt:set:<workshop>:updates:0``. A yes first shows the words it is a yes to."""

    prefix: ClassVar[str] = "rt:set"
    workshop_id: int
    purpose: Purpose
    granted: bool


@dataclass(frozen=True, slots=True)
class ConsentAgain(CallbackData):
    """Yes again to the words of version ``version`` for one purpose."""

    prefix: ClassVar[str] = "rt:again"
    workshop_id: int
    purpose: Purpose
    version: str = str_field(TEXT_VERSION)


class Leaving(StrEnum):
    ERASE = "erase"  # erase everything they said there
    ANONYMISE = "anon"  # keep it under the pseudonym, cut loose from them
    STAY = "stay"  # keep taking part after all


@dataclass(frozen=True, slots=True)
class LeaveWorkshop(CallbackData):
    """How to stop taking part in one workshop: ``rt:leave:erase:<workshop>``."""

    prefix: ClassVar[str] = "rt:leave"
    how: Leaving
    workshop_id: int


@dataclass(frozen=True, slots=True)
class KeepConsent(CallbackData):
    """Leave a consent as it is."""

    prefix: ClassVar[str] = "rt:keep"
