"""Journey benchmark: N people go through the whole participant journey, in-process.

Each simulated person opens the invite, agrees to take part, answers the updates and quote
questions, starts, answers the six "what matters" questions (the relationships question by
pressing its real buttons), reviews and submits: 17 updates. Buttons are pressed by their
label on the message that carries them, read back from the Bot API calls the bot made (so
every edit counts). The same updates then go through a bare python-telegram-bot
ConversationHandler with no storage, over the same fake transport: the floor.

    python -m benchmarks.journey                        # 50 people; empty, then 10k / 100k
    python -m benchmarks.journey --people 200 --seed-people 100000 --seed-answers 1000000
    python -m benchmarks.journey --seed-people 0 --profile tottime

Times are of ``Application.process_update`` alone (building the Update object is not
counted, for either side). SQL statements are counted with sqlite3's trace callback on the
bot's connection; database round trips are the calls aiosqlite hands to its worker thread
(``Connection._execute``: every aiosqlite execute, fetch, cursor close and commit is one,
and so is each ``Database.run``, however much SQL it runs). Neither
needs a change to storage: both are attached to the open connection at run time.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import cProfile
import itertools
import json
import os
import pstats
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, RequestData
from telegram.warnings import PTBUserWarning

from benchmarks.seed import SIMULATED_USERS, Seeded, seed
from bot.app import build_application
from domain.config import Settings
from storage import Storage
from storage.kinds import ParticipantStatus, Purpose

WARMUP_USERS = SIMULATED_USERS + 10_000_000  # people who go through once, not measured
TOKEN = "123456:BENCH-token-abcdefghijklmnopqrstuvwxyz"
BOT_USER = {"id": 777000111, "is_bot": True, "first_name": "doingwith", "username": "dw_bot"}
VISIBLE = ("sendMessage", "editMessageText")
OWN_CODE = (
    rf"{Path(__file__).resolve().parent.parent}/(bot|conversations|handlers|chat|domain|storage)/"
)


@dataclass(frozen=True)
class Step:
    """One thing a person does: type ``say`` or press the button labelled ``press``."""

    name: str
    say: str = ""
    press: str = ""
    answers: int | None = None  # answers that must be stored when the bot replies
    submitted: bool = False  # the person must be submitted when the bot replies


JOURNEY: tuple[Step, ...] = (
    Step("/start CODE", say="/start {invite}"),
    Step("agree to take part", press="Yes, I agree to take part"),
    Step("updates: yes", press="Yes, send me updates"),
    Step("quote: no", press="Please don't quote me"),
    Step("start the questions", press="Start the questions"),
    Step("Q1 text", say="Seeing my grandchildren", answers=1),
    Step("Q2 text", say="Cooking", answers=2),
    Step("Q3 text", say="Get out of the house more", answers=3),
    Step("Q4 who", say="My daughter"),
    Step("Q4 how often", press="Every week"),
    Step("Q4 support: phone", press="Phone"),
    Step("Q4 support: practical", press="Practical help"),
    Step("Q4 done with person", press="Done with this person"),
    Step("Q4 that's everyone", press="That's everyone", answers=4),
    Step("Q5 text", say="Go to the seaside", answers=5),
    Step("Q6 text", say="My GP thinks I should walk more", answers=6),
    Step("submit", press="Submit my answers", submitted=True),
)


# ---- the fake network layer -------------------------------------------------------------


@dataclass
class Shown:
    """A message as the person's phone shows it now: its text and buttons."""

    text: str
    markup: dict[str, Any] | None

    def button(self, label: str) -> str | None:
        for row in (self.markup or {}).get("inline_keyboard", []):
            for button in row:
                if button.get("text") == label:
                    return str(button.get("callback_data", ""))
        return None


Probe = Callable[[str, int], None]


