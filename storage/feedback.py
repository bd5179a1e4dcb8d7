"""Co-evaluation: does this update reflect what you said? Once per update and person."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from storage.db import Database, utcnow
from storage.kinds import DeliveryState, StepKind, Verdict
from storage.typed_steps import close_step, mark_handled, open_step, set_continuing


@dataclass(frozen=True, slots=True)
class Filed:
    """What became of one message of a comment."""

    length: int  # characters in the comment now
    kept: bool  # False: it would have made the comment longer than the limit


@dataclass(frozen=True, slots=True)
class Prompt:
    """An answered update a person can still say more about."""

    update_id: int
    participant_id: int


class Feedback:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(
        self,
        update_id: int,
        participant_id: int,
        verdict: Verdict,
        *,
        user_id: int | None = None,
        boot: str = "",
        handling: int | None = None,
    ) -> bool | None:
        """Keep the first answer only and, with ``user_id``, make a comment on this update
        that person's typed step, in one transaction.

        True when kept; False if this person had already answered; None, and nothing
        changes, when the Telegram update ``handling`` was handled before.
        """
        async with self.db.transaction() as conn:
            if not await mark_handled(conn, handling, participant_id):
                return None
            cur = await conn.execute(
                """INSERT OR IGNORE INTO feedback (update_id, participant_id, verdict, answered_at)
                   VALUES (?, ?, ?, ?)""",
                (update_id, participant_id, verdict, utcnow()),
            )
            if cur.rowcount != 1:
                return False
            if user_id is not None:
                await open_step(
                    conn,
                    user_id,
                    StepKind.COMMENT,
                    boot=boot,
                    participant_id=participant_id,
                    update_id=update_id,
                )
            return True

    async def set_prompt(self, update_id: int, participant_id: int, message_id: int) -> None:
        """Remember the message that asked for a comment, so a reply to it lands here."""
        await self.db.execute(
            "UPDATE feedback SET prompt_message_id = ? WHERE update_id = ? AND participant_id = ?",
            (message_id, update_id, participant_id),
        )

    async def replied_to(self, user_id: int, message_id: int) -> Prompt | None:
        """The answered update whose comment prompt (or whose own message) this is."""
        row = await self.db.fetchone(
            """SELECT f.update_id, f.participant_id FROM feedback f
               JOIN participants p ON p.id = f.participant_id
               WHERE p.telegram_user_id = ? AND (f.prompt_message_id = ? OR EXISTS (
                   SELECT 1 FROM deliveries d WHERE d.update_id = f.update_id
                   AND d.participant_id = f.participant_id AND d.state = ?
                   AND d.telegram_message_id = ?))
               LIMIT 1""",
            (user_id, message_id, DeliveryState.SENT, message_id),
        )
        return Prompt(row["update_id"], row["participant_id"]) if row else None

    async def comment(
        self,
        update_id: int,
        participant_id: int,
        text: str,
        *,
        limit: int | None = None,
        step_id: int | None = None,
        more_to_come: bool = False,
        handling: int | None = None,
    ) -> Filed | None:
        """Add one message to the comment on an update, in one transaction with the typed
        step ``step_id``: closed, or (``more_to_come``) waiting for the rest of a long paste.

        A message that would take the comment past ``limit`` is not kept (and the caller
        says so). None, and nothing changes, when there is no answer to comment on or the
        Telegram update ``handling`` was handled before.
        """
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT comment FROM feedback WHERE update_id = ? AND participant_id = ?",
                (update_id, participant_id),
            ) as cur:
                row = await cur.fetchone()
            if row is None or not await mark_handled(conn, handling, participant_id):
                return None
            before = row["comment"]
            joined = text if not before else f"{before}\n{text}"
            kept = limit is None or len(joined) <= limit
            if kept:
                await conn.execute(
                    "UPDATE feedback SET comment = ? WHERE update_id = ? AND participant_id = ?",
                    (joined, update_id, participant_id),
                )
            if step_id is not None and kept and more_to_come:
                await set_continuing(conn, step_id, True)
            elif step_id is not None:
                await close_step(conn, step_id)
        return Filed(len(joined) if kept else len(before or ""), kept)

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
