"""Shared reads: within one update the same read goes to the database once, and never stale.

Database.shared_reads keeps what fetchone/fetchall read until anything writes; a write
made with Database.write (or execute) reads the kept ones again in its own hand-over,
so they stay shared and fresh (so does a transaction's COMMIT); another task's write drops
them. storage.preload makes the reads of a person's update in one hand-over.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from typing import Any

import pytest

from domain.workshop_file import load_workshop_file
from storage import Storage
from storage.answers import Step
from storage.db import Database
from storage.kinds import ParticipantStatus
from storage.models import Participant
from storage.preload import preload_person
from tests.conftest import EXAMPLE
from tests.storage.test_participants import HASH

USER = 7070


def count_hand_overs(db: Database) -> list[str]:
    """Every hand-over to aiosqlite's thread from now on, by the function's name."""
    seen: list[str] = []
    original: Callable[..., Any] = db.conn._execute

    async def counted(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        seen.append(getattr(getattr(fn, "func", fn), "__name__", "?"))
        return await original(fn, *args, **kwargs)

    db.conn._execute = counted  # type: ignore[method-assign]  # counts hand-overs
    return seen


@pytest.fixture
async def person(fresh_storage: Storage) -> Participant:
    workshop = await fresh_storage.workshops.create(load_workshop_file(EXAMPLE))
    return await fresh_storage.participants.decide_take_part(
        workshop.id, USER, granted=True, text_sha256=HASH, method="button"
    )


async def test_the_same_read_goes_once_in_a_block_and_every_time_outside(
    fresh_storage: Storage, person: Participant
) -> None:
    db = fresh_storage.db
    seen = count_hand_overs(db)
    await fresh_storage.participants.by_id(person.id)
    await fresh_storage.participants.by_id(person.id)
    assert len(seen) == 2
    with db.shared_reads():
        for _ in range(3):
            assert await fresh_storage.participants.by_id(person.id) == person
        await fresh_storage.workshops.get(person.workshop_id)
    assert len(seen) == 4
    await fresh_storage.participants.by_id(person.id)
    assert len(seen) == 5


async def test_a_write_reads_the_shared_rows_again_in_its_own_hand_over(
    fresh_storage: Storage, person: Participant
) -> None:
    db = fresh_storage.db
    questions = await fresh_storage.workshops.questions(person.workshop_id)
    seen = count_hand_overs(db)
    with db.shared_reads():
        assert (await fresh_storage.participants.by_id(person.id)).position == 0  # type: ignore[union-attr]
        moved = await fresh_storage.answers.save_and_move(
            person.id, questions[0].id, "The bus", to=Step(ParticipantStatus.ANSWERING, 1)
        )
        assert moved is not None
        assert len(seen) == 2  # the read, and the write (with the read again)
        again = await fresh_storage.participants.by_id(person.id)
        assert again is not None
        assert (again.position, again.status) == (1, ParticipantStatus.ANSWERING)
        assert len(seen) == 2


async def test_after_a_transaction_or_another_tasks_write_the_shared_rows_are_fresh(
    fresh_storage: Storage, person: Participant
) -> None:
    db = fresh_storage.db
    participants = fresh_storage.participants
    with db.shared_reads():
        await participants.by_id(person.id)
        async with db.transaction() as conn:
            await conn.execute("UPDATE participants SET position = 2 WHERE id = ?", (person.id,))
        assert (await participants.by_id(person.id)).position == 2  # type: ignore[union-attr]

        async def elsewhere() -> None:
            await db.execute("UPDATE participants SET position = 3 WHERE id = ?", (person.id,))

        # A job runs in a context of its own (the scheduler's), outside any block.
        await asyncio.get_running_loop().create_task(elsewhere(), context=contextvars.Context())
        assert (await participants.by_id(person.id)).position == 3  # type: ignore[union-attr]


async def test_a_task_started_in_a_block_stops_sharing_when_the_block_ends(
    fresh_storage: Storage, person: Participant
) -> None:
    db = fresh_storage.db
    seen = count_hand_overs(db)
    started = asyncio.Event()
    finish = asyncio.Event()

    async def later() -> None:
        await fresh_storage.participants.by_id(person.id)
        started.set()
        await finish.wait()
        await fresh_storage.participants.by_id(person.id)

    with db.shared_reads():
        task = asyncio.create_task(later())
        await started.wait()
    finish.set()
    await task
    assert len(seen) == 2


async def test_fetchall_hands_out_copies(fresh_storage: Storage, person: Participant) -> None:
    db = fresh_storage.db
    with db.shared_reads():
        first = await db.fetchall("SELECT id FROM participants")
        first.clear()
        assert len(await db.fetchall("SELECT id FROM participants")) == 1


async def test_preload_makes_a_persons_reads_in_one_hand_over(
    fresh_storage: Storage, person: Participant
) -> None:
    db = fresh_storage.db
    storage = fresh_storage
    workshop = await storage.workshops.get(person.workshop_id)
    assert workshop is not None
    questions = await storage.workshops.questions(workshop.id)
    seen = count_hand_overs(db)
    await preload_person(db, USER, 99)  # outside a block: nothing
    assert seen == []
    with db.shared_reads():
        await preload_person(db, USER, 99)
        assert len(seen) == 1
        assert await storage.participants.latest(USER) == person
        assert await storage.participants.by_id(person.id) == person
        assert await storage.participants.get(workshop.id, USER) == person
        assert await storage.workshops.get(workshop.id) == workshop
        assert await storage.workshops.by_invite(workshop.invite_code) == workshop
        assert await storage.answers.get(person.id, questions[0].id) is None
        assert await storage.typed_steps.current(USER) is None
        assert await storage.typed_steps.handled(99) is False
        assert await storage.participants.screen_message(USER) is None
        await storage.outbox.reachable_again(USER)
        assert len(seen) == 1
        await storage.participants.consents(person.id)  # still consenting: read with them
        assert len(seen) == 1


async def test_preload_of_an_invite_reads_its_workshop_and_the_place_in_it(
    fresh_storage: Storage, person: Participant
) -> None:
    db = fresh_storage.db
    storage = fresh_storage
    workshop = await storage.workshops.get(person.workshop_id)
    assert workshop is not None
    seen = count_hand_overs(db)
    with db.shared_reads():
        await preload_person(db, USER + 1, None, workshop.invite_code)  # not joined yet
        assert await storage.workshops.by_invite(workshop.invite_code) == workshop
        assert await storage.participants.get(workshop.id, USER + 1) is None
        assert len(seen) == 1
    with db.shared_reads():
        await preload_person(db, USER, None, "no-such-code")
        assert await storage.workshops.by_invite("no-such-code") is None
        assert len(seen) == 2


async def test_take_screen_buttons_says_once_which_message_had_them(
    fresh_storage: Storage, person: Participant
) -> None:
    participants = fresh_storage.participants
    assert await participants.take_screen_buttons(USER) is None
    await participants.set_screen_message(person.id, 555, buttons=True)
    assert await participants.take_screen_buttons(USER) == 555
    assert await participants.take_screen_buttons(USER) is None
    assert await participants.screen_message(USER) == (555, False)


async def test_a_transactions_commit_reads_the_shared_rows_again(
    fresh_storage: Storage, person: Participant
) -> None:
    db = fresh_storage.db
    participants = fresh_storage.participants
    with db.shared_reads():
        await participants.by_id(person.id)
        seen = count_hand_overs(db)
        async with db.transaction() as conn:
            await conn.execute("UPDATE participants SET position = 4 WHERE id = ?", (person.id,))
        assert len(seen) == 3  # BEGIN, the statement, COMMIT with the read again
        assert (await participants.by_id(person.id)).position == 4  # type: ignore[union-attr]
        assert len(seen) == 3
