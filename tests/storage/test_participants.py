"""storage/participants.py, answers.py and views.py: consent, answers, views, withdrawal."""

from __future__ import annotations

import re

import pytest

from storage import NewQuestion, NewWorkshop, Storage
from storage.kinds import EngagementLevel, ParticipantStatus, Purpose, QuestionKind
from storage.models import Participant, SupportContact, Workshop
from storage.pseudonyms import pseudonym

PSEUDONYM = re.compile(r"^P-[0-9A-F]{4}$")
HASH = "a" * 64


def new_workshop(title: str = "Buses") -> NewWorkshop:
    return NewWorkshop(
        title=title,
        purpose="Better buses",
        engagement_level=EngagementLevel.CONSULT,
        can_change=("timetables",),
        cannot_change=("fares",),
        who_decides="The board",
        decide_by="1 May",
        hear_back="We will write",
        support=(SupportContact("Samaritans", "116 123"),),
        ground_rules=("Be kind",),
        questions=(
            NewQuestion(
                key="important", kind=QuestionKind.TEXT, prompt="What is important to you?"
            ),
            NewQuestion(
                key="often", kind=QuestionKind.CHOICE, prompt="How often?", options=("a", "b")
            ),
        ),
    )


@pytest.fixture
async def workshop(fresh_storage: Storage) -> Workshop:
    return await fresh_storage.workshops.create(new_workshop())


@pytest.fixture
async def member(fresh_storage: Storage, workshop: Workshop) -> Participant:
    return await fresh_storage.participants.decide_take_part(
        workshop.id, 1001, granted=True, text_sha256=HASH, method="button"
    )


async def question_ids(storage: Storage, workshop: Workshop) -> list[int]:
    return [q.id for q in await storage.workshops.questions(workshop.id)]


async def count(storage: Storage, sql: str, params: tuple[object, ...] = ()) -> int:
    row = await storage.db.fetchone(sql, params)
    assert row is not None
    return int(row[0])


# ---- taking part and consent ---------------------------------------------------------------


async def test_take_part_creates_one_participant_and_one_consent(
    fresh_storage: Storage, workshop: Workshop
) -> None:
    p = await fresh_storage.participants.decide_take_part(
        workshop.id, 1001, granted=True, text_sha256=HASH, method="button"
    )
    assert PSEUDONYM.match(p.pseudonym), p.pseudonym
    assert p.workshop_id == workshop.id
    assert p.telegram_user_id == 1001
    assert p.status == "consenting"
    assert p.position == 0
    assert p.submitted_at is None
    assert await count(fresh_storage, "SELECT count(*) FROM participants") == 1
    assert await count(fresh_storage, "SELECT count(*) FROM consents") == 1

    consents = await fresh_storage.participants.consents(p.id)
    assert list(consents) == ["take_part"]
    c = consents["take_part"]
    assert c.granted is True
    assert c.active is True
    assert c.text_sha256 == HASH
    assert c.method == "button"
    assert c.withdrawn_at is None
    assert await fresh_storage.participants.get(workshop.id, 1001) == p


async def test_refusal_stores_granted_zero_and_declined(
    fresh_storage: Storage, workshop: Workshop
) -> None:
    p = await fresh_storage.participants.decide_take_part(
        workshop.id, 2002, granted=False, text_sha256=HASH, method="button"
    )
    assert p.status == "declined"
    row = await fresh_storage.db.fetchone(
        "SELECT granted, purpose FROM consents WHERE participant_id = ?", (p.id,)
    )
    assert row is not None
    assert (row["granted"], row["purpose"]) == (0, "take_part")
    consent = (await fresh_storage.participants.consents(p.id))["take_part"]
    assert consent.granted is False
    assert consent.active is False
    # Declined people are not members anywhere.
    assert await fresh_storage.participants.latest(2002) is None
    assert await fresh_storage.participants.memberships(2002) == []


async def test_deciding_again_keeps_one_participant_and_one_consent_row(
    fresh_storage: Storage, workshop: Workshop
) -> None:
    parts = fresh_storage.participants
    declined = await parts.decide_take_part(
        workshop.id, 3003, granted=False, text_sha256="b" * 64, method="button"
    )
    agreed = await parts.decide_take_part(
        workshop.id, 3003, granted=True, text_sha256="c" * 64, method="command"
    )
    assert agreed.id == declined.id
    assert agreed.pseudonym == declined.pseudonym
    assert agreed.status == "consenting"
    assert await count(fresh_storage, "SELECT count(*) FROM participants") == 1
    assert await count(fresh_storage, "SELECT count(*) FROM consents") == 1
    c = (await parts.consents(agreed.id))["take_part"]
    assert (c.granted, c.text_sha256, c.method) == (True, "c" * 64, "command")


