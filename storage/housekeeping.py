"""Deleting what should not be kept: answers past their workshop's retention period,
and flow state of people who opened an invite but never agreed to take part."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, timedelta

from storage.db import Database
from storage.sql import taking_part

STRANGER_STATE_HOURS = 24


def _ago(now: datetime, **delta: float) -> str:
    return (now - timedelta(**delta)).isoformat(timespec="seconds")


class Housekeeping:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def apply_retention(self, now: datetime | None = None) -> int:
        """Delete answers and views older than their workshop's retention period."""
        now = now or datetime.now(UTC)
        deleted = 0
        workshops = await self.db.fetchall("SELECT id, retention_days FROM workshops")
        async with self.db.transaction() as conn:
            for workshop in workshops:
                cutoff = _ago(now, days=workshop["retention_days"])
                members = "SELECT id FROM participants WHERE workshop_id = ?"
                for table, column in (("answers", "answered_at"), ("views", "created_at")):
                    cur = await conn.execute(
                        f"DELETE FROM {table} WHERE {column} < ? "
                        f"AND participant_id IN ({members})",
                        (cutoff, workshop["id"]),
                    )
                    deleted += max(cur.rowcount, 0)
        if deleted:
            await self.db.checkpoint()
        return deleted

    async def forget_strangers(
        self, now: datetime | None = None, keep: Collection[int] = ()
    ) -> int:
        """Drop flow state (an invite being read) of people who never agreed to take part.

        Participants, facilitators and the ``keep`` ids (owners) keep theirs.
        """
        cutoff = _ago(now or datetime.now(UTC), hours=STRANGER_STATE_HOURS)
        known = f"""SELECT telegram_user_id FROM participants p WHERE {taking_part()}
                    UNION SELECT telegram_user_id FROM facilitators"""
        # Never NOT IN (NULL): that is never true, and would keep everyone.
        kept = ", ".join(str(int(k)) for k in keep) or "-1"
        async with self.db.transaction() as conn:
            first = await conn.execute(
                f"""DELETE FROM ptb_user_data WHERE updated_at < ?
                    AND user_id NOT IN ({known}) AND user_id NOT IN ({kept})""",
                (cutoff,),
            )
            second = await conn.execute(
                f"""DELETE FROM ptb_conversations WHERE updated_at < ?
                    AND (user_id IS NULL OR (user_id NOT IN ({known})
                         AND user_id NOT IN ({kept})))""",
                (cutoff,),
            )
        return max(first.rowcount, 0) + max(second.rowcount, 0)
