"""A fake Bot API at the transport seam: records every call and answers like Telegram."""

from __future__ import annotations

import html
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

# What Telegram's HTML parse mode accepts.
ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "blockquote", "tg-spoiler", "span", "tg-emoji",
}  # fmt: skip
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z-]*)(?:\s[^<>]*)?>")
_BAD_ENTITY = re.compile(r"&(?!(?:lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);)")


def html_problem(text: str) -> str | None:
    """Why Telegram would refuse this HTML message, or None if it would accept it."""
    stack: list[str] = []
    for match in _TAG.finditer(text):
        name = match.group(2).lower()
        if name not in ALLOWED_TAGS:
            return f"unsupported start tag {name!r}"
        if not match.group(1):
            stack.append(name)
        elif not stack or stack.pop() != name:
            return f"unmatched end tag {name!r}"
    if stack:
        return f"unclosed tag {stack[-1]!r}"
    bare = _TAG.sub("", text)
    if "<" in bare or ">" in bare:
        return "unescaped < or >"
    if _BAD_ENTITY.search(bare):
        return "unsupported entity"
    visible = html.unescape(bare)
    if len(visible) > 4096:
        return "message is too long"
    if not visible.strip():
        return "message text is empty"
    return None


BOT_USER = {
    "id": 777000111,
    "is_bot": True,
    "first_name": "doingwith",
    "username": "doingwith_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    # The message this call sent or changed, once Telegram has answered.
    message_id: int | None = None

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def buttons(self) -> list[tuple[str, str]]:
        markup = self.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return [
            (b["text"], b.get("callback_data", ""))
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]


@dataclass
class FakeTelegram(BaseRequest):
    """Answers getMe, sendMessage, edits and the rest; failures can be queued per method."""

    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[tuple[int, str, int | None, int | None]]] = field(
        default_factory=dict
    )
    next_message_id: int = 5000
    # Files people sent the bot, by file_id: (file name, content).
    uploads: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    # The inline keyboard each sent message carries now, by (chat id, message id).
    keyboards: dict[tuple[int, int], Any] = field(default_factory=dict)
    # Callback queries already answered; a second answer is refused, as Telegram does.
    answered: set[str] = field(default_factory=set)
    # Calls Telegram would have refused for what they are (not failures a test queued).
    refused: list[tuple[Call, str]] = field(default_factory=list)

    def upload(self, name: str, content: bytes) -> dict[str, Any]:
        """A document a person sends; returns the Telegram `document` object for a message."""
        file_id = f"doc-{len(self.uploads) + 1}"
        self.uploads[file_id] = (name, content)
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": name,
            "file_size": len(content),
            "mime_type": "application/toml",
        }

    def files_sent(self, method: str = "sendDocument") -> list[tuple[str, bytes]]:
        """(file name, content) of every file the bot sent with this method."""
        return [
            file for call in self.calls if call.method == method for file in call.files.values()
        ]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    def fail(
        self,
        method: str,
        code: int,
        description: str,
        retry_after: int | None = None,
        chat_id: int | None = None,
    ) -> None:
        """Make the next call of ``method`` (to ``chat_id``, if given) fail as Telegram would.

        Code 0 stands for a time-out.
        """
        self.failures.setdefault(method, []).append((code, description, retry_after, chat_id))

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
        if "/file/bot" in url:  # downloading a file a person sent
            file_id = url.rsplit("/", 1)[-1]
            return 200, self.uploads[file_id][1]
        endpoint = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        files: dict[str, tuple[str, bytes]] = {}
        if request_data is not None and request_data.contains_files:
            for part, (filename, content, _mime) in request_data.multipart_data.items():
                data = content if isinstance(content, bytes) else content.read()
                files[part] = (filename or part, data)
        self.calls.append(Call(endpoint, params, files))
        queued = self.failures.get(endpoint, [])
        target = params.get("chat_id")
        for index, (code, description, retry_after, chat_id) in enumerate(queued):
            if chat_id is None or (target is not None and int(target) == chat_id):
                del queued[index]
                if code == 0:
                    raise TimedOut(description)
                return self._error(code, description, retry_after)
        if endpoint in ("sendMessage", "editMessageText") and params.get("parse_mode") == "HTML":
            problem = html_problem(str(params.get("text", "")))
            if problem is not None:
                return self._error(400, f"Bad Request: can't parse entities: {problem}")
        refusal = self._refusal(endpoint, params)
        if refusal is not None:
            self.refused.append((self.calls[-1], refusal))
            return self._error(400, f"Bad Request: {refusal}")
        result = self._result(endpoint, params)
        self._remember(self.calls[-1], result)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def buttons_sent(self) -> list[tuple[int, int, str]]:
        """(chat id, message id, callback data) of every button the bot has sent."""
        return [
            (call.chat_id, call.message_id, data)
            for call in self.calls
            if call.chat_id is not None and call.message_id is not None
            for _label, data in call.buttons
            if data
        ]

    def keyboard_of(self, chat_id: int, message_id: int) -> Any:
        """The inline keyboard a message carries now (None: none, or not a known message)."""
        return self.keyboards.get((chat_id, message_id))

    def _refusal(self, endpoint: str, params: dict[str, Any]) -> str | None:
        if endpoint == "answerCallbackQuery":
            query_id = str(params.get("callback_query_id"))
            if query_id in self.answered:
                return "query is too old and response timeout expired or query ID is invalid"
            self.answered.add(query_id)
        if endpoint == "editMessageReplyMarkup" and "message_id" in params:
            key = (int(params.get("chat_id", 0)), int(params["message_id"]))
            if key in self.keyboards and self.keyboards[key] == _markup(params):
                return (
                    "message is not modified: specified new message content and reply "
                    "markup are exactly the same as a current content and reply markup "
                    "of the message"
                )
        return None

    def _remember(self, call: Call, result: Any) -> None:
        if not isinstance(result, dict) or "message_id" not in result:
            return
        call.message_id = int(result["message_id"])
        if call.method in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
            key = (int(result["chat"]["id"]), call.message_id)
            self.keyboards[key] = _markup(call.params)

    @staticmethod
    def _error(code: int, description: str, retry_after: int | None = None) -> tuple[int, bytes]:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        return code, json.dumps(body).encode()

    def _result(self, endpoint: str, params: dict[str, Any]) -> Any:
        if endpoint == "getMe":
            return BOT_USER
        if endpoint in ("sendMessage", "sendDocument", "sendPhoto"):
            self.next_message_id += 1
            message: dict[str, Any] = {
                "message_id": self.next_message_id,
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "from": BOT_USER,
            }
            if "text" in params:
                message["text"] = params["text"]
            if params.get("reply_markup"):
                message["reply_markup"] = params["reply_markup"]
            return message
        if endpoint in ("editMessageText", "editMessageReplyMarkup"):
            return {
                "message_id": int(params.get("message_id", 0)),
                "date": int(time.time()),
                "chat": {"id": int(params.get("chat_id", 0)), "type": "private"},
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
        if endpoint == "getUpdates":
            return []
        if endpoint == "getFile":
            file_id = str(params["file_id"])
            return {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_size": len(self.uploads[file_id][1]),
                "file_path": file_id,
            }
        return True


def _markup(params: dict[str, Any]) -> Any:
    """The inline keyboard in a call's parameters, read back from JSON (None: none)."""
    markup = params.get("reply_markup")
    if isinstance(markup, str):
        markup = json.loads(markup)
    if not markup or not markup.get("inline_keyboard"):
        return None
    return markup
