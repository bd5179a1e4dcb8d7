"""Views: free text a participant shares outside the questions."""

from __future__ import annotations

import aiosqlite

from storage.answers import mark_seen
from storage.db import Database, utcnow
from storage.kinds import ParticipantStatus, StepKind, ViewStatus
from storage.models import View
from storage.typed_steps import close_step, mark_handled, open_step, set_continuing


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

    async def open_sharing(
        self,
        user_id: int,
        participant_id: int | None,
        *,
        pause: tuple[int, ...] = (),
        boot: str,
        update_id: int | None = None,
    ) -> int | None:
        """Open a share session (with ``participant_id`` None: the workshop is still to be
        chosen), pausing the questions of ``pause``, in one transaction; return its id.

        None, and nothing changes, when ``update_id`` was handled before.
        """
        async with self.db.transaction() as conn:
            if not await mark_handled(conn, update_id, participant_id):
                return None
            now = utcnow()
            for paused in pause:
                await conn.execute(
                    "UPDATE participants SET status = ?, last_seen_at = ? WHERE id = ?",
                    (ParticipantStatus.PAUSED, now, paused),
                )
            return await open_step(
                conn, user_id, StepKind.VIEW, boot=boot, participant_id=participant_id
            )

    async def add_draft(self, participant_id: int, text: str, message_id: int) -> bool:
        """Keep one message as part of the draft; False if that message was kept before."""
        return await self.keep_part(participant_id, text, message_id) is not None

    async def keep_part(
        self,
        participant_id: int,
        text: str,
        message_id: int,
        *,
        join: bool = False,
        step_id: int | None = None,
        more_to_come: bool = False,
        update_id: int | None = None,
    ) -> View | None:
        """Keep one message of a view, in one transaction: as a new draft, or (``join``)
        added to the newest draft, which a long paste Telegram split into parts continues.
        ``more_to_come`` marks the share session ``step_id`` as waiting for such a part.

        Returns the draft as it now is; None, and nothing changes, when the message (or
        the Telegram update) was kept before.
        """
        now = utcnow()
        async with self.db.transaction() as conn:
            if not await mark_seen(conn, participant_id, message_id):
                return None
            if not await mark_handled(conn, update_id, participant_id):
                return None
            async with conn.execute(
                """SELECT id FROM views WHERE participant_id = ? AND status = ?
                   ORDER BY id DESC LIMIT 1""",
                (participant_id, ViewStatus.DRAFT),
            ) as cur:
                newest = await cur.fetchone()
            if join and newest is not None:
                view_id = newest["id"]
                # Several messages make this view now: an edit of one cannot replace it.
                await conn.execute(
                    """UPDATE views SET text = text || char(10) || ?, source_message_id = NULL,
                           updated_at = ? WHERE id = ?""",
                    (text, now, view_id),
                )
            else:
                cur = await conn.execute(
                    """INSERT INTO views (participant_id, text, status, source_message_id,
                           created_at, updated_at)
                       VALUES (?, ?, ?, ?, ?, ?)""",
                    (participant_id, text, ViewStatus.DRAFT, message_id, now, now),
                )
                view_id = cur.lastrowid or 0
            if step_id is not None:
                await set_continuing(conn, step_id, more_to_come)
            async with conn.execute("SELECT * FROM views WHERE id = ?", (view_id,)) as cur:
                row = await cur.fetchone()
        assert row is not None
        return _view(row)

    async def drafts(self, participant_id: int) -> list[View]:
        rows = await self.db.fetchall(
            "SELECT * FROM views WHERE participant_id = ? AND status = ? ORDER BY id",
            (participant_id, ViewStatus.DRAFT),
        )
        return [_view(r) for r in rows]

    async def share_drafts(
        self, participant_id: int, *, step_id: int | None = None, update_id: int | None = None
    ) -> list[View]:
        """Turn the drafts into shared views and close the share session ``step_id``, in one
        transaction; return the views as they now are ([] when ``update_id`` was handled
        before: they were shared then)."""
        now = utcnow()
        async with self.db.transaction() as conn:
            if not await mark_handled(conn, update_id, participant_id):
                return []
            async with conn.execute(
                "SELECT id FROM views WHERE participant_id = ? AND status = ? ORDER BY id",
                (participant_id, ViewStatus.DRAFT),
            ) as cur:
                ids = [r["id"] for r in await cur.fetchall()]
            if step_id is not None:
                await close_step(conn, step_id)
            if not ids:
                return []
            marks = ", ".join("?" * len(ids))
            await conn.execute(
                f"UPDATE views SET status = ?, updated_at = ? WHERE id IN ({marks})",
                (ViewStatus.SHARED, now, *ids),
            )
            async with conn.execute(
                f"SELECT * FROM views WHERE id IN ({marks}) ORDER BY id", tuple(ids)
            ) as cur:
                rows = await cur.fetchall()
        return [_view(r) for r in rows]

    async def discard_drafts(
        self, participant_id: int, *, step_id: int | None = None, update_id: int | None = None
    ) -> int:
        """Drop the drafts and close the share session ``step_id``, in one transaction."""
        async with self.db.transaction() as conn:
            if not await mark_handled(conn, update_id, participant_id):
                return 0
            if step_id is not None:
                await close_step(conn, step_id)
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
