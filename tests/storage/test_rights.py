"""The storage side of a person's rights: /mydata, changing one consent, anonymising."""

from __future__ import annotations

import json

import pytest

from storage import Storage
from storage.kinds import Purpose
from storage.participants import ERASED_BY_PARTICIPANT, ERASED_BY_TELEGRAM_ID
from tests.storage.test_erasure import PERSON, SENTINEL, _fill, _references
from tests.storage.test_participants import HASH, new_workshop


async def test_mydata_holds_a_row_from_every_table_that_names_the_person(
    fresh_storage: Storage,
) -> None:
    workshop = await fresh_storage.workshops.create(new_workshop())
    await _fill(fresh_storage, workshop, PERSON)
    await _fill(fresh_storage, workshop, PERSON + 1)
    await fresh_storage.facilitators.add(workshop.id, PERSON, 1, "Sam")
    data = await fresh_storage.mydata.collect(PERSON)
    listed = {"participants", "facilitators", *ERASED_BY_PARTICIPANT}
    listed |= {table for table, _column in ERASED_BY_TELEGRAM_ID}
    assert set(data.tables) == listed
    # Every table that can name them (the schema test keeps the lists whole) has their row.
    assert {t: n for t, n in data.counts().items() if n == 0} == {}
    assert data.counts()["participants"] == 1
    document = json.loads(data.to_json())
    assert document["telegram_user_id"] == PERSON
    text = data.to_json().decode()
    for words in ("answer", "view", "about", "comment", "delivery"):
        assert f"{SENTINEL} {words}" in text
    assert str(PERSON + 1) not in text  # nobody else's rows
    assert "opener" not in document["tables"]["link_opens"][0]


async def test_someone_unknown_gets_an_empty_record(fresh_storage: Storage) -> None:
    data = await fresh_storage.mydata.collect(123)
    assert set(data.counts().values()) == {0}


async def test_withdrawing_updates_is_a_withdrawal_and_cancels_waiting_messages(
    fresh_storage: Storage,
) -> None:
    workshop = await fresh_storage.workshops.create(new_workshop())
    member = await _fill(fresh_storage, workshop, PERSON)
    await fresh_storage.db.execute(
        """INSERT INTO deliveries (kind, participant_id, workshop_id, chat_id, text,
               not_before, created_at) VALUES ('update', ?, ?, ?, 'news', 'x', 'x')""",
        (member.id, workshop.id, PERSON),
    )
    parts = fresh_storage.participants
    assert await parts.withdraw_consent(member.id, Purpose.UPDATES) == 1
    updates = (await parts.consents(member.id))["updates"]
    assert updates.granted is True  # what they had agreed to, and when, is kept
    assert updates.withdrawn_at is not None
    assert updates.active is False
    row = await fresh_storage.db.fetchone(
        "SELECT count(*) FROM deliveries WHERE participant_id = ? AND state = 'pending'",
        (member.id,),
    )
    assert row is not None
    assert row[0] == 0
    # Saying yes again later is recorded as a new decision.
    await parts.decide(member.id, Purpose.UPDATES, granted=True, text_sha256=HASH, method="b")
    assert (await parts.consents(member.id))["updates"].active is True
    with pytest.raises(ValueError, match="erase"):
        await parts.withdraw_consent(member.id, Purpose.TAKE_PART)


async def test_anonymising_keeps_the_words_under_the_pseudonym_only(
    fresh_storage: Storage,
) -> None:
    workshop = await fresh_storage.workshops.create(new_workshop())
    member = await _fill(fresh_storage, workshop, PERSON)
    parts = fresh_storage.participants
    result = await parts.anonymise(member.id)
    assert (result.found, result.finished) == (True, True)
    kept = await parts.by_id(member.id)
    assert kept is not None
    assert kept.pseudonym == member.pseudonym
    assert kept.telegram_user_id < 0
    assert await parts.memberships(PERSON) == []
    answers = await fresh_storage.answers.for_participant(member.id)
    assert [a.value for a in answers.values()] == [f"{SENTINEL} answer"]
    # Nothing can reach or name them any more.
    refs = await _references(fresh_storage, member)
    assert {k: v for k, v in refs.items() if v} == {
        "answers.participant_id": 1,
        "views.participant_id": 1,
        "feedback.participant_id": 1,
        "consents.participant_id": 2,
        "participants": 1,
    }
    assert set((await fresh_storage.mydata.collect(PERSON)).counts().values()) == {0}
    assert not (await parts.consents(member.id))["updates"].active
