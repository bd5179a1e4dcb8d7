"""Hostile input at scale: generated updates from people mid-journey, strangers, groups and
channels never crash the bot, never go unanswered, never make Telegram refuse a message,
and never change one person's data through another person's update.

Each example starts a bot on a fresh database with people part-way through: Ann and Ben
answering questions, Cat sharing a view, Dan reading the consent screens, Eve in a second
workshop, Fay on the review screen of long hostile answers, a stranger in none, and the
owner half-way through a facilitator prompt. Then it feeds them generated updates, drawn
one at a time so that forged buttons can be made from the buttons the bot really sent
(their numbers and codes swapped for other people's). Hypothesis derandomizes (the same
examples every run), has no deadline, and does not shrink (a failure prints every draw
and a blob to replay it; shrinking a run of bots would take minutes).

What "answered" means: every private message and every button press gets at least one
message, edit or button answer in that chat (a press: an answer to that very query). Two
kinds are rightly met with silence: an edited message (the bot may say it updated an
answer, or say nothing) and a redelivery of an update it already handled (it must not act
twice). A button press is not redelivered here: Telegram would refuse a second answer to
the same query, so the bot could not answer it anyway; a second tap on the same button (a
new query) stands for it, and must be answered. Group and channel
chats are not owed an answer (the bot says once that it works in private chats, and
leaves). Telegram's own checks (valid HTML, sizes, one answer per press, edits that change
something) are made by the fake Bot API; the sizes of everything else sent are checked here.
"""

from __future__ import annotations

import asyncio
import random
import re
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from domain.workshop_file import load_workshop_file
from handlers.facilitator.menus import FACILITATOR_COMMANDS, PARTICIPANT_COMMANDS
from tests.conftest import EXAMPLE, OWNER, RunningBot, start_bot
from tests.support.chat import Chat
from tests.support.fake_telegram import Call, html_problem

EXAMPLES = 12
UPDATES_PER_EXAMPLE = 90
RUN: dict[str, float] = {"updates": 0, "examples": 0}

ANSWERED = {
    "sendMessage",
    "editMessageText",
    "answerCallbackQuery",
    "sendDocument",
    "sendPhoto",
}

# ---- what hostile people type -------------------------------------------------------------

NASTY = [
    "",
    " ",
    "\n\n",
    "<",
    ">",
    "&",
    "&amp;",
    "&lt;b&gt;",
    "&#0;",
    "&nbsp;",
    '"\'"',
    "<b>",
    "<b>unclosed",
    "</i>",
    "<i><b>crossed</i></b>",
    "<script>alert(1)</script>",
    '<a href="javascript:alert(1)">x</a>',
    "<tg-spoiler>",
    "{{ 7*7 }} {% raw %}",
    "%s %d {0} {name}",
    "' OR 1=1; DROP TABLE answers; --",
    "\u200b",
    "\u200b\u200c\u200d\ufeff",
    "\u202e\u200fمرحبا بالعالم\u202c",
    "שלום <b>",
    "😀👩‍👩‍👧‍👦🏳️‍🌈",
    "🧑🏽‍🦯" * 50,
    "é" * 300,
    "x" * 5000,
    "<&>" * 1700,
    "😀" * 2500,
    "a\u0301" * 2100,
    "line\n" * 1000,
]
SYMBOLS = "<>&\"';/ab \n\t😀\u200b\u200f\u202eé#@*_`[]()~|{}%"

TEXTS = [
    st.sampled_from(NASTY),
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=120),
    st.text(st.sampled_from(SYMBOLS), max_size=80),
    st.builds(
        lambda unit, n: unit * n,
        st.sampled_from(["<", "&", "é", "😀", "ab"]),
        st.integers(1000, 5000),
    ),
]

COMMANDS = [
    *PARTICIPANT_COMMANDS,
    *FACILITATOR_COMMANDS,
    "consent",
    "mydata",
    "flags",
    "audit",
    "nosuchcommand",
    "START",
    "start@doingwith_test_bot",
    "start@someone_else_bot",
    "x" * 40,
]
ARGUMENTS = st.one_of(
    st.just(""),
    *TEXTS,
    st.sampled_from(
        [
            "0",
            "-1",
            "1",
            "2",
            "99999",
            "9" * 30,
            "1.5",
            "abc",
            "../../etc/passwd",
            "WRONGCODE",
            "a b c",
            "-100123",
        ]
    ),
)