@dataclass
class Wire(BaseRequest):
    """A lean fake Bot API: keeps what each chat shows now, counts calls, checks nothing.

    Leaner than tests/support's FakeTelegram (no call history, no HTML check), so that the
    transport costs both sides of the comparison as little as possible.
    """

    screens: dict[int, dict[int, Shown]] = field(default_factory=dict)
    calls: collections.Counter[str] = field(default_factory=collections.Counter)
    probe: Probe | None = None
    next_message_id: int = 1000

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        params: dict[str, Any] = dict(request_data.parameters) if request_data else {}
        self.calls[endpoint] += 1
        chat_id = int(params.get("chat_id", 0))
        if self.probe is not None and endpoint in VISIBLE:
            self.probe(endpoint, chat_id)
        result: Any = True
        if endpoint == "getMe":
            result = BOT_USER
        elif endpoint in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
            raw = params.get("reply_markup")
            markup: dict[str, Any] | None = json.loads(raw) if isinstance(raw, str) else raw
            screen = self.screens.setdefault(chat_id, {})
            if endpoint == "sendMessage":
                self.next_message_id += 1
                message_id = self.next_message_id
                screen[message_id] = Shown(str(params.get("text", "")), markup)
            else:
                message_id = int(params.get("message_id", 0))
                shown = screen.setdefault(message_id, Shown("", None))
                if endpoint == "editMessageText":
                    shown.text = str(params.get("text", ""))
                # Telegram drops the keyboard of an edit that sends none.
                shown.markup = markup
            result = {
                "message_id": message_id,
                "date": 0,
                "text": screen[message_id].text,
                "chat": {"id": chat_id, "type": "private"},
                "from": BOT_USER,
            }
        elif endpoint == "deleteMessage":
            self.screens.get(chat_id, {}).pop(int(params.get("message_id", 0)), None)
        return 200, json.dumps({"ok": True, "result": result}).encode()


# ---- counting the database ----------------------------------------------------------------


@dataclass
class DatabaseCounter:
    """SQL statements (trace callback) and thread round trips (aiosqlite's _execute)."""

    statements: int = 0
    round_trips: int = 0
    by_call: collections.Counter[str] = field(default_factory=collections.Counter)
    by_verb: collections.Counter[str] = field(default_factory=collections.Counter)

    def _trace(self, sql: str) -> None:
        if sql.startswith("--"):  # a trigger's sub-program, not a statement sent
            return
        self.statements += 1
        self.by_verb[sql.split(None, 1)[0].upper() if sql.strip() else "?"] += 1

    async def attach(self, storage: Storage) -> None:
        conn = storage.db.conn
        await conn.set_trace_callback(self._trace)
        # Every hand-over to aiosqlite's thread passes here (aiosqlite leaves it untyped).
        original: Callable[..., Awaitable[Any]] = conn._execute

        async def counted(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            self.round_trips += 1
            # Database.run hands over a partial (or a function of the sqlite3 connection).
            inner = getattr(fn, "func", fn)
            self.by_call[getattr(inner, "__name__", "?")] += 1
            return await original(fn, *args, **kwargs)

        conn._execute = counted  # type: ignore[method-assign]  # counts round trips without editing storage


# ---- simulated people -----------------------------------------------------------------------


class Person:
    """One private chat: types messages and presses buttons, as a person on a phone does."""

    _update_ids = itertools.count(1)

    def __init__(
        self, app: Application[Any, Any, Any, Any, Any, Any], wire: Wire, user_id: int
    ) -> None:
        self.app = app
        self.wire = wire
        self._user_id = user_id
        self.user = {"id": user_id, "is_bot": False, "first_name": f"P{user_id}"}
        self.chat = {"id": user_id, "type": "private", "first_name": f"P{user_id}"}
        self.message_ids = itertools.count(1)

    @property
    def user_id(self) -> int:
        return self._user_id

    def update_for(self, step: Step, invite: str) -> Update:
        update_id = next(self._update_ids)
        if step.say:
            text = step.say.format(invite=invite)
            message: dict[str, Any] = {
                "message_id": next(self.message_ids),
                "date": 0,
                "chat": self.chat,
                "from": self.user,
                "text": text,
            }
            if text.startswith("/"):
                length = len(text.split()[0])
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
            return Update.de_json({"update_id": update_id, "message": message}, self.app.bot)
        message_id, shown, data = self.find_button(step.press)
        query = {
            "id": f"journey-{update_id}",  # not an id the tests use (answered once)
            "from": self.user,
            "chat_instance": f"ci-{self.user_id}",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": 0,
                "chat": self.chat,
                "from": BOT_USER,
                "text": shown.text,
                **({"reply_markup": shown.markup} if shown.markup else {}),
            },
        }
        return Update.de_json({"update_id": update_id, "callback_query": query}, self.app.bot)

    def find_button(self, label: str) -> tuple[int, Shown, str]:
        """The newest message in this chat that carries a button with this label."""
        screen = self.wire.screens.get(self.user_id, {})
        for message_id in sorted(screen, reverse=True):
            data = screen[message_id].button(label)
            if data is not None:
                return message_id, screen[message_id], data
        showing = [
            [b["text"] for row in (s.markup or {}).get("inline_keyboard", []) for b in row]
            for s in screen.values()
            if s.markup
        ]
        raise AssertionError(f"no button {label!r} in chat {self.user_id}; showing {showing}")


