"""Read a workshop from a TOML file, with messages that name the field at fault."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from domain.errors import DoingwithError
from domain.texts import SOURCE_LANGUAGE, Texts, canonical, languages, texts
from domain.translations import (
    LISTS,
    QUESTION_TEXTS,
    WORKSHOP_OPTIONAL,
    WORKSHOP_TEXTS,
    keep_complete,
    rebase,
)
from domain.workshop_fields import OPTIONAL_FIELDS, FieldError, parse_field
from storage.kinds import EngagementLevel, QuestionKind
from storage.models import SupportContact
from storage.workshops import NewAboutQuestion, NewQuestion, NewWorkshop

BUILT_IN_SETS = ("what-matters",)
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})?$")
TITLE_LIMIT = 120
TEXT_LIMIT = 1500


class WorkshopFileError(DoingwithError):
    """The workshop file cannot be used; the message says where and why."""


@dataclass(frozen=True, slots=True)
class _Source:
    path: Path
    lines: list[str]
    table: str | None = None  # inside the index-th [[table]] of the file
    index: int = 0

    def within(self, table: str, index: int) -> _Source:
        return _Source(self.path, self.lines, table, index)

    def _span(self) -> tuple[int, int]:
        """First and last line numbers (0-based, end exclusive) to look for fields in."""
        if self.table is None:
            return 0, len(self.lines)
        header = re.compile(rf"^\s*\[\[\s*{re.escape(self.table)}\s*\]\]")
        starts = [i for i, line in enumerate(self.lines) if header.match(line)]
        if self.index >= len(starts):
            return 0, 0
        start = starts[self.index] + 1
        end = next(
            (i for i in range(start, len(self.lines)) if self.lines[i].lstrip().startswith("[")),
            len(self.lines),
        )
        return start, end

    def where(self, field: str) -> str:
        pattern = re.compile(rf"^\s*{re.escape(field)}\s*=")
        start, end = self._span()
        for number in range(start, end):
            if pattern.match(self.lines[number]):
                return f"{self.path.name}, line {number + 1}, field '{field}'"
        return f"{self.path.name}, field '{field}'"


def load_question_set(name: str, language: str = SOURCE_LANGUAGE) -> tuple[NewQuestion, ...]:
    """Return a built-in question set, such as 'what-matters', written in ``language`` where
    the set has it (its other languages stay as translations)."""
    if name not in BUILT_IN_SETS:
        raise WorkshopFileError(
            f"question_set: {name!r} is not a built-in set ({', '.join(BUILT_IN_SETS)})."
        )
    raw = (
        resources.files("domain")
        .joinpath(f"question_sets/{name}.toml")
        .read_text(encoding="utf-8")
    )
    data = tomllib.loads(raw)
    source = _Source(Path(f"{name}.toml"), raw.splitlines())
    return tuple(
        rebase(q, SOURCE_LANGUAGE, language) for q in _questions(data["questions"], source)
    )


def load_workshop_file(path: str | Path) -> NewWorkshop:
    """Parse and validate a workshop file."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise WorkshopFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise WorkshopFileError(f"{path} is not UTF-8 text.") from exc
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise WorkshopFileError(f"{path.name} is not valid TOML: {exc}") from exc
    return parse_workshop(data, _Source(path, raw.splitlines()))


