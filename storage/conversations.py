"""Conversation states of the bot's flows, so a restart resumes where people were."""

from __future__ import annotations

import json

from storage.db import Database, utcnow

ConversationKey = tuple[int | str, ...]


class ConversationStates:
    """Rows of (flow name, conversation key) → state."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def load(self, name: str) -> dict[ConversationKey, object]:
        rows = await self.db.fetchall(
            "SELECT key, state FROM ptb_conversations WHERE name = ?", (name,)
        )
        return {tuple(json.loads(r["key"])): json.loads(r["state"]) for r in rows}

    async def save(self, name: str, key: ConversationKey, state: object | None) -> None:
        encoded_key = json.dumps(list(key))
        if state is None:
            await self.db.execute(
                "DELETE FROM ptb_conversations WHERE name = ? AND key = ?", (name, encoded_key)
            )
            return
        user_id = key[-1] if key and isinstance(key[-1], int) else None
        await self.db.execute(
            """INSERT INTO ptb_conversations (name, key, user_id, state, updated_at)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (name, key) DO UPDATE SET
                   state = excluded.state, updated_at = excluded.updated_at""",
            (name, encoded_key, user_id, json.dumps(state), utcnow()),
        )


class UserData:
    """Small per-person flow state (never answers or views: those live in their tables)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def load(self) -> dict[int, dict[str, object]]:
        rows = await self.db.fetchall("SELECT user_id, data FROM ptb_user_data")
        return {r["user_id"]: json.loads(r["data"]) for r in rows}

    async def save(self, user_id: int, data: dict[str, object]) -> None:
        if not data:
            await self.drop(user_id)
            return
        await self.db.execute(
            """INSERT INTO ptb_user_data (user_id, data, updated_at) VALUES (?, ?, ?)
               ON CONFLICT (user_id) DO UPDATE SET
                   data = excluded.data, updated_at = excluded.updated_at""",
            (user_id, json.dumps(data), utcnow()),
        )

    async def drop(self, user_id: int) -> None:
        await self.db.execute("DELETE FROM ptb_user_data WHERE user_id = ?", (user_id,))
