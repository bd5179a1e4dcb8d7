"""Workshop sessions (date, venue, access notes) and who said they can't come."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from storage.db import Database, utcnow
from storage.kinds import SessionReply


@dataclass(frozen=True, slots=True)
class Session:
    id: int
    workshop_id: int
    starts_at: str
    venue: str
    accessibility: str
    reminded_at: str | None


def _session(row: aiosqlite.Row) -> Session:
    return Session(
        id=row["id"],
        workshop_id=row["workshop_id"],
        starts_at=row["starts_at"],
        venue=row["venue"],
        accessibility=row["accessibility"],
        reminded_at=row["reminded_at"],
    )


class Sessions:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(
        self, workshop_id: int, starts_at: str, venue: str, accessibility: str, created_by: int
    ) -> Session:
        session_id = await self.db.execute(
            """INSERT INTO sessions (workshop_id, starts_at, venue, accessibility, created_by,
                   created_at) VALUES (?, ?, ?, ?, ?, ?)""",
            (workshop_id, starts_at, venue, accessibility, created_by, utcnow()),
        )
        found = await self.get(session_id)
        assert found is not None
        return found

    async def get(self, session_id: int) -> Session | None:
        row = await self.db.fetchone("SELECT * FROM sessions WHERE id = ?", (session_id,))
        return _session(row) if row else None

    async def upcoming(self, workshop_id: int, now: str) -> list[Session]:
        rows = await self.db.fetchall(
            "SELECT * FROM sessions WHERE workshop_id = ? AND starts_at > ? ORDER BY starts_at",
            (workshop_id, now),
        )
        return [_session(r) for r in rows]

    async def to_remind(self, now: str, horizon: str) -> list[Session]:
        """Sessions starting between now and the horizon that have not been reminded yet."""
        rows = await self.db.fetchall(
            """SELECT * FROM sessions WHERE reminded_at IS NULL AND starts_at > ?
               AND starts_at <= ? ORDER BY starts_at""",
            (now, horizon),
        )
        return [_session(r) for r in rows]

    async def cant_come(self, session_id: int, participant_id: int) -> bool:
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """INSERT OR IGNORE INTO session_replies (session_id, participant_id, reply,
                       replied_at) VALUES (?, ?, ?, ?)""",
                (session_id, participant_id, SessionReply.CANT_COME, utcnow()),
            )
            return cur.rowcount == 1

    async def cant_come_count(self, session_id: int) -> int:
        row = await self.db.fetchone(
            "SELECT COUNT(*) FROM session_replies WHERE session_id = ?", (session_id,)
        )
        return int(row[0]) if row else 0
