"""storage/pseudonyms.py and joining at scale: pseudonyms unique by construction."""

from __future__ import annotations

import itertools
import os
import re

import pytest

from storage import Storage
from storage.models import Workshop
from storage.pseudonyms import CAPACITY, TIERS, permute, pseudonym, unpermute
from tests.storage.test_participants import HASH, new_workshop

KEY = bytes(range(32))
FORMAT = re.compile(r"^P-[0-9A-F]{4,8}$")


def test_every_tier_is_a_bijection() -> None:
    # The whole 4-digit tier: 65,536 numbers onto 65,536 different values.
    assert len({permute(KEY, 16, n) for n in range(1 << 16)}) == 1 << 16
    for bits in TIERS:
        for value in (0, 1, 12345, (1 << bits) - 1):
            assert 0 <= permute(KEY, bits, value) < 1 << bits
            assert unpermute(KEY, bits, permute(KEY, bits, value)) == value


def test_70000_numbers_give_70000_pseudonyms_in_the_shortest_width_that_fits() -> None:
    names = [pseudonym(KEY, n) for n in range(70_000)]
    assert len(set(names)) == 70_000
    assert all(FORMAT.match(name) for name in names)
    assert {len(name) for name in names[:65_536]} == {6}  # P- and 4 hex digits
    assert {len(name) for name in names[65_536:]} == {7}  # then 5
    assert len(pseudonym(KEY, CAPACITY - 1)) == 10


def test_pseudonyms_do_not_tell_who_joined_first() -> None:
    names = [pseudonym(KEY, n) for n in range(1000)]
    # In join order the pseudonyms go up about as often as down.
    rises = sum(a < b for a, b in itertools.pairwise(names))
    assert 400 < rises < 600
    # A different key gives a different mapping.
    assert [pseudonym(bytes(32), n) for n in range(20)] != names[:20]


def test_numbers_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError, match="start at 0"):
        pseudonym(KEY, -1)


async def _seed(storage: Storage, workshop: Workshop, ids: range) -> None:
    """Participants exactly as joining makes them, written in one go (joining is timed)."""
    key = storage.db.pseudonym_key
    async with storage.db.transaction() as conn:
        await conn.executemany(
            """INSERT INTO participants (id, workshop_id, telegram_user_id, pseudonym, status,
                   joined_at, last_seen_at) VALUES (?, ?, ?, ?, 'submitted', 'x', 'x')""",
            [(i, workshop.id, 10_000_000 + i, pseudonym(key, i - 1)) for i in ids],
        )
        await conn.execute(
            "UPDATE sequences SET value = ? WHERE name = 'participants'", (ids.stop - 1,)
        )


async def _join_counting(storage: Storage, workshop: Workshop, ids: range) -> list[int]:
    """Join each id's person for real; return the SQL statements each join ran."""
    statements: list[str] = []
    await storage.db.conn.set_trace_callback(statements.append)
    counts = []
    try:
        for i in ids:
            before = len(statements)
            p = await storage.participants.decide_take_part(
                workshop.id, 10_000_000 + i, granted=True, text_sha256=HASH, method="button"
            )
            assert p.id == i
            counts.append(len(statements) - before)
    finally:
        await storage.db.conn.set_trace_callback(None)
    return counts


async def test_70000_people_in_one_workshop_join_with_the_same_few_statements(
    fresh_storage: Storage,
) -> None:
    """Joining costs the same at 70,000 people as at the first; every pseudonym differs.

    The people between the measured stretches are written directly (as joining would
    write them) to keep the test fast; the measured ones cross the 4-to-5-digit boundary
    and reach 70,000. DOINGWITH_SLOW=1 runs test_70000_real_joins, every join for real.
    """
    workshop = await fresh_storage.workshops.create(new_workshop())
    first = await _join_counting(fresh_storage, workshop, range(1, 51))
    await _seed(fresh_storage, workshop, range(51, 65_520))
    boundary = await _join_counting(fresh_storage, workshop, range(65_520, 65_560))
    await _seed(fresh_storage, workshop, range(65_560, 69_951))
    last = await _join_counting(fresh_storage, workshop, range(69_951, 70_001))
    # BEGIN, look-up, next id, insert, consent, two make-current updates, COMMIT, read back.
    assert set(first[1:]) == set(boundary) == set(last) == {9}, (first, boundary, last)
    row = await fresh_storage.db.fetchone(
        "SELECT count(*), count(DISTINCT pseudonym) FROM participants WHERE workshop_id = ?",
        (workshop.id,),
    )
    assert row is not None
    assert tuple(row) == (70_000, 70_000)


@pytest.mark.skipif(not os.environ.get("DOINGWITH_SLOW"), reason="set DOINGWITH_SLOW=1 (~70 s)")
async def test_70000_real_joins(fresh_storage: Storage) -> None:
    workshop = await fresh_storage.workshops.create(new_workshop())
    counts = await _join_counting(fresh_storage, workshop, range(1, 70_001))
    assert max(counts) <= 9
    row = await fresh_storage.db.fetchone(
        "SELECT count(DISTINCT pseudonym) FROM participants WHERE workshop_id = ?",
        (workshop.id,),
    )
    assert row is not None
    assert row[0] == 70_000


async def test_ids_are_not_reused_after_the_newest_participant_is_erased(
    fresh_storage: Storage,
) -> None:
    workshop = await fresh_storage.workshops.create(new_workshop())
    parts = fresh_storage.participants
    first = await parts.decide_take_part(
        workshop.id, 1, granted=True, text_sha256=HASH, method="button"
    )
    erased = await parts.erase(first.id)
    assert erased.found
    again = await parts.decide_take_part(
        workshop.id, 1, granted=True, text_sha256=HASH, method="button"
    )
    assert again.id == first.id + 1
    assert again.pseudonym != first.pseudonym
