"""The participant's buttons: consent, the questions, review, sharing, erasing, about-you
and feedback on updates.

Each family carries what its handler checks against the database: the invite code of the
workshop being joined, the position of the question the button was shown with, the update
being answered. Wire formats are kept short and, where the shape allowed it, the same as
before the families existed (``wm:skip:3``, ``fb:yes:12``), so that buttons already in
people's chats keep working.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from chat.callbacks.data import CallbackData, str_field
from storage.kinds import Purpose, Verdict

# Invite codes are 22 characters (storage.workshops.new_invite_code, as they have always
# been); a little room either side, and still room for a consent text's version.
INVITE_CODE = r"[A-Za-z0-9_-]{16,36}"
# The version of the consent words a button was shown with (chat.screens.text_version).
TEXT_VERSION = r"[A-Za-z0-9_-]{4}"

# ---- consent -------------------------------------------------------------------------------


class Decision(StrEnum):
    YES = "yes"
    NO = "no"

    @property
    def granted(self) -> bool:
        return self is Decision.YES


@dataclass(frozen=True, slots=True)
class ConsentDecision(CallbackData):
    """Yes or no to one purpose, as worded in the text of version ``version``:
    ``cons:yes:take_part:<invite code>:<version>``."""

    prefix: ClassVar[str] = "cons"
    decision: Decision
    purpose: Purpose
    invite: str = str_field(INVITE_CODE)
    version: str = str_field(TEXT_VERSION)


class ConsentStep(StrEnum):
    MORE = "more"  # tell me more, before deciding to take part
    GO = "go"  # start the questions
    LATER = "later"  # start them another time


@dataclass(frozen=True, slots=True)
class ConsentNext(CallbackData):
    """A step around the consent screens: ``cons:step:go:<invite code>``."""

    prefix: ClassVar[str] = "cons:step"
    step: ConsentStep
    invite: str = str_field(INVITE_CODE)


# ---- the questions -------------------------------------------------------------------------


class QuestionAction(StrEnum):
    SKIP = "skip"
    BACK = "back"
    PAUSE = "pause"
    NEXT = "next"  # a long answer is complete
    KEEP = "keep"  # back at an answered question: leave the answer as it is
    CLEAR = "clear"  # back at an answered question: take the answer away (a skip)
    SUPPORT_DONE = "supdone"  # a relationship's kinds of support are all ticked
    ADD_ANOTHER = "more"  # another relationship
    THATS_ALL = "enough"  # no more relationships


@dataclass(frozen=True, slots=True)
class QuestionMove(CallbackData):
    """A button of the question at ``position`` that moves on: ``wm:skip:3``."""

    prefix: ClassVar[str] = "wm"
    action: QuestionAction
    position: int


class PickOf(StrEnum):
    ANSWER = "answer"  # a choice option, or a number on a scale
    HOW_OFTEN = "often"  # how often a relationship is in touch
    SUPPORT = "support"  # a kind of support, ticked on or off


@dataclass(frozen=True, slots=True)
class QuestionPick(CallbackData):
    """One option of the question at ``position``: ``wm:pick:answer:3:1``.

    ``index`` is the option's place in its list, or the number itself on a scale.
    """

    prefix: ClassVar[str] = "wm:pick"
    of: PickOf
    position: int
    index: int


# ---- review --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChangeAnswer(CallbackData):
    """Change the answer to the question at ``position``: ``rv:change:3``."""

    prefix: ClassVar[str] = "rv:change"
    position: int


@dataclass(frozen=True, slots=True)
class SubmitAnswers(CallbackData):
    """Submit every answer on the review screen: ``rv:submit``."""

    prefix: ClassVar[str] = "rv:submit"


# ---- sharing a view ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShareFor(CallbackData):
    """The workshop a view is for: ``sh:pick:<workshop id>``."""

    prefix: ClassVar[str] = "sh:pick"
    workshop_id: int


class ShareEnd(StrEnum):
    DONE = "done"
    CANCEL = "cancel"


@dataclass(frozen=True, slots=True)
class ShareFinish(CallbackData):
    """Share the drafts, or drop them: ``sh:done:<session>``, ``sh:cancel:<session>``.

    ``step`` is the share session (``storage.typed_steps``) the button was shown with, so
    Done on the prompt of a session that is over changes nothing; 0 for a prompt shown
    again from memory, which belongs to whatever session is open.
    """

    prefix: ClassVar[str] = "sh"
    end: ShareEnd
    step: int = 0


# ---- erasing what I said -------------------------------------------------------------------


class EraseStep(StrEnum):
    PICK = "pick"  # this workshop (then confirm)
    CONFIRM = "yes"  # yes, erase it


@dataclass(frozen=True, slots=True)
class Erase(CallbackData):
    """Erasing one workshop's data: ``fg:pick:<workshop id>``, ``fg:yes:<workshop id>``."""

    prefix: ClassVar[str] = "fg"
    step: EraseStep
    workshop_id: int


@dataclass(frozen=True, slots=True)
class KeepData(CallbackData):
    """Do not erase anything: ``fg:no``."""

    prefix: ClassVar[str] = "fg:no"


# ---- about you -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AboutOffer(CallbackData):
    """Yes or no to the optional questions about the person: ``ab:yes``, ``ab:no``."""

    prefix: ClassVar[str] = "ab"
    decision: Decision


@dataclass(frozen=True, slots=True)
class AboutPick(CallbackData):
    """One option of the about-you question at ``position``: ``ab:pick:2:1``."""

    prefix: ClassVar[str] = "ab:pick"
    position: int
    index: int


@dataclass(frozen=True, slots=True)
class AboutSkip(CallbackData):
    """'Prefer not to say' to the about-you question at ``position``: ``ab:skip:2``."""

    prefix: ClassVar[str] = "ab:skip"
    position: int


# ---- feedback on an update -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedbackVerdict(CallbackData):
    """Does this update reflect what you said: ``fb:partly:<update id>``."""

    prefix: ClassVar[str] = "fb"
    verdict: Verdict
    update_id: int


@dataclass(frozen=True, slots=True)
class FeedbackSkip(CallbackData):
    """No comment on the update: ``fb:skip:<update id>``."""

    prefix: ClassVar[str] = "fb:skip"
    update_id: int
