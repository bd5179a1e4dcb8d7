"""bot/texts.py: templates render escaped Telegram HTML; long texts split safely; labels."""

from __future__ import annotations

import hashlib
import random
import re
import subprocess
import sys
from dataclasses import replace
from typing import Any

import pytest
from jinja2 import ChoiceLoader, DictLoader, meta
from jinja2.runtime import Macro

from domain.texts import (
    BUTTON_LIMIT,
    CAPTION_LIMIT,
    MESSAGE_LIMIT,
    Texts,
    sha256,
    shorten,
    split_message,
    texts,
)
from handlers.facilitator.menus import (
    FACILITATOR_COMMANDS,
    OWNER_COMMANDS,
    PARTICIPANT_COMMANDS,
)
from storage.actions import Action
from storage.audit import AuditEntry
from storage.flags import Flag
from storage.kinds import UpdateKind
from storage.models import (
    AboutQuestion,
    Answer,
    Consent,
    FeedItem,
    Participant,
    Question,
    Relationship,
    SupportContact,
    Theme,
    ThemeCount,
    View,
    Workshop,
)
from storage.sessions import Session
from storage.stats import Figures
from storage.updates import ProgressUpdate

EVIL = '<b>&"x'
ESCAPED = "&lt;b&gt;&amp;&#34;x"

# Tags Telegram's HTML parse mode accepts (those the templates may use).
TELEGRAM_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "blockquote", "tg-spoiler", "span",
}  # fmt: skip
TAG = re.compile(r"<(/?)([a-z-]+)(?:\s[^<>]*)?>")
BAD_AMP = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});)")


def evil_workshop(level: str = "co-design") -> Workshop:
    return Workshop(
        id=1,
        title=f"Title {EVIL}",
        purpose=f"Purpose {EVIL}",
        engagement_level=level,
        can_change=(f"can {EVIL}",),
        cannot_change=(f"cannot {EVIL}",),
        who_decides=f"who {EVIL}",
        decide_by=f"by {EVIL}",
        hear_back=f"hear {EVIL}",
        support=(SupportContact(f"name {EVIL}", f"contact {EVIL}"),),
        ground_rules=(f"rule {EVIL}",),
        timezone="Europe/London",
        retention_days=365,
        invite_code="AbCdEfGhIjKlMnOpQr_-09",
        status="open",
        created_at="2026-01-01T00:00:00+00:00",
        contact=f"Ask {EVIL}",
    )


def question(kind: str = "text", options: tuple[str, ...] = (), position: int = 0) -> Question:
    return Question(
        id=position + 1,
        workshop_id=1,
        position=position,
        key=f"q{position}",
        kind=kind,
        prompt=f"Prompt {EVIL}",
        hint=f"Hint {EVIL}",
        options=options,
    )


def answer(value: Any, *, skipped: bool = False, question_id: int = 1) -> Answer:
    return Answer(question_id=question_id, value=value, skipped=skipped, answered_at="now")


def participant(status: str = "answering", position: int = 2) -> Participant:
    return Participant(
        id=1,
        workshop_id=1,
        telegram_user_id=42,
        pseudonym="P-7F3A",
        status=status,
        position=position,
        changing=False,
        joined_at="then",
        last_seen_at="now",
        submitted_at=None,
    )


def view(text: str, status: str = "shared") -> View:
    return View(id=1, participant_id=1, text=text, status=status, created_at="a", updated_at="b")


W = evil_workshop()


def flag(pseudonym: str | None = "P-7F3A", workshop_id: int | None = 1) -> Flag:
    return Flag(
        id=7,
        workshop_id=workshop_id,
        participant_id=3 if pseudonym else None,
        telegram_user_id=4242,
        pseudonym=pseudonym,
        phrase="kill myself",
        message=f"I want to kill myself {EVIL}",
        raised_at="2025-05-01T12:00:00+00:00",
        handled_by=None,
        handled_at=None,
    )


def audit_entry(id: int = 9, allowed: bool = True, workshop_id: int | None = 1) -> AuditEntry:
    detail = "views@0" if allowed else ""
    return AuditEntry(id, "2025-05-01T12:00:00+00:00", 42, "views", workshop_id, allowed, detail)


RELATIONSHIP_VALUE = {
    "entries": [{"who": f"who {EVIL}", "how_often": f"often {EVIL}", "support": [f"s {EVIL}"]}]
}
DONE = Relationship(who=f"who {EVIL}", how_often=f"often {EVIL}", support=[EVIL], complete=True)
OPEN = Relationship(who=f"who {EVIL}")
Q_BASE: dict[str, Any] = {
    "step": None,
    "entries": [],
    "entry": None,
    "previous": None,
    "limit": 200,
    "own": [],
}
Q = {"number": 2, "total": 6, "changing": False}
REL = question("relationships")
CONSENTS = {
    "take_part": Consent("take_part", True, "h", "button", "now", None),
    "updates": Consent("updates", True, "h", "button", "now", "later"),
}
SECTION = {
    "workshop": W,
    "participant": participant(),
    "consents": {"take_part": Consent("take_part", True, "h", "button", "now", None)},
    "items": [
        (question(), answer(EVIL)),
        (question("relationships", position=1), answer(RELATIONSHIP_VALUE, question_id=2)),
    ],
    "views": [view(f"view {EVIL}")],
}

CLOSED = replace(
    W, status="closed", closing_message=f"closing {EVIL}", closed_at="2026-03-01T09:00:00+00:00"
)
LINK = "https://t.me/doingwith_bot?start=AbCdEfGhIjKlMnOpQr_-09"
AT = "2026-11-03T14:02:00+00:00"


def theme(name: str = f"Theme {EVIL}", theme_id: int = 1) -> Theme:
    return Theme(id=theme_id, workshop_id=1, name=name, created_at="2026-02-01T10:00:00+00:00")


def theme_count(name: str = f"Theme {EVIL}", items: int = 3, participants: int = 2) -> ThemeCount:
    return ThemeCount(theme=theme(name), items=items, views=1, participants=participants)


def feed_item(
    value: Any = f"answer {EVIL}",
    *,
    kind: str = "answer",
    question_kind: str | None = "text",
    position: int | None = 0,
    themes: tuple[str, ...] = (f"Theme {EVIL}", "transport"),
    quote_ok: bool = True,
) -> FeedItem:
    is_view = kind == "view"
    return FeedItem(
        kind=kind,
        id=position + 1 if position is not None else 9,
        pseudonym="P-7F3A",
        question_kind=None if is_view else question_kind,
        question_prompt=None if is_view else f"Prompt {EVIL}",
        question_position=None if is_view else position,
        value=value,
        at=AT,
        themes=themes,
        quote_ok=quote_ok,
    )


def figures(*, consented: int = 8, answers: bool = True) -> Figures:
    return Figures(
        opened=12,
        consented=consented,
        started=min(consented, 6),
        completed=min(consented, 4),
        joined_at=[AT] * consented,
        completed_at=[AT] * min(consented, 4),
        answers_per_question=[(0, f"Prompt {EVIL}", 5, 1), (1, "What would help?", 4, 2)]
        if answers
        else [],
        consents={"take_part": (consented, 2), "updates": (3, 5)},
        views=7,
    )


ABOUT_OPTIONS = (f"option {EVIL}", "Under 25", "25 or over")
ABOUT_TARGETS = {ABOUT_OPTIONS[0]: 20.0, "Under 25": 33.3}


def about_question() -> AboutQuestion:
    return AboutQuestion(
        id=1,
        workshop_id=1,
        position=0,
        key="age",
        prompt=f"About {EVIL}",
        options=ABOUT_OPTIONS,
        targets=ABOUT_TARGETS,
    )


def about_section(*, said: int = 6, not_said: int = 1) -> dict[str, Any]:
    options, targets = ABOUT_OPTIONS, ABOUT_TARGETS
    counts = dict(zip(options, (1, 2, 3), strict=True)) if said else {}
    rows = [
        {
            "option": o,
            "count": counts.get(o, 0),
            "share": round(100 * counts.get(o, 0) / said) if said else None,
            "target": targets.get(o),
        }
        for o in options
    ]
    return {"question": about_question(), "rows": rows, "not_said": not_said, "said": said}


