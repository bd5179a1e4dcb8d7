"""Views: free text a participant shares outside the questions."""

from __future__ import annotations

import aiosqlite

from storage.answers import mark_seen
from storage.db import Database, utcnow
from storage.kinds import ViewStatus
from storage.models import View


def _view(row: aiosqlite.Row) -> View:
    return View(
        id=row["id"],
        participant_id=row["participant_id"],
        text=row["text"],
        status=ViewStatus(row["status"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


class Views:
    """Drafts become views when the participant says they are done."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def add_draft(self, participant_id: int, text: str, message_id: int) -> bool:
        """Keep one message as part of the draft; False if that message was kept before."""
        now = utcnow()
        async with self.db.transaction() as conn:
            if not await mark_seen(conn, participant_id, message_id):
                return False
            await conn.execute(
                """INSERT INTO views (participant_id, text, status, source_message_id,
                       created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                (participant_id, text, ViewStatus.DRAFT, message_id, now, now),
            )
        return True

    async def drafts(self, participant_id: int) -> list[View]:
        rows = await self.db.fetchall(
            "SELECT * FROM views WHERE participant_id = ? AND status = ? ORDER BY id",
            (participant_id, ViewStatus.DRAFT),
        )
        return [_view(r) for r in rows]

    async def share_drafts(self, participant_id: int) -> list[View]:
        """Turn the drafts into shared views and return them as they now are."""
        drafts = await self.drafts(participant_id)
        if not drafts:
            return []
        await self.db.execute(
            """UPDATE views SET status = ?, updated_at = ?
               WHERE participant_id = ? AND status = ? AND id <= ?""",
            (ViewStatus.SHARED, utcnow(), participant_id, ViewStatus.DRAFT, drafts[-1].id),
        )
        rows = await self.db.fetchall(
            f"SELECT * FROM views WHERE id IN ({', '.join('?' * len(drafts))}) ORDER BY id",
            tuple(d.id for d in drafts),
        )
        return [_view(r) for r in rows]

    async def discard_drafts(self, participant_id: int) -> int:
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "DELETE FROM views WHERE participant_id = ? AND status = ?",
                (participant_id, ViewStatus.DRAFT),
            )
            return cur.rowcount

    async def shared(self, participant_id: int) -> list[View]:
        rows = await self.db.fetchall(
            """SELECT * FROM views WHERE participant_id = ? AND status = ?
               ORDER BY created_at, id""",
            (participant_id, ViewStatus.SHARED),
        )
        return [_view(r) for r in rows]

    async def by_message(self, participant_id: int, message_id: int) -> View | None:
        row = await self.db.fetchone(
            "SELECT * FROM views WHERE participant_id = ? AND source_message_id = ?",
            (participant_id, message_id),
        )
        return _view(row) if row else None

    async def replace_text(self, view_id: int, text: str) -> None:
        await self.db.execute(
            "UPDATE views SET text = ?, updated_at = ? WHERE id = ?", (text, utcnow(), view_id)
        )
