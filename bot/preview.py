"""`doingwith preview FILE.toml`: rehearse the participant conversation in the terminal.

The real Application, with the same conversation code as `doingwith run`, on a throwaway
database in a temporary folder; its network layer is replaced by one that answers the Bot
API here and prints what a participant would see. Nothing reaches Telegram.
"""

from __future__ import annotations

import html
import itertools
import json
import logging
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from telegram import Update
from telegram.request import BaseRequest, RequestData

from domain.config import Settings
from domain.workshop_file import load_workshop_file
from storage import Storage

# A placeholder in a token's shape: the Application needs one; no request ever uses it.
PREVIEW_TOKEN = "123456789:preview-token-never-sent-to-telegram"
BOT_USER: dict[str, Any] = {
    "id": 123456789,
    "is_bot": True,
    "first_name": "doingwith",
    "username": "doingwith_preview_bot",
}
PERSON: dict[str, Any] = {"id": 4242, "is_bot": False, "first_name": "You"}
CHAT: dict[str, Any] = {"id": 4242, "type": "private", "first_name": "You"}
QUIT = "/quit"

_TAG = re.compile(r"<[^<>]+>")


def plain(text: str) -> str:
    """A Telegram HTML message as plain text: tags stripped, entities unescaped."""
    return html.unescape(_TAG.sub("", text))


def _buttons(markup: Any) -> list[tuple[str, str]]:
    """(label, callback data) of each button in an inline keyboard, in reading order."""
    if isinstance(markup, str):
        markup = json.loads(markup)
    if not isinstance(markup, dict):
        return []
    return [
        (str(b.get("text", "")), str(b.get("callback_data", "")))
        for row in markup.get("inline_keyboard", [])
        for b in row
    ]


@dataclass
class TerminalTelegram(BaseRequest):
    """Answers the Bot API as Telegram would, and shows each message the bot sends or edits."""

    show: Callable[[str], None]
    next_message_id: int = 1000
    # The buttons each message carries now, by message id (a message without any: absent).
    keyboards: dict[int, list[tuple[str, str]]] = field(default_factory=dict)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    def current_buttons(self) -> tuple[int, list[tuple[str, str]]] | None:
        """The newest message that has buttons, and its buttons."""
        if not self.keyboards:
            return None
        message_id = max(self.keyboards)
        return message_id, self.keyboards[message_id]

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        params: dict[str, Any] = dict(request_data.parameters) if request_data else {}
        result = self._answer(endpoint, params, request_data)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _answer(self, endpoint: str, params: dict[str, Any], data: RequestData | None) -> Any:
        if endpoint == "getMe":
            return BOT_USER
        if endpoint == "getUpdates":
            return []
        if endpoint in ("sendMessage", "sendDocument", "sendPhoto"):
            self.next_message_id += 1
            message_id = self.next_message_id
            if endpoint == "sendMessage":
                self._message(message_id, str(params.get("text", "")), params)
            else:
                self.show(f"[the bot sends a file{self._file_names(data)}]")
            return self._message_result(message_id, params)
        if endpoint in ("editMessageText", "editMessageReplyMarkup"):
            message_id = int(params.get("message_id", 0))
            if endpoint == "editMessageText":
                self._message(message_id, str(params.get("text", "")), params, edited=True)
            else:
                self._keyboard(message_id, params)
            return self._message_result(message_id, params)
        if endpoint == "answerCallbackQuery" and params.get("text"):
            self.show(f"(notice) {params['text']}")
        return True

    def _message(
        self, message_id: int, text: str, params: dict[str, Any], *, edited: bool = False
    ) -> None:
        self._keyboard(message_id, params)
        lines = [("(the message above changes to:)\n" if edited else "") + plain(text)]
        buttons = self.keyboards.get(message_id, [])
        if buttons:
            numbered = [f"[{n}] {label}" for n, (label, _) in enumerate(buttons, 1)]
            lines.append("  ".join(numbered))
        self.show("\n".join(lines))

    def _keyboard(self, message_id: int, params: dict[str, Any]) -> None:
        buttons = _buttons(params.get("reply_markup"))
        if buttons:
            self.keyboards[message_id] = buttons
        else:
            self.keyboards.pop(message_id, None)

    @staticmethod
    def _file_names(data: RequestData | None) -> str:
        if data is None or not data.contains_files:
            return ""
        names = [name or part for part, (name, _c, _m) in data.multipart_data.items()]
        return ": " + ", ".join(names) if names else ""

    @staticmethod
    def _message_result(message_id: int, params: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": CHAT,
            "from": BOT_USER,
            "text": str(params.get("text", "")),
        }
        if params.get("reply_markup"):
            markup = params["reply_markup"]
            message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
        return message