# What /newworkshop has stored in its draft by the time each step is asked.
NW_FIELDS: list[tuple[str, str, Any]] = [
    ("title", "title", f"Title {EVIL}"),
    ("purpose", "purpose", f"Purpose {EVIL}"),
    ("level", "engagement_level", "co-produce"),
    ("can", "can_change", [f"can {EVIL}", "bus routes"]),
    ("cannot", "cannot_change", [f"cannot {EVIL}"]),
    ("who", "who_decides", f"who {EVIL}"),
    ("by", "decide_by", f"by {EVIL}"),
    ("questions", "questions", None),  # none stored: the default questions
    ("timezone", "timezone", "Europe/Dublin"),
    ("retention", "retention_days", 365),
    ("cadence", "update_cadence_days", 14),
]
NW_QUESTIONS = [
    {"key": "q1", "kind": "text", "prompt": f"Prompt {EVIL}", "hint": "", "options": []},
    {"key": "q2", "kind": "choice", "prompt": "Pick", "hint": "", "options": ["a", "b"]},
]


def nw_draft(step: str) -> dict[str, Any]:
    """The draft as the step is asked: every earlier step's value ('confirm': all of them)."""
    draft: dict[str, Any] = {}
    for name, key, value in NW_FIELDS:
        if name == step:
            break
        if value is not None:
            draft[key] = value
    return draft


def nw_step(step: str, number: int, draft: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "step": step,
        "number": number,
        "total": 12,
        "draft": nw_draft(step) if draft is None else draft,
    }


NW_STEPS = [name for name, _key, _value in NW_FIELDS]
FACILITATOR_LINK = "https://t.me/doingwith_bot?start=fac_Zz9Yy8Xx7Ww6Vv5Uu4"
FEED_PAGE = [
    feed_item(f"view {EVIL}", kind="view"),
    feed_item(RELATIONSHIP_VALUE, question_kind="relationships", position=3, quote_ok=False),
    feed_item({"entries": []}, question_kind="relationships", position=3, themes=()),
    feed_item(),
    feed_item(4, question_kind="scale", position=1, themes=()),
]


def views_page(
    items: list[FeedItem],
    *,
    workshop: Workshop = W,
    offset: int = 5,
    total: int = 23,
    which: str = "all",
) -> dict[str, Any]:
    return {
        "workshop": workshop,
        "items": items,
        "offset": offset,
        "total": total,
        "which": which,
        "timezone": workshop.timezone,
    }


# ---- the loop back to people: actions, updates, sessions ------------------------------------

WHEN = "2026-12-03T14:00:00+00:00"


def action(
    title: str = f"Action {EVIL}",
    status: str = "not_possible",
    reason: str | None = f"reason {EVIL}",
    action_id: int = 1,
    themes: tuple[tuple[int, str], ...] = ((1, f"Theme {EVIL}"), (2, "transport")),
) -> Action:
    return Action(
        id=action_id,
        workshop_id=1,
        title=title,
        status=status,
        reason=reason,
        created_at=AT,
        updated_at=AT,
        theme_ids=tuple(theme_id for theme_id, _name in themes),
        theme_names=tuple(name for _theme_id, name in themes),
    )


ACTIONS = [
    action(),
    action("Evening clinic on Tuesdays", "planned", None, 2, ((2, "transport"),)),
    action("Bus stop moved", "in_progress", None, 3, ()),
    action("Ramp at the entrance", "done", None, 4, ()),
]


def update(
    body: str = f"Body {EVIL}",
    *,
    status: str = "sent",
    update_id: int = 1,
    enqueued_at: str | None = WHEN,
    kind: UpdateKind = UpdateKind.PROGRESS,
) -> ProgressUpdate:
    return ProgressUpdate(
        kind=kind,
        id=update_id,
        workshop_id=1,
        body=body,
        status=status,
        send_at=WHEN,
        created_by=42,
        created_at=AT,
        enqueued_at=enqueued_at,
        action_ids=(1, 2),
    )


SESSION = Session(
    id=1,
    workshop_id=1,
    starts_at=WHEN,
    venue=f"Venue {EVIL}",
    accessibility=f"access {EVIL}",
    reminded_at=None,
)
PERSONAL_UPDATE = {
    "workshop": W,
    "body": f"Body {EVIL}",
    "themes": [f"Theme {EVIL}", "transport"],
    "mine": ACTIONS[:2],
    "others": ACTIONS[2:],
    "kind": "progress",
}
GENERAL_UPDATE = {**PERSONAL_UPDATE, "themes": [], "mine": [], "others": ACTIONS}
REMINDER = {**GENERAL_UPDATE, "kind": "reminder", "others": []}
NOTICE = {**REMINDER, "kind": "notice"}
REPORTS = [
    {
        "update": update(),
        "counts": {"sent": 3, "failed": 1},
        "reasons": [("BadRequest: chat not found", 1)],
        "stopped": 2,
        "tally": {"yes": 1, "partly": 0, "no": 2},
        "comments": [("P-7F3A", "no", f"comment {EVIL}"), ("P-0B1C", "partly", "word " * 100)],
    },
    {
        "update": update(f"{EVIL} " + "word " * 40, update_id=2, kind=UpdateKind.NOTICE),
        "counts": {"sent": 1, "pending": 2, "sending": 1, "unreachable": 1},
        "reasons": [("Forbidden: bot was blocked by the user", 1)],
        "stopped": 0,
        "tally": {"yes": 0, "partly": 0, "no": 0},
        "comments": [],
    },
]


