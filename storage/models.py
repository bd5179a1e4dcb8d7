"""Plain records returned by the storage layer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from storage.kinds import (
    EngagementLevel,
    ParticipantStatus,
    Purpose,
    QuestionKind,
    ViewStatus,
    WorkshopStatus,
)

# Kept for callers that list the choices in order; the enums are the source.


@dataclass(frozen=True, slots=True)
class SupportContact:
    name: str
    contact: str


@dataclass(frozen=True, slots=True)
class Question:
    id: int
    workshop_id: int
    position: int
    key: str
    kind: QuestionKind
    prompt: str
    hint: str = ""
    options: tuple[str, ...] = ()
    # The prompt, hint and options in the workshop's other languages (domain.translations).
    translations: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # The options as written, when ``options`` are a translation of them: an answer keeps
    # the written words, so answers in every language are counted and exported as one.
    written_options: tuple[str, ...] = ()

    def as_written(self, option: str) -> str:
        """A chosen option (as shown) as the workshop wrote it."""
        if self.written_options and option in self.options:
            return self.written_options[self.options.index(option)]
        return option

    def as_shown(self, value: object) -> object:
        """A stored choice as this reader sees its option; anything else as it is."""
        if self.written_options and value in self.written_options:
            return self.options[self.written_options.index(str(value))]
        return value


@dataclass(frozen=True, slots=True)
class Workshop:
    id: int
    title: str
    purpose: str
    engagement_level: EngagementLevel
    can_change: tuple[str, ...]
    cannot_change: tuple[str, ...]
    who_decides: str
    decide_by: str
    hear_back: str
    support: tuple[SupportContact, ...]
    ground_rules: tuple[str, ...]
    timezone: str
    retention_days: int
    invite_code: str
    status: WorkshopStatus
    created_at: str
    update_cadence_days: int = 14
    closing_message: str | None = None
    closed_at: str | None = None
    created_by: int | None = None
    quiet_start: str = "21:00"
    quiet_end: str = "09:00"
    contact: str = ""  # who to ask, as the poster prints it; "" when not set
    offline_way_in: str = ""  # how to join without a smartphone; "" for the default words
    language: str = "en"  # the language its own words are written in
    # Its words in other languages, each complete (domain.translations): {"pl": {...}}.
    translations: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def languages(self) -> tuple[str, ...]:
        """Every language the whole workshop can be read in, its own first."""
        return (self.language, *sorted(set(self.translations) - {self.language}))

    @property
    def is_open(self) -> bool:
        return self.status == WorkshopStatus.OPEN


@dataclass(frozen=True, slots=True)
class Participant:
    id: int
    workshop_id: int
    telegram_user_id: int
    pseudonym: str
    status: ParticipantStatus
    position: int
    changing: bool
    joined_at: str
    last_seen_at: str
    submitted_at: str | None
    reminders_sent: int = 0
    language: str = "en"


@dataclass(frozen=True, slots=True)
class Consent:
    purpose: Purpose
    granted: bool
    text_sha256: str
    method: str
    decided_at: str
    withdrawn_at: str | None
    language: str = "en"

    @property
    def active(self) -> bool:
        return self.granted and self.withdrawn_at is None


@dataclass(frozen=True, slots=True)
class Answer:
    question_id: int
    value: Any
    skipped: bool
    answered_at: str
    source_message_id: int | None = None


@dataclass(frozen=True, slots=True)
class View:
    id: int
    participant_id: int
    text: str
    status: ViewStatus
    created_at: str
    updated_at: str


@dataclass(slots=True)
class Relationship:
    """One entry of a relationships answer, filled in step by step."""

    who: str | None = None
    how_often: str | None = None
    support: list[str] = field(default_factory=list)
    complete: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "who": self.who,
            "how_often": self.how_often,
            "support": list(self.support),
            "complete": self.complete,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Relationship:
        return cls(
            who=data.get("who"),
            how_often=data.get("how_often"),
            support=list(data.get("support") or []),
            complete=bool(data.get("complete")),
        )


@dataclass(frozen=True, slots=True)
class AboutQuestion:
    """An optional "about you" question, for checking who is (and is not) taking part."""

    id: int
    workshop_id: int
    position: int
    key: str
    prompt: str
    options: tuple[str, ...]
    targets: dict[str, float]
    # Its prompt and options in other languages: {"pl": {"prompt": ..., "options": [...]}}.
    translations: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Theme:
    id: int
    workshop_id: int
    name: str
    created_at: str


@dataclass(frozen=True, slots=True)
class ThemeCount:
    theme: Theme
    items: int
    views: int
    participants: int


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One answer or shared view, as a facilitator browses them."""

    kind: str  # "answer" or "view"
    id: int
    pseudonym: str
    question_kind: QuestionKind | None
    question_prompt: str | None
    question_position: int | None
    value: Any
    at: str
    themes: tuple[str, ...]
    quote_ok: bool
