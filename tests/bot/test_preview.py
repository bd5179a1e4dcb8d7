"""`doingwith preview FILE.toml`: the participant conversation, rehearsed in the terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import EXIT_USAGE, main
from bot.preview import plain

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "what-matters.toml"


def preview(
    tmp_path: Path, typed: str, file: Path = EXAMPLE, *extra: str
) -> subprocess.CompletedProcess[str]:
    """Run the command as a person would, in an empty folder, with no token and no network."""
    scratch = tmp_path / "tmp"
    scratch.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "DOINGWITH_DB")}
    # Were anything to reach for the network, it would find nothing listening here.
    env.update(
        TMPDIR=str(scratch),
        TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot",
        HTTPS_PROXY="http://127.0.0.1:9",
        HTTP_PROXY="http://127.0.0.1:9",
    )
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "bot", "preview", str(file), *extra],
        cwd=work, env=env, input=typed, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_preview_plays_the_journey_typed_on_stdin(tmp_path: Path) -> None:
    done = preview(tmp_path, "1\n1\n2\n1\nFamily\n/quit\n")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    out = done.stdout
    assert "Welcome to Getting to appointments: a 100-day lab" in out
    assert "[1] Yes, I agree to take part  [2] No, thank you  [3] Tell me more first" in out
    assert "[1] Yes, send me updates  [2] No updates, thanks" in out
    assert "You chose: Please don't quote me" in out
    # Plain text: no HTML tags or entities reach the terminal.
    assert "<b>" not in out
    assert "&#x27;" not in out
    assert "&quot;" not in out
    first = out.index("Question 1 of 6")
    assert out.index("What is important to you?") > first
    assert out.index("> Family") > first
    assert out.index("Question 2 of 6") > out.index("> Family")
    assert "Question 3 of 6" not in out  # /quit stopped it
    # The throwaway database is gone, and none was made where the command ran.
    assert list((tmp_path / "work").iterdir()) == []
    assert list((tmp_path / "tmp").iterdir()) == []


def test_preview_plays_the_workshop_in_polish(tmp_path: Path) -> None:
    done = preview(tmp_path, "1\n1\n2\n1\nRodzina\n/quit\n", EXAMPLE, "--language", "pl")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Witaj w warsztacie Jak dotrzeć na wizytę" in out
    assert "[1] Tak, zgadzam się na udział" in out
    assert "Co jest dla ciebie ważne?" in out
    assert "> Rodzina" in out
    assert "What is important to you?" not in out


def test_preview_in_a_language_the_bot_does_not_speak_is_refused(tmp_path: Path) -> None:
    done = preview(tmp_path, "", EXAMPLE, "--language", "xx")
    assert done.returncode == EXIT_USAGE
    assert "the bot speaks en, pl" in done.stdout


def test_preview_explains_a_wrong_number_and_stops_at_end_of_input(tmp_path: Path) -> None:
    done = preview(tmp_path, "7\n3\n")  # no /quit: the input just ends
    assert done.returncode == 0, done.stderr
    assert "Type a number from 1 to 3 to press a button." in done.stdout
    assert "More about taking part in Getting to appointments" in done.stdout
    assert list((tmp_path / "tmp").iterdir()) == []


def test_preview_of_a_broken_file_says_what_is_wrong(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('title = "No purpose"\n', encoding="utf-8")
    assert main(["preview", str(broken)]) == EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.err.startswith("doingwith: ")
    assert "Rehearsing" not in captured.out
    assert main(["preview", str(tmp_path / "missing.toml")]) == EXIT_USAGE


def test_plain_strips_tags_and_unescapes_entities() -> None:
    assert plain("<b>Question 1 of 6</b>\n<i>Tom &amp; Jerry&#x27;s</i> &lt;3") == (
        "Question 1 of 6\nTom & Jerry's <3"
    )
