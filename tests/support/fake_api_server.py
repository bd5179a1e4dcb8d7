"""A fake Bot API over HTTP on 127.0.0.1, for running the real `doingwith run` process.

With ``overall`` and ``per_chat`` set it enforces Telegram's flood limits as Telegram
states them (at most ``overall`` messages in any one-second window; one message a
second in one chat) by answering 429 with ``retry_after``, as Telegram does; ``too_many``
counts those answers. Without them (the default) it answers everything.
"""

from __future__ import annotations

import bisect
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from tests.support.fake_telegram import BOT_USER

# The methods that send a message into a chat: what Telegram's flood limits count.
SENDS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
RETRY_AFTER = 1  # seconds a 429 asks the bot to wait


class TooManyRequests(Exception):
    """A request over Telegram's limits: answered 429 with ``retry_after``."""


class FakeBotApi:
    """Queues updates for getUpdates (confirmed by offset, as Telegram does) and records calls.

    ``screens`` keeps what each chat shows now (message id -> text and buttons, edits
    applied), so a driver can press a button by its label; ``delivered`` is every message
    sent into a chat, in order of arrival: (``time.monotonic()``, chat id).
    """

    def __init__(self, *, overall: int | None = None, per_chat: float | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.updates: list[dict[str, Any]] = []
        self.screens: dict[int, dict[int, tuple[str, dict[str, Any] | None]]] = {}
        self.delivered: list[tuple[float, int]] = []
        self.chat_calls: Counter[int] = Counter()  # calls naming each chat, answered or not
        self.overall = overall
        self.per_chat = per_chat
        self.too_many = 0
        self._window: list[float] = []  # arrival times of sends in the last second, sorted
        self._last_in_chat: dict[int, float] = {}
        self._next_update = 1
        self._next_message = 9000
        self._cond = threading.Condition()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/bot"

    def __enter__(self) -> FakeBotApi:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ---- the test's side ---------------------------------------------------------------------

    def push(self, kind: str, payload: dict[str, Any]) -> None:
        with self._cond:
            self.updates.append({"update_id": self._next_update, kind: payload})
            self._next_update += 1
            self._cond.notify_all()

    def wait_for_text(self, fragment: str, timeout: float = 20.0) -> dict[str, Any]:
        """Block until the bot has sent a message containing ``fragment``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for method, params in self.calls:
                    if method == "sendMessage" and fragment in str(params.get("text", "")):
                        return params
                left = deadline - time.monotonic()
                if left <= 0:
                    sent = [p.get("text") for m, p in self.calls if m == "sendMessage"]
                    raise AssertionError(f"bot never sent {fragment!r}; it sent {sent!r}")
                self._cond.wait(left)

    def count_text(self, fragment: str) -> int:
        with self._cond:
            return sum(
                1
                for method, params in self.calls
                if method == "sendMessage" and fragment in str(params.get("text", ""))
            )

    def sends_by_chat(self) -> Counter[int]:
        """How many sendMessage requests reached the fake, per chat (answered or not)."""
        with self._cond:
            return Counter(int(p["chat_id"]) for m, p in self.calls if m == "sendMessage")

    def wait_until(self, done: Callable[[FakeBotApi], bool], timeout: float = 20.0) -> None:
        """Block until ``done(self)`` holds, looking again after every request."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not done(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("the bot never got there")
                self._cond.wait(min(left, 0.5))

    def button(self, chat_id: int, label: str) -> tuple[int, str, str] | None:
        """(message id, text, callback data) of the newest message in the chat that shows
        a button labelled ``label``; None while there is none."""
        with self._cond:
            screen = self.screens.get(chat_id, {})
            for message_id in sorted(screen, reverse=True):
                text, markup = screen[message_id]
                for row in (markup or {}).get("inline_keyboard", []):
                    for button in row:
                        if button.get("text") == label:
                            return message_id, text, str(button.get("callback_data", ""))
        return None

    # ---- the bot's side ----------------------------------------------------------------------

    def _answer(self, method: str, params: dict[str, Any], arrived: float) -> Any:
        with self._cond:
            self.calls.append((method, params))
            if params.get("chat_id") is not None:
                self.chat_calls[int(params["chat_id"])] += 1
            try:
                if method in SENDS:
                    self._admit(int(params.get("chat_id", 0)), arrived)
                return self._result(method, params)
            finally:
                self._cond.notify_all()

    def _admit(self, chat_id: int, now: float) -> None:
        """Count a send (arrived at ``now``) against the limits, or refuse it (429) as
        Telegram would."""
        while self._window and now - self._window[0] >= 1.0:
            self._window.pop(0)
        over_all = self.overall is not None and len(self._window) >= self.overall
        last = self._last_in_chat.get(chat_id)
        over_chat = self.per_chat is not None and last is not None and now - last < self.per_chat
        if over_all or over_chat:
            self.too_many += 1
            raise TooManyRequests
        bisect.insort(self._window, now)  # two threads may take the lock out of order
        self._last_in_chat[chat_id] = now
        self.delivered.append((now, chat_id))

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        """The answer to one call; called with the lock held."""
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            return self._get_updates(params)
        chat_id = int(params.get("chat_id", 0) or 0)
        markup = params.get("reply_markup")
        markup = json.loads(markup) if isinstance(markup, str) else markup
        if method == "sendMessage":
            self._next_message += 1
            text = str(params.get("text", ""))
            self.screens.setdefault(chat_id, {})[self._next_message] = (text, markup)
            return {
                "message_id": self._next_message,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "text": text,
            }
        if method in ("editMessageText", "editMessageReplyMarkup"):
            screen = self.screens.setdefault(chat_id, {})
            message_id = int(params.get("message_id", 0) or 0)
            text, _ = screen.get(message_id, ("", None))
            if method == "editMessageText":
                text = str(params.get("text", ""))
            screen[message_id] = (text, markup)  # an edit without buttons drops them
        elif method == "deleteMessage":
            self.screens.get(chat_id, {}).pop(int(params.get("message_id", 0) or 0), None)
        return True

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0) or 0)
        timeout = min(float(params.get("timeout", 0) or 0), 1.0)
        deadline = time.monotonic() + timeout
        with self._cond:  # held already when called from _answer; the lock is re-entrant
            # Telegram forgets updates below the offset: that is how they are confirmed.
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            while not self.updates and time.monotonic() < deadline:
                self._cond.wait(deadline - time.monotonic())
            return list(self.updates)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive, as api.telegram.org: the bot reuses its connections. Without
            # TCP_NODELAY a kept-alive answer can wait 40 ms for a delayed ACK (Nagle).
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                arrived = time.monotonic()  # before parsing: as close to arrival as can be
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length).decode()
                params: dict[str, Any] = {}
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    params = json.loads(body or "{}")
                else:
                    for key, values in parse_qs(body).items():
                        try:
                            params[key] = json.loads(values[0])
                        except ValueError:
                            params[key] = values[0]
                method = self.path.rsplit("/", 1)[-1]
                status = 200
                try:
                    answer = {"ok": True, "result": api._answer(method, params, arrived)}
                except TooManyRequests:
                    status = 429
                    answer = {
                        "ok": False,
                        "error_code": 429,
                        "description": f"Too Many Requests: retry after {RETRY_AFTER}",
                        "parameters": {"retry_after": RETRY_AFTER},
                    }
                payload = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the bot process was killed mid-request, as the test intends

            def log_message(self, format: str, *args: object) -> None:
                return None

        return Handler
