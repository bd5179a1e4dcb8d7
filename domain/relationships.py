"""The repeating relationships question: who, how often, what kind of contact or support."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from storage.models import Answer, Relationship

# The most kept for who a person is, how often, or one kind of support; longer is refused
# with a word (never cut).
WHO_LIMIT = 200


class Step(StrEnum):
    WHO = "who"
    OFTEN = "often"
    SUPPORT = "support"
    MORE = "more"


def entries_of(answer: Answer | None) -> list[Relationship]:
    if answer is None or answer.skipped or not isinstance(answer.value, dict):
        return []
    return [Relationship.from_json(e) for e in answer.value.get("entries", [])]


def value_of(entries: list[Relationship]) -> dict[str, Any]:
    return {"entries": [e.to_json() for e in entries]}


def step_of(entries: list[Relationship]) -> Step:
    """Which part of the current person the participant is telling us about."""
    if not entries:
        return Step.WHO
    last = entries[-1]
    if last.complete:
        return Step.MORE
    if last.who is None:
        return Step.WHO
    if last.how_often is None:
        return Step.OFTEN
    return Step.SUPPORT


def current(entries: list[Relationship]) -> Relationship:
    """The entry being filled in, starting a new one if the last is finished."""
    if not entries or entries[-1].complete:
        entries.append(Relationship())
    return entries[-1]


def finished(entries: list[Relationship]) -> list[Relationship]:
    """The complete entries; a half-told one is kept if it at least says who."""
    kept = []
    for entry in entries:
        if entry.who:
            entry.complete = True
            kept.append(entry)
    return kept
