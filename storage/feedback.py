"""Co-evaluation: does this update reflect what you said? Once per update and person."""

from __future__ import annotations

import aiosqlite

from storage.db import Database, utcnow
from storage.kinds import Verdict


class Feedback:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(self, update_id: int, participant_id: int, verdict: Verdict) -> bool:
        """Keep the first answer only; False if this person had already answered."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """INSERT OR IGNORE INTO feedback (update_id, participant_id, verdict, answered_at)
                   VALUES (?, ?, ?, ?)""",
                (update_id, participant_id, verdict, utcnow()),
            )
            return cur.rowcount == 1

    async def comment(self, update_id: int, participant_id: int, text: str) -> bool:
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """UPDATE feedback SET comment = ? WHERE update_id = ? AND participant_id = ?
                   AND comment IS NULL""",
                (text, update_id, participant_id),
            )
            return cur.rowcount == 1

    async def tally(self, update_id: int) -> dict[Verdict, int]:
        rows = await self.db.fetchall(
            "SELECT verdict, COUNT(*) AS n FROM feedback WHERE update_id = ? GROUP BY verdict",
            (update_id,),
        )
        return _counts(rows)

    async def comments(self, update_id: int) -> list[tuple[str, Verdict, str]]:
        """(pseudonym, verdict, comment) for each comment on an update."""
        rows = await self.db.fetchall(
            """SELECT p.pseudonym, f.verdict, f.comment FROM feedback f
               JOIN participants p ON p.id = f.participant_id
               WHERE f.update_id = ? AND f.comment IS NOT NULL ORDER BY f.answered_at""",
            (update_id,),
        )
        return [(r[0], Verdict(r[1]), r[2]) for r in rows]

    async def workshop_tally(self, workshop_id: int) -> dict[Verdict, int]:
        """Every verdict given in the workshop, those purged after retention included."""
        rows = await self.db.fetchall(
            """SELECT verdict, SUM(n) AS n FROM (
                   SELECT f.verdict, COUNT(*) AS n FROM feedback f
                   JOIN updates u ON u.id = f.update_id
                   WHERE u.workshop_id = ? GROUP BY f.verdict
                   UNION ALL
                   SELECT substr(what, 10), count FROM purged_totals
                   WHERE workshop_id = ? AND what LIKE 'feedback:%')
               GROUP BY verdict""",
            (workshop_id, workshop_id),
        )
        return _counts(rows)


def _counts(rows: list[aiosqlite.Row]) -> dict[Verdict, int]:
    """How many of each verdict, every verdict present (0 when none gave it)."""
    found = dict.fromkeys(Verdict, 0)
    found.update({Verdict(r["verdict"]): r["n"] for r in rows})
    return found
