"""Deleting what should not be kept: everything a person said or that names them, once
their workshop's retention period has passed, and flow state of people who opened an
invite but never agreed to take part."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiosqlite

from storage.db import Database
from storage.kinds import DeliveryState
from storage.sql import among, taking_part

STRANGER_STATE_HOURS = 24
WARN_DAYS = 7
DEFAULT_RETENTION_DAYS = 365  # workshops.retention_days' default


@dataclass(frozen=True, slots=True)
class Retained:
    """A table holding people's words or identifiers, and how retention reaches it."""

    table: str
    stamp: str  # the column the retention period counts from
    what: str  # SQL for the name its purged rows are counted under in purged_totals
    by_participant: bool = True  # reached through participants.workshop_id
    only: str = "1"  # rows that may be purged (never a message still to be sent)


RETAINED = (
    # Counted per question and skipped-or-not, and views per status: /stats adds them back.
    Retained("answers", "answered_at", "'answers:' || question_id || ':' || skipped"),
    Retained("views", "created_at", "'views:' || status"),
    Retained("about_answers", "answered_at", "'about_answers'"),
    # Counted per verdict, so the co-evaluation tally still adds up after the purge.
    Retained("feedback", "answered_at", "'feedback:' || verdict"),
    Retained("session_replies", "replied_at", "'session_replies'"),
    Retained(
        "deliveries",
        "created_at",
        "'deliveries'",
        by_participant=False,
        only=f"state NOT IN {among(DeliveryState.PENDING, DeliveryState.SENDING)}",
    ),
    Retained("link_opens", "opened_at", "'link_opens'", by_participant=False),
    Retained("flags", "raised_at", "'flags'", by_participant=False),
)


@dataclass(frozen=True, slots=True)
class PurgeDue:
    """A workshop whose oldest kept words pass their retention period soon."""

    workshop_id: int
    title: str
    due_at: str  # UTC, ISO 8601


def _ago(now: datetime, **delta: float) -> str:
    return (now - timedelta(**delta)).isoformat(timespec="seconds")


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _scope(spec: Retained) -> str:
    if spec.by_participant:
        return "participant_id IN (SELECT id FROM participants WHERE workshop_id = :workshop)"
    return "workshop_id = :workshop"


class Housekeeping:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def purge_expired(self, now: datetime | None = None) -> dict[str, int]:
        """Purge every retained table past each workshop's retention period.

        Counts of what was purged are added to purged_totals (link opens and feedback
        verdicts are read back from there by the figures); audit details older than the
        period are blanked, the entries themselves kept. Returns rows purged per table.
        """
        now = now or datetime.now(UTC)
        purged = {spec.table: 0 for spec in RETAINED}
        workshops = await self.db.fetchall("SELECT id, retention_days FROM workshops")
        async with self.db.transaction() as conn:
            for workshop in workshops:
                params = {
                    "workshop": workshop["id"],
                    "cutoff": _ago(now, days=workshop["retention_days"]),
                }
                for spec in RETAINED:
                    purged[spec.table] += await self._purge(conn, spec, params)
                await conn.execute(
                    """UPDATE audit_log SET detail = '' WHERE workshop_id = :workshop
                       AND at < :cutoff AND detail != ''""",
                    params,
                )
            # Flags raised outside any workshop: the default retention period.
            cur = await conn.execute(
                "DELETE FROM flags WHERE workshop_id IS NULL AND raised_at < ?",
                (_ago(now, days=DEFAULT_RETENTION_DAYS),),
            )
            purged["flags"] += max(cur.rowcount, 0)
        if any(purged.values()):
            await self.db.checkpoint()
        else:
            await self.db.finish_checkpoint()
        return purged

    @staticmethod
    async def _purge(conn: aiosqlite.Connection, spec: Retained, params: dict[str, object]) -> int:
        where = f"{_scope(spec)} AND {spec.stamp} < :cutoff AND {spec.only}"
        await conn.execute(
            f"""INSERT INTO purged_totals (workshop_id, what, count)
                SELECT :workshop, {spec.what}, COUNT(*) FROM {spec.table} WHERE {where}
                GROUP BY {spec.what}
                ON CONFLICT (workshop_id, what) DO UPDATE SET
                    count = count + excluded.count""",
            params,
        )
        cur = await conn.execute(f"DELETE FROM {spec.table} WHERE {where}", params)
        return max(cur.rowcount, 0)

    async def apply_retention(self, now: datetime | None = None) -> int:
        """Purge everything past retention (:meth:`purge_expired`); return how many
        answers and views went."""
        purged = await self.purge_expired(now)
        return purged["answers"] + purged["views"]

    async def purged_totals(self, workshop_id: int) -> dict[str, int]:
        rows = await self.db.fetchall(
            "SELECT what, count FROM purged_totals WHERE workshop_id = ?", (workshop_id,)
        )
        return {r["what"]: r["count"] for r in rows}

    async def purges_due(
        self, now: datetime | None = None, within_days: int = WARN_DAYS
    ) -> list[PurgeDue]:
        """Workshops whose oldest kept words are purged within ``within_days``, and whose
        facilitators were not warned in the last ``within_days``: warn them, then call
        :meth:`mark_warned`."""
        now = now or datetime.now(UTC)
        oldest = " UNION ALL ".join(
            f"""SELECT p.workshop_id AS ws, {spec.table}.{spec.stamp} AS stamp
                FROM {spec.table} JOIN participants p ON p.id = {spec.table}.participant_id
                WHERE {spec.only}"""
            if spec.by_participant
            else f"""SELECT workshop_id AS ws, {spec.stamp} AS stamp FROM {spec.table}
                     WHERE {spec.only}"""
            for spec in RETAINED
        )
        rows = await self.db.fetchall(
            f"""SELECT w.id, w.title, w.retention_days, MIN(o.stamp) AS oldest
                FROM workshops w JOIN ({oldest}) o ON o.ws = w.id
                WHERE NOT EXISTS (SELECT 1 FROM retention_warnings r
                                  WHERE r.workshop_id = w.id AND r.warned_at > ?)
                GROUP BY w.id ORDER BY w.id""",
            (_ago(now, days=within_days),),
        )
        due = []
        for row in rows:
            due_at = datetime.fromisoformat(row["oldest"]) + timedelta(days=row["retention_days"])
            if due_at <= now + timedelta(days=within_days):
                due.append(PurgeDue(row["id"], row["title"], _iso(max(due_at, now))))
        return due

    async def mark_warned(
        self, workshop_id: int, due_at: str, now: datetime | None = None
    ) -> None:
        await self.db.execute(
            """INSERT OR IGNORE INTO retention_warnings (workshop_id, due_at, warned_at)
               VALUES (?, ?, ?)""",
            (workshop_id, due_at, _iso(now or datetime.now(UTC))),
        )

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
