"""Invite links opened: counted per person without keeping who they are."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from storage.db import Database, utcnow
from storage.meta import Meta

KEY_NAME = "opener_key"


class LinkOpens:
    def __init__(self, db: Database, meta: Meta) -> None:
        self.db = db
        self.meta = meta
        self._key: bytes | None = None

    async def _opener(self, telegram_user_id: int) -> str:
        if self._key is None:
            stored = await self.meta.get(KEY_NAME)
            if stored is None:
                stored = secrets.token_hex(32)
                await self.meta.set(KEY_NAME, stored)
            self._key = bytes.fromhex(stored)
        digest = hmac.new(self._key, str(telegram_user_id).encode(), hashlib.sha256)
        return digest.hexdigest()

    async def record(self, workshop_id: int, telegram_user_id: int) -> None:
        """Count this person as having opened the link (once per workshop)."""
        await self.db.execute(
            """INSERT OR IGNORE INTO link_opens (workshop_id, opener, opened_at)
               VALUES (?, ?, ?)""",
            (workshop_id, await self._opener(telegram_user_id), utcnow()),
        )

    async def count(self, workshop_id: int) -> int:
        row = await self.db.fetchone(
            "SELECT COUNT(*) FROM link_opens WHERE workshop_id = ?", (workshop_id,)
        )
        return int(row[0]) if row else 0
