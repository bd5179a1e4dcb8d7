"""Button data: built and parsed in one place, because a client can send anything.

Each button carries ``flow:action[:arg...]``. Parsing checks the flow, the action and
every argument against the table below; anything else is treated as an expired button.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chat.callbacks.data import CALLBACK_LIMIT

_CODE = r"[A-Za-z0-9_-]{16,40}"
_POS = r"[0-9]{1,3}"
_SMALL = r"[0-9]{1,2}"
_PURPOSE = r"take_part|updates|quote"
_ID = r"[0-9]{1,12}"

# (flow, action) -> one pattern per argument
SCHEMA: dict[tuple[str, str], tuple[str, ...]] = {
    # consent, purpose by purpose: cons:<answer>:<purpose>:<invite code>
    ("cons", "yes"): (_PURPOSE, _CODE),
    ("cons", "no"): (_PURPOSE, _CODE),
    ("cons", "more"): (_CODE,),
    ("cons", "go"): (_CODE,),
    ("cons", "later"): (_CODE,),
    # questions: wm:<action>:<position>[:<index>]
    ("wm", "skip"): (_POS,),
    ("wm", "back"): (_POS,),
    ("wm", "pause"): (_POS,),
    ("wm", "next"): (_POS,),
    ("wm", "pick"): (_POS, _SMALL),
    ("wm", "often"): (_POS, _SMALL),
    ("wm", "sup"): (_POS, _SMALL),
    ("wm", "supdone"): (_POS,),
    ("wm", "more"): (_POS,),
    ("wm", "enough"): (_POS,),
    # review
    ("rv", "change"): (_POS,),
    ("rv", "submit"): (),
    # share a view
    ("sh", "pick"): (_ID,),
    ("sh", "done"): (),
    ("sh", "cancel"): (),
    # erase my data
    ("fg", "pick"): (_ID,),
    ("fg", "yes"): (_ID,),
    ("fg", "no"): (),
    # "about you" (optional, after submitting): ab:<action>:<position>[:<option>]
    ("ab", "yes"): (),
    ("ab", "no"): (),
    ("ab", "pick"): (_POS, _SMALL),
    ("ab", "skip"): (_POS,),
    # participants: co-evaluation of an update
    ("fb", "yes"): (_ID,),
    ("fb", "partly"): (_ID,),
    ("fb", "no"): (_ID,),
    ("fb", "skip"): (_ID,),
    # Kept while conversations.questions still builds the reminder button this way; the
    # family is chat.callbacks.loop.NoReminders, which reads the same data.
    ("rm", "off"): (_ID,),
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