# (template, context, shows user text) — every template, and its variants.
MENUS = {"commands": PARTICIPANT_COMMANDS, "staff_commands": FACILITATOR_COMMANDS}
CASES: list[tuple[str, dict[str, Any], bool]] = [
    ("about/declined", {}, False),
    ("about/offer", {"count": 1}, False),
    ("about/offer", {"count": 3}, False),
    ("about/question", {"question": about_question()}, True),
    ("about/thanks", {}, False),
    ("journey/already_submitted", {"workshop": W}, True),
    ("journey/consent_cancelled", {"joined": False}, False),
    ("journey/consent_cancelled", {"joined": True}, False),
    ("journey/consent_more", {"workshop": W}, True),
    ("journey/consent_chosen", {"purpose": "take_part", "workshop": W, "choice": EVIL}, True),
    ("journey/consent_chosen", {"purpose": "quote", "workshop": W, "choice": "Yes"}, False),
    (
        "journey/consent_noted",
        {"purpose": "take_part", "granted": True, "upcoming": "updates"},
        False,
    ),
    ("journey/consent_noted", {"purpose": "updates", "granted": True, "upcoming": "quote"}, False),
    ("journey/consent_noted", {"purpose": "quote", "granted": False, "upcoming": None}, False),
    ("journey/consent_quote", {"workshop": W}, False),
    ("journey/consent_take_part", {"workshop": W}, False),
    ("journey/consent_updates", {"workshop": W}, False),
    ("journey/declined", {"workshop": W}, False),
    ("facilitator/workshop/default_hear_back", {"days": 14}, False),
    ("facilitator/workshop/default_hear_back", {"days": 7}, False),
    ("questions/edit_kept", {"what": "answer"}, False),
    ("questions/edit_not_kept", {}, False),
    ("common/error", {}, False),
    ("common/expired", {}, False),
    ("common/moved_on", {}, False),
    ("questions/caption_kept", {}, False),
    ("journey/consent_changed", {}, False),
    ("questions/relationship_too_long", {"step": "who", "limit": 200, "length": 250}, False),
    ("questions/relationship_too_long", {"step": "often", "limit": 200, "length": 250}, False),
    ("questions/relationship_too_long", {"step": "support", "limit": 200, "length": 1250}, False),
    ("common/expired_nowhere", {}, False),
    ("facilitator/action/saved", {"action": action()}, True),
    ("facilitator/action/saved", {"action": ACTIONS[2]}, False),
    ("facilitator/action/list", {"workshop": W, "actions": ACTIONS}, True),
    ("facilitator/action/list", {"workshop": W, "actions": []}, True),
    ("facilitator/action/ask", {"workshop": W}, True),
    ("facilitator/action/ask_reason", {}, False),
    ("facilitator/action/ask_status", {}, False),
    ("facilitator/action/ask_status", {"action": action()}, True),
    ("facilitator/action/ask_themes", {}, False),
    ("facilitator/workshop/ask_closing", {"workshop": W}, True),
    ("facilitator/workshop/ask_field", {"field": "title", "workshop": W}, True),
    ("facilitator/workshop/ask_field", {"field": "hear_back", "workshop": W}, True),
    ("facilitator/workshop/ask_field", {"field": "can_change", "workshop": W}, True),
    ("facilitator/workshop/ask_field", {"field": "cannot_change", "workshop": W}, True),
    ("facilitator/workshop/ask_field", {"field": "retention_days", "workshop": W}, True),
    ("facilitator/workshop/ask_field", {"field": "update_cadence_days", "workshop": W}, True),
    ("facilitator/workshop/ask_field", {"field": "timezone", "workshop": W}, True),
    ("facilitator/session/ask_access", {}, False),
    ("facilitator/session/ask_venue", {}, False),
    ("facilitator/session/ask_when", {"timezone": "Europe/London"}, False),
    ("facilitator/themes/ask_name", {}, False),
    ("facilitator/themes/ask_rename", {"theme": theme()}, True),
    ("facilitator/update/ask_body", {"limit": 2500, "kind": "progress"}, False),
    ("facilitator/update/ask_body", {"limit": 2500, "kind": "reminder"}, False),
    ("facilitator/update/ask_body", {"limit": 2500, "kind": "notice"}, False),
    ("facilitator/update/ask_when", {"timezone": "Europe/London"}, False),
    ("facilitator/bad_number", {"command": "stats"}, False),
    ("facilitator/cancelled", {}, False),
    ("facilitator/workshop/closed", {"workshop": CLOSED}, True),
    ("facilitator/workshop/closed", {"workshop": replace(CLOSED, closing_message=None)}, True),
    ("facilitator/export", {"workshop": W, "count": 42}, True),
    ("facilitator/team/invite", {"workshop": W, "link": FACILITATOR_LINK}, True),
    ("facilitator/workshop/field_problem", {"problem": "empty"}, False),
    ("facilitator/workshop/field_problem", {"problem": "too_long", "limit": 120}, False),
    ("facilitator/workshop/field_problem", {"problem": "too_many", "limit": 20}, False),
    ("facilitator/workshop/field_problem", {"problem": "days", "low": 1, "high": 3650}, False),
    ("facilitator/workshop/field_problem", {"problem": "timezone"}, False),
    ("facilitator/workshop/field_problem", {"problem": "something else"}, False),
    ("facilitator/gone", {}, False),
    ("facilitator/left", {"command": "/update"}, False),
    ("facilitator/timed_out", {"minutes": 30}, False),
    ("facilitator/invite/link", {"workshop": W, "link": LINK}, True),
    ("facilitator/invite/link", {"workshop": CLOSED, "link": LINK}, True),
    ("facilitator/invite/unusable", {}, False),
    ("facilitator/workshop/kept_open", {}, False),
    ("facilitator/invite/no_poster", {}, False),
    ("facilitator/no_such_workshop", {"number": 7}, False),
    ("facilitator/no_workshops", {}, False),
    ("facilitator/update/pick_actions", {"workshop": W, "count": 3}, True),
    ("facilitator/update/pick_actions", {"workshop": W, "count": 0}, True),
    ("facilitator/workshop/pick_level", {"workshop": W}, True),
    ("facilitator/pick_workshop", {"command": "views"}, False),
    ("facilitator/invite/poster_caption", {"workshop": W}, True),
    ("facilitator/refused", {"user_id": None}, False),
    ("facilitator/refused", {"user_id": 12345}, False),
    ("facilitator/team/removed", {"workshop": W, "removed": True}, True),
    ("facilitator/team/removed", {"workshop": W, "removed": False}, True),
    ("facilitator/workshop/reopened", {"workshop": W}, True),
    ("facilitator/update/report", {"workshop": W, "reports": REPORTS}, True),
    (
        "facilitator/update/report",
        {"workshop": W, "reports": REPORTS, "sessions": [(SESSION, 2)]},
        True,
    ),
    ("facilitator/update/report", {"workshop": W, "reports": []}, True),
    ("facilitator/workshop/saved", {"field": "engagement_level"}, False),
    ("facilitator/workshop/saved", {"field": "can_change"}, False),
    ("facilitator/workshop/saved", {"field": "title", "dropped": ["Polski"]}, False),
    (
        "facilitator/update/waiting",
        {
            "workshop": W,
            "updates": [update(status="scheduled", enqueued_at=None), update("x " * 200)],
        },
        True,
    ),
    ("facilitator/update/waiting", {"workshop": W, "updates": []}, True),
    ("facilitator/session/saved", {"workshop": W, "session": SESSION}, True),
    (
        "facilitator/stats",
        {
            "workshop": W,
            "figures": figures(),
            "completion": 50,
            "themes": [theme_count(), theme_count("transport", items=1, participants=1)],
            "about": [about_section(), about_section(said=0, not_said=2)],
        },
        True,
    ),
    (
        "facilitator/stats",
        {
            "workshop": W,
            "figures": figures(consented=0, answers=False),
            "completion": None,
            "themes": [],
            "about": [],
        },
        True,
    ),
    ("facilitator/views/tagging", {"item": feed_item()}, True),
    (
        "facilitator/views/tagging",
        {"item": feed_item(f"view {EVIL}", kind="view", themes=())},
        True,
    ),
    (
        "facilitator/views/tagging",
        {"item": feed_item(RELATIONSHIP_VALUE, question_kind="relationships", position=2)},
        True,
    ),
    ("facilitator/views/tagging", {"item": None}, False),
    (
        "facilitator/team/list",
        {"workshop": W, "team": [(42, f"Ana {EVIL}"), (43, ""), (44, "Sam")], "me": 42},
        True,
    ),
    ("facilitator/team/list", {"workshop": W, "team": [], "me": 42}, True),
    ("facilitator/themes/exists", {"name": f"Theme {EVIL}"}, True),
    ("facilitator/themes/merge_into", {"source": theme()}, True),
    ("facilitator/themes/merged", {"source": theme(), "target": theme("transport", 2)}, True),
    ("facilitator/themes/name_problem", {"limit": 60}, False),
    ("facilitator/themes/pick", {"action": "rename"}, False),
    ("facilitator/themes/pick", {"action": "merge"}, False),
    (
        "facilitator/themes/list",
        {"workshop": W, "counts": [theme_count(), theme_count("transport", 1, 1)]},
        True,
    ),
    ("facilitator/themes/list", {"workshop": W, "counts": []}, True),
    ("facilitator/type_please", {}, False),
    ("facilitator/update/cancelled", {"cancelled": True}, False),
    ("facilitator/update/cancelled", {"cancelled": False}, False),
    ("facilitator/update/confirm", {"more": 0}, False),
    ("facilitator/update/confirm", {"more": 2}, False),
    ("facilitator/update/too_long", {"length": 5123}, False),
    (
        "facilitator/update/preview",
        {
            "kind": "personal",
            "count": 3,
            "html": texts().render("loop/update", **PERSONAL_UPDATE),
            "everyone_else": False,
            "button_labels": ["Yes", "Partly", "No"],
            "language": None,
        },
        True,
    ),
    (
        "facilitator/update/preview",
        {
            "kind": "general",
            "count": 0,
            "html": texts().render("loop/update", **GENERAL_UPDATE),
            "everyone_else": False,
            "button_labels": ["Yes", "Partly", "No"],
            "language": None,
        },
        True,
    ),
    (
        "facilitator/update/preview",
        {
            "kind": "general",
            "count": 4,
            "html": texts().render("loop/update", **GENERAL_UPDATE),
            "everyone_else": True,
            "button_labels": ["Yes", "Partly", "No"],
            "language": "Polski",
        },
        True,
    ),
    (
        "facilitator/update/preview",
        {
            "kind": "general",
            "count": 12,
            "html": texts().render("loop/update", **NOTICE),
            "everyone_else": False,
            "button_labels": [],
            "language": None,
        },
        True,
    ),
    (
        "facilitator/update/preview_intro",
        {"total": 1, "personal": 0, "has_personal": False, "readers": [], "set_aside": []},
        False,
    ),
    (
        "facilitator/update/preview_intro",
        {
            "total": 5,
            "personal": 2,
            "has_personal": True,
            "readers": [("Polski", 3, True), ("Gàidhlig", 1, False)],
            "set_aside": ["Polski"],
        },
        False,
    ),
    (
        "facilitator/update/ask_version",
        {"language": "Polski", "limit": 2500, "original": f"message {EVIL}"},
        True,
    ),
    ("facilitator/update/scheduled", {"workshop": W, "when": WHEN, "held_until": None}, False),
    ("facilitator/update/scheduled", {"workshop": W, "when": WHEN, "held_until": "09:00"}, False),
    ("facilitator/update/sending", {"count": 1, "held_until": None, "asks_back": True}, False),
    ("facilitator/update/sending", {"count": 12, "held_until": None, "asks_back": False}, False),
    (
        "facilitator/update/sending",
        {"count": 12, "held_until": "09:00", "asks_back": False, "timezone": "Europe/London"},
        False,
    ),
    ("facilitator/update/sent_anyway", {"count": 12}, False),
    ("facilitator/update/sent_anyway", {"count": 0}, False),
    ("facilitator/views/menu", {"workshop": W, "total": 17}, True),
    ("facilitator/views/page", views_page(FEED_PAGE), True),
    ("facilitator/views/page", views_page(FEED_PAGE, workshop=CLOSED, which="views"), True),
    ("facilitator/views/page", views_page([], total=0), True),
    ("facilitator/views/page", views_page([], offset=15, total=12), True),
    ("facilitator/welcome", {"workshop": W}, True),
    ("facilitator/update/when_problem", {"past": True}, False),
    ("facilitator/update/when_problem", {"past": False, "timezone": "Europe/London"}, False),
    (
        "facilitator/workshop/show",
        {
            "workshop": W,
            "link": LINK,
            "counts": {"ready": 1, "answering": 2, "paused": 1, "submitted": 3, "declined": 1},
            "language_names": ["English", "Polski"],
        },
        True,
    ),
    (
        "facilitator/workshop/show",
        {"workshop": CLOSED, "link": LINK, "counts": {}, "language_names": ["English"]},
        True,
    ),
    ("facilitator/workshops", {"rows": [(W, 8, 3), (replace(CLOSED, id=2), 2, 0)]}, True),
    ("facilitator/workshops", {"rows": []}, False),
    ("facilitator/nudge", {"workshop": W, "days": 14}, True),
    ("loop/feedback_already", {}, False),
    ("loop/feedback_done", {}, False),
    ("loop/feedback_filed", {"workshop": W, "progress": update()}, True),
    (
        "loop/feedback_long_part",
        {"workshop": W, "progress": update(), "length": 8191, "limit": 20000},
        True,
    ),
    ("loop/feedback_too_long", {"workshop": W, "progress": update(), "limit": 20000}, True),
    ("loop/feedback_thanks", {"verdict": "yes"}, False),
    ("loop/feedback_thanks", {"verdict": "partly"}, False),
    ("loop/feedback_thanks", {"verdict": "no"}, False),
    ("mine/forget_confirm", {"workshop": W}, True),
    ("mine/forget_done", {"workshop": W, "finished": True}, True),
    ("mine/forget_done", {"workshop": W, "finished": False}, True),
    (
        "rights/consent_overview",
        {"workshop": W, "participant": participant(), "consents": {}},
        True,
    ),
    (
        "rights/consent_overview",
        {"workshop": W, "participant": participant(), "consents": CONSENTS},
        True,
    ),
    ("rights/consent_nothing", {}, False),
    (
        "rights/changed",
        {"workshop": W, "purpose": "updates", "granted": False, "cancelled": 2},
        True,
    ),
    (
        "rights/changed",
        {"workshop": W, "purpose": "updates", "granted": False, "cancelled": 0},
        True,
    ),
    ("rights/changed", {"workshop": W, "purpose": "quote", "granted": True, "cancelled": 0}, True),
    ("rights/kept", {}, False),
    ("rights/leave_ask", {"workshop": W}, True),
    ("rights/left", {"workshop": W, "erased": True, "finished": True}, True),
    ("rights/left", {"workshop": W, "erased": False, "finished": False}, True),
    ("rights/mydata", {"counts": {"answers": 3, "views": 0, "new_table": 1}}, False),
    ("rights/mydata", {"counts": {"answers": 0}}, False),
    ("facilitator/retention_warning", {"workshop": W, "due_at": AT}, True),
    ("mine/forget_kept", {}, False),
    ("mine/forget_nothing", {}, False),
    ("mine/forget_pick", {}, False),
    ("journey/ground_rules", {"workshop": W}, True),
    ("common/help", {**{"workshop": W, "staff": False}, **MENUS}, True),
    ("common/help", {**{"workshop": W, "staff": True}, **MENUS}, True),
    ("common/help", {**{"workshop": None, "staff": False}, **MENUS}, False),
    ("common/help", {**{"workshop": None, "staff": True}, **MENUS}, False),
    ("journey/invite_unknown", {"malformed": True}, False),
    ("journey/invite_unknown", {"malformed": False}, False),
    ("questions/long_answer", {"length": 12345}, False),
    ("mine/mine", {"sections": []}, False),
    ("common/moved_on", {}, False),
    ("mine/mine", {"sections": [SECTION]}, True),
    ("common/not_text", {"asking": True}, False),
    ("common/not_text", {"asking": False}, False),
    ("common/not_text", {"asking": False, "sharing": True}, False),
    ("common/nothing_to_cancel", {}, False),
    ("common/nothing_to_resume", {}, False),
    ("facilitator/new/cancelled", {}, False),
    ("facilitator/new/created", {"workshop": W}, True),
    ("facilitator/new/expired", {}, False),
    ("facilitator/new/file_ok", {"count": 6, "about": 2}, False),
    ("facilitator/new/file_ok", {"count": 1, "about": 1}, False),
    ("facilitator/new/file_ok", {"count": 3, "about": 0}, False),
    (
        "facilitator/new/file_problem",
        {"problem": f"questions.toml, line 4, field 'kind': {EVIL}"},
        True,
    ),
    ("facilitator/new/file_problem", {"problem": None, "not_text": True}, False),
    ("facilitator/new/file_problem", {"problem": None, "too_big": True}, False),
    ("facilitator/new/file_problem", {"problem": None, "too_big": False}, False),
    ("facilitator/new/intro", {}, False),
    ("facilitator/new/send_file", {}, False),
    *[
        ("facilitator/new/step", nw_step(name, number), False)
        for number, name in enumerate(NW_STEPS, 1)
    ],
    ("facilitator/new/step", nw_step("confirm", 12), True),
    (
        "facilitator/new/step",
        nw_step("confirm", 12, {**nw_draft("confirm"), "questions": NW_QUESTIONS}),
        True,
    ),
    ("facilitator/new/use_buttons", {}, False),
    ("questions/paused", {"workshop": W}, False),
    ("questions/paused_reminder", {"workshop": W}, True),
    ("facilitator/invite/poster_blurb", {"workshop": W}, False),
    ("facilitator/invite/poster_footer", {"workshop": W}, True),
    ("common/private_only", {}, False),
    ("questions/question", {**Q, **Q_BASE, "question": question()}, True),
    ("questions/question", {**Q, **Q_BASE, "question": question(), "previous": EVIL}, True),
    ("questions/question", {**Q, **Q_BASE, "question": question("choice", ("a", "b"))}, True),
    ("questions/question", {**Q, **Q_BASE, "question": question("scale", (EVIL, "great"))}, True),
    ("questions/question", {**Q, **Q_BASE, "question": REL, "step": "who"}, True),
    ("questions/question", {**Q, **Q_BASE, "question": REL, "step": "often", "entry": OPEN}, True),
    (
        "questions/question",
        {**Q, **Q_BASE, "question": REL, "step": "support", "entry": OPEN, "entries": [DONE]},
        True,
    ),
    (
        "questions/question",
        {**Q, **Q_BASE, "question": REL, "step": "more", "entries": [DONE]},
        True,
    ),
    ("loop/reminder", {"workshop": W, "number": 3}, True),
    ("loop/reminders_off", {}, False),
    (
        "questions/review",
        {
            "workshop": W,
            "items": [
                (question(), answer(EVIL)),
                (question(position=1), None),
                (question(position=2), answer(None, skipped=True)),
                (question("relationships", position=3), answer(RELATIONSHIP_VALUE)),
                (question("relationships", position=4), answer({"entries": []})),
            ],
        },
        True,
    ),
    ("loop/session_cant_come", {}, False),
    ("loop/session_reminder", {"workshop": W, "session": SESSION}, True),
    (
        "loop/session_reminder",
        {"workshop": W, "session": replace(SESSION, accessibility="")},
        True,
    ),
    ("share/cancelled", {}, False),
    ("share/done", {"workshop": W, "views": [view(EVIL), view("second")]}, True),
    ("share/draft_kept", {"separate": False}, False),
    ("share/draft_kept", {"separate": True}, False),
    ("share/long_part", {"length": 8191, "limit": 20000, "separate": False}, False),
    ("share/long_part", {"length": 4000, "limit": 20000, "separate": True}, False),
    ("share/empty", {}, False),
    ("share/not_member", {}, False),
    ("share/pauses_questions", {"number": 3}, False),
    ("share/pick", {}, False),
    ("share/pick_first", {}, False),
    ("share/prompt", {"workshop": W, "drafts": []}, True),
    ("share/prompt", {"workshop": W, "drafts": [view(EVIL, "draft")]}, True),
    ("journey/start_no_code", {"memberships": [], "total_of": {}}, False),
    (
        "journey/start_no_code",
        {
            "memberships": [
                (participant("paused", 2), W),
                (participant("reviewing", 6), W),
                (participant("submitted", 0), evil_workshop("inform")),
            ],
            "total_of": {1: 6},
        },
        True,
    ),
    ("loop/stopped", {}, False),
    ("questions/text_not_kept", {"workshop": W, "status": "paused"}, True),
    ("questions/text_not_kept", {"workshop": W, "status": "answering"}, True),
    ("questions/text_not_kept", {"workshop": None, "status": None}, False),
    ("questions/thanks", {"workshop": W}, True),
    ("safeguarding/help", {"workshop": W}, True),
    ("safeguarding/help", {"workshop": None}, False),
    (
        "safeguarding/flag_alert",
        {"flag": flag(), "workshop": W, "timezone": "Europe/London"},
        True,
    ),
    (
        "safeguarding/flag_alert",
        {"flag": flag(None, None), "workshop": None, "timezone": "Europe/London"},
        True,
    ),
    (
        "safeguarding/flags",
        {"flags": [flag(), flag(None, None)], "titles": {1: W.title}, "timezone": "UTC"},
        True,
    ),
    ("safeguarding/flags", {"flags": [], "titles": {}, "timezone": "UTC"}, False),
    ("safeguarding/flag_handled", {"flag": flag(), "done": True}, False),
    ("safeguarding/flag_handled", {"flag": flag(None, None), "done": False}, False),
    (
        "facilitator/audit",
        {
            "entries": [audit_entry(), audit_entry(8, False, None)],
            "older": False,
            "timezone": "UTC",
        },
        False,
    ),
    ("facilitator/audit", {"entries": [], "older": True, "timezone": "UTC"}, False),
    ("facilitator/audit", {"entries": [], "older": False, "timezone": "UTC"}, False),
    ("facilitator/owners_only", {}, False),
    ("common/unknown_command", {}, False),
    ("loop/update", PERSONAL_UPDATE, True),
    ("loop/update", GENERAL_UPDATE, True),
    ("loop/update", {**GENERAL_UPDATE, "others": []}, True),
    ("loop/update", REMINDER, True),
    ("loop/update", NOTICE, True),
    ("loop/updates_on", {"offers": []}, False),
    ("loop/updates_on", {"offers": [W]}, False),
    ("loop/updates_on", {"offers": [W, replace(CLOSED, id=2)]}, False),
    ("loop/updates_optin", {"workshop": W}, True),
    ("common/use_buttons", {"kind": "consent"}, False),
    ("common/use_buttons", {"kind": "review"}, False),
    ("common/use_buttons", {"kind": "scale"}, False),
    ("common/use_buttons", {"kind": "choice"}, False),
    ("questions/typed_choice_kept", {"option": EVIL}, True),
    ("journey/welcome", {"workshop": W, "written_in": None}, True),
    ("common/language_pick", {"current": "Polski"}, False),
    ("common/language_set", {}, False),
    ("journey/welcome", {"workshop": W, "written_in": "Polski"}, True),
    ("journey/welcome_back", {"workshop": W}, True),
    ("journey/workshop_closed", {"workshop": W}, True),
]