async def test_consent_upsert_keeps_one_row_per_purpose(
    fresh_storage: Storage, member: Participant
) -> None:
    parts = fresh_storage.participants
    await parts.decide(member.id, Purpose.UPDATES, granted=True, text_sha256=HASH, method="button")
    await parts.decide(
        member.id, Purpose.UPDATES, granted=False, text_sha256="d" * 64, method="button"
    )
    await parts.decide(member.id, Purpose.QUOTE, granted=False, text_sha256=HASH, method="button")
    await parts.decide(member.id, Purpose.QUOTE, granted=True, text_sha256=HASH, method="button")

    rows = await fresh_storage.db.fetchall(
        "SELECT purpose, count(*) AS n FROM consents WHERE participant_id = ? GROUP BY purpose",
        (member.id,),
    )
    assert {r["purpose"]: r["n"] for r in rows} == {"take_part": 1, "updates": 1, "quote": 1}
    consents = await parts.consents(member.id)
    assert consents["updates"].granted is False
    assert consents["updates"].text_sha256 == "d" * 64
    assert consents["quote"].granted is True


async def test_an_unknown_purpose_is_refused_by_the_schema(
    fresh_storage: Storage, member: Participant
) -> None:
    import sqlite3

    with pytest.raises(sqlite3.IntegrityError):
        await fresh_storage.participants.decide(
            member.id, "marketing", granted=True, text_sha256=HASH, method="button"
        )
    assert set(await fresh_storage.participants.consents(member.id)) == {"take_part"}


async def test_a_pseudonym_left_from_random_draws_is_stepped_over(
    fresh_storage: Storage, workshop: Workshop
) -> None:
    # Before pseudonyms were derived from ids they were drawn at random: the id whose
    # pseudonym is already taken is passed over, not the insert refused.
    key = fresh_storage.db.pseudonym_key
    await fresh_storage.db.execute(
        """INSERT INTO participants (id, workshop_id, telegram_user_id, pseudonym, status,
               joined_at, last_seen_at) VALUES (100, ?, 1, ?, 'submitted', 'x', 'x')""",
        (workshop.id, pseudonym(key, 100)),  # the pseudonym id 101 will be given
    )
    p = await fresh_storage.participants.decide_take_part(
        workshop.id, 2, granted=True, text_sha256=HASH, method="button"
    )
    assert (p.id, p.pseudonym) == (102, pseudonym(key, 101))


async def test_pseudonyms_in_two_workshops_never_share_an_id(
    fresh_storage: Storage, workshop: Workshop
) -> None:
    other = await fresh_storage.workshops.create(new_workshop("Trains"))
    parts = fresh_storage.participants
    a = await parts.decide_take_part(workshop.id, 1, granted=True, text_sha256=HASH, method="b")
    b = await parts.decide_take_part(other.id, 1, granted=True, text_sha256=HASH, method="b")
    assert a.id != b.id
    assert a.pseudonym != b.pseudonym
    key = fresh_storage.db.pseudonym_key
    assert (a.pseudonym, b.pseudonym) == (pseudonym(key, a.id - 1), pseudonym(key, b.id - 1))


async def test_pseudonyms_are_unique_across_300_participants(
    fresh_storage: Storage, workshop: Workshop
) -> None:
    parts = fresh_storage.participants
    pseudonyms = []
    for user_id in range(10_000, 10_300):
        p = await parts.decide_take_part(
            workshop.id, user_id, granted=True, text_sha256=HASH, method="button"
        )
        pseudonyms.append(p.pseudonym)
    assert len(set(pseudonyms)) == 300
    assert all(re.fullmatch(r"P-[0-9A-F]{4,8}", p) for p in pseudonyms)
    assert await count(fresh_storage, "SELECT count(DISTINCT pseudonym) FROM participants") == 300


async def test_move_changes_status_and_position_and_stamps_submission(
    fresh_storage: Storage, member: Participant
) -> None:
    parts = fresh_storage.participants
    await parts.move(member.id, status=ParticipantStatus.ANSWERING, position=1)
    moved = await parts.by_id(member.id)
    assert moved is not None
    assert (moved.status, moved.position, moved.submitted_at) == ("answering", 1, None)
    await parts.move(member.id, position=2)
    moved = await parts.by_id(member.id)
    assert moved is not None
    assert (moved.status, moved.position) == ("answering", 2)
    await parts.move(member.id, status=ParticipantStatus.SUBMITTED)
    moved = await parts.by_id(member.id)
    assert moved is not None
    assert moved.status == "submitted"
    assert moved.submitted_at is not None


# ---- answers -------------------------------------------------------------------------------


