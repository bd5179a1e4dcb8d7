"""One transaction per step: an answer and where the participant goes next land together,
and so do the last consent decision and being ready for the questions."""

from __future__ import annotations

import sqlite3

import pytest

from storage import Storage
from storage.answers import Step
from storage.kinds import ParticipantStatus, Purpose
from storage.models import Participant, Workshop
from tests.storage.test_participants import HASH, new_workshop, question_ids


@pytest.fixture
async def workshop(fresh_storage: Storage) -> Workshop:
    return await fresh_storage.workshops.create(new_workshop())


@pytest.fixture
async def member(fresh_storage: Storage, workshop: Workshop) -> Participant:
    return await fresh_storage.participants.decide_take_part(
        workshop.id, 1001, granted=True, text_sha256=HASH, method="button"
    )


async def _refuse_moves(storage: Storage) -> None:
    """Make the second statement of a step fail, as a crash or a full disk would."""
    await storage.db.execute(
        """CREATE TRIGGER refuse_moves BEFORE UPDATE OF status, position ON participants
           BEGIN SELECT RAISE(ABORT, 'no moving today'); END"""
    )


async def test_save_and_move_returns_the_participant_where_they_now_are(
    fresh_storage: Storage, workshop: Workshop, member: Participant
) -> None:
    q1, _ = await question_ids(fresh_storage, workshop)
    moved = await fresh_storage.answers.save_and_move(
        member.id,
        q1,
        "buses",
        to=Step(ParticipantStatus.REVIEWING, 2, changing=False),
        message_id=5,
        editable=True,
    )
    assert moved is not None
    assert (moved.status, moved.position, moved.changing) == ("reviewing", 2, False)
    assert moved == await fresh_storage.participants.by_id(member.id)
    answer = await fresh_storage.answers.get(member.id, q1)
    assert answer is not None
    assert (answer.value, answer.source_message_id) == ("buses", 5)


async def test_save_and_move_sets_changing_and_keeps_what_is_left_out(
    fresh_storage: Storage, workshop: Workshop, member: Participant
) -> None:
    q1, _ = await question_ids(fresh_storage, workshop)
    await fresh_storage.participants.move(member.id, position=1, changing=True)
    moved = await fresh_storage.answers.save_and_move(
        member.id, q1, None, skipped=True, to=Step(ParticipantStatus.CONTINUING)
    )
    assert moved is not None
    assert (moved.status, moved.position, moved.changing) == ("continuing", 1, True)


async def test_a_failed_move_leaves_no_answer(
    fresh_storage: Storage, workshop: Workshop, member: Participant
) -> None:
    q1, _ = await question_ids(fresh_storage, workshop)
    await _refuse_moves(fresh_storage)
    with pytest.raises(sqlite3.IntegrityError, match="no moving today"):
        await fresh_storage.answers.save_and_move(
            member.id, q1, "buses", to=Step(ParticipantStatus.ANSWERING, 1), message_id=9
        )
    assert await fresh_storage.answers.get(member.id, q1) is None
    still = await fresh_storage.participants.by_id(member.id)
    assert still is not None
    assert (still.status, still.position) == (member.status, member.position)
    # The message was not marked as used either: when it comes again, it is kept.
    await fresh_storage.db.execute("DROP TRIGGER refuse_moves")
    again = await fresh_storage.answers.save_and_move(
        member.id, q1, "buses", to=Step(ParticipantStatus.ANSWERING, 1), message_id=9
    )
    assert again is not None
    assert again.position == 1


async def test_a_redelivered_message_moves_nothing(
    fresh_storage: Storage, workshop: Workshop, member: Participant
) -> None:
    q1, _ = await question_ids(fresh_storage, workshop)
    to = Step(ParticipantStatus.ANSWERING, 1)
    assert await fresh_storage.answers.save_and_move(member.id, q1, "a", to=to, message_id=3)
    again = await fresh_storage.answers.save_and_move(
        member.id, q1, "b", to=Step(ParticipantStatus.PAUSED, 0), message_id=3
    )
    assert again is None
    now = await fresh_storage.participants.by_id(member.id)
    assert now is not None
    assert (now.status, now.position) == ("answering", 1)


async def test_the_last_consent_decision_and_ready_land_together(
    fresh_storage: Storage, member: Participant
) -> None:
    participants = fresh_storage.participants
    await participants.decide(
        member.id, Purpose.UPDATES, granted=True, text_sha256=HASH, method="button"
    )
    await _refuse_moves(fresh_storage)
    with pytest.raises(sqlite3.IntegrityError):
        await participants.decide(
            member.id,
            Purpose.QUOTE,
            granted=False,
            text_sha256=HASH,
            method="button",
            status=ParticipantStatus.READY,
        )
    assert Purpose.QUOTE not in await participants.consents(member.id)
    await fresh_storage.db.execute("DROP TRIGGER refuse_moves")
    await participants.decide(
        member.id,
        Purpose.QUOTE,
        granted=False,
        text_sha256=HASH,
        method="button",
        status=ParticipantStatus.READY,
    )
    ready = await participants.by_id(member.id)
    assert ready is not None
    assert ready.status == "ready"
    assert Purpose.QUOTE in await participants.consents(member.id)
