"""The audit log: who did (or tried to do) what to which workshop."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Database, utcnow


@dataclass(frozen=True, slots=True)
class AuditEntry:
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

    async def entries(self, workshop_id: int | None = None) -> list[AuditEntry]:
        if workshop_id is None:
            rows = await self.db.fetchall("SELECT * FROM audit_log ORDER BY id")
        else:
            rows = await self.db.fetchall(
                "SELECT * FROM audit_log WHERE workshop_id = ? ORDER BY id", (workshop_id,)
            )
        return [
            AuditEntry(
                at=r["at"],
                actor=r["actor"],
                action=r["action"],
                workshop_id=r["workshop_id"],
                allowed=bool(r["allowed"]),
                detail=r["detail"],
            )
            for r in rows
        ]