def parse_workshop(data: dict[str, Any], source: _Source) -> NewWorkshop:
    """A new workshop from a file's fields, with every translation it gives (complete or
    not: :func:`domain.translations.keep_complete` decides which are kept)."""
    known = {
        "title", "purpose", "engagement_level", "can_change", "cannot_change", "who_decides",
        "decide_by", "hear_back", "timezone", "retention_days", "ground_rules", "support",
        "question_set", "questions", "about_you", "update_cadence_days", "quiet_start",
        "quiet_end", "contact", "offline_way_in", "language", "translations",
    }  # fmt: skip
    unknown = sorted(set(data) - known)
    if unknown:
        raise WorkshopFileError(f"{source.where(unknown[0])}: unknown field.")

    language = _language(data.get("language", SOURCE_LANGUAGE), source.where("language"))
    defaults = texts(language).labels
    title = _text(data, "title", source, limit=TITLE_LIMIT)
    level = _text(data, "engagement_level", source)
    if level not in tuple(EngagementLevel):
        raise WorkshopFileError(
            f"{source.where('engagement_level')}: must be one of {', '.join(EngagementLevel)}."
        )
    timezone = _text(data, "timezone", source, default="Europe/London")
    if timezone not in available_timezones():
        raise WorkshopFileError(f"{source.where('timezone')}: unknown time zone.")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise WorkshopFileError(f"{source.where('timezone')}: unknown time zone.") from exc
    retention = data.get("retention_days", 365)
    if not isinstance(retention, int) or isinstance(retention, bool) or not 1 <= retention <= 3650:
        raise WorkshopFileError(
            f"{source.where('retention_days')}: must be a whole number of days from 1 to 3650."
        )

    cadence = data.get("update_cadence_days", 14)
    if not isinstance(cadence, int) or isinstance(cadence, bool) or not 1 <= cadence <= 365:
        raise WorkshopFileError(
            f"{source.where('update_cadence_days')}: a whole number of days from 1 to 365."
        )
    quiet = {}
    for name, default in (("quiet_start", "21:00"), ("quiet_end", "09:00")):
        try:
            quiet[name] = parse_field(name, str(data.get(name, default)))
        except FieldError:
            raise WorkshopFileError(f'{source.where(name)}: a time of day like "21:00".') from None
    if "questions" in data and "question_set" in data:
        raise WorkshopFileError(
            f"{source.where('question_set')}: use either question_set or [[questions]], not both."
        )
    if "questions" in data:
        questions = _questions(data["questions"], source)
    else:
        questions = load_question_set(
            _text(data, "question_set", source, default="what-matters"), language
        )

    support_raw = data.get("support")
    if support_raw is None:
        support = tuple(SupportContact(n, c) for n, c in default_support(texts(language)))
    else:
        support = _support(support_raw, source)

    new = NewWorkshop(
        title=title,
        purpose=_text(data, "purpose", source),
        engagement_level=EngagementLevel(level),
        can_change=_text_list(data, "can_change", source),
        cannot_change=_text_list(data, "cannot_change", source),
        who_decides=_text(data, "who_decides", source),
        decide_by=_text(data, "decide_by", source),
        hear_back=_text(data, "hear_back", source),
        support=support,
        ground_rules=_text_list(
            data, "ground_rules", source, default=tuple(defaults("defaults.ground_rules"))
        ),
        questions=questions,
        timezone=timezone,
        retention_days=retention,
        update_cadence_days=cadence,
        about_you=_about_you(data.get("about_you", []), source),
        **quiet,
        contact=_optional_text(data, "contact", source),
        offline_way_in=_optional_text(data, "offline_way_in", source),
        language=language,
        translations=_with_defaults(
            _translations(data.get("translations", {}), source),
            rules="ground_rules" in data,
            support="support" in data,
        ),
    )
    return keep_complete(new, own_questions="questions" in data)


def default_support(t: Texts) -> list[tuple[str, str]]:
    """The support contacts a workshop has when its file names none: (name, contact)."""
    return list(
        zip(t.labels("defaults.support_names"), t.labels("defaults.support_contacts"), strict=True)
    )


def _with_defaults(
    translations: dict[str, dict[str, Any]], *, rules: bool, support: bool
) -> dict[str, dict[str, Any]]:
    """Ground rules and support contacts left to the defaults come in each translation's
    language too (where the bot speaks it)."""
    found = {}
    for code, words in translations.items():
        defaults: dict[str, Any] = {}
        if code in languages():
            t = texts(code)
            if not rules:
                defaults["ground_rules"] = t.labels("defaults.ground_rules")
            if not support:
                defaults["support"] = [{"name": n, "contact": c} for n, c in default_support(t)]
        found[code] = {**defaults, **words}
    return found


