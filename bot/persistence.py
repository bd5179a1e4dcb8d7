"""Conversation state and small per-person flow state, kept in SQLite between restarts."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from storage import Storage

# The shapes BasePersistence uses (PTB keeps its own aliases private).
ConversationKey = tuple[int | str, ...]
ConversationDict = MutableMapping[ConversationKey, object]
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]


class SqlitePersistence(BasePersistence[dict[str, Any], dict[str, Any], dict[str, Any]]):
    """PTB persistence on the bot's own database.

    bot_data holds live services and chat_data is unused, so neither is stored; answers
    and views never pass through here: they are written to their tables as they arrive.
    Writes come every ``update_interval`` seconds, so a step that must survive a kill -9
    is written before its reply instead: a typed step of the journey to its own table, a
    facilitator prompt's drafts and state by ``conversations.facilitator.drafts.keep_step``
    (the same rows this writes later).
    """

    def __init__(self, storage: Storage, update_interval: float = 5.0) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.storage = storage

    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        await self.storage.open()  # persistence loads before post_init runs
        return await self.storage.user_data.load()

    async def get_chat_data(self) -> dict[int, dict[str, Any]]:
        return {}

    async def get_bot_data(self) -> dict[str, Any]:
        return {}

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        await self.storage.open()
        return await self.storage.conversations.load(name)

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        await self.storage.conversations.save(name, key, new_state)

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        await self.storage.user_data.save(user_id, data)

    async def drop_user_data(self, user_id: int) -> None:
        await self.storage.user_data.drop(user_id)

    async def update_chat_data(self, chat_id: int, data: dict[str, Any]) -> None:
        return None

    async def update_bot_data(self, data: dict[str, Any]) -> None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[str, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[str, Any]) -> None:
        return None

    async def flush(self) -> None:
        return None  # every update is written straight through
