"""Conversation states of the bot's flows, so a restart resumes where people were."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from storage.db import Database, utcnow

ConversationKey = tuple[int | str, ...]

_DELETE_STATE = "DELETE FROM ptb_conversations WHERE name = ? AND key = ?"
_UPSERT_STATE = """INSERT INTO ptb_conversations (name, key, user_id, state, updated_at)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (name, key) DO UPDATE SET
                       state = excluded.state, updated_at = excluded.updated_at"""
_DELETE_DATA = "DELETE FROM ptb_user_data WHERE user_id = ?"
_UPSERT_DATA = """INSERT INTO ptb_user_data (user_id, data, updated_at) VALUES (?, ?, ?)
                  ON CONFLICT (user_id) DO UPDATE SET
                      data = excluded.data, updated_at = excluded.updated_at"""


def _state_statement(
    name: str, key: ConversationKey, state: object | None
) -> tuple[str, tuple[object, ...]]:
    encoded_key = json.dumps(list(key))
    if state is None:
        return _DELETE_STATE, (name, encoded_key)
    user_id = key[-1] if key and isinstance(key[-1], int) else None
    return _UPSERT_STATE, (name, encoded_key, user_id, json.dumps(state), utcnow())


def _data_statement(user_id: int, data: dict[str, object]) -> tuple[str, tuple[object, ...]]:
    if not data:
        return _DELETE_DATA, (user_id,)
    return _UPSERT_DATA, (user_id, json.dumps(data), utcnow())


class ConversationStates:
    """Rows of (flow name, conversation key) → state."""

    def __init__(self, db: Database) -> None:
        self.db = db
        # Conversations whose new state is kept while their step finishes (``step``).
        self._held: set[tuple[str, str]] = set()

    async def load(self, name: str) -> dict[ConversationKey, object]:
        rows = await self.db.fetchall(
            "SELECT key, state FROM ptb_conversations WHERE name = ?", (name,)
        )
        return {tuple(json.loads(r["key"])): json.loads(r["state"]) for r in rows}

    async def save(self, name: str, key: ConversationKey, state: object | None) -> None:
        """Keep the state of one conversation; None: it has ended. A conversation held by
        ``step`` keeps the state its step wrote: this one is from before the step."""
        if (name, json.dumps(list(key))) in self._held:
            return
        await self.db.execute(*_state_statement(name, key, state))

    @asynccontextmanager
    async def step(
        self,
        name: str,
        key: ConversationKey,
        state: object | None,
        *,
        user_id: int,
        data: dict[str, object],
        moved: bool = True,
    ) -> AsyncIterator[None]:
        """Keep a step (``save_step``), then hold its state while the block runs: the
        conversation takes its new state in memory only when its callback returns, after
        the reply, so a write by ``save`` meanwhile would put back the one before."""
        await self.save_step(name, key, state, user_id=user_id, data=data, moved=moved)
        held = (name, json.dumps(list(key)))
        if not moved or held in self._held:
            yield
            return
        self._held.add(held)
        try:
            yield
        finally:
            self._held.discard(held)

    async def save_step(
        self,
        name: str,
        key: ConversationKey,
        state: object | None,
        *,
        user_id: int,
        data: dict[str, object],
        moved: bool = True,
    ) -> None:
        """Keep a step of a conversation before its reply is sent: the person's flow state
        and, if ``moved``, the conversation's new state (None: it has ended), together."""
        statements = [_data_statement(user_id, data)]
        if moved:
            statements.append(_state_statement(name, key, state))
        async with self.db.transaction() as conn:
            for sql, params in statements:
                await conn.execute(sql, params)


class UserData:
    """Small per-person flow state (never answers or views: those live in their tables)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def load(self) -> dict[int, dict[str, object]]:
        rows = await self.db.fetchall("SELECT user_id, data FROM ptb_user_data")
        return {r["user_id"]: json.loads(r["data"]) for r in rows}

    async def save(self, user_id: int, data: dict[str, object]) -> None:
        await self.db.execute(*_data_statement(user_id, data))

    async def drop(self, user_id: int) -> None:
        await self.db.execute(_DELETE_DATA, (user_id,))
