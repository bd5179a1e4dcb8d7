"""The typed context every callback receives: services as properties, not dict look-ups."""

from __future__ import annotations

from typing import Any, cast

from telegram.ext import Application, CallbackContext, ExtBot

from domain.config import Settings
from domain.texts import Texts
from storage import Storage


# The services live in bot_data (a plain dict, never persisted: see bot/app.py); the casts
# name what bot/app.py put there.
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
        return cast(Storage, self.bot_data["storage"])

    @property
    def texts(self) -> Texts:
        return cast(Texts, self.bot_data["texts"])

    @property
    def settings(self) -> Settings:
        return cast(Settings, self.bot_data["settings"])


BotApplication = Application[
    ExtBot[None], BotContext, dict[str, Any], dict[str, Any], dict[str, Any], Any
]
