"""Every text a person reads, from jinja2 templates, in the person's language.

Messages are ``templates/<name>.html.j2`` (Telegram HTML, autoescaped); a name may have
folders (``journey/welcome``). Short texts (button labels, command descriptions, list items)
are ``templates/labels/<section>.txt.j2``: a label is a ``{% set %}`` (a text or a list) or,
when it takes values, a ``{% macro %}``. Label files are not HTML and are not escaped:
Telegram shows a button's text as it is. A message that shows a label escapes it like any
other value.

The templates are written in English and mark their words for translation (``{% trans %}``,
``_()``); each other language is one gettext catalog, ``locale/<code>/LC_MESSAGES/messages.po``,
read with Babel when first used, so a translator's edit needs no build step.
"""

from __future__ import annotations

import gettext
import hashlib
import html
import io
import re
from datetime import datetime
from functools import cache, lru_cache, partial
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateNotFound, select_autoescape
from jinja2.runtime import Macro

from domain.translations import localise

# Telegram counts the limit after entities are parsed; counting the HTML is stricter, so safe.
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
BUTTON_LIMIT = 64
MESSAGES = ".html.j2"
LABELS = ".txt.j2"
LABEL_FOLDER = "labels"
_BLANK_LINES = re.compile(r"\n{3,}")
_SECTION = re.compile(r"[a-z][a-z0-9_]*")
# The language the templates are written in; every other language is a catalog.
SOURCE_LANGUAGE = "en"
LOCALE_FOLDER = "locale"
STAFF_FOLDER = "facilitator/"
CATALOG = "messages.po"


class Texts:
    """Render message templates (autoescaped Telegram HTML) and look up labels."""

    def __init__(self, language: str = SOURCE_LANGUAGE) -> None:
        self.language = language
        self.env = Environment(
            loader=PackageLoader("domain", "templates"),
            extensions=["jinja2.ext.i18n"],
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
        # One paragraph of a template may run over several lines; its catalog entry is one.
        self.env.policies["ext.i18n.trimmed"] = True
        self.env.install_gettext_translations(  # type: ignore[attr-defined]  # added by i18n
            _translations(language), newstyle=True
        )
        self.env.filters["shorten"] = shorten
        self.env.filters["number"] = partial(number, language=language)
        self.env.filters["local_time"] = partial(local_time, language=language)
        self.env.filters["local_when"] = partial(local_when, language=language)
        self.env.globals["label"] = self.label
        self.env.globals["labels"] = self.labels
        self.env.globals["as_read"] = self.as_read
        self._sections: dict[str, dict[str, Any]] = {}

    def render(self, name: str, /, **context: Any) -> str:
        """Render ``templates/<name>.html.j2`` to tidy Telegram HTML.

        A workshop or question given to a participant's message is shown in this language
        where the workshop has it (domain.translations); facilitators' messages show a
        workshop as it was written, the words they manage.
        """
        if not name.startswith(STAFF_FOLDER):
            context = {key: localise(value, self.language) for key, value in context.items()}
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

    def as_written(self, key: str, label: str) -> str:
        """A tapped choice of a list (``relationships.support``) as the source language has
        it: what is stored, whatever language the person reads."""
        shown = self.labels(key)
        return texts(SOURCE_LANGUAGE).labels(key)[shown.index(label)] if label in shown else label

    def as_read(self, key: str, stored: str) -> str:
        """A stored choice of a list in this language; words a person typed as they are."""
        written = texts(SOURCE_LANGUAGE).labels(key)
        return self.labels(key)[written.index(stored)] if stored in written else stored

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


def texts(language: str = SOURCE_LANGUAGE) -> Texts:
    """The shared Texts for a language (templates are compiled once per language).

    A language without a complete catalog gets the source language's texts.
    """
    return _texts(language if language in languages() else SOURCE_LANGUAGE)


_PART_WORD = re.compile(r"\S+$")


@cache
def _texts(language: str) -> Texts:
    return Texts(language)


@cache
def languages() -> tuple[str, ...]:
    """The languages people can be spoken to in: English and every complete catalog.

    A catalog with an entry not yet translated, or marked fuzzy (a translator must look
    again), is left out until it is finished, so nobody gets half a language.
    """
    found = [SOURCE_LANGUAGE]
    folder = resources.files("domain").joinpath(LOCALE_FOLDER)
    if folder.is_dir():
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            catalog = entry.joinpath("LC_MESSAGES", CATALOG)
            if catalog.is_file() and not unfinished(entry.name):
                found.append(entry.name)
    return tuple(found)


def read_catalog(language: str) -> Any:
    """The Babel catalog of a language, as its translators left it."""
    path = resources.files("domain").joinpath(LOCALE_FOLDER, language, "LC_MESSAGES", CATALOG)
    with path.open("rb") as file:
        return read_po(file, locale=language)


def unfinished(language: str) -> list[str]:
    """The English texts a language's catalog does not translate yet (or marks fuzzy)."""
    missing = []
    for message in read_catalog(language):
        if not message.id:
            continue  # the header
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def _translations(language: str) -> gettext.NullTranslations:
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    compiled = io.BytesIO()
    write_mo(compiled, read_catalog(language))
    compiled.seek(0)
    return Translations(compiled)


@lru_cache(maxsize=512)  # asked on every message; Locale.parse is the slow part
def canonical(code: str) -> str | None:
    """A language code as catalogs are named ('pl', 'pt_BR'), from Telegram's or a file's
    ('pl', 'pt-br', 'PT_br'); None if Babel knows no such language."""
    try:
        return str(Locale.parse(code.strip().replace("-", "_")))
    except (ValueError, TypeError, UnknownLocaleError):
        return None


def best_language(code: str | None, available: tuple[str, ...] | None = None) -> str | None:
    """The language to speak to someone whose Telegram is set to ``code`` ('pl', 'pt-br'),
    if there is a complete catalog for it: that language, else its main one ('pt')."""
    if not code:
        return None
    available = available if available is not None else languages()
    exact = canonical(code)
    main = canonical(code.strip().replace("_", "-").split("-", 1)[0])
    for candidate in (exact, main):
        if candidate is not None and candidate in available:
            return candidate
    return None


def language_name(code: str) -> str:
    """A language named in itself, as a button offers it: 'Polski', 'English'."""
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:]


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


def number(value: int, language: str = SOURCE_LANGUAGE) -> str:
    """A count as the language writes it: '20,000' in English, '20 000' in Polish."""
    return format_decimal(value, locale=language)


def local_time(stamp: str, timezone: str, language: str = SOURCE_LANGUAGE) -> str:
    """A stored UTC time as a person in the workshop's time zone reads it: '3 Nov 14:02'."""
    moment = datetime.fromisoformat(stamp).astimezone(ZoneInfo(timezone))
    if language == SOURCE_LANGUAGE:
        return f"{moment.day} {moment:%b %H:%M}"
    return format_datetime(moment, "d MMM HH:mm", locale=language)


def local_when(stamp: str, timezone: str, language: str = SOURCE_LANGUAGE) -> str:
    """A stored UTC time as a full local date: 'Thursday 3 December at 14:00'."""
    moment = datetime.fromisoformat(stamp).astimezone(ZoneInfo(timezone))
    if language == SOURCE_LANGUAGE:
        return f"{moment:%A} {moment.day} {moment:%B at %H:%M}"
    return format_datetime(moment, "EEEE d MMMM, HH:mm", locale=language)


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
