"""Invite links opened: counted per person without keeping who they are.

The hash is keyed with a key kept in a file beside the database (``storage.files``), so a
copy of the database alone cannot be used to test which Telegram ids opened a link.
"""

from __future__ import annotations

from storage.db import Database, utcnow


class LinkOpens:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(self, workshop_id: int, telegram_user_id: int) -> None:
        """Count this person as having opened the link (once per workshop)."""
        await self.db.execute(
            """INSERT OR IGNORE INTO link_opens (workshop_id, opener, opened_at)
               VALUES (?, ?, ?)""",
            (workshop_id, self.db.opener(telegram_user_id), utcnow()),
        )

    async def count(self, workshop_id: int) -> int:
        """Opens still held plus those purged after the retention period."""
        row = await self.db.fetchone(
            """SELECT (SELECT COUNT(*) FROM link_opens WHERE workshop_id = ?)
                    + COALESCE((SELECT count FROM purged_totals
                                WHERE workshop_id = ? AND what = 'link_opens'), 0)""",
            (workshop_id, workshop_id),
        )
        return int(row[0]) if row else 0