NUMBERS = [0, 1, 2, 3, -1, 101, 102, 103, 104, 105, 106, OWNER, 2**31, 2**63, 10**30]
GARBAGE = [
    "",
    "x",
    ":",
    "::::",
    "wm",
    "wm:",
    "wm:skip:",
    "wm:skip:-1",
    "wm:skip:1e9",
    "wm:skip:" + "9" * 56,  # 64 bytes exactly
    "wm:skip:" + "9" * 57,  # 65 bytes
    "é" * 32,  # 64 bytes of two-byte characters
    "😀" * 16,
    "\u0000",
    "a" * 64,
    "fw:close:1",
    "cons:yes:take_part:" + "A" * 45,
]

# ---- the people ---------------------------------------------------------------------------

PEOPLE = {101: "Ann", 102: "Ben", 103: "Cat", 104: "Dan", 105: "Eve", 106: "Stranger", 107: "Fay"}
PEOPLE[OWNER] = "Olu"
GROUP, CHANNEL = -100123, -100999


async def _people_mid_journey(bot: RunningBot) -> tuple[dict[int, Chat], list[str]]:
    first = await bot.storage.workshops.create(load_workshop_file(EXAMPLE))
    second = await bot.storage.workshops.create(load_workshop_file(EXAMPLE))
    chats = {user: bot.chat(user, name) for user, name in PEOPLE.items()}
    ann, ben, cat, dan, eve = (chats[u] for u in (101, 102, 103, 104, 105))
    await ann.join(first.invite_code)
    await ann.say("Family")
    await ben.join(first.invite_code, updates=False, quote=True)
    for answer in ("Cooking", "Walking", "More buses"):
        await ben.say(answer)
    await cat.join(first.invite_code)
    await cat.say("/share")
    await dan.say(f"/start {first.invite_code}")
    await eve.join(second.invite_code)
    await eve.say("Gardening")
    await _to_the_review(chats[107], first.invite_code)
    await chats[OWNER].say("/action")  # the owner is asked for the action's title
    return chats, [first.invite_code, second.invite_code]


async def _to_the_review(fay: Chat, invite: str) -> None:
    """Fay answers every question with long, hostile text and reaches the review screen."""
    await fay.join(invite)
    long = ["<&>" * 1700, "😀" * 2500, "<b>" * 40, "é" * 5000, "&" * 5000, "<i>" * 1600]
    typed = 0
    for _ in range(40):
        buttons = fay.buttons()
        if "Submit my answers" in buttons:
            return
        for label in ("That's everyone", "Done with this person", "Next question »"):
            if label in buttons:
                await fay.press(label)
                break
        else:
            if buttons and buttons[0] not in ("« Back", "Skip", "Pause"):
                await fay.press(buttons[0])  # an option of a relationships step
            else:
                await fay.say(long[typed % len(long)])
                typed += 1
    raise AssertionError(f"Fay never reached the review: {fay.last_text()[:200]}")


async def _snapshot(bot: RunningBot) -> dict[int, list[tuple[object, ...]]]:
    """Everything stored about each person, by Telegram id: their participant rows and
    every row of every table that names one of them (found from the schema, so a new
    table is covered without listing it here)."""
    db = bot.storage.db
    tables = [
        r["name"] for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    ]
    people: dict[int, list[tuple[object, ...]]] = {}
    for table in sorted(tables):
        columns = [r["name"] for r in await db.fetchall(f"PRAGMA table_info({table})")]
        if table == "participants":
            query = "SELECT telegram_user_id AS who, * FROM participants"
        elif "participant_id" in columns:
            query = (
                f"SELECT p.telegram_user_id AS who, t.* FROM {table} t "
                "JOIN participants p ON p.id = t.participant_id"
            )
        elif "telegram_user_id" in columns:
            query = f"SELECT telegram_user_id AS who, * FROM {table}"
        else:
            continue
        for row in await db.fetchall(query):
            values = dict(row)
            who = int(values.pop("who"))
            for volatile in VOLATILE:
                values.pop(volatile, None)
            people.setdefault(who, []).append((table, *sorted(values.items())))
    for rows in people.values():
        rows.sort(key=repr)
    return people


# Columns that change when a screen is shown again, not when a person's data changes.
VOLATILE = ("last_seen_at", "screen_message_id", "screen_buttons")


# ---- one generated update -----------------------------------------------------------------


# How to forge a button: for each part after the prefix, whether to swap it and for which
# number or code; and whether to add one to every number. Drawn before the button is picked
# (buttons hold random codes), so the same draws make the same updates, as hypothesis needs.
FORGERY = st.tuples(
    st.lists(st.tuples(st.booleans(), st.integers(0, 99), st.integers(0, 9)), min_size=6,
             max_size=6),
    st.integers(0, 9),
)  # fmt: skip


