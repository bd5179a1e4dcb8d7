"""Where a person is in their journey, worked out from the database alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chat.context import BotContext
from domain.translations import questions_in, workshop_in
from storage.kinds import ParticipantStatus as Status
from storage.models import Answer, Participant, Question, Workshop

# Statuses in which plain text is the answer to the current question.
ANSWERING = (Status.ANSWERING, Status.CONTINUING)
# At a question or the review screen: /help, /cancel and stickers show it again.
ON_QUESTIONS = (*ANSWERING, Status.REVIEWING)
# Agreed to take part, and still on the consent screens or the ground rules.
BEFORE_QUESTIONS = (Status.CONSENTING, Status.READY)
# Not (or no longer) taking part: they said no, or erased what they said.
GONE = (Status.DECLINED, Status.WITHDRAWN)
# Someone who, coming back, sees the consent screens of the workshop they were invited to.
CONSENTING = (*BEFORE_QUESTIONS, Status.DECLINED)


@dataclass(frozen=True, slots=True)
class Place:
    participant: Participant
    workshop: Workshop
    questions: Sequence[Question]

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def question(self) -> Question | None:
        position = self.participant.position
        return self.questions[position] if 0 <= position < self.total else None

    @property
    def number(self) -> int:
        return self.participant.position + 1

    @property
    def status(self) -> str:
        return self.participant.status


async def place_of(context: BotContext, participant: Participant | None) -> Place | None:
    if participant is None:
        return None
    workshop = await context.storage.workshops.get(participant.workshop_id)
    if workshop is None:
        return None
    questions = await context.storage.workshops.questions(workshop.id)
    # In the person's language where the workshop has it: what they see is what they pick.
    language = context.language
    return Place(participant, workshop_in(workshop, language), questions_in(questions, language))


async def latest_place(context: BotContext, user_id: int) -> Place | None:
    """The workshop this person used last, with their progress in it."""
    return await place_of(context, await context.storage.participants.latest(user_id))


async def answer_at(context: BotContext, place: Place) -> Answer | None:
    question = place.question
    if question is None:
        return None
    return await context.storage.answers.get(place.participant.id, question.id)