def message_templates() -> list[str]:
    """Every message template's name, in folders too ("journey/welcome"); not partials."""
    names = texts().env.list_templates(filter_func=lambda name: name.endswith(".html.j2"))
    return sorted(
        name.removesuffix(".html.j2")
        for name in names
        if not name.rsplit("/", 1)[-1].startswith("_")
    )


def template_names() -> set[str]:
    return set(message_templates())


def assert_telegram_html(html: str) -> None:
    """Only Telegram's tags, properly nested; every & starts an entity; no raw user text."""
    assert EVIL not in html
    assert not BAD_AMP.search(html), html
    stack: list[str] = []
    for closing, name in TAG.findall(html):
        assert name in TELEGRAM_TAGS, f"unsupported tag <{name}> in {html!r}"
        if closing:
            assert stack, f"</{name}> without an opening tag in {html!r}"
            assert stack.pop() == name, f"</{name}> closes the wrong tag in {html!r}"
        else:
            stack.append(name)
    assert not stack, f"unclosed tags {stack} in {html!r}"
    # Anything that looks like a tag but is not one of Telegram's would be a 400.
    assert html.count("<") == len(TAG.findall(html))


def test_every_template_is_covered() -> None:
    assert {name for name, _ctx, _shows in CASES} == template_names()
    assert len(template_names()) >= 40


