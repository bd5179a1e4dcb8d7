"""storage/outbox.py: reminders, session notices and nudges are queued once, with their mark;
records come back with their states and kinds as enums."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.broadcast import delivery
from storage import Storage
from storage.kinds import DeliveryKind, DeliveryState, ParticipantStatus, Purpose
from storage.models import Participant, Workshop
from tests.storage.test_participants import HASH, new_workshop

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # London: outside quiet hours
LATE = datetime(2026, 3, 2, 22, 30, tzinfo=UTC)  # London: inside quiet hours
NOW = "2026-03-02T12:00:00+00:00"


@pytest.fixture
async def workshop(fresh_storage: Storage) -> Workshop:
    return await fresh_storage.workshops.create(new_workshop())


@pytest.fixture
async def member(fresh_storage: Storage, workshop: Workshop) -> Participant:
    person = await fresh_storage.participants.decide_take_part(
        workshop.id, 1001, granted=True, text_sha256=HASH, method="button"
    )
    await fresh_storage.participants.decide(
        person.id, Purpose.UPDATES, granted=True, text_sha256=HASH, method="button"
    )
    return person


async def pending(storage: Storage) -> int:
    row = await storage.db.fetchone(
        "SELECT COUNT(*) FROM deliveries WHERE state = ?", (DeliveryState.PENDING,)
    )
    assert row is not None
    return int(row[0])


def test_delivery_waits_for_the_end_of_quiet_hours(workshop: Workshop) -> None:
    now = delivery(DeliveryKind.NUDGE, workshop, 7, "hi", NOON)
    later = delivery(DeliveryKind.NUDGE, workshop, 7, "hi", LATE)
    assert now.not_before == "2026-03-02T12:00:00+00:00"
    assert later.not_before == "2026-03-03T09:00:00+00:00"  # 09:00 London, GMT in March
    assert later.kind is DeliveryKind.NUDGE
    assert later.workshop_id == workshop.id


async def test_a_reminder_is_counted_with_its_row_and_never_twice_for_one_count(
    fresh_storage: Storage, workshop: Workshop, member: Participant
) -> None:
    outbox = fresh_storage.outbox
    row = delivery(
        DeliveryKind.REMINDER, workshop, member.telegram_user_id, "hi", NOON,
        participant_id=member.id,
    )  # fmt: skip
    assert await outbox.enqueue_reminder(row, member.id, 0, NOW)
    assert not await outbox.enqueue_reminder(row, member.id, 0, NOW)  # decided on a stale count
    assert await outbox.enqueue_reminder(row, member.id, 1, NOW)
    after = await fresh_storage.participants.by_id(member.id)
    assert after is not None
    assert after.reminders_sent == 2
    assert await pending(fresh_storage) == 2


async def test_session_notices_are_queued_once(
    fresh_storage: Storage, workshop: Workshop, member: Participant
) -> None:
    session = await fresh_storage.sessions.create(
        workshop.id, "2026-03-03T18:00:00+00:00", "Library", "", 1
    )
    rows = [
        delivery(
            DeliveryKind.SESSION, workshop, member.telegram_user_id, "hi", NOON,
            participant_id=member.id, session_id=session.id,
        )
    ]  # fmt: skip
    assert await fresh_storage.outbox.enqueue_session_notice(rows, session.id, NOW)
    assert not await fresh_storage.outbox.enqueue_session_notice(rows, session.id, NOW)
    assert await pending(fresh_storage) == 1
    reminded = await fresh_storage.sessions.get(session.id)
    assert reminded is not None
    assert reminded.reminded_at == NOW


async def test_nudges_are_queued_once_per_quiet_spell(
    fresh_storage: Storage, workshop: Workshop
) -> None:
    outbox = fresh_storage.outbox
    rows = [delivery(DeliveryKind.NUDGE, workshop, chat, "hi", NOON) for chat in (1, 2)]
    assert await outbox.enqueue_nudge(rows, workshop.id, workshop.created_at, NOW)
    assert not await outbox.enqueue_nudge(rows, workshop.id, workshop.created_at, NOW)
    assert await outbox.enqueue_nudge(rows, workshop.id, "2026-03-01T00:00:00+00:00", NOW)
    assert await pending(fresh_storage) == 4


async def test_records_carry_enum_members(
    fresh_storage: Storage, workshop: Workshop, member: Participant
) -> None:
    row = delivery(DeliveryKind.NUDGE, workshop, 9, "hi", NOON)
    assert await fresh_storage.outbox.enqueue_nudge([row], workshop.id, "x", NOW)
    (claimed,) = await fresh_storage.outbox.claim_due("2026-03-02T13:00:00+00:00", 10)
    assert claimed.kind is DeliveryKind.NUDGE
    assert claimed.state is DeliveryState.SENDING
    person = await fresh_storage.participants.by_id(member.id)
    assert person is not None
    assert person.status is ParticipantStatus.CONSENTING
    consents = await fresh_storage.participants.consents(member.id)
    assert set(consents) == {Purpose.TAKE_PART, Purpose.UPDATES}
    assert all(type(c.purpose) is Purpose for c in consents.values())
    again = await fresh_storage.workshops.get(workshop.id)
    assert again is not None
    assert again.is_open