def _language(code: object, where: str) -> str:
    """A language code such as 'en', 'pl' or 'pt-BR', as catalogs name it ('pt_BR')."""
    if isinstance(code, str) and _LANGUAGE.match(code):
        found = canonical(code)
        if found is not None:
            return found
    raise WorkshopFileError(f'{where}: a language code such as "en" or "pl".')


def _translations(raw: object, source: _Source) -> dict[str, dict[str, Any]]:
    """``[translations.<code>]``: the workshop's texts in another language."""
    where = f"{source.path.name}, [translations]"
    if not isinstance(raw, dict):
        raise WorkshopFileError(f"{where}: a table per language, like [translations.pl].")
    found: dict[str, dict[str, Any]] = {}
    for code, words in raw.items():
        here = f"{source.path.name}, [translations.{code}]"
        code = _language(code, here)
        if not isinstance(words, dict):
            raise WorkshopFileError(f"{here}: a table of the workshop's texts.")
        extra = sorted(set(words) - {*WORKSHOP_TEXTS, *WORKSHOP_OPTIONAL, "support"})
        if extra:
            raise WorkshopFileError(f"{here}, field '{extra[0]}': unknown field.")
        found[code] = {
            name: _support_words(value, here)
            if name == "support"
            else _translated(value, name, here)
            for name, value in words.items()
        }
    return found


def _support_words(value: object, where: str) -> list[dict[str, str]]:
    """``support = [{name = ..., contact = ...}, ...]`` in a translation, as in the file."""
    if isinstance(value, list) and all(
        isinstance(s, dict) and set(s) == {"name", "contact"} for s in value
    ):
        return [
            {
                "name": _one_text(s["name"], "name", where, 200),
                "contact": _one_text(s["contact"], "contact", where, 300),
            }
            for s in value
        ]
    raise WorkshopFileError(f"{where}, field 'support': a list of {{name, contact}} tables.")


def _translated(value: object, name: str, where: str) -> str | list[str]:
    limit = TITLE_LIMIT if name == "title" else TEXT_LIMIT
    if name in LISTS:
        if isinstance(value, list) and all(
            isinstance(v, str) and v.strip() and len(v) <= limit for v in value
        ):
            return [v.strip() for v in value]
        raise WorkshopFileError(f"{where}, field '{name}': a list of texts.")
    return _one_text(value, name, where, limit)


def _one_text(value: object, name: str, where: str, limit: int) -> str:
    if isinstance(value, str) and value.strip() and len(value) <= limit:
        return value.strip()
    raise WorkshopFileError(f"{where}, field '{name}': some text, at most {limit} characters.")


def parse_question_file(
    raw: str, name: str
) -> tuple[tuple[NewQuestion, ...], tuple[NewAboutQuestion, ...]]:
    """Questions (and optional "about you" questions) from an uploaded TOML file."""
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise WorkshopFileError(f"{name} is not valid TOML: {exc}") from exc
    source = _Source(Path(name), raw.splitlines())
    if "questions" not in data:
        raise WorkshopFileError(f"{name}: no [[questions]] tables found.")
    return _questions(data["questions"], source), _about_you(data.get("about_you", []), source)