def _forge(data: str, forgery: tuple[list[tuple[bool, int, int]], int], invites: list[str]) -> str:
    """A real button's data with its numbers and codes swapped for other people's."""
    swaps, bump = forgery
    parts = data.split(":")
    for index, (swap, number, code) in enumerate(swaps, start=1):
        if not swap or index >= len(parts):
            continue
        part = parts[index]
        if part.lstrip("-").isdigit():
            parts[index] = str(NUMBERS[number % len(NUMBERS)])
        elif len(part) >= 4:
            codes = [*invites, "A" * len(part), part[::-1]]
            parts[index] = codes[code % len(codes)]
    forged = ":".join(parts)
    if bump == 0:
        forged = re.sub(r"\d+", lambda m: str(int(m.group()) + 1), forged)
    return forged


def _index(draw: Callable[[Any], Any], count: int) -> int:
    """An index into a list the bot's answers made: one draw, whatever the list's length."""
    return int(draw(st.integers(0, 2**16))) % max(count, 1)


KINDS = [
    "text",
    "command",
    "real button",
    "forged button",
    "sticker",
    "text",
    "command",
    "edit",
    "forged button",
    "garbage button",
    "real button",
    "text",
    "photo",
    "forged button",
    "voice",
    "command",
    "redelivery",
    "location",
    "real button",
    "edit",
]
WHERE = ["private", "private", "group", "private", "private", "channel", "private"]


class Hostile:
    """Draws updates and sends them; checks what each one caused."""

    def __init__(self, bot: RunningBot, chats: dict[int, Chat], invites: list[str]) -> None:
        self.bot = bot
        self.chats = chats
        self.invites = invites
        self.delivered: list[tuple[Chat, dict[str, Any]]] = []
        self.my_messages: dict[int, list[int]] = {user: [] for user in chats}
        self.step = 0

    def pick(self, draw: Callable[[Any], Any], options: list[Any]) -> Any:
        """One of the options, turned by a fixed shuffle of the step: even the simplest
        example (every draw zero) mixes every person, place and kind instead of repeating
        one."""
        turn = random.Random(f"{self.step}:{len(options)}:{options[0]!r}").randrange(len(options))
        return options[(turn + draw(st.integers(0, len(options) - 1))) % len(options)]

    def text(self, draw: Callable[[Any], Any]) -> str:
        return str(draw(self.pick(draw, TEXTS)))

    async def one(self, draw: Callable[[Any], Any]) -> None:
        self.step += 1
        user = self.pick(draw, sorted(self.chats))
        chat = self.chats[user]
        where = self.pick(draw, WHERE)
        kind = self.pick(draw, KINDS)
        before = await _snapshot(self.bot)
        errors = len(self.bot.errors)
        refused = len(self.bot.fake.refused)
        sender: int | None = user
        chosen = _index(draw, len(self.delivered))
        if kind == "redelivery" and self.delivered:
            # Telegram sends an update again: it comes from whoever sent it first.
            chat, data = self.delivered[chosen]
            sender = user = int(str(chat.user["id"]))
            where = str(chat.chat["type"])
            if "callback_query" in data:  # a second tap: the same button, a new query
                kind = "second tap on a button"
                press = data["callback_query"]
                calls = await chat.press_data(
                    press["data"], message_id=press["message"]["message_id"]
                )
            else:
                calls = await chat.redeliver(data)
        elif where == "channel":
            edited = kind == "edit"
            kind = "edited post" if edited else "post"
            calls = await chat.channel_post(CHANNEL, self.text(draw), edited=edited)
            sender = None
        else:
            if kind == "redelivery":
                kind = "text"
            if where == "group":
                chat = chat.in_group(GROUP)
            calls = await self._send(chat, kind, draw)
        owed = where == "private" and kind not in ("edit", "redelivery")
        description = f"{kind} from {user} in {where}"
        new = self.bot.errors[errors:]
        assert not new, f"{description}: handler errors " + "".join(
            line for error in new for line in traceback.format_exception(error)
        )
        why = [(call.method, reason) for call, reason in self.bot.fake.refused[refused:]]
        assert not why, f"{description}: Telegram would have refused {why!r}"
        for call in calls:
            _assert_within_limits(call, description)
        if owed:
            if "button" in kind:
                query_id = chat.last_update["callback_query"]["id"]
                answers = [c for c in calls if c.method == "answerCallbackQuery"]
                assert any(str(c.params.get("callback_query_id")) == query_id for c in answers), (
                    f"{description}: the press was not answered"
                )
            else:
                assert any(c.method in ANSWERED and c.chat_id == user for c in calls), (
                    f"{description}: no answer in the chat, only {[c.method for c in calls]}"
                )
        after = await _snapshot(self.bot)
        for person in set(before) | set(after):
            if person != sender:
                assert before.get(person) == after.get(person), (
                    f"{description} changed what is stored about {person}"
                )
        RUN["updates"] += 1

    async def _send(self, chat: Chat, kind: str, draw: Callable[[Any], Any]) -> list[Call]:
        user = int(str(chat.user["id"]))
        calls: list[Call]
        if kind == "text":
            calls = await chat.say(self.text(draw).lstrip("/"))
        elif kind == "command":
            command = "/" + draw(st.sampled_from(COMMANDS))
            argument = draw(ARGUMENTS)
            calls = await chat.say(f"{command} {argument}" if argument else command)
        elif kind in ("real button", "forged button"):
            buttons = self.bot.fake.buttons_sent()
            own = [b for b in buttons if b[0] == chat.chat["id"]]
            chosen = int(draw(st.integers(0, 2**16)))  # taken modulo the list it picks from
            forge, elsewhere = draw(st.booleans()), draw(st.booleans())
            forgery = draw(FORGERY)
            if kind == "real button" and own:
                _chat_id, message_id, data = own[chosen % len(own)]
            else:
                _chat_id, message_id, data = buttons[chosen % len(buttons)]
                if forge:
                    data = _forge(data, forgery, self.invites)
                if _chat_id != chat.chat["id"] and elsewhere:
                    message_id = 1
            calls = await chat.press_data(data, message_id=message_id)
        elif kind == "garbage button":
            data = draw(st.one_of(st.sampled_from(GARBAGE), st.text(max_size=70)))
            calls = await chat.press_data(data, message_id=draw(st.sampled_from([1, 5001])))
        elif kind == "edit":
            mine = self.my_messages[user]
            chosen = _index(draw, len(mine))
            message_id = mine[chosen] if mine else 1
            calls = await chat.edit(message_id, self.text(draw) or ".")
        else:
            calls = await getattr(chat, kind)()  # sticker, photo, voice or location
        if "button" not in kind and kind != "edit" and chat.chat["type"] == "private":
            self.my_messages[user].append(chat.last_message_id)
        self.delivered.append((chat, chat.last_update))
        return calls


