"""Every state and kind that is stored, as a StrEnum stored by its value.

A typo in a state is then a type error, not a silent branch; the migrations' CHECK
constraints list the same values.
"""

from __future__ import annotations

from enum import StrEnum


class EngagementLevel(StrEnum):
    INFORM = "inform"
    CONSULT = "consult"
    CO_DESIGN = "co-design"
    CO_PRODUCE = "co-produce"
    COMMUNITY_LED = "community-led"


class WorkshopStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class QuestionKind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    SCALE = "scale"
    RELATIONSHIPS = "relationships"


class ParticipantStatus(StrEnum):
    """Where a participant is in the journey."""

    DECLINED = "declined"
    CONSENTING = "consenting"
    READY = "ready"
    ANSWERING = "answering"
    PAUSED = "paused"
    CONTINUING = "continuing"
    REVIEWING = "reviewing"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class Purpose(StrEnum):
    """What a consent record is for."""

    TAKE_PART = "take_part"
    UPDATES = "updates"
    QUOTE = "quote"


class FeedKind(StrEnum):
    """What an item of the feed (and a theme's tag) is: an answer or a shared view."""

    ANSWER = "answer"
    VIEW = "view"


class ViewStatus(StrEnum):
    DRAFT = "draft"
    SHARED = "shared"


class ActionStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_POSSIBLE = "not_possible"


class UpdateStatus(StrEnum):
    SCHEDULED = "scheduled"
    SENT = "sent"
    CANCELLED = "cancelled"


class UpdateKind(StrEnum):
    """What an update is: only a progress update lists actions and asks for co-evaluation."""

    PROGRESS = "progress"
    REMINDER = "reminder"
    NOTICE = "notice"  # a change of venue or time, news to pass on


class DeliveryKind(StrEnum):
    UPDATE = "update"
    REMINDER = "reminder"
    SESSION = "session"
    NUDGE = "nudge"


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    CANCELLED = "cancelled"


class Verdict(StrEnum):
    """A participant's answer to "does this reflect what you said?"."""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"


class StepKind(StrEnum):
    """What a person's next typed message is for, outside the questions."""

    VIEW = "view"  # a view for the workshop they are sharing with
    COMMENT = "comment"  # a comment on an update they answered


class SessionReply(StrEnum):
    CANT_COME = "cant_come"


# Participants who are not (or no longer) taking part.
LEFT = (ParticipantStatus.DECLINED, ParticipantStatus.WITHDRAWN)
# Part-way through the questions: the people a reminder is for.
UNFINISHED = (
    ParticipantStatus.READY,
    ParticipantStatus.ANSWERING,
    ParticipantStatus.CONTINUING,
    ParticipantStatus.PAUSED,
    ParticipantStatus.REVIEWING,
)