@pytest.mark.parametrize(
    ("name", "context", "shows_user_text"),
    CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)],
)
def test_template_renders_escaped_telegram_html(
    name: str, context: dict[str, Any], shows_user_text: bool
) -> None:
    html = texts().render(name, **context)
    assert html
    assert html == html.strip()
    assert "\n\n\n" not in html
    assert "{{" not in html
    assert "{%" not in html
    assert len(html) <= MESSAGE_LIMIT
    assert_telegram_html(html)
    if shows_user_text:
        assert ESCAPED in html
    else:
        assert "&lt;b&gt;" not in html


def test_autoescape_is_on() -> None:
    autoescape = texts().env.autoescape
    assert callable(autoescape)
    assert autoescape("welcome_back.html.j2") is True
    assert autoescape("journey/welcome_back.html.j2") is True
    assert autoescape("anything_else.j2") is True
    assert autoescape("labels/buttons.txt.j2") is False
    html = texts().render("journey/welcome_back", workshop=W)
    assert html == f"Welcome back to <b>Title {ESCAPED}</b>. Here is where you were."


def test_welcome_shows_who_decides_and_what_it_can_change() -> None:
    html = texts().render("journey/welcome", workshop=W, written_in=None)
    assert html.startswith(f"<b>Welcome to Title {ESCAPED}</b>")
    assert f"• can {ESCAPED}" in html
    assert f"<b>Who decides:</b> who {ESCAPED}, by by {ESCAPED}." in html


def test_tell_me_more_shows_the_level_and_what_it_cannot_change() -> None:
    html = texts().render("journey/consent_more", workshop=W)
    assert "This workshop is <b>co-design</b>. You help design the service with us." in html
    assert f"• cannot {ESCAPED}" in html


def test_question_shows_progress_and_previous_answer() -> None:
    html = texts().render(
        "questions/question", **Q, **{**Q_BASE, "previous": EVIL}, question=question()
    )
    assert html.startswith("<i>Question 2 of 6</i>")
    assert f"Your answer so far: <i>{ESCAPED}</i>" in html
    assert "Type your answer in a message." not in html


def test_scale_question_shows_its_labels() -> None:
    html = texts().render(
        "questions/question", **Q, **Q_BASE, question=question("scale", ("awful", "great"))
    )
    assert "Tap a number from 1 to 5 (1 = awful, 5 = great)." in html


def test_long_answer_formats_the_length() -> None:
    assert "(12,345 characters)" in texts().render("questions/long_answer", length=12345)


def test_consent_noted_uses_the_purpose_label_and_says_what_is_next() -> None:
    yes = texts().render(
        "journey/consent_noted", purpose="updates", granted=True, upcoming="quote"
    )
    no = texts().render("journey/consent_noted", purpose="quote", granted=False, upcoming=None)
    assert yes == ("Thank you – noted: send me progress updates. Next: whether we may quote you.")
    assert no == (
        'That\'s fine – noted: no to "quote my words anonymously". That was the last choice. '
        "Next: how we work together, then the questions."
    )


def test_mine_shows_pseudonym_choices_and_answers() -> None:
    html = texts().render("mine/mine", sections=[SECTION])
    assert "(you appear as P-7F3A)" in html
    assert (
        "Your choices: Keep my answers and views: yes; Send me progress updates: no; "
        "Quote my words anonymously: no" in html
    )
    assert f"• who {ESCAPED} – often {ESCAPED} – s {ESCAPED}" in html
    assert f"• view {ESCAPED}" in html


def test_review_marks_missing_and_skipped_answers() -> None:
    items = [(question(), None), (question(position=1), answer(None, skipped=True))]
    html = texts().render("questions/review", workshop=W, items=items)
    assert f"<b>1. Prompt {ESCAPED}</b>\n<i>not answered yet</i>" in html
    assert f"<b>2. Prompt {ESCAPED}</b>\n<i>skipped</i>" in html


def test_a_missing_variable_is_an_error() -> None:
    from jinja2 import UndefinedError

    with pytest.raises(UndefinedError):
        texts().render("journey/welcome_back")


def test_texts_is_cached_per_locale() -> None:
    assert texts() is texts()
    assert texts("en") is texts("en")
    assert isinstance(texts(), Texts)


# ---- labels --------------------------------------------------------------------------------


def test_label_reads_dotted_keys() -> None:
    t = texts()
    assert t.label("buttons.skip") == "Skip"
    assert t.label("buttons.take_part_yes") == "Yes, I agree to take part"
    assert t.label("purposes.quote") == "Quote my words anonymously"
    assert t.label("buttons.change").format(n=3) == "Change 3"
    assert (
        t.label("levels.community-led")
        == "The community leads and decides. Professionals support."
    )


