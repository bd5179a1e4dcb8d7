"""A participant's private chat with the bot, driven through the real Application."""

from __future__ import annotations

import itertools
import time
from typing import Any

from telegram import Update

from domain.texts import best_language, texts
from tests.support.fake_telegram import BOT_USER, Call, FakeTelegram

_update_ids = itertools.count(1)
SHOWN = ("sendMessage", "editMessageText")


class Chat:
    """Send messages and press buttons as one person; read back what the bot sent them."""

    def __init__(self, app: Any, fake: FakeTelegram, user_id: int = 4242, name: str = "Sam"):
        self.app = app
        self.fake = fake
        self.user = {"id": user_id, "is_bot": False, "first_name": name}
        self.chat = {"id": user_id, "type": "private", "first_name": name}
        self._message_ids = itertools.count(100)
        self.last_message_id = 0
        # The last update this chat sent, as Telegram delivered it (for a redelivery).
        self.last_update: dict[str, Any] = {}

    # ---- acting -----------------------------------------------------------------------------

    async def send(self, payload: dict[str, Any], kind: str = "message") -> list[Call]:
        """Process one update; return the Bot API calls it caused."""
        before = len(self.fake.calls)
        data = {"update_id": next(_update_ids), kind: payload}
        self.last_update = data
        await self.app.process_update(Update.de_json(data, self.app.bot))
        return self.fake.calls[before:]

    async def redeliver(self, data: dict[str, Any]) -> list[Call]:
        """Deliver an update again, same update_id, as Telegram may after a lost reply."""
        before = len(self.fake.calls)
        await self.app.process_update(Update.de_json(data, self.app.bot))
        return self.fake.calls[before:]

    def in_group(self, chat_id: int, title: str = "Group", kind: str = "supergroup") -> Chat:
        """The same person, writing in a group chat (chat ids of groups are negative)."""
        user_id, name = int(str(self.user["id"])), str(self.user["first_name"])
        other = Chat(self.app, self.fake, user_id=user_id, name=name)
        other.chat = {"id": chat_id, "type": kind, "title": title}
        return other

    async def channel_post(self, chat_id: int, text: str, *, edited: bool = False) -> list[Call]:
        """A post in a channel the bot is in: it has a sender chat and no sender."""
        self.last_message_id = next(self._message_ids)
        channel = {"id": chat_id, "type": "channel", "title": "Channel"}
        payload: dict[str, Any] = {
            "message_id": self.last_message_id,
            "date": int(time.time()),
            "chat": channel,
            "sender_chat": channel,
            "text": text,
        }
        if edited:
            payload["edit_date"] = int(time.time())
        return await self.send(payload, kind="edited_channel_post" if edited else "channel_post")

    def _message(self, **fields: Any) -> dict[str, Any]:
        self.last_message_id = next(self._message_ids)
        return {
            "message_id": self.last_message_id,
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
            **fields,
        }

    async def say(self, text: str) -> list[Call]:
        """Type a message (a leading /word is sent as a command, as Telegram does)."""
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return await self.send(self._message(**fields))

    async def sticker(self) -> list[Call]:
        sticker = {
            "file_id": "sticker-1",
            "file_unique_id": "s1",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
        return await self.send(self._message(sticker=sticker))

    async def photo(self) -> list[Call]:
        size = {"file_id": "p1", "file_unique_id": "p1", "width": 90, "height": 90}
        return await self.send(self._message(photo=[size]))

    async def voice(self) -> list[Call]:
        voice = {"file_id": "v1", "file_unique_id": "v1", "duration": 3}
        return await self.send(self._message(voice=voice))

    async def document(self, name: str, content: bytes) -> list[Call]:
        """Send a file, as a document."""
        return await self.send(self._message(document=self.fake.upload(name, content)))

    async def location(self) -> list[Call]:
        return await self.send(self._message(location={"latitude": 52.5, "longitude": -1.9}))

    async def edit(self, message_id: int, text: str) -> list[Call]:
        payload = {
            "message_id": message_id,
            "date": int(time.time()),
            "edit_date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
            "text": text,
        }
        return await self.send(payload, kind="edited_message")

    async def press(self, label: str) -> list[Call]:
        """Tap the button with this label on the newest bot message that has it."""
        for call in reversed(self.sent()):
            for text, data in call.buttons:
                if text == label:
                    return await self.press_data(data, message_id=call.message_id)
        raise AssertionError(f"no button {label!r}; last buttons: {self.buttons()}")

    async def press_data(
        self, data: str, message_text: str = "…", *, message_id: int | None = None
    ) -> list[Call]:
        """Send a callback query with any data, as a (possibly forged) client could, from
        the message ``message_id`` (by default the newest one with buttons)."""
        if message_id is None:
            message_id = next((c.message_id for c in reversed(self.sent()) if c.buttons), 1)
        message: dict[str, Any] = {
            "message_id": message_id or 1,
            "date": int(time.time()),
            "chat": self.chat,
            "from": BOT_USER,
            "text": message_text,
        }
        keyboard = self.fake.keyboard_of(self.chat["id"], message_id or 1)
        if keyboard is not None:  # Telegram sends the keyboard the message has now
            message["reply_markup"] = keyboard
        query = {
            "id": str(next(_update_ids)),
            "from": self.user,
            "chat_instance": "ci-1",
            "data": data,
            "message": message,
        }
        return await self.send(query, kind="callback_query")

    # ---- reading ----------------------------------------------------------------------------

    def sent(self) -> list[Call]:
        """Every message the bot sent (or rewrote in place) in this chat, oldest first."""
        return [c for c in self.fake.calls if c.method in SHOWN and c.chat_id == self.chat["id"]]

    def last_text(self) -> str:
        sent = self.sent()
        return sent[-1].text if sent else ""

    def texts(self, calls: list[Call]) -> list[str]:
        return [c.text for c in calls if c.method in SHOWN]

    def buttons(self) -> list[str]:
        """Labels of the buttons on the newest message that has any."""
        for call in reversed(self.sent()):
            if call.buttons:
                return [label for label, _ in call.buttons]
        return []

    # ---- shortcuts --------------------------------------------------------------------------

    async def join(self, invite: str, *, updates: bool = True, quote: bool = False) -> None:
        """Open the invite, agree to take part, answer the other purposes, start (pressing
        the buttons in the language this person's Telegram is set to)."""
        t = texts(best_language(str(self.user.get("language_code", ""))) or "en")
        await self.say(f"/start {invite}")
        await self.press(t.label("buttons.take_part_yes"))
        await self.press(t.label("buttons.updates_yes" if updates else "buttons.updates_no"))
        await self.press(t.label("buttons.quote_yes" if quote else "buttons.quote_no"))
        await self.press(t.label("buttons.start_questions"))
