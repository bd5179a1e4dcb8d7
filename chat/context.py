"""The typed context every callback receives: services as properties, not dict look-ups."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from domain.config import Settings
from domain.texts import Texts
from storage import Storage


class BotContext(CallbackContext[ExtBot[None], dict[str, Any], dict[str, Any], dict[str, Any]]):
    @property
    def memory(self) -> dict[str, Any]:
        """This person's ``user_data``: what a flow remembers between their messages.

        Every update a flow handles comes from someone; for one that does not (a channel
        post) this is a throwaway dict, so nothing is remembered.
        """
        data = self.user_data
        return data if data is not None else {}

    @property
    def storage(self) -> Storage:
        return self.bot_data["storage"]  # type: ignore[no-any-return]

    @property
    def texts(self) -> Texts:
        return self.bot_data["texts"]  # type: ignore[no-any-return]

    @property
    def settings(self) -> Settings:
        return self.bot_data["settings"]  # type: ignore[no-any-return]


BotApplication = Application[
    ExtBot[None], BotContext, dict[str, Any], dict[str, Any], dict[str, Any], Any
]
