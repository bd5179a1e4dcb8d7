"""Safeguarding flags: a message with a risk phrase, for the facilitators to act on."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from storage.db import Database, utcnow


@dataclass(frozen=True, slots=True)
class Flag:
    id: int
    workshop_id: int | None
    participant_id: int | None
    telegram_user_id: int  # for the bot to reach them; never shown to facilitators
    pseudonym: str | None  # None: they had not agreed to take part yet
    phrase: str
    message: str
    raised_at: str
    handled_by: int | None
    handled_at: str | None


def _flag(row: aiosqlite.Row) -> Flag:
    return Flag(
        id=row["id"],
        workshop_id=row["workshop_id"],
        participant_id=row["participant_id"],
        telegram_user_id=row["telegram_user_id"],
        pseudonym=row["pseudonym"],
        phrase=row["phrase"],
        message=row["message"],
        raised_at=row["raised_at"],
        handled_by=row["handled_by"],
        handled_at=row["handled_at"],
    )


class Flags:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def raise_flag(
        self,
        telegram_user_id: int,
        phrase: str,
        message: str,
        *,
        workshop_id: int | None = None,
        participant_id: int | None = None,
    ) -> Flag:
        """Store a flag; the pseudonym is taken from the membership when there is one."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """INSERT INTO flags (workshop_id, participant_id, telegram_user_id, pseudonym,
                       phrase, message, raised_at)
                   VALUES (?, ?, ?, (SELECT pseudonym FROM participants WHERE id = ?), ?, ?, ?)""",
                (
                    workshop_id,
                    participant_id,
                    telegram_user_id,
                    participant_id,
                    phrase,
                    message,
                    utcnow(),
                ),
            )
            flag_id = cur.lastrowid or 0
        found = await self.get(flag_id)
        assert found is not None
        return found

    async def get(self, flag_id: int) -> Flag | None:
        row = await self.db.fetchone("SELECT * FROM flags WHERE id = ?", (flag_id,))
        return _flag(row) if row else None

    async def open_for(self, workshop_ids: list[int]) -> list[Flag]:
        """Flags not yet handled in these workshops (a facilitator's), oldest first."""
        if not workshop_ids:
            return []
        marks = ", ".join("?" * len(workshop_ids))
        rows = await self.db.fetchall(
            f"""SELECT * FROM flags WHERE workshop_id IN ({marks}) AND handled_at IS NULL
                ORDER BY raised_at, id""",
            tuple(workshop_ids),
        )
        return [_flag(r) for r in rows]

    async def open_unplaced(self) -> list[Flag]:
        """Open flags from people in no workshop yet (the owners'), oldest first."""
        rows = await self.db.fetchall(
            """SELECT * FROM flags WHERE workshop_id IS NULL AND handled_at IS NULL
               ORDER BY raised_at, id"""
        )
        return [_flag(r) for r in rows]

    async def handle(self, flag_id: int, handled_by: int) -> bool:
        """Mark a flag handled; False if it was handled already (or does not exist)."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """UPDATE flags SET handled_by = ?, handled_at = ?
                   WHERE id = ? AND handled_at IS NULL""",
                (handled_by, utcnow(), flag_id),
            )
            return cur.rowcount == 1
