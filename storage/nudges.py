"""Facilitator nudges already sent: one per workshop per quiet spell."""

from __future__ import annotations

from storage.db import Database, utcnow


class Nudges:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(self, workshop_id: int, due_since: str) -> bool:
        """True the first time for this workshop and spell (then send the nudge)."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """INSERT OR IGNORE INTO facilitator_nudges (workshop_id, due_since, sent_at)
                   VALUES (?, ?, ?)""",
                (workshop_id, due_since, utcnow()),
            )
            return cur.rowcount == 1
