"""Every text a person reads: jinja2 templates and button labels, one folder per locale."""

from __future__ import annotations

import hashlib
import re
import tomllib
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

# Telegram counts the limit after entities are parsed; counting the HTML is stricter, so safe.
MESSAGE_LIMIT = 4096
_BLANK_LINES = re.compile(r"\n{3,}")


class Texts:
    """Render templates (autoescaped, Telegram HTML) and look up button labels."""

    def __init__(self, locale: str = "en") -> None:
        self.locale = locale
        self.env = Environment(
            loader=PackageLoader("bot", f"templates/{locale}"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["shorten"] = shorten
        labels = resources.files("bot").joinpath(f"templates/{locale}/labels.toml")
        self._labels: dict[str, Any] = tomllib.loads(labels.read_text(encoding="utf-8"))
        self.env.globals["label"] = self.label
        self.env.globals["labels"] = self.labels

    def render(self, name: str, **context: Any) -> str:
        """Render ``templates/<locale>/<name>.html.j2`` to tidy Telegram HTML."""
        text = self.env.get_template(f"{name}.html.j2").render(**context)
        return _BLANK_LINES.sub("\n\n", text).strip()

    def label(self, key: str) -> str:
        """Return a short label (a button, a word) from labels.toml, by dotted key."""
        value: Any = self._labels
        for part in key.split("."):
            value = value[part]
        if not isinstance(value, str):
            raise KeyError(key)
        return value

    def labels(self, key: str) -> list[str]:
        """Return a list of labels, such as the choices for 'how often'."""
        value: Any = self._labels
        for part in key.split("."):
            value = value[part]
        return [str(v) for v in value]


@cache
def texts(locale: str = "en") -> Texts:
    return Texts(locale)


def shorten(value: str, limit: int = 300) -> str:
    """Cut long text at a word boundary for a summary; the full text stays stored."""
    if len(value) <= limit:
        return value
    cut = value[:limit].rsplit(" ", 1)[0] or value[:limit]
    return cut.rstrip() + "…"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split rendered HTML into messages under the limit, at paragraph or line breaks.

    Templates keep each tag within one line, so a break between lines never cuts a tag.
    A single line longer than the limit is cut at a space (or hard), avoiding entities.
    """
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            amp = line.rfind("&", 0, cut)
            if amp != -1 and ";" not in line[amp:cut]:
                cut = amp  # never split an &entity;
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:cut])
            line = line[cut:].lstrip(" ")
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        chunks.append(current)
    return [c.strip("\n") for c in chunks if c.strip()]
