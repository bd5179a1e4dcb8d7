"""Every text a person reads, from jinja2 templates, one folder per locale.

Messages are ``templates/<locale>/<name>.html.j2`` (Telegram HTML, autoescaped); a name may
have folders (``journey/welcome``). Short texts (button labels, command descriptions, list
items) are ``templates/<locale>/labels/<section>.txt.j2``: a label is a ``{% set %}`` (a text
or a list) or, when it takes values, a ``{% macro %}``. Label files are not HTML and are not
escaped: Telegram shows a button's text as it is. A message that shows a label escapes it
like any other value.
"""

from __future__ import annotations

import hashlib
import html
import re
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateNotFound, select_autoescape
from jinja2.runtime import Macro

# Telegram counts the limit after entities are parsed; counting the HTML is stricter, so safe.
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
BUTTON_LIMIT = 64
MESSAGES = ".html.j2"
LABELS = ".txt.j2"
LABEL_FOLDER = "labels"
_BLANK_LINES = re.compile(r"\n{3,}")
_SECTION = re.compile(r"[a-z][a-z0-9_]*")


class Texts:
    """Render message templates (autoescaped Telegram HTML) and look up labels."""

    def __init__(self, locale: str = "en") -> None:
        self.locale = locale
        self.env = Environment(
            loader=PackageLoader("domain", f"templates/{locale}"),
            autoescape=select_autoescape(
                enabled_extensions=(MESSAGES.removeprefix("."),),
                disabled_extensions=(LABELS.removeprefix("."),),
                default_for_string=True,
                default=True,
            ),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["shorten"] = shorten
        self.env.filters["local_time"] = local_time
        self.env.filters["local_when"] = local_when
        self.env.globals["label"] = self.label
        self.env.globals["labels"] = self.labels
        self._sections: dict[str, dict[str, Any]] = {}

    def render(self, name: str, /, **context: Any) -> str:
        """Render ``templates/<locale>/<name>.html.j2`` to tidy Telegram HTML."""
        text = self.env.get_template(f"{name}{MESSAGES}").render(**context)
        return _BLANK_LINES.sub("\n\n", text).strip()

    def plain(self, name: str, /, **context: Any) -> str:
        """Render a template as plain text (for pictures and files, not messages)."""
        return html.unescape(_TAG.sub("", self.render(name, **context)))

    def label(self, key: str, /, **values: object) -> str:
        """A short text (a button, a word) by ``section.name``, given the values it takes.

        A text (``{% set %}``) comes back as it is; a macro is called with the values it
        takes (others are ignored). A macro asked for without any values gives its pattern
        with str.format placeholders (``"Change {n}"``), for code that fills them in itself.
        """
        value = self._lookup(key)
        if isinstance(value, Macro):
            if not values:
                values = {name: f"{{{name}}}" for name in value.arguments}
            taken = {name: v for name, v in values.items() if name in value.arguments}
            return str(value(**taken)).strip()
        if isinstance(value, str):
            return str(value).strip()
        raise KeyError(key)

    def labels(self, key: str) -> list[str]:
        """A list of labels, such as the choices for 'how often'."""
        value = self._lookup(key)
        if not isinstance(value, list):
            raise KeyError(key)
        return [str(v) for v in value]

    def label_keys(self) -> list[str]:
        """Every label's key (``section.name``), texts, lists and those taking values."""
        folder = self.env.list_templates(filter_func=_is_label_file)
        sections = sorted(n.removeprefix(f"{LABEL_FOLDER}/").removesuffix(LABELS) for n in folder)
        return [f"{s}.{name}" for s in sections for name in sorted(self._section(s))]

    def _lookup(self, key: str) -> Any:
        section, _dot, name = key.partition(".")
        if not name or "." in name:
            raise KeyError(key)
        try:
            return self._section(section)[name.replace("-", "_")]
        except KeyError:
            raise KeyError(key) from None

    def _section(self, section: str) -> dict[str, Any]:
        """The labels of ``labels/<section>.txt.j2``: its top-level sets and macros."""
        if section not in self._sections:
            if not _SECTION.fullmatch(section):
                raise KeyError(section)
            try:
                template = self.env.get_template(f"{LABEL_FOLDER}/{section}{LABELS}")
            except TemplateNotFound:
                raise KeyError(section) from None
            exported = vars(template.module)
            self._sections[section] = {k: v for k, v in exported.items() if not k.startswith("_")}
        return self._sections[section]


def _is_label_file(name: str) -> bool:
    return name.startswith(f"{LABEL_FOLDER}/") and name.endswith(LABELS) and name.count("/") == 1


def texts(locale: str = "en") -> Texts:
    """The shared Texts for a locale (templates are compiled once)."""
    return _texts(locale)


_PART_WORD = re.compile(r"\S+$")


@cache
def _texts(locale: str) -> Texts:
    return Texts(locale)


def shorten(value: str, limit: int = 300) -> str:
    """Cut long text at a word boundary with "…", at most ``limit`` characters in all (a
    summary, a button's label); the full text stays stored. A single word longer than
    the limit is cut inside it."""
    if len(value) <= limit:
        return value
    room = value[: max(limit - 1, 0)]  # one character is the "…"
    if not value[len(room)].isspace():  # the last word in the room is cut: drop it
        room = _PART_WORD.sub("", room) or room
    return room.rstrip(" \t\n,;:–-") + "…"


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