@dataclass
class StepFigures:
    seconds: list[float] = field(default_factory=list)
    statements: int = 0
    round_trips: int = 0
    api_calls: int = 0


@dataclass
class Run:
    """What one side of the comparison did: every update's time, and what it cost."""

    label: str
    people: int
    seconds: list[float] = field(default_factory=list)
    cpu: float = 0.0  # CPU seconds of the whole process (every thread) over those updates
    steps: dict[str, StepFigures] = field(default_factory=dict)
    api_calls: collections.Counter[str] = field(default_factory=collections.Counter)
    statements: int = 0
    round_trips: int = 0
    by_call: collections.Counter[str] = field(default_factory=collections.Counter)
    by_verb: collections.Counter[str] = field(default_factory=collections.Counter)

    @property
    def updates(self) -> int:
        return len(self.seconds)

    @property
    def rate(self) -> float:
        return self.updates / sum(self.seconds)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    @property
    def total_api_calls(self) -> int:
        return sum(self.api_calls.values())


async def drive(
    app: Application[Any, Any, Any, Any, Any, Any],
    wire: Wire,
    run: Run,
    invite: str,
    first_user: int,
    counter: DatabaseCounter | None,
    before_each: Callable[[Person, Step], None] | None = None,
    profiler: cProfile.Profile | None = None,
) -> list[Person]:
    """Take ``run.people`` people through JOURNEY, a step each in turn (interleaved)."""
    people = [Person(app, wire, first_user + n) for n in range(run.people)]
    wire.calls.clear()
    base_statements = counter.statements if counter else 0
    base_trips = counter.round_trips if counter else 0
    base_calls = collections.Counter(counter.by_call) if counter else collections.Counter()
    base_verbs = collections.Counter(counter.by_verb) if counter else collections.Counter()
    for step in JOURNEY:
        figures = run.steps.setdefault(step.name, StepFigures())
        for person in people:
            update = person.update_for(step, invite)
            if before_each is not None:
                before_each(person, step)
            statements = counter.statements if counter else 0
            trips = counter.round_trips if counter else 0
            calls = sum(wire.calls.values())
            if profiler is not None:
                profiler.enable()
            cpu = time.process_time()
            started = time.perf_counter()
            await app.process_update(update)
            elapsed = time.perf_counter() - started
            run.cpu += time.process_time() - cpu
            if profiler is not None:
                profiler.disable()
            run.seconds.append(elapsed)
            figures.seconds.append(elapsed)
            figures.api_calls += sum(wire.calls.values()) - calls
            if counter is not None:
                figures.statements += counter.statements - statements
                figures.round_trips += counter.round_trips - trips
    run.api_calls.update(wire.calls)
    if counter is not None:
        run.statements = counter.statements - base_statements
        run.round_trips = counter.round_trips - base_trips
        run.by_call = collections.Counter(counter.by_call)
        run.by_call.subtract(base_calls)
        run.by_verb = collections.Counter(counter.by_verb)
        run.by_verb.subtract(base_verbs)
    return people


# ---- the bot --------------------------------------------------------------------------------


