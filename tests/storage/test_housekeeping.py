"""Retention: old answers and views, and stale state of people who never joined."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage import Storage
from storage.housekeeping import RETAINED
from storage.models import Workshop
from tests.conftest import RunningBot
from tests.support.chat import Chat


async def test_housekeeping_deletes_old_answers_and_strangers_state(
    chat: Chat, bot: RunningBot
) -> None:
    await chat.join(chat.invite)
    await chat.say("Family")
    stranger = bot.chat(user_id=777, name="Stranger")
    await stranger.say(f"/start {chat.invite}")
    await bot.app.update_persistence()
    storage = bot.storage
    rows = await storage.db.fetchall("SELECT user_id FROM ptb_user_data")
    assert {r["user_id"] for r in rows} == {777}
    # Nothing is old yet.
    assert await storage.housekeeping.apply_retention() == 0
    assert await storage.housekeeping.forget_strangers() == 0
    later = datetime.now(UTC) + timedelta(days=366)
    assert await storage.housekeeping.apply_retention(later) == 1
    assert await storage.housekeeping.forget_strangers(later) >= 2
    assert await storage.db.fetchall("SELECT * FROM answers") == []
    assert await storage.db.fetchall("SELECT * FROM ptb_user_data") == []
    convs = await storage.db.fetchall("SELECT user_id FROM ptb_conversations")
    assert {r["user_id"] for r in convs} == {4242}  # a participant's state is kept


async def test_housekeeping_job_is_scheduled(bot: RunningBot) -> None:
    assert {job.name for job in bot.app.job_queue.jobs()} == {
        "housekeeping",
        "deliver",
        "nudge",
        "heartbeat",
    }


# ---- retention of every table holding a person's words or identifiers ----------------


async def _everything(storage: Storage, tmp_path: Path) -> tuple[Workshop, int]:
    from tests.storage.test_erasure import _fill
    from tests.storage.test_participants import new_workshop

    workshop = await storage.workshops.create(new_workshop())
    member = await _fill(storage, workshop, 4242)
    await storage.audit.record(1, "export", workshop_id=workshop.id, detail="rows=3 by Sam")
    return workshop, member.id


def _held(storage_path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(storage_path)) as conn:
        return {
            spec.table: conn.execute(f"SELECT count(*) FROM {spec.table}").fetchone()[0]
            for spec in RETAINED
        }


async def test_retention_purges_every_table_after_the_period_and_keeps_the_counts(
    tmp_path: Path,
) -> None:
    from tests.storage.test_erasure import _occurrences

    path = tmp_path / "retention.db"
    storage = Storage(path)
    await storage.open()
    try:
        workshop, _member = await _everything(storage, tmp_path)
        start = datetime.now(UTC)
        # One row in each table; two flags (one raised before any workshop was known).
        held = {spec.table: 1 for spec in RETAINED} | {"flags": 2}
        assert _held(path) == held
        tally = await storage.feedback.workshop_tally(workshop.id)
        await storage.views.share_drafts(_member)
        figures = await storage.stats.figures(workshop.id)
        assert figures.views == 1
        assert figures.answers_per_question[0][2:] == (1, 0)
        opened = await storage.opens.count(workshop.id)

        # A day short of the period: nothing goes; a week short: the warning is due.
        assert set(
            (await storage.housekeeping.purge_expired(start + timedelta(days=364))).values()
        ) == {0}
        due = await storage.housekeeping.purges_due(start + timedelta(days=359))
        assert [(d.workshop_id, d.title) for d in due] == [(workshop.id, "Buses")]
        assert await storage.housekeeping.purges_due(start + timedelta(days=300)) == []
        await storage.housekeeping.mark_warned(
            workshop.id, due[0].due_at, start + timedelta(days=359)
        )
        assert await storage.housekeeping.purges_due(start + timedelta(days=360)) == []

        later = start + timedelta(days=366)
        purged = await storage.housekeeping.purge_expired(later)
        assert purged == held
        assert set(_held(path).values()) == {0}
        # The figures still add up, and the audit entry stays without its detail.
        assert await storage.feedback.workshop_tally(workshop.id) == tally
        assert await storage.opens.count(workshop.id) == opened == 1
        after = await storage.stats.figures(workshop.id)
        assert (after.views, after.answers_per_question, after.opened) == (
            figures.views,
            figures.answers_per_question,
            figures.opened,
        )
        totals = await storage.housekeeping.purged_totals(workshop.id)
        question = (await storage.workshops.questions(workshop.id))[0]
        assert totals[f"answers:{question.id}:0"] == 1
        assert totals["views:shared"] == 1
        assert totals["feedback:partly"] == 1
        entries = await storage.audit.entries(workshop.id)
        assert [e.detail for e in entries] == ["", ""]
        # Nothing left to purge: no warning either.
        assert await storage.housekeeping.purges_due(later + timedelta(days=30)) == []
    finally:
        await storage.close()
    assert _occurrences(path) == {"db": 0, "-wal": 0, "-shm": 0}


async def test_a_message_still_to_be_sent_is_never_purged(fresh_storage: Storage) -> None:
    from tests.storage.test_participants import new_workshop

    workshop = await fresh_storage.workshops.create(new_workshop())
    await fresh_storage.db.execute(
        """INSERT INTO deliveries (kind, workshop_id, chat_id, text, not_before, created_at)
           VALUES ('nudge', ?, 1, 'hello', 'x', '2000-01-01T00:00:00+00:00')""",
        (workshop.id,),
    )
    purged = await fresh_storage.housekeeping.purge_expired()
    assert purged["deliveries"] == 0
    assert await fresh_storage.housekeeping.purges_due() == []