async def test_answer_is_keyed_by_participant_and_question(
    fresh_storage: Storage, workshop: Workshop, member: Participant
) -> None:
    q1, q2 = await question_ids(fresh_storage, workshop)
    answers = fresh_storage.answers
    assert await answers.save(member.id, q1, "buses", message_id=10) is True
    assert await answers.save(member.id, q1, "trains", message_id=11, editable=True) is True
    assert await answers.save(member.id, q2, 1) is True

    assert await count(fresh_storage, "SELECT count(*) FROM answers") == 2
    got = await answers.for_participant(member.id)
    assert got[q1].value == "trains"
    assert got[q1].skipped is False
    assert got[q1].source_message_id == 11
    assert got[q2].source_message_id is None
    assert got[q2].value == 1
    assert got[q2].source_message_id is None


async def test_a_repeated_message_id_returns_false_and_changes_nothing(
    fresh_storage: Storage, workshop: Workshop, member: Participant
) -> None:
    q1, q2 = await question_ids(fresh_storage, workshop)
    answers = fresh_storage.answers
    assert await answers.save(
        member.id, q1, "first", message_id=77, status=ParticipantStatus.ANSWERING, position=1
    )
    before = await answers.get(member.id, q1)

    again = await answers.save(
        member.id, q1, "second", message_id=77, status=ParticipantStatus.PAUSED, position=5
    )
    assert again is False
    assert await answers.get(member.id, q1) == before
    assert before is not None
    assert before.value == "first"
    assert await answers.get(member.id, q2) is None
    p = await fresh_storage.participants.by_id(member.id)
    assert p is not None
    assert (p.status, p.position) == ("answering", 1)

    # The same message id on another question is also refused: it was already used.
    assert await answers.save(member.id, q2, "other", message_id=77) is False
    assert await answers.get(member.id, q2) is None


async def test_skipping_stores_no_value(
    fresh_storage: Storage, workshop: Workshop, member: Participant
) -> None:
    q1, _ = await question_ids(fresh_storage, workshop)
    answers = fresh_storage.answers
    await answers.save(member.id, q1, "something")
    await answers.save(member.id, q1, "ignored", skipped=True)
    a = await answers.get(member.id, q1)
    assert a is not None
    assert (a.value, a.skipped) == (None, True)
    row = await fresh_storage.db.fetchone("SELECT value FROM answers")
    assert row is not None
    assert row["value"] is None


async def test_answer_values_round_trip_as_json(
    fresh_storage: Storage, workshop: Workshop, member: Participant
) -> None:
    q1, _ = await question_ids(fresh_storage, workshop)
    value = {"entries": [{"who": "Zoë", "how_often": "Every day", "support": ["Phone"]}]}
    await fresh_storage.answers.save(member.id, q1, value, message_id=5, editable=True)
    a = await fresh_storage.answers.by_message(member.id, 5)
    assert a is not None
    assert a.value == value
    await fresh_storage.answers.replace_text(member.id, q1, "edited <b>")
    a = await fresh_storage.answers.get(member.id, q1)
    assert a is not None
    assert a.value == "edited <b>"


# ---- views ---------------------------------------------------------------------------------


async def test_views_go_from_drafts_to_shared(fresh_storage: Storage, member: Participant) -> None:
    views = fresh_storage.views
    assert await views.add_draft(member.id, "The 42 bus is late", 100) is True
    assert await views.add_draft(member.id, "and full", 101) is True
    assert await views.add_draft(member.id, "and full", 101) is False  # redelivered update

    drafts = await views.drafts(member.id)
    assert [v.text for v in drafts] == ["The 42 bus is late", "and full"]
    assert all(v.status == "draft" for v in drafts)
    assert await views.shared(member.id) == []

    returned = await views.share_drafts(member.id)
    assert [v.id for v in returned] == [v.id for v in drafts]
    assert [v.text for v in returned] == ["The 42 bus is late", "and full"]
    assert await views.drafts(member.id) == []
    shared = await views.shared(member.id)
    assert [(v.text, v.status) for v in shared] == [
        ("The 42 bus is late", "shared"),
        ("and full", "shared"),
    ]
    # Nothing left to share: a second Done shares nothing.
    assert await views.share_drafts(member.id) == []


async def test_discarding_drafts_leaves_shared_views(
    fresh_storage: Storage, member: Participant
) -> None:
    views = fresh_storage.views
    await views.add_draft(member.id, "kept", 1)
    await views.share_drafts(member.id)
    await views.add_draft(member.id, "dropped", 2)
    assert await views.discard_drafts(member.id) == 1
    assert [v.text for v in await views.shared(member.id)] == ["kept"]
    assert await views.drafts(member.id) == []