class Rehearsal:
    """One person's private chat with the bot, typed in the terminal."""

    def __init__(self, app: Any, telegram: TerminalTelegram, language: str | None = None) -> None:
        self.app = app
        self.telegram = telegram
        self._ids = itertools.count(1)
        # As a phone set to this language would send it (Telegram's language_code).
        self.person = {**PERSON, "language_code": language} if language else PERSON

    async def _send(self, kind: str, payload: dict[str, Any]) -> None:
        data = {"update_id": next(self._ids), kind: payload}
        await self.app.process_update(Update.de_json(data, self.app.bot))

    async def say(self, text: str) -> None:
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": CHAT,
            "from": self.person,
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        await self._send("message", message)

    async def press(self, number: int) -> str | None:
        """Press button ``number`` of the newest message with buttons; why not, if not."""
        current = self.telegram.current_buttons()
        if current is None:
            return "There are no buttons to press; type a message instead."
        message_id, buttons = current
        if not 1 <= number <= len(buttons):
            return f"Type a number from 1 to {len(buttons)} to press a button."
        markup = {"inline_keyboard": [[{"text": t, "callback_data": d} for t, d in buttons]]}
        query = {
            "id": str(next(self._ids)),
            "from": self.person,
            "chat_instance": "preview",
            "data": buttons[number - 1][1],
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": CHAT,
                "from": BOT_USER,
                "text": "…",
                "reply_markup": markup,
            },
        }
        await self._send("callback_query", query)
        return None


async def rehearse(
    path: str | Path, stdin: TextIO, stdout: TextIO, language: str | None = None
) -> int:
    """Play the participant conversation of the workshop file at ``path``, as a person whose
    phone is set to ``language`` would have it; 0 when done."""
    new = load_workshop_file(path)  # a bad file is refused before anything starts

    def show(text: str) -> None:
        stdout.write(f"\n{text}\n")
        stdout.flush()

    # The bot logs start-up details (invite links, menus) that are not part of the chat.
    logging.getLogger().setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="doingwith-preview-") as folder:
        settings = Settings(
            token=PREVIEW_TOKEN,
            db_path=Path(folder) / "preview.db",
            rate_limit=False,
            persistence_interval=3600,
        )
        from bot.app import build_application, on_shutdown, on_startup  # as `run` uses

        telegram = TerminalTelegram(show)
        app = build_application(settings, request=telegram)
        await app.initialize()
        await on_startup(app)  # opens the database, as run_polling would
        try:
            storage: Storage = app.bot_data["storage"]
            workshop = await storage.workshops.create(new)
            stdout.write(
                f"Rehearsing {workshop.title!r} as a participant. Nothing is sent to "
                "Telegram and nothing is kept.\nType a number to press a button, anything "
                f"else to send it as a message, {QUIT} to stop.\n"
            )
            chat = Rehearsal(app, telegram, language)
            show(f"> /start {workshop.invite_code}")
            await chat.say(f"/start {workshop.invite_code}")
            await _converse(chat, stdin, stdout)
        finally:
            await app.shutdown()
            await on_shutdown(app)
    return 0


async def _converse(chat: Rehearsal, stdin: TextIO, stdout: TextIO) -> None:
    while True:
        stdout.write("\n> ")
        stdout.flush()
        line = stdin.readline()
        if not line:  # end of input
            stdout.write("\n")
            return
        typed = line.strip()
        if not stdin.isatty():  # echo piped input, so the transcript reads as a chat
            stdout.write(typed + "\n")
        if typed == QUIT:
            return
        if not typed:
            continue
        if typed.isdigit():
            problem = await chat.press(int(typed))
            if problem:
                stdout.write(problem + "\n")
        else:
            await chat.say(typed)