class DurabilityProbe:
    """At the bot's first visible reply to an answer, read the database from outside.

    A second, read-only sqlite3 connection sees only what was committed, so an answer
    found there was durable (in the WAL) before the person saw the reply.
    """

    def __init__(self, path: Path, workshop_id: int) -> None:
        self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        self.workshop_id = workshop_id
        self.expect: tuple[int, Step] | None = None
        self.checked = 0
        self.failures: list[str] = []

    def arm(self, person: Person, step: Step) -> None:
        wanted = step.answers is not None or step.submitted
        self.expect = (person.user_id, step) if wanted else None

    def __call__(self, endpoint: str, chat_id: int) -> None:
        if self.expect is None or self.expect[0] != chat_id:
            return
        user_id, step = self.expect
        self.expect = None  # only the first visible reply
        row = self.conn.execute(
            """SELECT p.status, (SELECT count(*) FROM answers a WHERE a.participant_id = p.id)
               FROM participants p WHERE p.workshop_id = ? AND p.telegram_user_id = ?""",
            (self.workshop_id, user_id),
        ).fetchone()
        self.checked += 1
        status, stored = row if row else (None, 0)
        if step.answers is not None and stored < step.answers:
            self.failures.append(f"{user_id} {step.name}: {stored} answers stored at reply")
        if step.submitted and status != ParticipantStatus.SUBMITTED:
            self.failures.append(f"{user_id} {step.name}: status {status} at reply")


@dataclass
class Outcome:
    """What the database holds for the simulated people after the run."""

    people: int
    submitted: int = 0
    with_six_answers: int = 0
    consented: int = 0
    probed: int = 0
    probe_failures: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.submitted == self.with_six_answers == self.consented == self.people


def _clock() -> Callable[[], datetime]:
    # Real time, shifted to tomorrow noon in London: outside quiet hours whenever it runs.
    london = ZoneInfo("Europe/London")
    noon = (datetime.now(london) + timedelta(days=1)).replace(hour=12, minute=0, second=0)
    offset = noon.astimezone(UTC) - datetime.now(UTC)
    return lambda: datetime.now(UTC) + offset


async def run_bot(
    path: Path,
    seeded: Seeded,
    people: int,
    *,
    check_durable: bool = False,
    profiler: cProfile.Profile | None = None,
    warmup: int = 0,
) -> tuple[Run, Outcome]:
    """The real Application on the database at ``path``; the rate limiter is off (the
    fake Bot API has no limits to respect, and the journey is about the bot's own cost)."""
    settings = Settings(token=TOKEN, db_path=path, persistence_interval=3600, rate_limit=False)
    wire = Wire()
    app = build_application(settings, request=wire, clock=_clock())
    errors: list[BaseException] = []

    async def record(update: object, context: Any) -> None:
        errors.append(context.error)

    app.add_error_handler(record)
    await app.initialize()
    await app.post_init(app)  # type: ignore[misc]  # post_init is Optional in PTB types; set by build_application
    storage: Storage = app.bot_data["storage"]
    counter = DatabaseCounter()
    await counter.attach(storage)
    probe = DurabilityProbe(path, seeded.workshop_id) if check_durable else None
    wire.probe = probe
    run = Run("doingwith", people)
    try:
        warm = Run("warm-up", warmup)
        arm = probe.arm if probe else None
        await drive(app, wire, warm, seeded.invite_code, WARMUP_USERS, counter, arm)
        simulated = await drive(
            app,
            wire,
            run,
            seeded.invite_code,
            SIMULATED_USERS,
            counter,
            probe.arm if probe else None,
            profiler,
        )
        if errors:
            raise RuntimeError(f"handler errors: {errors!r}")
        outcome = Outcome(people)
        for person in simulated:
            member = await storage.participants.get(seeded.workshop_id, person.user_id)
            if member is None:
                continue
            outcome.submitted += member.status == ParticipantStatus.SUBMITTED
            outcome.with_six_answers += len(await storage.answers.for_participant(member.id)) == 6
            consents = await storage.participants.consents(member.id)
            outcome.consented += (
                Purpose.TAKE_PART in consents and consents[Purpose.TAKE_PART].granted
            )
        if probe is not None:
            outcome.probed = probe.checked
            outcome.probe_failures = probe.failures
    finally:
        if probe is not None:
            probe.conn.close()
        await app.shutdown()
        await app.post_shutdown(app)  # type: ignore[misc]  # post_shutdown is Optional in PTB types; set by build_application
    return run, outcome


# ---- the floor: bare python-telegram-bot, no storage --------------------------------------


