"""A fake Bot API over HTTP on 127.0.0.1, for running the real `doingwith run` process."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from tests.support.fake_telegram import BOT_USER


class FakeBotApi:
    """Queues updates for getUpdates (confirmed by offset, as Telegram does) and records calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.updates: list[dict[str, Any]] = []
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

    # ---- the bot's side ----------------------------------------------------------------------

    def _answer(self, method: str, params: dict[str, Any]) -> Any:
        with self._cond:
            self.calls.append((method, params))
            self._cond.notify_all()
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            return self._get_updates(params)
        if method == "sendMessage":
            with self._cond:
                self._next_message += 1
                return {
                    "message_id": self._next_message,
                    "date": int(time.time()),
                    "chat": {"id": int(params["chat_id"]), "type": "private"},
                    "text": params.get("text", ""),
                }
        return True

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0) or 0)
        timeout = min(float(params.get("timeout", 0) or 0), 1.0)
        deadline = time.monotonic() + timeout
        with self._cond:
            # Telegram forgets updates below the offset: that is how they are confirmed.
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            while not self.updates and time.monotonic() < deadline:
                self._cond.wait(deadline - time.monotonic())
            return list(self.updates)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
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
                result = api._answer(method, params)
                payload = json.dumps({"ok": True, "result": result}).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the bot process was killed mid-request, as the test intends

            def log_message(self, format: str, *args: object) -> None:
                return None

        return Handler
