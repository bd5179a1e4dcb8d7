"""What a person's next typed message is for, outside the questions, and which Telegram
updates have already had their effect.

A typed step is one row per person: the share session open for a workshop (or the choice of
workshop still to make), or the update a feedback comment is being written about. Each is
written in the transaction of the step that asks for the text, so a crash between the bot's
reply and the person's message cannot forget what the message is for.

A handled update is recorded in the transaction of its effect, so the copy Telegram sends
again after a crash (it was handled, never confirmed) changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from storage.db import Database, utcnow
from storage.kinds import StepKind


@dataclass(frozen=True, slots=True)
class TypedStep:
    id: int
    telegram_user_id: int
    kind: StepKind
    participant_id: int | None  # None: the workshop a view is for is still to be chosen
    update_id: int | None  # the update a comment is about
    continuing: bool  # a long text arrives in parts: the next message joins it
    boot: str  # the run of the bot that opened it
    opened_at: str


def _step(row: aiosqlite.Row) -> TypedStep:
    return TypedStep(
        id=row["id"],
        telegram_user_id=row["telegram_user_id"],
        kind=StepKind(row["kind"]),
        participant_id=row["participant_id"],
        update_id=row["update_id"],
        continuing=bool(row["continuing"]),
        boot=row["boot"],
        opened_at=row["opened_at"],
    )


async def open_step(
    conn: aiosqlite.Connection,
    user_id: int,
    kind: StepKind,
    *,
    boot: str,
    participant_id: int | None = None,
    update_id: int | None = None,
) -> int:
    """Make this the person's typed step (in place of any other); return its id."""
    await conn.execute("DELETE FROM typed_steps WHERE telegram_user_id = ?", (user_id,))
    cur = await conn.execute(
        """INSERT INTO typed_steps (telegram_user_id, kind, participant_id, update_id, boot,
               opened_at) VALUES (?, ?, ?, ?, ?, ?)""",
        (user_id, kind, participant_id, update_id, boot, utcnow()),
    )
    return cur.lastrowid or 0


async def close_step(conn: aiosqlite.Connection, step_id: int) -> None:
    await conn.execute("DELETE FROM typed_steps WHERE id = ?", (step_id,))


async def set_continuing(conn: aiosqlite.Connection, step_id: int, continuing: bool) -> None:
    await conn.execute(
        "UPDATE typed_steps SET continuing = ? WHERE id = ?", (int(continuing), step_id)
    )


async def mark_handled(
    conn: aiosqlite.Connection, update_id: int | None, participant_id: int | None
) -> bool:
    """Remember a Telegram update as handled; False if it was handled before (a redelivery).

    Without an update id (a test, a job) there is nothing to remember, and it counts as new.
    """
    if update_id is None:
        return True
    cur = await conn.execute(
        """INSERT OR IGNORE INTO handled_updates (update_id, participant_id, handled_at)
           VALUES (?, ?, ?)""",
        (update_id, participant_id, utcnow()),
    )
    return cur.rowcount == 1


CURRENT = "SELECT * FROM typed_steps WHERE telegram_user_id = ?"
HANDLED = "SELECT 1 FROM handled_updates WHERE update_id = ?"


class TypedSteps:
    """Read and close typed steps; the flows open them together with their own effects."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def current(self, user_id: int) -> TypedStep | None:
        row = await self.db.fetchone(CURRENT, (user_id,))
        return _step(row) if row else None

    async def close(self, user_id: int, *, kind: StepKind | None = None) -> bool:
        """Close the person's typed step (only if it is of ``kind``, when given)."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """DELETE FROM typed_steps WHERE telegram_user_id = ?
                   AND (? IS NULL OR kind = ?)""",
                (user_id, kind, kind),
            )
            return cur.rowcount > 0

    async def handled(self, update_id: int) -> bool:
        """Whether this Telegram update already had its effect."""
        row = await self.db.fetchone(HANDLED, (update_id,))
        return row is not None

    async def moved_since(self, user_id: int, stamp: str) -> bool:
        """Whether any of the person's memberships changed place after ``stamp``."""
        row = await self.db.fetchone(
            """SELECT 1 FROM participants WHERE telegram_user_id = ? AND last_seen_at > ?
               LIMIT 1""",
            (user_id, stamp),
        )
        return row is not None
