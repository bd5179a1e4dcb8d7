"""Starting the bot loads only what serving people needs."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_start_up_does_not_load_charts_or_posters() -> None:
    # matplotlib and Pillow are most of the memory a fresh process holds (about 45 MB of
    # 93 MB when they were imported at start); only /stats and /invite need them.
    code = (
        "import sys, bot.app, bot.cli; "
        "print(sorted(m for m in ('matplotlib', 'PIL', 'segno') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
