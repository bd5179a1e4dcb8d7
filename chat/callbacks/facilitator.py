"""Button families of the facilitator console: workshops, views and themes, the team,
typed-answer prompts and /newworkshop. Every press is checked against the presser's role."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from chat.callbacks.data import CallbackData, nonce_field
from storage.kinds import EngagementLevel


class Pick(StrEnum):
    """A command whose workshop was picked from a list."""

    WORKSHOP = "workshop"
    CLOSE = "close"
    INVITE = "invite"
    VIEWS = "views"
    THEMES = "themes"
    EXPORT = "export"
    STATS = "stats"
    TEAM = "team"
    ADDFACILITATOR = "addfacilitator"
    ACTION = "action"
    ACTIONS = "actions"
    UPDATE = "update"
    SCHEDULED = "scheduled"
    REPORT = "report"
    SESSION = "session"


class Field(StrEnum):
    """A workshop field with an edit button (``levels`` shows the level buttons)."""

    TITLE = "title"
    PURPOSE = "purpose"
    LEVELS = "levels"
    CAN_CHANGE = "can_change"
    CANNOT_CHANGE = "cannot_change"
    WHO_DECIDES = "who_decides"
    DECIDE_BY = "decide_by"
    HEAR_BACK = "hear_back"
    CONTACT = "contact"
    OFFLINE_WAY_IN = "offline_way_in"
    TIMEZONE = "timezone"
    RETENTION_DAYS = "retention_days"
    UPDATE_CADENCE_DAYS = "update_cadence_days"
    QUIET_START = "quiet_start"
    QUIET_END = "quiet_end"


class ItemKind(StrEnum):
    """What a tag is on: an answer or a shared view (stored names in ``KIND_NAME``)."""

    ANSWER = "a"
    VIEW = "v"


class Feed(StrEnum):
    ALL = "all"
    VIEWS = "views"


class ThemeAction(StrEnum):
    RENAME = "rename"
    MERGE = "merge"


class QuestionSet(StrEnum):
    DEFAULT = "default"
    FILE = "file"


class DayField(StrEnum):
    RETENTION = "retention"
    CADENCE = "cadence"


# ---- workshops --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PickWorkshop(CallbackData):
    prefix: ClassVar[str] = "fw"
    command: Pick
    workshop: int


@dataclass(frozen=True, slots=True)
class EditField(CallbackData):
    prefix: ClassVar[str] = "we"
    field: Field
    workshop: int


@dataclass(frozen=True, slots=True)
class SetLevel(CallbackData):
    prefix: ClassVar[str] = "we:level"
    workshop: int
    level: EngagementLevel


@dataclass(frozen=True, slots=True)
class CloseSilently(CallbackData):
    prefix: ClassVar[str] = "wc:skip"
    workshop: int
    draft: str = nonce_field()


@dataclass(frozen=True, slots=True)
class KeepOpen(CallbackData):
    prefix: ClassVar[str] = "wc:keep"
    workshop: int
    draft: str = nonce_field()


@dataclass(frozen=True, slots=True)
class Reopen(CallbackData):
    prefix: ClassVar[str] = "wc:reopen"
    workshop: int


# ---- views and themes -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedPage(CallbackData):
    """A page of everything, or of shared views only."""

    prefix: ClassVar[str] = "vw:page"
    workshop: int
    feed: Feed
    offset: int


@dataclass(frozen=True, slots=True)
class QuestionPage(CallbackData):
    """A page of the answers to one question (by position)."""

    prefix: ClassVar[str] = "vw:q"
    workshop: int
    position: int
    offset: int


@dataclass(frozen=True, slots=True)
class ShowTags(CallbackData):
    prefix: ClassVar[str] = "vw:tag"
    kind: ItemKind
    item: int


@dataclass(frozen=True, slots=True)
class TagOn(CallbackData):
    prefix: ClassVar[str] = "vw:on"
    kind: ItemKind
    item: int
    theme: int


@dataclass(frozen=True, slots=True)
class TagOff(CallbackData):
    prefix: ClassVar[str] = "vw:off"
    kind: ItemKind
    item: int
    theme: int


@dataclass(frozen=True, slots=True)
class NewThemeFor(CallbackData):
    """A new theme, tagged straight away on one answer or view."""

    prefix: ClassVar[str] = "vw:new"
    kind: ItemKind
    item: int


@dataclass(frozen=True, slots=True)
class NewTheme(CallbackData):
    prefix: ClassVar[str] = "th:new"
    workshop: int


@dataclass(frozen=True, slots=True)
class PickTheme(CallbackData):
    """List the themes, to rename or to merge one."""

    prefix: ClassVar[str] = "th:pick"
    workshop: int
    action: ThemeAction


@dataclass(frozen=True, slots=True)
class RenameTheme(CallbackData):
    prefix: ClassVar[str] = "th:rename"
    theme: int


@dataclass(frozen=True, slots=True)
class MergeTheme(CallbackData):
    prefix: ClassVar[str] = "th:merge"
    theme: int


@dataclass(frozen=True, slots=True)
class MergeInto(CallbackData):
    prefix: ClassVar[str] = "th:into"
    source: int
    target: int


# ---- the team ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RemoveFacilitator(CallbackData):
    prefix: ClassVar[str] = "tm:remove"
    workshop: int
    member: int


# ---- typed-answer prompts ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CancelPrompt(CallbackData):
    prefix: ClassVar[str] = "fi:cancel"


@dataclass(frozen=True, slots=True)
class SkipOptional(CallbackData):
    prefix: ClassVar[str] = "fi:skip"
    draft: str = nonce_field()


# ---- /newworkshop -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewLevel(CallbackData):
    prefix: ClassVar[str] = "nw:level"
    level: EngagementLevel
    draft: str = nonce_field()


@dataclass(frozen=True, slots=True)
class NewQuestions(CallbackData):
    prefix: ClassVar[str] = "nw:questions"
    questions: QuestionSet
    draft: str = nonce_field()


@dataclass(frozen=True, slots=True)
class NewLondon(CallbackData):
    prefix: ClassVar[str] = "nw:tz"
    draft: str = nonce_field()


@dataclass(frozen=True, slots=True)
class NewDays(CallbackData):
    prefix: ClassVar[str] = "nw:days"
    field: DayField
    days: int
    draft: str = nonce_field()


@dataclass(frozen=True, slots=True)
class NewSave(CallbackData):
    prefix: ClassVar[str] = "nw:save"
    draft: str = nonce_field()


@dataclass(frozen=True, slots=True)
class NewCancel(CallbackData):
    prefix: ClassVar[str] = "nw:cancel"

    draft: str = nonce_field()
