"""The audit log: who did (or tried to do) what to which workshop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiosqlite

from storage.db import Database, utcnow

# Refused attempts are kept, but strangers cannot grow the log without bound: at most this
# many per person, and this many from everyone together, in any hour.
REFUSALS_PER_ACTOR_PER_HOUR = 30
REFUSALS_PER_HOUR = 1000


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: str
    actor: int
    action: str
    workshop_id: int | None
    allowed: bool
    detail: str


class Audit:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(
        self,
        actor: int,
        action: str,
        *,
        workshop_id: int | None = None,
        allowed: bool = True,
        detail: str = "",
    ) -> None:
        await self.db.execute(
            """INSERT INTO audit_log (at, actor, action, workshop_id, allowed, detail)
               VALUES (?, ?, ?, ?, ?, ?)""",
            (utcnow(), actor, action, workshop_id, int(allowed), detail),
        )

    async def record_refusal(
        self,
        actor: int,
        action: str,
        *,
        workshop_id: int | None = None,
        detail: str = "",
        now: datetime | None = None,
    ) -> bool:
        """Log a refused attempt unless this person (or everyone) hit the hourly limit.

        Returns whether it was written. The check and the insert are one statement.
        """
        moment = now or datetime.now(UTC)
        since = (moment - timedelta(hours=1)).isoformat(timespec="seconds")
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """INSERT INTO audit_log (at, actor, action, workshop_id, allowed, detail)
                   SELECT ?, ?, ?, ?, 0, ?
                   WHERE (SELECT COUNT(*) FROM audit_log
                          WHERE actor = ? AND allowed = 0 AND at > ?) < ?
                     AND (SELECT COUNT(*) FROM audit_log
                          WHERE allowed = 0 AND at > ?) < ?""",
                (
                    moment.isoformat(timespec="seconds"),
                    actor,
                    action,
                    workshop_id,
                    detail,
                    actor,
                    since,
                    REFUSALS_PER_ACTOR_PER_HOUR,
                    since,
                    REFUSALS_PER_HOUR,
                ),
            )
            return cur.rowcount == 1

    async def recent(self, limit: int = 50, before_id: int | None = None) -> list[AuditEntry]:
        """The newest entries first, a page at a time (for /audit)."""
        rows = await self.db.fetchall(
            "SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?",
            (before_id if before_id is not None else 2**62, limit),
        )
        return [_entry(r) for r in rows]

    async def entries(self, workshop_id: int | None = None) -> list[AuditEntry]:
        if workshop_id is None:
            rows = await self.db.fetchall("SELECT * FROM audit_log ORDER BY id")
        else:
            rows = await self.db.fetchall(
                "SELECT * FROM audit_log WHERE workshop_id = ? ORDER BY id", (workshop_id,)
            )
        return [_entry(r) for r in rows]


def _entry(r: aiosqlite.Row) -> AuditEntry:
    return AuditEntry(
        id=r["id"],
        at=r["at"],
        actor=r["actor"],
        action=r["action"],
        workshop_id=r["workshop_id"],
        allowed=bool(r["allowed"]),
        detail=r["detail"],
    )
