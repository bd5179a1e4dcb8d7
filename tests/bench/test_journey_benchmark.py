"""The journey benchmark at a tiny size, so it cannot rot: facts only, never timings."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from benchmarks import journey
from benchmarks.seed import SEEDED_USERS, seed


async def test_every_simulated_person_ends_submitted_with_six_durable_answers(
    tmp_path: Path,
) -> None:
    seeded = await seed(tmp_path / "journey.db", 0, 0)
    run, outcome = await journey.run_bot(tmp_path / "journey.db", seeded, 3, check_durable=True)
    assert outcome.complete, outcome
    assert (outcome.submitted, outcome.with_six_answers, outcome.consented) == (3, 3, 3)
    # Each answer (six questions) and the submission were committed before their reply.
    assert outcome.probed == 3 * 7
    assert outcome.probe_failures == []
    assert run.updates == 3 * len(journey.JOURNEY)
    assert set(run.steps) == {step.name for step in journey.JOURNEY}
    # The counters saw the database work. Counts do not swing with the machine: an update
    # makes few hand-overs to the database thread (each may carry several statements).
    assert 0 < run.round_trips < run.statements
    assert run.round_trips <= 5 * run.updates
    assert run.api_calls["sendMessage"] >= 3 * 7  # a reply to each typed message at least


async def test_the_floor_answers_every_step_of_the_same_journey() -> None:
    floor = await journey.run_floor(2)
    assert floor.updates == 2 * len(journey.JOURNEY)
    typed = sum(1 for step in journey.JOURNEY if step.say)
    pressed = len(journey.JOURNEY) - typed
    assert floor.api_calls == {
        "sendMessage": 2 * typed,
        "answerCallbackQuery": 2 * pressed,
        "editMessageText": 2 * pressed,
    }


async def test_seeding_writes_the_people_answers_and_consents_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "seeded.db"
    # 50 people answer at most 300 questions in one workshop: the other 100 answers go to
    # an earlier workshop the same people took part in.
    seeded = await seed(path, 50, 400)
    assert (seeded.participants, seeded.workshops, seeded.answers) == (50, 2, 400)
    with sqlite3.connect(path) as conn:
        people = conn.execute(
            "SELECT count(*), count(DISTINCT pseudonym) FROM participants WHERE workshop_id = ?",
            (seeded.workshop_id,),
        ).fetchone()
        assert people == (50, 50)
        assert conn.execute("SELECT count(*) FROM answers").fetchone() == (400,)
        agreed = conn.execute(
            "SELECT count(*) FROM consents WHERE purpose = 'take_part' AND granted = 1"
        ).fetchone()
        assert agreed == (seeded.rows,)
        statuses = dict(
            conn.execute(
                "SELECT status, count(*) FROM participants WHERE workshop_id = ? GROUP BY 1",
                (seeded.workshop_id,),
            ).fetchall()
        )
        assert statuses["submitted"] > 25  # most submitted, the rest somewhere on the way
        for status, answered in conn.execute(
            """SELECT p.status, count(a.id) FROM participants p
               LEFT JOIN answers a ON a.participant_id = p.id
               WHERE p.workshop_id = ? AND p.telegram_user_id >= ? GROUP BY p.id""",
            (seeded.workshop_id, SEEDED_USERS),
        ):
            assert (answered == 6) == (status in ("submitted", "reviewing")), (status, answered)
    conn.close()
    # New people still get through the whole journey on top of the seeded ones.
    _, outcome = await journey.run_bot(path, seeded, 2, check_durable=True)
    assert outcome.complete, outcome
    assert outcome.probe_failures == []
