"""`doingwith run --webhook URL`: the real process receives updates over HTTP, and only
those that carry the secret token are handled."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, TOKEN
from tests.support.fake_api_server import FakeBotApi

SECRET = "s3cret-token_for-the-webhook-0123456789"
URL = "https://bot.example.org/doingwith/updates"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(db: Path, api: FakeBotApi, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DOINGWITH_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        DOINGWITH_DB=str(db),
        TELEGRAM_API_BASE_URL=api.base_url,
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


def _update(update_id: int, chat_id: int, text: str) -> bytes:
    person = {"id": chat_id, "is_bot": False, "first_name": "Robin"}
    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private", "first_name": "Robin"},
        "from": person,
        "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
    }
    return json.dumps({"update_id": update_id, "message": message}).encode()


def _post(port: int, body: bytes, secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/doingwith/updates", data=body, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def _wait_listening(port: int, process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the bot stopped"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the bot never listened")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_only_updates_with_the_secret_are_handled(tmp_path: Path) -> None:
    db = tmp_path / "doingwith.db"
    port = _free_port()
    with FakeBotApi() as api:
        log = db.with_suffix(".log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--webhook", URL],
            cwd=ROOT,
            env=_env(
                db,
                api,
                DOINGWITH_WEBHOOK_SECRET=SECRET,
                DOINGWITH_WEBHOOK_LISTEN="127.0.0.1",
                DOINGWITH_WEBHOOK_PORT=str(port),
            ),
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        log.close()
        try:
            api.wait_until(lambda a: any(m == "setWebhook" for m, _ in a.calls))
            (params,) = [p for m, p in api.calls if m == "setWebhook"]
            assert params["url"] == URL
            assert params["secret_token"] == SECRET
            _wait_listening(port, process)

            assert _post(port, _update(1, 7001, "/help"), None) == 403
            assert _post(port, _update(2, 7002, "/help"), "not-the-secret") == 403
            assert _post(port, _update(3, 7003, "/help"), SECRET) == 200
            api.wait_until(lambda a: a.sends_by_chat()[7003] > 0)
            time.sleep(1)  # time enough for anything wrongly let in to be answered too
            sends = api.sends_by_chat()
            assert sends[7001] == sends[7002] == 0
            assert not any(m == "getUpdates" for m, _ in api.calls)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                returncode = process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                raise
    text = db.with_suffix(".log").read_text()
    assert returncode == 0, text
    assert "Traceback" not in text
    assert SECRET not in text
    assert TOKEN not in text


def test_webhook_without_a_secret_refuses_to_start(tmp_path: Path) -> None:
    with FakeBotApi() as api:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "run", "--webhook", URL],
            cwd=ROOT,
            env=_env(tmp_path / "x.db", api),
            capture_output=True,
            text=True,
            timeout=60,
        )
        calls: list[Any] = list(api.calls)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "DOINGWITH_WEBHOOK_SECRET" in result.stderr
    assert calls == []  # not even getMe: nothing was started
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize(
    ("url", "extra", "says"),
    [
        ("http://bot.example.org/hook", {"DOINGWITH_WEBHOOK_SECRET": SECRET}, "https://"),
        (URL, {"DOINGWITH_WEBHOOK_SECRET": "short"}, "DOINGWITH_WEBHOOK_SECRET"),
        (URL, {"DOINGWITH_WEBHOOK_SECRET": SECRET, "DOINGWITH_WEBHOOK_PORT": "0"}, "PORT"),
    ],
)
def test_bad_webhook_settings_exit_2(
    tmp_path: Path, url: str, extra: dict[str, str], says: str
) -> None:
    with FakeBotApi() as api:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "run", "--webhook", url],
            cwd=ROOT,
            env=_env(tmp_path / "x.db", api, **extra),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert says in result.stderr
    assert "Traceback" not in result.stderr
