"""The queries that run per person (opt-out, unreachable, erasure) use an index."""

from __future__ import annotations

import sqlite3

import pytest

from storage.db import migrations

# Statements as storage runs them for one person; each must search, never scan.
PER_PERSON = {
    "STOP cancels what waits": """UPDATE deliveries SET state = 'cancelled'
        WHERE chat_id = ? AND state = 'pending' AND kind != 'nudge'""",
    "unreachable stops what waits": """UPDATE deliveries SET state = 'unreachable'
        WHERE chat_id = ? AND state = 'pending'""",
    "erasure of deliveries": "DELETE FROM deliveries WHERE participant_id = ?",
    "erasure of feedback": "DELETE FROM feedback WHERE participant_id = ?",
    "erasure of session replies": "DELETE FROM session_replies WHERE participant_id = ?",
    "erasure of about-you answers": "DELETE FROM about_answers WHERE participant_id = ?",
    "erasure of answers": "DELETE FROM answers WHERE participant_id = ?",
    "erasure of views": "DELETE FROM views WHERE participant_id = ?",
    "erasure of seen messages": "DELETE FROM seen_messages WHERE participant_id = ?",
    "reachable again": """UPDATE participants SET unreachable_at = NULL
        WHERE telegram_user_id = ? AND unreachable_at IS NOT NULL""",
    "memberships": "SELECT * FROM participants WHERE telegram_user_id = ?",
}


@pytest.fixture
def db() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    for _version, _name, sql in migrations():
        conn.executescript(sql)
    yield conn
    conn.close()


@pytest.mark.parametrize("statement", PER_PERSON.values(), ids=PER_PERSON.keys())
def test_per_person_statement_uses_an_index(db: sqlite3.Connection, statement: str) -> None:
    plan = [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {statement}", (1,))]
    person = next(c for c in ("chat_id", "participant_id", "telegram_user_id") if c in statement)
    # A search by the person, not a scan, nor a search of every pending row.
    assert plan, statement
    assert all(step.startswith("SEARCH") and f"{person}=?" in step for step in plan), plan
