"""Running the real `doingwith run` process for a benchmark, and reading its memory.

Peak memory is the kernel's high-water mark of the process's resident set (``VmHWM`` in
``/proc/PID/status``, Linux only), read while the process is still alive.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH-token-abcdefghijklmnopqrstuvwxyz"
# What a bare process of the same interpreter costs: the floor for start-up and memory.
BARE = "import telegram, telegram.ext"
MB = 1_000_000  # VmHWM is in kB (1024 bytes); figures are printed in MB (10**6 bytes)


def peak_rss(pid: int) -> int | None:
    """The process's peak resident set in bytes (VmHWM), or None where /proc has none."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return None


@dataclass(frozen=True)
class Bare:
    """A bare ``python -c 'import telegram, telegram.ext'``: start to exit, and its peak."""

    seconds: float
    peak: int | None


def bare_python() -> Bare:
    """Start, import python-telegram-bot and exit: the floor, measured now."""
    code = (
        f"{BARE}\nfrom pathlib import Path\n"
        "print(next((l.split()[1] for l in Path('/proc/self/status').read_text().splitlines()"
        " if l.startswith('VmHWM:')), ''))"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    seconds = time.perf_counter() - started
    kb = done.stdout.strip()
    return Bare(seconds, int(kb) * 1024 if kb else None)


def bot_env(db: Path, base_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DOINGWITH_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        DOINGWITH_DB=str(db),
        TELEGRAM_API_BASE_URL=base_url,
        DOINGWITH_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def start_bot(db: Path, base_url: str) -> subprocess.Popen[bytes]:
    """``doingwith run`` on ``db`` against the Bot API at ``base_url``; stderr to db.log."""
    log = db.with_suffix(".log").open("ab")
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=ROOT,
            env=bot_env(db, base_url),
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    finally:
        log.close()  # the child has its own copy


def stop_bot(process: subprocess.Popen[bytes], timeout: float = 20.0) -> int:
    """SIGTERM, as docker stop does; kill -9 if it does not exit within ``timeout``."""
    if process.poll() is not None:
        return process.returncode
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


def log_problems(db: Path) -> str:
    """The process's log if it holds a traceback or an error, else ''."""
    path = db.with_suffix(".log")
    log = path.read_text() if path.exists() else ""
    return log if ("Traceback" in log or " ERROR " in log) else ""
