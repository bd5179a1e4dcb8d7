"""Small facts the bot remembers about itself, such as its Telegram username."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database

HEARTBEAT = "heartbeat"  # when the job queue last ticked (read by `doingwith health`)


class Meta:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, key: str) -> str | None:
        row = await self.db.fetchone("SELECT value FROM meta WHERE key = ?", (key,))
        return row["value"] if row else None

    async def set(self, key: str, value: str) -> None:
        await self.db.execute(
            """INSERT INTO meta (key, value) VALUES (?, ?)
               ON CONFLICT (key) DO UPDATE SET value = excluded.value""",
            (key, value),
        )

    async def beat(self, now: datetime) -> None:
        """Note that the running bot's jobs are ticking."""
        await self.set(HEARTBEAT, now.isoformat(timespec="seconds"))

    async def last_beat(self) -> datetime | None:
        """When the running bot's jobs last ticked, if ever."""
        value = await self.get(HEARTBEAT)
        return datetime.fromisoformat(value) if value else None