def floor_application(wire: Wire) -> Application[Any, Any, Any, Any, Any, Any]:
    """One ConversationHandler with a state per step of JOURNEY: each step answers the way
    the bot does (a message for typed text; a callback answer and an edit for a button),
    carrying the button the next step presses."""

    def keyboard(after: int) -> InlineKeyboardMarkup | None:
        if after >= len(JOURNEY) or not JOURNEY[after].press:
            return None
        data = f"floor:{after}"
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(JOURNEY[after].press, callback_data=data)]]
        )

    def handler_for(index: int) -> Callable[[Update, Any], Coroutine[Any, Any, int]]:
        async def reply(update: Update, context: Any) -> int:
            text = f"Step {index + 1} of {len(JOURNEY)}"
            if update.callback_query is not None:
                await update.callback_query.answer()
                await update.callback_query.edit_message_text(
                    text, reply_markup=keyboard(index + 1)
                )
            elif update.effective_message is not None:
                await update.effective_message.reply_text(text, reply_markup=keyboard(index + 1))
            return index + 1 if index + 1 < len(JOURNEY) else ConversationHandler.END

        return reply

    def handler(index: int) -> Any:
        step = JOURNEY[index]
        if step.press:
            return CallbackQueryHandler(handler_for(index), pattern=f"^floor:{index}$")
        if step.say.startswith("/"):
            return CommandHandler(step.say[1:].split()[0], handler_for(index))
        return MessageHandler(filters.TEXT & ~filters.COMMAND, handler_for(index))

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .request(wire)
        .get_updates_request(wire)
        .context_types(ContextTypes())
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .concurrent_updates(False)
        .build()
    )
    with warnings.catch_warnings():  # per_message=False is what the bot uses too
        warnings.filterwarnings("ignore", message=".*per_message.*", category=PTBUserWarning)
        conversation = ConversationHandler(
            entry_points=[handler(0)],
            states={index: [handler(index)] for index in range(1, len(JOURNEY))},
            fallbacks=[],
        )
    app.add_handler(conversation)
    return app


async def run_floor(people: int, warmup: int = 0) -> Run:
    wire = Wire()
    app = floor_application(wire)
    await app.initialize()
    run = Run("bare PTB", people)
    try:
        await drive(app, wire, Run("warm-up", warmup), "CODE", WARMUP_USERS, None)
        await drive(app, wire, run, "CODE", SIMULATED_USERS, None)
    finally:
        await app.shutdown()
    return run


# ---- reporting ------------------------------------------------------------------------------


def report(title: str, bot: Run, floor: Run, outcome: Outcome) -> None:
    per_journey = len(JOURNEY)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\n== {title} ==  ({os.cpu_count()} cores, load average {load})")
    print(f"people {bot.people}, {per_journey} updates each, {bot.updates:,} updates a side")
    for run in (floor, bot):
        print(
            f"{run.label:<10} {run.rate:9,.0f} updates/s   p50 {run.percentile(50):6.2f} ms"
            f"   p99 {run.percentile(99):6.2f} ms   max {max(run.seconds) * 1000:6.2f} ms"
            f"   Bot API calls {run.total_api_calls / run.people:5.1f}/journey "
            f"{run.total_api_calls / run.updates:4.2f}/update"
        )
    print(f"ratio      {bot.rate / floor.rate:.3f} x the bare floor (target >= 0.25)")
    print(
        f"CPU        bare PTB {floor.cpu / floor.updates * 1000:.3f} ms/update, doingwith "
        f"{bot.cpu / bot.updates * 1000:.3f} ms/update (all threads): ratio "
        f"{floor.cpu / floor.updates / (bot.cpu / bot.updates):.3f} (less sensitive to a busy "
        "machine)"
    )
    print(
        f"database   {bot.statements / bot.updates:.1f} SQL statements/update "
        f"({bot.statements / bot.people:.0f}/journey), "
        f"{bot.round_trips / bot.updates:.1f} round trips/update "
        f"({bot.round_trips / bot.people:.0f}/journey; target <= 3/update)"
    )
    trips = ", ".join(f"{k} {v / bot.people:.0f}" for k, v in bot.by_call.most_common() if v)
    verbs = ", ".join(f"{k} {v / bot.people:.0f}" for k, v in bot.by_verb.most_common() if v)
    print(f"  round trips per journey by call: {trips}")
    print(f"  statements per journey by verb:  {verbs}")
    calls = ", ".join(f"{k} {v / bot.people:.1f}" for k, v in bot.api_calls.most_common())
    print(f"  Bot API calls per journey: {calls}")
    print(
        f"  {'step':<22}{'p50 ms':>8}{'p99 ms':>8}{'SQL':>6}{'trips':>7}{'API':>5}"
        f"{'floor p50':>10}"
    )
    for name, figures in bot.steps.items():
        ordered = sorted(figures.seconds)
        floor_p50 = statistics.median(floor.steps[name].seconds) * 1000
        print(
            f"  {name:<22}{statistics.median(ordered) * 1000:8.2f}"
            f"{ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000:8.2f}"
            f"{figures.statements / bot.people:6.1f}{figures.round_trips / bot.people:7.1f}"
            f"{figures.api_calls / bot.people:5.1f}{floor_p50:10.3f}"
        )
    state = "all" if outcome.complete else "NOT all"
    print(
        f"stored     {state}: {outcome.submitted}/{outcome.people} submitted, "
        f"{outcome.with_six_answers} with 6 answers, {outcome.consented} agreed to take part"
        + (
            f"; {outcome.probed} replies probed, {len(outcome.probe_failures)} before the "
            "answer was committed"
            if outcome.probed
            else ""
        )
    )