async def test_view_text_can_be_replaced_after_an_edit(
    fresh_storage: Storage, member: Participant
) -> None:
    views = fresh_storage.views
    await views.add_draft(member.id, "typo", 9)
    view = await views.by_message(member.id, 9)
    assert view is not None
    await views.replace_text(view.id, "fixed")
    again = await views.by_message(member.id, 9)
    assert again is not None
    assert again.text == "fixed"


# ---- withdrawal ----------------------------------------------------------------------------


async def test_withdraw_erases_answers_and_views_and_withdraws_consent(
    fresh_storage: Storage, workshop: Workshop, member: Participant
) -> None:
    parts = fresh_storage.participants
    q1, q2 = await question_ids(fresh_storage, workshop)
    await parts.decide(member.id, Purpose.UPDATES, granted=True, text_sha256=HASH, method="button")
    await parts.decide(member.id, Purpose.QUOTE, granted=False, text_sha256=HASH, method="button")
    await fresh_storage.answers.save(member.id, q1, "private words", message_id=1, position=1)
    await fresh_storage.answers.save(member.id, q2, 0, message_id=2)
    await fresh_storage.views.add_draft(member.id, "a view", 3)
    await fresh_storage.views.share_drafts(member.id)
    await fresh_storage.views.add_draft(member.id, "a draft", 4)
    await parts.move(member.id, status=ParticipantStatus.SUBMITTED)

    # Someone else's data must survive.
    other = await parts.decide_take_part(
        workshop.id, 9999, granted=True, text_sha256=HASH, method="button"
    )
    await fresh_storage.answers.save(other.id, q1, "theirs", message_id=1)
    await fresh_storage.views.add_draft(other.id, "their view", 2)

    await parts.withdraw(member.id)

    assert await fresh_storage.answers.for_participant(member.id) == {}
    assert await fresh_storage.views.drafts(member.id) == []
    assert await fresh_storage.views.shared(member.id) == []
    assert (
        await count(
            fresh_storage,
            "SELECT count(*) FROM seen_messages WHERE participant_id = ?",
            (member.id,),
        )
        == 0
    )
    consents = await parts.consents(member.id)
    assert set(consents) == {"take_part", "updates", "quote"}
    assert all(c.withdrawn_at is not None for c in consents.values())
    assert not any(c.active for c in consents.values())

    gone = await parts.by_id(member.id)
    assert gone is not None
    assert (gone.status, gone.position, gone.submitted_at) == ("withdrawn", 0, None)
    assert await parts.memberships(1001) == []
    assert await parts.latest(1001) is None

    assert (await fresh_storage.answers.for_participant(other.id))[q1].value == "theirs"
    assert [v.text for v in await fresh_storage.views.drafts(other.id)] == ["their view"]
    assert all(c.active for c in (await parts.consents(other.id)).values())

    # Joining again makes a new participant: a new id and pseudonym, consents asked anew;
    # the old membership leaves only consent tombstones.
    again = await parts.decide_take_part(
        workshop.id, 1001, granted=True, text_sha256=HASH, method="button"
    )
    assert again.id != member.id
    assert again.pseudonym != member.pseudonym
    assert await parts.by_id(member.id) is None
    assert set(await parts.consents(again.id)) == {"take_part"}
    assert (await parts.consents(again.id))["take_part"].active is True
    assert await count(fresh_storage, "SELECT count(*) FROM consent_tombstones") == 3
    assert await fresh_storage.answers.save(again.id, q1, "back again", message_id=1) is True


async def test_latest_is_the_membership_made_current_last(
    fresh_storage: Storage, workshop: Workshop
) -> None:
    other = await fresh_storage.workshops.create(new_workshop("Trains"))
    parts = fresh_storage.participants
    a = await parts.decide_take_part(workshop.id, 5, granted=True, text_sha256=HASH, method="b")
    await parts.move(a.id, status=ParticipantStatus.ANSWERING)
    b = await parts.decide_take_part(other.id, 5, granted=True, text_sha256=HASH, method="b")
    latest = await parts.latest(5)
    assert latest is not None
    assert latest.id == b.id  # all in the same second: no clock tie decides
    paused = await parts.by_id(a.id)
    assert paused is not None
    assert paused.status == "paused"  # questions elsewhere wait
    await parts.make_current(a.id)
    latest = await parts.latest(5)
    assert latest is not None
    assert latest.id == a.id
    assert [m.id for m in await parts.memberships(5)] == [a.id, b.id]
    # Moving the other membership (e.g. pausing it) does not make it current.
    await parts.move(b.id, status=ParticipantStatus.PAUSED)
    latest = await parts.latest(5)
    assert latest is not None
    assert latest.id == a.id
