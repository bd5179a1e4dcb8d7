"""Button data: built and parsed in one place, because a client can send anything.

Each button carries ``flow:action[:arg...]``. Parsing checks the flow, the action and
every argument against the table below; anything else is treated as an expired button.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chat.callbacks.data import CALLBACK_LIMIT

_SMALL = r"[0-9]{1,2}"
_ID = r"[0-9]{1,12}"
_OFFSET = r"[0-9]{1,6}"
_WHICH = r"all|views|q[0-9]{1,2}"
_KIND = r"a|v"
_THEME_ACTION = r"rename|merge"
_QUESTION_SET = r"default|file"
_DAY_FIELD = r"retention|cadence"

FACILITATOR_PICKS = (
    "workshop", "close", "invite", "views", "themes", "export", "stats", "team", "addfacilitator",
    "action", "actions", "update", "scheduled", "report", "session",
)  # fmt: skip
EDIT_FIELDS = (
    "title", "purpose", "levels", "can_change", "cannot_change", "who_decides", "decide_by",
    "hear_back", "timezone", "retention_days", "update_cadence_days", "quiet_start", "quiet_end",
)  # fmt: skip

# (flow, action) -> one pattern per argument
SCHEMA: dict[tuple[str, str], tuple[str, ...]] = {
    # --- facilitators: every button is checked against the presser's role ---
    # a workshop chosen for a command: fw:<command>:<workshop id>
    **{("fw", command): (_ID,) for command in FACILITATOR_PICKS},
    # edit one field of a workshop: we:<field>:<workshop id>
    **{("we", field): (_ID,) for field in EDIT_FIELDS},
    ("we", "level"): (_ID, _SMALL),
    # closing a workshop
    ("wc", "skip"): (_ID,),
    ("wc", "keep"): (_ID,),
    ("wc", "reopen"): (_ID,),
    # browsing views: vw:page:<workshop>:<which>:<offset>; tagging an item
    ("vw", "page"): (_ID, _WHICH, _OFFSET),
    ("vw", "tag"): (_KIND, _ID),
    ("vw", "on"): (_KIND, _ID, _ID),
    ("vw", "off"): (_KIND, _ID, _ID),
    ("vw", "new"): (_KIND, _ID),
    # themes
    ("th", "new"): (_ID,),
    ("th", "rename"): (_ID,),
    ("th", "merge"): (_ID,),
    ("th", "into"): (_ID, _ID),
    ("th", "pick"): (_ID, _THEME_ACTION),
    # the facilitator team
    ("tm", "remove"): (_ID, _ID),
    # leave a typed-answer prompt, or skip an optional one
    ("fi", "cancel"): (),
    ("fi", "skip"): (),
    # actions: a new one (status, themes, save), or a status change of an existing one
    ("ac", "status"): (_SMALL,),
    ("ac", "theme"): (_ID,),
    ("ac", "save"): (),
    ("ac", "edit"): (_ID,),
    ("ac", "set"): (_ID, _SMALL),
    # updates: choose actions, then send now or later; cancel a scheduled one
    ("up", "start"): (_ID,),
    ("up", "act"): (_ID,),
    ("up", "next"): (),
    ("up", "now"): (),
    ("up", "later"): (),
    ("up", "cancel"): (_ID,),
    # participants: reminders, sessions, updates back on
    ("rm", "off"): (_ID,),
    ("se", "no"): (_ID,),
    ("up", "optin"): (_ID,),
    # a new workshop
    ("nw", "level"): (_SMALL,),
    ("nw", "questions"): (_QUESTION_SET,),
    ("nw", "tz"): (),
    ("nw", "days"): (_DAY_FIELD, _OFFSET),
    ("nw", "save"): (),
    ("nw", "cancel"): (),
}

_COMPILED = {key: tuple(re.compile(p, re.ASCII) for p in pats) for key, pats in SCHEMA.items()}


@dataclass(frozen=True, slots=True)
class Callback:
    flow: str
    action: str
    args: tuple[str, ...] = ()

    def int_arg(self, index: int) -> int:
        return int(self.args[index])


def make(flow: str, action: str, *args: object) -> str:
    """Build button data; refuses anything the parser would not accept back."""
    data = ":".join([flow, action, *(str(a) for a in args)])
    if len(data.encode("utf-8")) > CALLBACK_LIMIT or parse(data) is None:
        raise ValueError(f"invalid callback data {data!r}")
    return data


def parse(data: object) -> Callback | None:
    """Return the parsed button, or None for anything malformed, forged or unknown."""
    if not isinstance(data, str) or len(data.encode("utf-8")) > CALLBACK_LIMIT:
        return None
    parts = data.split(":")
    if len(parts) < 2:
        return None
    flow, action, args = parts[0], parts[1], tuple(parts[2:])
    patterns = _COMPILED.get((flow, action))
    if patterns is None or len(patterns) != len(args):
        return None
    if not all(p.fullmatch(a) for p, a in zip(patterns, args, strict=True)):
        return None
    return Callback(flow, action, args)


def flow_pattern(flow: str) -> re.Pattern[str]:
    """A CallbackQueryHandler pattern that routes one flow's buttons."""
    return re.compile(f"^{re.escape(flow)}:")