@dataclass(frozen=True)
class Options:
    people: int = 50
    warmup: int = 5
    check_durable: bool = False
    profile: str | None = None


async def phase(title: str, options: Options, seed_people: int, seed_answers: int) -> Outcome:
    """Seed a fresh database, measure the floor, then the bot on it; print both."""
    folder = Path(tempfile.mkdtemp(prefix="journey-"))
    path = folder / "journey.db"
    try:
        started = time.perf_counter()
        seeded = await seed(path, seed_people, seed_answers)
        if seed_people:
            print(
                f"\nseeded {seeded.participants:,} participants ({seeded.rows:,} participant "
                f"rows over {seeded.workshops} workshops), {seeded.answers:,} answers, "
                f"{seeded.consents:,} consents in {time.perf_counter() - started:.1f} s; "
                f"database {path.stat().st_size / 2**20:.0f} MiB"
            )
        floor = await run_floor(options.people, options.warmup)
        profiler = cProfile.Profile() if options.profile else None
        bot, outcome = await run_bot(
            path,
            seeded,
            options.people,
            check_durable=options.check_durable,
            profiler=profiler,
            warmup=options.warmup,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report(title, bot, floor, outcome)
    if profiler is not None and options.profile:
        print(f"\nprofile of the bot's process_update calls, top 10 by {options.profile}:")
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats(options.profile).print_stats(10)
        print("the project's own functions, top 10 by cumulative time:")
        stats.sort_stats("cumulative").print_stats(OWN_CODE, 10)
    return outcome


async def main(options: Options, seed_people: int, seed_answers: int) -> bool:
    """Empty database first, then the seeded one; True if every journey was stored."""
    outcomes = [await phase("empty database", options, 0, 0)]
    if seed_people:
        title = f"{seed_people:,} participants / {seed_answers:,} answers already stored"
        outcomes.append(await phase(title, options, seed_people, seed_answers))
    return all(o.complete and not o.probe_failures for o in outcomes)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=50, help="simulated participants")
    parser.add_argument(
        "--seed-people",
        type=int,
        default=10_000,
        help="participants stored before the second run (0: skip it)",
    )
    parser.add_argument("--seed-answers", type=int, default=100_000)
    parser.add_argument(
        "--warmup", type=int, default=5, help="people who go through first, not measured"
    )
    parser.add_argument(
        "--check-durable",
        action="store_true",
        help="read each answer back from outside before its reply is sent "
        "(adds a query to every answer's time)",
    )
    parser.add_argument(
        "--profile",
        choices=("tottime", "cumulative"),
        help="profile the bot's updates with cProfile and print the top 10",
    )
    args = parser.parse_args()
    options = Options(args.people, args.warmup, args.check_durable, args.profile)
    good = asyncio.run(main(options, args.seed_people, args.seed_answers))
    sys.exit(0 if good else 1)