def _about_you(raw: Any, source: _Source) -> tuple[NewAboutQuestion, ...]:
    """Optional questions about who is taking part, each with options and target shares."""
    if not isinstance(raw, list):
        raise WorkshopFileError(f"{source.path.name}: use [[about_you]] tables.")
    found = []
    keys: set[str] = set()
    for number, item in enumerate(raw, start=1):
        entry = source.within("about_you", number - 1)
        where = f"{source.path.name}, about_you {number}"
        if not isinstance(item, dict):
            raise WorkshopFileError(f"{where}: must be an [[about_you]] table.")
        extra = sorted(set(item) - {"key", "prompt", "options", "targets", "translations"})
        if extra:
            raise WorkshopFileError(
                f"{entry.where(extra[0])} (about_you {number}): unknown field."
            )
        key = item.get("key")
        if not isinstance(key, str) or not _KEY.match(key) or key in keys:
            raise WorkshopFileError(
                f"{entry.where('key')} (about_you {number}): a new lower-case name, e.g. 'age'."
            )
        keys.add(key)
        prompt = item.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip() or len(prompt) > 300:
            raise WorkshopFileError(
                f"{entry.where('prompt')} (about_you {number}): some text, at most 300 chars."
            )
        options = item.get("options")
        if (
            not isinstance(options, list)
            or not 2 <= len(options) <= 12
            or not all(isinstance(o, str) and 0 < len(o) <= 60 for o in options)
        ):
            raise WorkshopFileError(
                f"{entry.where('options')} (about_you {number}): 2 to 12 short texts."
            )
        targets = item.get("targets", {})
        if not isinstance(targets, dict) or any(
            k not in options or not isinstance(v, int | float) or not 0 <= v <= 100
            for k, v in targets.items()
        ):
            raise WorkshopFileError(
                f"{entry.where('targets')} (about_you {number}):"
                " option = percent (0 to 100), for listed options."
            )
        found.append(
            NewAboutQuestion(
                key=key,
                prompt=prompt.strip(),
                options=tuple(options),
                targets={k: float(v) for k, v in targets.items()},
                translations=_question_translations(
                    item.get("translations", {}), where, fields=("prompt", "options")
                ),
            )
        )
    return tuple(found)


def _text(
    data: dict[str, Any],
    field: str,
    source: _Source,
    *,
    default: str | None = None,
    limit: int = TEXT_LIMIT,
) -> str:
    value = data.get(field, default)
    if value is None:
        raise WorkshopFileError(f"{source.path.name}: the field '{field}' is missing.")
    if not isinstance(value, str) or not value.strip():
        raise WorkshopFileError(f"{source.where(field)}: must be some text in quotes.")
    if len(value) > limit:
        raise WorkshopFileError(f"{source.where(field)}: at most {limit} characters, please.")
    return value.strip()


def _optional_text(data: dict[str, Any], field: str, source: _Source) -> str:
    """A text that may be left out ("" then); if given, not blank and within its limit."""
    if field not in data:
        return ""
    return _text(data, field, source, limit=OPTIONAL_FIELDS[field])


def _text_list(
    data: dict[str, Any], field: str, source: _Source, *, default: tuple[str, ...] | None = None
) -> tuple[str, ...]:
    value = data.get(field, default)
    if value is None:
        raise WorkshopFileError(f"{source.path.name}: the field '{field}' is missing.")
    if (
        not isinstance(value, list | tuple)
        or not value
        or not all(isinstance(v, str) and v.strip() for v in value)
    ):
        raise WorkshopFileError(
            f'{source.where(field)}: must be a list of texts, e.g. ["one", "two"].'
        )
    if any(len(v) > TEXT_LIMIT for v in value):
        raise WorkshopFileError(f"{source.where(field)}: each item at most {TEXT_LIMIT} chars.")
    return tuple(v.strip() for v in value)


def _support(raw: Any, source: _Source) -> tuple[SupportContact, ...]:
    if not isinstance(raw, list) or not raw:
        raise WorkshopFileError(f"{source.where('support')}: use [[support]] tables.")
    contacts = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or set(item) != {"name", "contact"}:
            raise WorkshopFileError(
                f"{source.path.name}, [[support]]: each needs exactly 'name' and 'contact'."
            )
        entry = source.within("support", index)
        contacts.append(
            SupportContact(
                name=_text(item, "name", entry, limit=200),
                contact=_text(item, "contact", entry, limit=300),
            )
        )
    return tuple(contacts)