@pytest.mark.parametrize("key", ["buttons.nope", "nope", "buttons", "relationships.how_often"])
def test_label_refuses_unknown_keys_and_non_text(key: str) -> None:
    with pytest.raises(KeyError):
        texts().label(key)


def test_labels_reads_lists() -> None:
    t = texts()
    assert t.labels("relationships.how_often") == [
        "Every day",
        "Every week",
        "Every month",
        "Less often",
    ]
    assert t.labels("relationships.support") == [
        "In person",
        "Phone",
        "Online",
        "Practical help",
        "Emotional support",
    ]
    names = t.labels("defaults.support_names")
    assert names == ["Samaritans", "NHS 111", "Emergency services"]
    assert len(t.labels("defaults.support_contacts")) == len(names)
    assert len(t.labels("defaults.ground_rules")) == 4


def test_labels_refuses_unknown_keys() -> None:
    with pytest.raises(KeyError):
        texts().labels("relationships.nope")


def test_labels_refuses_a_single_text() -> None:
    with pytest.raises(KeyError):
        texts().labels("buttons.skip")


def test_every_level_and_purpose_has_a_label() -> None:
    from storage.kinds import EngagementLevel, Purpose

    t = texts()
    for level in EngagementLevel:
        assert t.label(f"levels.{level}")
    for purpose in Purpose:
        assert t.label(f"purposes.{purpose}")
        if purpose != "take_part":
            assert t.label(f"buttons.{purpose}_yes")
            assert t.label(f"buttons.{purpose}_no")


def test_command_descriptions_fit_the_bot_api() -> None:
    t = texts()
    commands = {
        key.removeprefix("commands."): t.label(key)
        for key in t.label_keys()
        if key.startswith("commands.")
    }
    assert set(commands) == set(PARTICIPANT_COMMANDS + FACILITATOR_COMMANDS + OWNER_COMMANDS)
    for name, description in commands.items():
        assert re.fullmatch(r"[a-z0-9_]{1,32}", name)
        assert 1 <= len(description) <= 256


# ---- small helpers -------------------------------------------------------------------------


