"""storage/flags.py: safeguarding flags raised, listed per facilitator, handled once."""

from __future__ import annotations

from storage import Storage
from tests.storage.test_participants import HASH, new_workshop


async def test_flags_are_raised_listed_and_handled_once(fresh_storage: Storage) -> None:
    workshop = await fresh_storage.workshops.create(new_workshop())
    other = await fresh_storage.workshops.create(new_workshop("Trains"))
    member = await fresh_storage.participants.decide_take_part(
        workshop.id, 5, granted=True, text_sha256=HASH, method="button"
    )
    flags = fresh_storage.flags
    known = await flags.raise_flag(
        5, "not safe", "I'm not safe", workshop_id=workshop.id, participant_id=member.id
    )
    stranger = await flags.raise_flag(6, "hurt me", "he will hurt me", workshop_id=workshop.id)
    elsewhere = await flags.raise_flag(7, "suicide", "…", workshop_id=other.id)
    assert known.pseudonym == member.pseudonym
    assert stranger.pseudonym is None  # had not agreed to take part: no pseudonym yet
    assert [f.id for f in await flags.open_for([workshop.id])] == [known.id, stranger.id]
    assert [f.id for f in await flags.open_for([workshop.id, other.id])] == [
        known.id,
        stranger.id,
        elsewhere.id,
    ]
    assert await flags.open_for([]) == []
    assert await flags.handle(known.id, 900) is True
    assert await flags.handle(known.id, 901) is False  # a second facilitator's press
    handled = await flags.get(known.id)
    assert handled is not None
    assert (handled.handled_by, handled.handled_at is not None) == (900, True)
    assert [f.id for f in await flags.open_for([workshop.id])] == [stranger.id]
    assert await flags.handle(999, 900) is False
