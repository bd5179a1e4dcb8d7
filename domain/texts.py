"""Every text a person reads: jinja2 templates and button labels, one folder per locale."""

from __future__ import annotations

import hashlib
import html
import re
import tomllib
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined

# Telegram counts the limit after entities are parsed; counting the HTML is stricter, so safe.
MESSAGE_LIMIT = 4096
_BLANK_LINES = re.compile(r"\n{3,}")


class Texts:
    """Render templates (autoescaped, Telegram HTML) and look up button labels."""

    def __init__(self, locale: str = "en") -> None:
        self.locale = locale
        self.env = Environment(
            loader=PackageLoader("domain", f"templates/{locale}"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["shorten"] = shorten
        self.env.filters["local_time"] = local_time
        self.env.filters["local_when"] = local_when
        labels = resources.files("domain").joinpath(f"templates/{locale}/labels.toml")
        self._labels: dict[str, Any] = tomllib.loads(labels.read_text(encoding="utf-8"))
        self.env.globals["label"] = self.label
        self.env.globals["labels"] = self.labels

    def render(self, name: str, /, **context: Any) -> str:
        """Render ``templates/<locale>/<name>.html.j2`` to tidy Telegram HTML."""
        text = self.env.get_template(f"{name}.html.j2").render(**context)
        return _BLANK_LINES.sub("\n\n", text).strip()

    def plain(self, name: str, /, **context: Any) -> str:
        """Render a template as plain text (for pictures and files, not messages)."""
        return html.unescape(_TAG.sub("", self.render(name, **context)))

    def label(self, key: str, /, **values: object) -> str:
        """Return a short label (a button, a word) from labels.toml, by dotted key."""
        value: Any = self._labels
        for part in key.split("."):
            value = value[part]
        if not isinstance(value, str):
            raise KeyError(key)
        return value.format(**values) if values else value

    def labels(self, key: str) -> list[str]:
        """Return a list of labels, such as the choices for 'how often'."""
        value: Any = self._labels
        for part in key.split("."):
            value = value[part]
        if not isinstance(value, list):
            raise KeyError(key)
        return [str(v) for v in value]


def texts(locale: str = "en") -> Texts:
    """The shared Texts for a locale (templates are compiled once)."""
    return _texts(locale)


@cache
def _texts(locale: str) -> Texts:
    return Texts(locale)


def shorten(value: str, limit: int = 300) -> str:
    """Cut long text at a word boundary for a summary; the full text stays stored."""
    if len(value) <= limit:
        return value
    cut = value[:limit].rsplit(" ", 1)[0] or value[:limit]
    return cut.rstrip() + "…"


def local_time(stamp: str, timezone: str) -> str:
    """A stored UTC time as a person in the workshop's time zone reads it: '3 Nov 14:02'."""
    moment = datetime.fromisoformat(stamp).astimezone(ZoneInfo(timezone))
    return f"{moment.day} {moment:%b %H:%M}"


def local_when(stamp: str, timezone: str) -> str:
    """A stored UTC time as a full local date: 'Thursday 3 December at 14:00'."""
    moment = datetime.fromisoformat(stamp).astimezone(ZoneInfo(timezone))
    return f"{moment:%A} {moment.day} {moment:%B at %H:%M}"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z-]*)[^>]*>")
# Room kept at the end of a part for the closing tags it needs.
_TAG_ROOM = 80


def _open_tags(html: str) -> list[tuple[str, str]]:
    """The tags still open at the end of ``html``, as (opening tag, name), outermost first."""
    stack: list[tuple[str, str]] = []
    for match in _TAG.finditer(html):
        name = match.group(2).lower()
        if not match.group(1):
            stack.append((match.group(0), name))
            continue
        for i in range(len(stack) - 1, -1, -1):
            if stack[i][1] == name:
                del stack[i]
                break
    return stack


def _cut_point(body: str, start: int, window: int) -> int:
    """Where to end a part: a paragraph, line or word break, never inside a tag or entity."""
    cut = -1
    for sep in ("\n\n", "\n", " "):
        found = body.rfind(sep, start, window)
        if found > start + (window - start) // 3:
            cut = found
            break
    if cut <= start:
        cut = window
    lt, gt = body.rfind("<", start, cut), body.rfind(">", start, cut)
    if lt > gt:
        cut = lt
    amp = body.rfind("&", start, cut)
    if amp != -1 and ";" not in body[amp:cut] and cut - amp <= 12:
        cut = amp
    return cut if cut > start else window


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split rendered HTML into parts under the limit, each with balanced tags.

    Parts end at a paragraph, line or word break where one is near; a tag still open at a
    cut is closed at the end of the part and opened again at the start of the next.
    """
    parts: list[str] = []
    carry = ""  # tags reopened at the start of the next part
    rest = text
    while len(carry) + len(rest) > limit:
        body = carry + rest
        room = min(_TAG_ROOM, limit // 4)
        cut = _cut_point(body, len(carry), max(limit - room, len(carry) + 1))
        head, rest = body[:cut], body[cut:].lstrip(" \n")
        stack = _open_tags(head)
        parts.append(head.rstrip() + "".join(f"</{name}>" for _, name in reversed(stack)))
        carry = "".join(tag for tag, _ in stack)
    parts.append(carry + rest)
    return [p.strip("\n") for p in parts if _TAG.sub("", p).strip()]