def test_sha256_of_the_shown_text() -> None:
    assert sha256("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert sha256("é") == hashlib.sha256(b"\xc3\xa9").hexdigest()


def test_shorten_cuts_at_a_word() -> None:
    assert shorten("short") == "short"
    assert shorten("one two three", 8) == "one two…"
    assert shorten("x" * 20, 5) == "xxxx…"  # a word longer than the limit is cut inside
    assert shorten("a" * 300) == "a" * 300


def test_shorten_keeps_a_whole_last_word_and_never_exceeds_the_limit() -> None:
    assert shorten("hello world next", 12) == "hello world…"  # "world" is whole: kept
    assert shorten("hello world next", 11) == "hello…"
    assert shorten("Buses, trains and more", 9) == "Buses…"  # no dangling comma
    text = "Evening buses on route 47 and a new shelter at the hospital stop"
    for limit in range(2, len(text)):
        cut = shorten(text, limit)
        assert len(cut) <= limit
        assert cut.endswith("…")
        assert text.startswith(cut[:-1])
        assert text[len(cut) - 1 : len(cut)] in ("", " ") or " " not in cut


# ---- split_message -------------------------------------------------------------------------


def assert_only_whitespace_lost(text: str, chunks: list[str]) -> None:
    """Each chunk is the next stretch of text; only whitespace is dropped between them."""
    pos = 0
    for chunk in chunks:
        core = chunk.strip()
        while pos < len(text) and text[pos].isspace():
            pos += 1
        assert text.startswith(core, pos), f"chunk does not follow at {pos}: {core[:40]!r}"
        pos += len(core)
    assert text[pos:].strip() == ""


def assert_no_broken_entity(chunks: list[str]) -> None:
    for chunk in chunks:
        assert not BAD_AMP.search(chunk), chunk[-20:]
        assert not re.match(r"^[#a-z0-9]{1,8};", chunk), chunk[:20]


def check_split(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    chunks = split_message(text, limit)
    assert chunks
    assert all(0 < len(c) <= limit for c in chunks), [len(c) for c in chunks]
    assert all(c == c.strip("\n") for c in chunks)
    assert_only_whitespace_lost(text, chunks)
    assert_no_broken_entity(chunks)
    return chunks


def test_short_text_is_one_message() -> None:
    assert split_message("Hello <b>there</b>") == ["Hello <b>there</b>"]
    assert split_message("x" * MESSAGE_LIMIT) == ["x" * MESSAGE_LIMIT]


def test_empty_text_is_no_message() -> None:
    assert split_message("") == []
    assert split_message("\n\n  \n") == []


def test_paragraphs_are_split_at_line_breaks() -> None:
    paragraph = "word " * 199 + "end"  # 998 characters
    text = "\n\n".join([paragraph] * 10)
    chunks = check_split(text)
    assert len(chunks) == 3
    assert all(c.endswith("end") and c.startswith("word") for c in chunks)
    assert "\n\n".join(chunks) == text


def test_a_long_line_is_cut_at_a_space() -> None:
    text = " ".join(f"w{i:04d}" for i in range(2000))  # 11,999 characters, one line
    chunks = check_split(text)
    assert len(chunks) == 3
    assert " ".join(chunks) == text


def test_a_long_line_without_spaces_is_cut_hard() -> None:
    text = "x" * 10_000
    chunks = check_split(text)
    assert len(chunks) == 3
    assert sum(len(c) for c in chunks) == 10_000
    assert "".join(chunks) == text


@pytest.mark.parametrize("offset", range(7))
@pytest.mark.parametrize("entity", ["&amp;", "&lt;", "&gt;", "&#34;", "&#39;", "&quot;"])
def test_a_line_of_entities_is_never_cut_inside_one(offset: int, entity: str) -> None:
    text = "y" * offset + entity * 2000
    chunks = check_split(text)
    assert "".join(chunks) == text  # hard cuts lose nothing


def test_escaped_user_text_splits_cleanly() -> None:
    rendered = texts().render(
        "share/prompt", workshop=W, drafts=[view(f"{EVIL} " * 300 + "end", "draft")] * 6
    )
    check_split(rendered)


@pytest.mark.parametrize("seed", range(20))
def test_random_text_keeps_every_character(seed: int) -> None:
    rng = random.Random(seed)
    pieces = ["word", "longerword", "&amp;", "&lt;", "&#34;", " ", " ", " ", "\n", "\n\n", "é"]
    weights = [20, 10, 3, 3, 3, 15, 15, 15, 2, 1, 2]
    text = "".join(rng.choices(pieces, weights, k=rng.randint(50, 3000))).strip()
    for limit in (40, 100, 333, MESSAGE_LIMIT):
        check_split(text, limit)


def test_a_split_never_leaves_a_tag_open() -> None:
    rendered = texts().render("share/done", workshop=W, views=[view('"' * 1000)])
    assert len(rendered) > MESSAGE_LIMIT  # 1,000 characters of text; 5,000 of HTML
    for chunk in split_message(rendered):
        assert_telegram_html(chunk)


def test_a_bare_ampersand_in_a_long_line_does_not_hang() -> None:
    code = "from domain.texts import split_message; split_message('&' + 'x' * 5000)"
    try:
        done = subprocess.run([sys.executable, "-c", code], timeout=3, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail("split_message did not return within 3 seconds")
    assert done.returncode == 0


# ---- labels in jinja -----------------------------------------------------------------------

# Every key labels had when they were a TOML file: each keeps working.
LABEL_KEYS = (
    [f"buttons.{k}" for k in (
        "take_part_yes", "take_part_no", "tell_more", "updates_yes", "updates_no", "quote_yes",
        "quote_no", "start_questions", "later", "skip", "back", "pause", "next", "support_done",
        "add_another", "thats_all", "change", "submit", "share_done", "cancel", "erase_yes",
        "erase_no", "about_yes", "about_no", "prefer_not", "invite", "close", "reopen",
        "read_all", "read_views", "tag", "newer", "older", "new_theme", "rename_theme",
        "merge_themes", "remove", "add_facilitator", "close_silently", "keep_open",
        "default_questions", "upload_questions", "london", "create_workshop", "feedback_yes",
        "feedback_partly", "feedback_no", "comment_done", "no_reminders", "cant_come",
        "write_update",
        "save_action", "change_action", "write_message", "send_now", "send_later",
        "add_version", "change_version",
        "cancel_update", "no_notes", "updates_for", "keep_answer", "clear_answer",
        "stop_take_part", "stop_updates", "start_updates", "stop_quote", "allow_quote",
        "agree_again", "keep_as_is", "leave_erase", "leave_anonymise", "leave_stay",
        "flag_handled", "audit_older",
    )]
    + [f"commands.{k}" for k in (
        "start", "resume", "share", "mine", "forget", "help", "cancel", "workshops", "workshop",
        "newworkshop", "invite", "views", "themes", "stats", "export", "team", "addfacilitator",
        "removefacilitator", "close", "action", "actions", "update", "scheduled", "report",
        "session", "stop", "updates", "consent", "mydata", "flags", "audit", "language",
    )]
    + [f"levels.{k}" for k in ("inform", "consult", "co-design", "co-produce", "community-led")]
    + [f"purposes.{k}" for k in ("take_part", "updates", "quote")]
    + [f"fields.{k}" for k in (
        "title", "purpose", "levels", "engagement_level", "can_change", "cannot_change",
        "who_decides", "decide_by", "hear_back", "contact", "offline_way_in", "timezone",
        "retention_days",
        "update_cadence_days", "quiet_start", "quiet_end",
    )]
    + [f"level_names.{k}" for k in (
        "inform", "consult", "co-design", "co-produce", "community-led",
    )]
    + ["retention.d183", "retention.d365", "retention.d730", "cadence.d7", "cadence.d14"]
    + ["cadence.d28"]
    + ["buttons.write_reminder", "buttons.write_notice", "buttons.send_anyway"]
    + [f"action_status.{k}" for k in ("planned", "in_progress", "done", "not_possible")]
    + [f"chart.{k}" for k in (
        "opened", "consented", "started", "completed", "sent_answers", "over_time",
        "nobody_yet", "people_so_far", "funnel", "nobody_opened", "share_note", "each_day",
        "people_that_day", "n_people",
    )]
)  # fmt: skip
LIST_KEYS = [
    "relationships.how_often",
    "relationships.support",
    "defaults.ground_rules",
    "defaults.support_names",
    "defaults.support_contacts",
]
# Sections shown as buttons: Telegram shows their text raw, and it must fit on a button.
BUTTON_SECTIONS = {
    "buttons", "relationships", "level_names", "retention", "cadence", "action_status",
    "fields", "purposes",
}  # fmt: skip
# What a label that takes values is given: the longest a caller passes (titles are cut at 40).
LABEL_VALUES: dict[str, object] = {
    "n": 999,
    "name": "Ana Maria Sánchez",
    "title": "T" * 40,
    "language": "Gàidhlig",
}


def test_every_old_label_key_keeps_working() -> None:
    t = texts()
    for key in LABEL_KEYS:
        assert t.label(key, **LABEL_VALUES)
    for key in LIST_KEYS:
        assert t.labels(key)
    assert len(LABEL_KEYS) + len(LIST_KEYS) == len(t.label_keys()) == 168


def test_label_files_are_jinja_and_not_escaped() -> None:
    env = texts().env
    autoescape = env.autoescape
    assert callable(autoescape)
    names = env.list_templates()
    label_files = [n for n in names if n.startswith("labels/")]
    assert len(label_files) >= 10
    assert not [n for n in names if n.endswith(".toml") and "question_sets" not in n]
    for name in label_files:
        assert name.endswith(".txt.j2"), name
        assert autoescape(name) is False
    for name in names:
        if name.endswith(".html.j2"):
            assert autoescape(name) is True


def test_a_label_takes_its_values_as_arguments() -> None:
    t = texts()
    assert t.label("buttons.change", n=3) == "Change 3"
    assert t.label("buttons.tag", n=12) == "Tag 12"
    assert t.label("buttons.change_action", n=2) == "Change 2"
    assert t.label("buttons.cancel_update", n=1) == "Cancel 1"
    assert t.label("buttons.remove", name="Sam") == "Remove Sam"
    assert t.label("buttons.updates_for", title="Bus routes") == "Updates from Bus routes"


def test_a_label_without_its_values_is_a_format_pattern() -> None:
    t = texts()
    assert t.label("buttons.change") == "Change {n}"
    assert t.label("buttons.remove").format(name="Sam") == "Remove Sam"
    assert t.label("buttons.updates_for").format(title=EVIL) == f"Updates from {EVIL}"


def test_a_label_ignores_values_it_does_not_take() -> None:
    assert texts().label("buttons.skip", n=3) == "Skip"
    assert texts().label("buttons.change", n=3, name="Sam") == "Change 3"


def test_a_label_missing_a_value_it_takes_is_an_error() -> None:
    from jinja2 import UndefinedError

    with pytest.raises(UndefinedError):
        texts().label("buttons.change", name="Sam")


def test_a_button_shows_user_text_raw() -> None:
    t = texts()
    label = t.label("buttons.updates_for", title=f"Title {EVIL}")
    assert label == f"Updates from Title {EVIL}"
    assert type(label) is str  # never Markup: a message showing it escapes it
    assert t.label("buttons.remove", name=EVIL) == f"Remove {EVIL}"


def with_templates(extra: dict[str, str]) -> Texts:
    """A Texts of its own that also has these templates (name: source)."""
    t = Texts()
    assert t.env.loader is not None
    t.env.loader = ChoiceLoader([DictLoader(extra), t.env.loader])
    return t


def test_a_message_escapes_a_label_with_user_text() -> None:
    t = with_templates({"check/label.html.j2": '{{ label("buttons.updates_for", title=t) }}'})
    assert t.render("check/label", t=EVIL) == f"Updates from {ESCAPED}"


def test_a_multi_line_label_keeps_its_lines() -> None:
    assert texts().label("chart.nobody_yet") == (
        "No one has joined yet.\nThis fills in as people take part."
    )


def test_a_quote_in_a_label_is_kept() -> None:
    assert texts().label("buttons.default_questions") == '"What matters to you" (six questions)'
    assert texts().label("buttons.thats_all") == "That's everyone"


@pytest.mark.parametrize("key", ["../buttons.skip", "labels/buttons.skip", "Buttons.skip", ""])
def test_label_refuses_odd_sections(key: str) -> None:
    with pytest.raises(KeyError):
        texts().label(key)


@pytest.mark.parametrize("key", ["buttons.change", "buttons.skip.x", "chart"])
def test_labels_refuses_macros_and_odd_keys(key: str) -> None:
    with pytest.raises(KeyError):
        texts().labels(key)


def test_labels_are_not_messages() -> None:
    from jinja2 import TemplateNotFound

    with pytest.raises(TemplateNotFound):
        texts().render("labels/buttons")


def assert_plain_label(text: str, section: str) -> None:
    assert text, section
    assert text == text.strip()
    for mark in ("{{", "}}", "{%", "%}", "{#", "#}"):
        assert mark not in text, text
    assert not TAG.search(text), f"a label is not HTML: {text!r}"
    assert not re.search(r"&(?:[a-z]+|#\d+);", text), f"a label is not escaped: {text!r}"
    if section in BUTTON_SECTIONS:
        assert len(text) <= BUTTON_LIMIT, text
    elif section == "commands":
        assert len(text) <= 256, text
    else:
        assert len(text) <= MESSAGE_LIMIT


@pytest.mark.parametrize("key", texts().label_keys())
def test_every_label_renders_plain_and_short(key: str) -> None:
    t = texts()
    section = key.split(".")[0]
    value = t._lookup(key)
    if isinstance(value, list):
        items = t.labels(key)
        assert items
        for item in items:
            assert_plain_label(item, section)
        return
    if not isinstance(value, Macro):
        assert_plain_label(t.label(key), section)
        return
    values = {name: LABEL_VALUES[name] for name in value.arguments}
    assert_plain_label(t.label(key, **values), section)
    # User text in a button comes out exactly as typed.
    evil = dict.fromkeys(value.arguments, EVIL)
    assert EVIL in t.label(key, **evil)
    assert "&lt;" not in t.label(key, **evil)


# ---- every template, rendered from the variables it uses -----------------------------------

# One sample for each variable a template uses; user text carries EVIL so escaping shows.
# A template that needs a name not in here fails test_every_message_renders_from_samples.
SAMPLES: dict[str, Any] = {
    "set_aside": ["Polski"],
    "dropped": ["Polski"],
    "not_text": False,
    "language_names": ["English", "Polski"],
    "readers": [("Polski", 3, True), ("Gàidhlig", 1, False)],
    "language": "Polski",
    "original": f"message {EVIL}",
    "current": "Polski",
    "written_in": "Polski",
    "minutes": 30,
    "consents": CONSENTS,
    "due_at": AT,
    "erased": True,
    "finished": False,
    "participant": participant(),
    "workshop": W,
    "about": [about_section(), about_section(said=0, not_said=2)],
    "action": action(),
    "actions": ACTIONS,
    "asking": True,
    "body": f"Body {EVIL}",
    "cancelled": True,
    "changing": True,
    "command": "stats",
    "completion": 50,
    "count": 3,
    "counts": [theme_count(), theme_count("transport", 1, 1)],
    "days": 14,
    "draft": {**nw_draft("confirm"), "questions": NW_QUESTIONS},
    "done": True,
    "drafts": [view(EVIL, "draft")],
    "choice": EVIL,
    "commands": PARTICIPANT_COMMANDS,
    "entries": [DONE],
    "entry": OPEN,
    "feedback": {"yes": 2, "partly": 1, "no": 0},
    "button_labels": ["Yes", "Partly", "No"],
    "everyone_else": True,
    "held_until": "09:00",
    "asks_back": True,
    "field": "can_change",
    "figures": figures(),
    "flag": flag(),
    "flags": [flag(), flag(None, None)],
    "granted": True,
    "has_personal": True,
    "high": 3650,
    "html": texts().render("loop/update", **PERSONAL_UPDATE),
    "item": feed_item(RELATIONSHIP_VALUE, question_kind="relationships", position=2),
    "items": FEED_PAGE,
    "joined": True,
    "kind": "personal",
    "length": 5123,
    "limit": 120,
    "link": LINK,
    "low": 1,
    "malformed": True,
    "me": 42,
    "memberships": [(participant("paused", 2), W), (participant("submitted", 0), CLOSED)],
    "mine": ACTIONS[:2],
    "more": 2,
    "name": f"Theme {EVIL}",
    "number": 3,
    "offers": [W, replace(CLOSED, id=2)],
    "option": EVIL,
    "own": [f"twice a month {EVIL}"],
    "offset": 5,
    "older": False,
    "others": ACTIONS[2:],
    "past": False,
    "personal": 2,
    "previous": EVIL,
    "progress": update(),
    "problem": "too_long",
    "purpose": "quote",
    "question": question("scale", (EVIL, "great")),
    "removed": True,
    "reports": REPORTS,
    "rows": [(W, 8, 3), (replace(CLOSED, id=2), 2, 0)],
    "sections": [SECTION],
    "separate": True,
    "session": SESSION,
    "sessions": [(SESSION, 2)],
    "sharing": True,
    "source": theme(),
    "staff": True,
    "staff_commands": FACILITATOR_COMMANDS,
    "status": "paused",
    "step": None,
    "target": theme("transport", 2),
    "team": [(42, f"Ana {EVIL}"), (43, ""), (44, "Sam")],
    "theme": theme(),
    "themes": [f"Theme {EVIL}", "transport"],
    "timezone": "Europe/London",
    "titles": {1: W.title},
    "too_big": False,
    "total": 12,
    "total_of": {1: 6},
    "updates": [update(status="scheduled", enqueued_at=None), update("x " * 200)],
    "user_id": 12345,
    "upcoming": "updates",
    "verdict": "partly",
    "views": [view(EVIL), view("second")],
    "what": "answer",
    "when": WHEN,
}
# Where a template gives a variable's name another meaning than SAMPLES does.
SAMPLE_FOR: dict[str, dict[str, Any]] = {
    "about/question": {"question": about_question()},
    "facilitator/audit": {"entries": [audit_entry(), audit_entry(8, False, None)]},
    "facilitator/update/ask_body": {"kind": "notice"},
    "loop/update": {"kind": "reminder"},
    "facilitator/stats": {
        "themes": [theme_count(), theme_count("transport", items=1, participants=1)]
    },
    "facilitator/themes/pick": {"action": "merge"},
    "facilitator/workshop/show": {
        "counts": {"ready": 1, "answering": 2, "submitted": 3, "declined": 1},
        "language_names": ["English", "Polski"],
    },
    "rights/mydata": {"counts": {"answers": 2, "consents": 3, "ptb_user_data": 0}},
    "facilitator/new/file_ok": {"about": 2, "count": 6},
    "rights/changed": {"cancelled": 2},
    "facilitator/new/file_problem": {"problem": f"questions.toml, line 4: {EVIL}"},
    "facilitator/new/step": {"step": "confirm", "number": 12},
    "questions/question": {"number": 2, "total": 6},
    "questions/review": {"items": [(question(), answer(EVIL)), (REL, answer(RELATIONSHIP_VALUE))]},
    "common/use_buttons": {"kind": "scale"},
}
# Templates given an object with user text that show none of it (a workshop's title, say).
SHOW_NO_USER_TEXT = {
    "journey/consent_quote",
    "journey/consent_take_part",
    "journey/consent_updates",
    "journey/declined",
    "safeguarding/flag_handled",
    "facilitator/update/scheduled",
    "questions/paused",
    "facilitator/invite/poster_blurb",
    "loop/updates_on",
}


def needs(name: str) -> set[str]:
    """The variables a template reads (its imported macros take theirs as arguments)."""
    env = texts().env
    assert env.loader is not None
    source, _filename, _uptodate = env.loader.get_source(env, f"{name}.html.j2")
    return meta.find_undeclared_variables(env.parse(source)) - set(env.globals)


def sample_context(name: str) -> dict[str, Any]:
    own = SAMPLE_FOR.get(name, {})
    needed = needs(name)
    missing = needed - SAMPLES.keys() - own.keys()
    assert not missing, f"{name} needs sample values for {sorted(missing)}"
    assert own.keys() <= needed, f"{name} does not use {sorted(own.keys() - needed)}"
    return {
        variable: own[variable] if variable in own else SAMPLES[variable] for variable in needed
    }


def is_caption(name: str) -> bool:
    """Templates sent as a picture's caption or drawn on the poster."""
    base = name.rsplit("/", 1)[-1]
    return "caption" in base or base.startswith("poster")


@pytest.mark.parametrize("name", message_templates())
def test_every_message_renders_from_samples(name: str) -> None:
    context = sample_context(name)
    html = texts().render(name, **context)
    assert html
    assert html == html.strip()
    for mark in ("{{", "}}", "{%", "%}", "{#", "#}"):
        assert mark not in html
    assert "&amp;lt;" not in html  # user text is escaped once, never twice
    assert EVIL not in html
    carries_user_text = EVIL in repr(context) or ESCAPED in repr(context)
    assert (ESCAPED in html) == (carries_user_text and name not in SHOW_NO_USER_TEXT), name
    parts = [html] if len(html) <= MESSAGE_LIMIT else split_message(html)
    for part in parts:
        assert len(part) <= MESSAGE_LIMIT
        assert_telegram_html(part)
    if is_caption(name):
        assert len(html) <= CAPTION_LIMIT


def test_every_template_is_rendered_from_samples() -> None:
    names = message_templates()
    assert len(names) == len(template_names()) >= 130
    assert set(SAMPLE_FOR) <= set(names)
    used = set().union(*(needs(name) for name in names))
    assert set(SAMPLES) == used, "a sample no template uses"


def test_a_template_in_a_folder_renders() -> None:
    t = with_templates({"journey/hello.html.j2": "Hello <b>{{ name }}</b>\n\n\n\nbye\n"})
    assert t.render("journey/hello", name=EVIL) == f"Hello <b>{ESCAPED}</b>\n\nbye"
    assert t.plain("journey/hello", name="Sam") == "Hello Sam\n\nbye"
    assert "journey/hello" in [n.removesuffix(".html.j2") for n in t.env.list_templates()]


# ---- layout: a block tag at the end of a line must not swallow the line break --------------


def test_each_consent_is_on_its_own_line() -> None:
    name, context, _ = next(c for c in CASES if c[0] == "rights/consent_overview")
    for t in (texts(), texts("pl")):
        lines = t.render(name, **context).splitlines()
        assert len([line for line in lines if line.startswith("• ")]) == 3


def test_the_audit_log_heading_is_on_its_own_line() -> None:
    for t in (texts(), texts("pl")):
        html = t.render("facilitator/audit", entries=[audit_entry()], older=False, timezone="UTC")
        assert html.splitlines()[1].startswith("• ")


def test_leaving_keeps_its_paragraphs_apart() -> None:
    for finished in (True, False):
        html = texts().render("rights/left", workshop=W, erased=finished, finished=finished)
        paragraphs = html.split("\n\n")
        assert len(paragraphs) == (2 if finished else 3), html
        assert all("\n" not in p for p in paragraphs)


def test_an_empty_data_summary_keeps_its_paragraphs_apart() -> None:
    html = texts().render("rights/mydata", counts={"answers": 0})
    assert len(html.split("\n\n")) == 3
