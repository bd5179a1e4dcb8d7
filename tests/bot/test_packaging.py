"""Every data file the code reads at run time is installed with the package."""

from __future__ import annotations

import tomllib
from pathlib import PurePosixPath

from tests.conftest import ROOT


def test_package_data_covers_every_non_python_file() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_data: dict[str, list[str]] = config["tool"]["setuptools"]["package-data"]
    for package in ("bot", "storage", "conversations", "handlers", "chat", "domain"):
        patterns = package_data.get(package, [])
        for path in (ROOT / package).rglob("*"):
            if path.is_dir() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
                continue
            relative = PurePosixPath(path.relative_to(ROOT / package).as_posix())
            assert any(relative.match(p) for p in patterns), f"{package}/{relative} not installed"


def test_readme_starts_with_the_two_set_up_commands() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    blocks = [i for i, line in enumerate(lines[:12]) if line.startswith("```sh")]
    assert len(blocks) == 2
    run, test = lines[blocks[0] + 1], lines[blocks[1] + 1]
    assert "doingwith run" in run
    assert "pip install" in run
    assert "pytest" in test
    assert "pip install" in test
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test in ci, "CI must run README's test command"


def test_readme_tables_have_no_blank_line_inside() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    gaps = [
        n + 1
        for n in range(1, len(lines) - 1)
        if not lines[n].strip() and lines[n - 1].startswith("|") and lines[n + 1].startswith("|")
    ]
    assert gaps == [], f"a blank line splits a table at README line(s) {gaps}"


def test_readme_says_which_python() -> None:
    assert "Python 3.11 or newer" in (ROOT / "README.md").read_text(encoding="utf-8")