def _assert_within_limits(call: Call, description: str) -> None:
    """What Telegram would refuse that the fake does not check itself."""
    params = call.params
    if call.method in ("sendMessage", "editMessageText"):
        text = str(params.get("text", ""))
        if params.get("parse_mode") == "HTML":
            assert html_problem(text) is None, f"{description}: {html_problem(text)}"
        else:
            assert text.strip(), f"{description}: an empty message"
            assert len(text) <= 4096, f"{description}: a text of {len(text)}"
    if "caption" in params:
        assert len(str(params["caption"])) <= 1024, f"{description}: long caption"
    if call.method == "answerCallbackQuery":
        assert len(str(params.get("text", ""))) <= 200, f"{description}: long button answer"
    for label, data in call.buttons:
        assert label.strip(), f"{description}: a button with no label"
        assert 1 <= len(data.encode()) <= 64, f"{description}: button data {data!r}"


async def _run(draw: Callable[[Any], Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        bot = await start_bot(Path(folder) / "doingwith.db")
        try:
            chats, invites = await _people_mid_journey(bot)
            hostile = Hostile(bot, chats, invites)
            for _ in range(UPDATES_PER_EXAMPLE):
                await hostile.one(draw)
        finally:
            if bot.storage.db.is_open:
                await bot.stop()
        assert not bot.errors, f"handler errors: {bot.errors!r}"
        refused = [(call.method, why) for call, why in bot.fake.refused]
        assert not refused, f"Telegram would have refused: {refused!r}"
    RUN["examples"] += 1


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    # A failure prints every draw; shrinking a run of bots would take minutes.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
@given(st.data())
def _hostile_examples(data: st.DataObject) -> None:
    asyncio.run(_run(data.draw))


def test_hostile_updates_at_scale() -> None:
    """Over a thousand generated updates into running bots, one fresh bot per example."""
    RUN.update(updates=0, examples=0)
    started = time.monotonic()
    _hostile_examples()
    took = time.monotonic() - started
    print(
        f"\nhostile updates run: {RUN['updates']:.0f} in {RUN['examples']:.0f} bots, {took:.1f} s"
    )
    assert RUN["updates"] >= 1000
