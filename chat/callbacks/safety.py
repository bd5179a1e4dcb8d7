"""Button families of safeguarding and the audit log: marking a flag handled, and paging
back through /audit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from chat.callbacks.data import CallbackData


@dataclass(frozen=True, slots=True)
class FlagHandled(CallbackData):
    """'Mark handled' on a safeguarding alert or in /flags."""

    prefix: ClassVar[str] = "sg:handled"
    flag: int


@dataclass(frozen=True, slots=True)
class AuditPage(CallbackData):
    """'Older' in /audit: the entries before this id."""

    prefix: ClassVar[str] = "au:older"
    before: int