def _questions(raw: Any, source: _Source) -> tuple[NewQuestion, ...]:
    if not isinstance(raw, list) or not raw:
        raise WorkshopFileError(f"{source.path.name}, [[questions]]: at least one question.")
    if len(raw) > 50:
        raise WorkshopFileError(f"{source.path.name}, [[questions]]: at most 50 questions.")
    seen: set[str] = set()
    questions = []
    for number, item in enumerate(raw, start=1):
        entry = source.within("questions", number - 1)
        where = f"{source.path.name}, question {number}"
        if not isinstance(item, dict):
            raise WorkshopFileError(f"{where}: must be a [[questions]] table.")
        extra = sorted(set(item) - {"key", "kind", "prompt", "hint", "options", "translations"})
        if extra:
            raise WorkshopFileError(f"{entry.where(extra[0])} (question {number}): unknown field.")
        key = item.get("key")
        if not isinstance(key, str) or not _KEY.match(key):
            raise WorkshopFileError(
                f"{entry.where('key')} (question {number}):"
                " lower-case letters, digits and _ (e.g. 'good_at')."
            )
        if key in seen:
            raise WorkshopFileError(
                f"{entry.where('key')} (question {number}): {key!r} is used twice."
            )
        seen.add(key)
        raw_kind = item.get("kind", QuestionKind.TEXT.value)
        if raw_kind not in tuple(QuestionKind):
            raise WorkshopFileError(
                f"{entry.where('kind')} (question {number}):"
                f" must be one of {', '.join(QuestionKind)}."
            )
        kind = QuestionKind(raw_kind)
        prompt = item.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip() or len(prompt) > 1000:
            raise WorkshopFileError(
                f"{entry.where('prompt')} (question {number}): some text, at most 1000 chars."
            )
        hint = item.get("hint", "")
        if not isinstance(hint, str) or len(hint) > 1000:
            raise WorkshopFileError(
                f"{entry.where('hint')} (question {number}): text, at most 1000 chars."
            )
        options = item.get("options", [])
        if not isinstance(options, list) or not all(
            isinstance(o, str) and 0 < len(o) <= 60 for o in options
        ):
            raise WorkshopFileError(
                f"{entry.where('options')} (question {number}):"
                " a list of short texts (60 characters at most)."
            )
        if kind is QuestionKind.CHOICE and not 2 <= len(options) <= 12:
            raise WorkshopFileError(
                f"{entry.where('options')} (question {number}): a choice needs 2 to 12 options."
            )
        if kind is QuestionKind.SCALE and len(options) not in (0, 2):
            raise WorkshopFileError(
                f"{entry.where('options')} (question {number}):"
                " a scale takes two labels (for 1 and for 5), or none."
            )
        if kind in (QuestionKind.TEXT, QuestionKind.RELATIONSHIPS) and options:
            raise WorkshopFileError(
                f"{entry.where('options')} (question {number}): only for choice and scale."
            )
        questions.append(
            NewQuestion(
                key=key,
                kind=kind,
                prompt=prompt.strip(),
                hint=hint.strip(),
                options=tuple(options),
                translations=_question_translations(item.get("translations", {}), where),
            )
        )
    return tuple(questions)


def _question_translations(
    raw: object, where: str, fields: tuple[str, ...] = QUESTION_TEXTS
) -> dict[str, dict[str, Any]]:
    """``[questions.translations.<code>]``: a question's prompt, hint and options."""
    if not isinstance(raw, dict):
        raise WorkshopFileError(f"{where}, translations: a table per language.")
    found: dict[str, dict[str, Any]] = {}
    for code, words in raw.items():
        here = f"{where}, translations.{code}"
        code = _language(code, here)
        if not isinstance(words, dict):
            raise WorkshopFileError(f"{here}: a table with prompt, hint and options.")
        extra = sorted(set(words) - set(fields))
        if extra:
            raise WorkshopFileError(f"{here}, field '{extra[0]}': unknown field.")
        found[code] = {name: _translated(words[name], name, here) for name in words}
    return found
