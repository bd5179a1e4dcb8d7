"""The typed context every callback receives: services as properties, not dict look-ups."""

from __future__ import annotations

from typing import Any, cast

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from domain.config import Settings
from domain.texts import SOURCE_LANGUAGE, Texts, best_language, languages, texts
from storage import Storage

# Where a person's chosen language is kept (user_data): set by /language, or when they join.
LANGUAGE = "language"
# The language of the workshop whose invite they opened, for someone whose Telegram
# language has no catalog: flow state, like the invite itself.
WORKSHOP_LANGUAGE = "workshop_language"


# The services live in bot_data (a plain dict, never persisted: see bot/app.py); the casts
# name what bot/app.py put there.
class BotContext(CallbackContext[ExtBot[None], dict[str, Any], dict[str, Any], dict[str, Any]]):
    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id, user_id)
        self._telegram_language: str | None = None
        self._fallback_language: str | None = None

    @classmethod
    def from_update(
        cls,
        update: object,
        application: Application[Any, Any, Any, Any, Any, Any],
    ) -> BotContext:
        context = super().from_update(update, application)
        if isinstance(update, Update) and update.effective_user is not None:
            # Read on every update, never stored: before consent nothing about a person is.
            context._telegram_language = update.effective_user.language_code
        return context

    @property
    def telegram_language(self) -> str | None:
        """The language the person's Telegram app is set to, as it says ('pl', 'en-GB')."""
        return self._telegram_language

    @property
    def language(self) -> str:
        """The language to speak to this person in: the one they chose (or joined in), else
        their Telegram's where there is a complete catalog for it, else the workshop's."""
        chosen = self.memory.get(LANGUAGE)
        if isinstance(chosen, str) and chosen in languages():
            return chosen
        remembered = self.memory.get(WORKSHOP_LANGUAGE)
        return (
            best_language(self._telegram_language)
            or self._fallback_language
            or (remembered if isinstance(remembered, str) and remembered in languages() else None)
            or SOURCE_LANGUAGE
        )

    def otherwise_speak(self, language: str) -> None:
        """The workshop's language, for someone whose Telegram language has no catalog:
        for this update, and (only when it makes a difference) for the rest of the invite."""
        self._fallback_language = language if language in languages() else None
        if self._fallback_language is None or best_language(self._telegram_language):
            return
        if self._fallback_language != SOURCE_LANGUAGE and self.user_data is not None:
            self.user_data[WORKSHOP_LANGUAGE] = self._fallback_language

    def keep_language(self) -> None:
        """On joining: go on speaking the language used now. Kept only when Telegram's
        language would not give it again (the workshop's was used), so most people have
        nothing kept about them here."""
        without = best_language(self._telegram_language) or SOURCE_LANGUAGE
        if self.user_data is not None:
            if self.language != without:
                self.user_data[LANGUAGE] = self.language
            self.user_data.pop(WORKSHOP_LANGUAGE, None)  # the invite's part is done

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
        """The texts in this person's language (see :attr:`language`)."""
        return texts(self.language)

    @property
    def settings(self) -> Settings:
        return cast(Settings, self.bot_data["settings"])


BotApplication = Application[
    ExtBot[None], BotContext, dict[str, Any], dict[str, Any], dict[str, Any], Any
]
