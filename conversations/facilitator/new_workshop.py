"""/newworkshop: a guided set-up of a new workshop, step by step."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import IntEnum
from typing import Any, TypeVar

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, MessageHandler

from chat.callbacks import CallbackData
from chat.callbacks.facilitator import (
    DayField,
    NewCancel,
    NewDays,
    NewLevel,
    NewLondon,
    NewQuestions,
    NewSave,
    QuestionSet,
)
from chat.context import BotContext
from chat.filters import DOCUMENT, NOT_TEXT, TEXT, command
from chat.handler_types import AnyHandler
from chat.messaging import Button, retire_buttons, say
from chat.states import END
from conversations.facilitator.drafts import (
    Callback,
    Flow,
    Next,
    Store,
    pressed,
    prompt,
    step,
    taken,
)
from domain.translations import keep_complete
from domain.workshop_fields import FieldError, parse_field
from domain.workshop_file import (
    WorkshopFileError,
    default_support,
    load_question_set,
    parse_question_file,
)
from handlers.facilitator.access import audit, staff_only
from handlers.facilitator.menus import set_staff_menu
from handlers.facilitator.workshops import send_invite
from storage.kinds import EngagementLevel
from storage.models import SupportContact
from storage.workshops import NewAboutQuestion, NewQuestion, NewWorkshop

T = TypeVar("T")
FILE_LIMIT = 100_000  # bytes: a question file is a few kilobytes
RETENTION_CHOICES = (183, 365, 730)
CADENCE_CHOICES = (7, 14, 28)


class State(IntEnum):
    TITLE = 101
    PURPOSE = 102
    LEVEL = 103
    CAN = 104
    CANNOT = 105
    WHO = 106
    BY = 107
    QUESTIONS = 108
    QUESTION_FILE = 109
    TIMEZONE = 110
    RETENTION = 111
    CADENCE = 112
    CONFIRM = 113

    @property
    def number(self) -> int:
        """Its number as shown: the file step shares the number of the questions step."""
        n = self - State.TITLE + 1
        return n if self < State.QUESTION_FILE else n - 1


@dataclass
class Draft:
    title: str | None = None
    purpose: str | None = None
    engagement_level: str | None = None
    can_change: list[str] | None = None
    cannot_change: list[str] | None = None
    who_decides: str | None = None
    decide_by: str | None = None
    timezone: str | None = None
    retention_days: int | None = None
    update_cadence_days: int | None = None
    questions: list[dict[str, Any]] | None = None  # from an uploaded file
    about_you: list[dict[str, Any]] | None = None


DRAFT = Store("new_workshop", Draft, expired="facilitator/new/expired")

# Typed steps: the field parse_field checks, and the next step
TYPED = {
    State.TITLE: ("title", State.PURPOSE),
    State.PURPOSE: ("purpose", State.LEVEL),
    State.CAN: ("can_change", State.CANNOT),
    State.CANNOT: ("cannot_change", State.WHO),
    State.WHO: ("who_decides", State.BY),
    State.BY: ("decide_by", State.QUESTIONS),
    State.TIMEZONE: ("timezone", State.RETENTION),
    State.RETENTION: ("retention_days", State.CADENCE),
    State.CADENCE: ("update_cadence_days", State.CONFIRM),
}
# What each step fills in, in the order they are asked
NEEDED = (
    ("title", State.TITLE), ("purpose", State.PURPOSE), ("engagement_level", State.LEVEL),
    ("can_change", State.CAN), ("cannot_change", State.CANNOT), ("who_decides", State.WHO),
    ("decide_by", State.BY), ("timezone", State.TIMEZONE), ("retention_days", State.RETENTION),
    ("update_cadence_days", State.CADENCE),
)  # fmt: skip


def _rows(context: BotContext, state: State) -> list[list[Button]]:
    t = context.texts
    nonce = DRAFT.buttons_for(context)
    rows: list[list[Button]] = []
    if state is State.LEVEL:
        rows = [
            [(t.label(f"level_names.{level}"), NewLevel(level, nonce).pack())]
            for level in EngagementLevel
        ]
    elif state is State.QUESTIONS:
        default = NewQuestions(QuestionSet.DEFAULT, nonce).pack()
        file = NewQuestions(QuestionSet.FILE, nonce).pack()
        rows = [
            [(t.label("buttons.default_questions"), default)],
            [(t.label("buttons.upload_questions"), file)],
        ]
    elif state is State.TIMEZONE:
        rows = [[(t.label("buttons.london"), NewLondon(nonce).pack())]]
    elif state is State.RETENTION:
        rows = [
            [(t.label(f"retention.d{d}"), NewDays(DayField.RETENTION, d, nonce).pack())]
            for d in RETENTION_CHOICES
        ]
    elif state is State.CADENCE:
        rows = [
            [(t.label(f"cadence.d{d}"), NewDays(DayField.CADENCE, d, nonce).pack())]
            for d in CADENCE_CHOICES
        ]
    elif state is State.CONFIRM:
        rows = [[(t.label("buttons.create_workshop"), NewSave(nonce).pack())]]
    rows.append([(t.label("buttons.cancel"), NewCancel(nonce).pack())])
    return rows


async def _ask(update: Update, context: BotContext, draft: Draft, state: State) -> Next:
    """Keep the draft and ask for one step, with buttons where typing would be a chore."""
    DRAFT.put(context, draft)
    await prompt(
        update,
        context,
        "facilitator/new/step",
        buttons=_rows(context, state),
        step=state.name.lower(),
        number=state.number,
        total=len(State) - 1,
        draft={k: v for k, v in asdict(draft).items() if v is not None},
    )
    return state


async def _first_missing(update: Update, context: BotContext, draft: Draft) -> Next:
    """Ask the first thing still missing (or to confirm)."""
    for name, state in NEEDED:
        if getattr(draft, name) is None:
            return await _ask(update, context, draft, state)
    return await _ask(update, context, draft, State.CONFIRM)


@staff_only("newworkshop")
async def begin(update: Update, context: BotContext) -> Next:
    """Start a fresh draft (closing any other facilitator prompt: one at a time)."""
    await say(update, context, "facilitator/new/intro")
    draft = Draft()
    DRAFT.open(context, draft)
    return await _ask(update, context, draft, State.TITLE)


def _typed_step(state: State) -> Callback:
    name, following = TYPED[state]

    @step(DRAFT, "newworkshop")
    async def take(update: Update, context: BotContext, draft: Draft) -> Next:
        message = update.effective_message
        assert message is not None
        try:
            value = parse_field(name, message.text or "")
        except FieldError as problem:
            await say(
                update,
                context,
                "facilitator/workshop/field_problem",
                problem=problem.problem,
                **problem.values,
            )
            return None
        setattr(draft, name, list(value) if isinstance(value, tuple) else value)
        return await _ask(update, context, draft, following)

    take.__name__ = f"take_{name}"
    return take


async def _retire(update: Update) -> None:
    if update.callback_query is not None:
        await retire_buttons(update.callback_query)


@step(DRAFT, "newworkshop")
async def on_level(update: Update, context: BotContext, draft: Draft) -> Next:
    await _retire(update)
    draft.engagement_level = pressed(update, NewLevel).level
    return await _ask(update, context, draft, State.CAN)


@step(DRAFT, "newworkshop")
async def on_questions(update: Update, context: BotContext, draft: Draft) -> Next:
    await _retire(update)
    if pressed(update, NewQuestions).questions is QuestionSet.FILE:
        DRAFT.put(context, draft)
        await prompt(update, context, "facilitator/new/send_file")
        return State.QUESTION_FILE
    draft.questions = draft.about_you = None
    return await _ask(update, context, draft, State.TIMEZONE)


@step(DRAFT, "newworkshop")
async def on_london(update: Update, context: BotContext, draft: Draft) -> Next:
    await _retire(update)
    draft.timezone = "Europe/London"
    return await _ask(update, context, draft, State.RETENTION)


@step(DRAFT, "newworkshop")
async def on_days(update: Update, context: BotContext, draft: Draft) -> Next:
    await _retire(update)
    data = pressed(update, NewDays)
    retention = data.field is DayField.RETENTION
    name = "retention_days" if retention else "update_cadence_days"
    try:
        setattr(draft, name, parse_field(name, str(data.days)))
    except FieldError:
        return await _ask(update, context, draft, State.RETENTION if retention else State.CADENCE)
    return await _ask(update, context, draft, State.CADENCE if retention else State.CONFIRM)


@step(DRAFT, "newworkshop")
async def on_cancel(update: Update, context: BotContext, draft: Draft) -> Next:
    await _retire(update)
    await say(update, context, "facilitator/new/cancelled")
    return END


@step(DRAFT, "newworkshop")
async def take_file(update: Update, context: BotContext, draft: Draft) -> Next:
    """A TOML file of [[questions]] (and optional [[about_you]]) sent as a document."""
    message = update.effective_message
    assert message is not None
    assert message.document is not None
    document = message.document
    if (document.file_size or 0) > FILE_LIMIT or not (document.file_name or "").endswith(".toml"):
        await say(update, context, "facilitator/new/file_problem", problem=None, too_big=True)
        return None
    try:
        file = await document.get_file()
        raw = bytes(await file.download_as_bytearray()).decode("utf-8")
        questions, about = parse_question_file(raw, document.file_name or "questions.toml")
    except UnicodeDecodeError:
        await say(update, context, "facilitator/new/file_problem", problem=None, not_text=True)
        return None
    except WorkshopFileError as problem:
        await say(update, context, "facilitator/new/file_problem", problem=str(problem))
        return None
    except TelegramError:
        await say(update, context, "facilitator/new/file_problem", problem=None, too_big=False)
        return None
    draft.questions = [
        {"key": q.key, "kind": q.kind, "prompt": q.prompt, "hint": q.hint,
         "options": list(q.options), "translations": dict(q.translations)}
        for q in questions
    ]  # fmt: skip
    draft.about_you = [
        {"key": a.key, "prompt": a.prompt, "options": list(a.options), "targets": a.targets}
        for a in about
    ]
    await say(update, context, "facilitator/new/file_ok", count=len(questions), about=len(about))
    return await _ask(update, context, draft, State.TIMEZONE)


@step(DRAFT, "newworkshop")
async def file_expected(update: Update, context: BotContext, draft: Draft) -> Next:
    await say(update, context, "facilitator/new/send_file")
    return None


def _need(value: T | None) -> T:
    assert value is not None  # save() asked for anything missing first
    return value


@step(DRAFT, "newworkshop")
async def save(update: Update, context: BotContext, draft: Draft) -> Next:
    await _retire(update)
    if any(getattr(draft, name) is None for name, _ in NEEDED):
        return await _first_missing(update, context, draft)
    user = update.effective_user
    assert user is not None
    t = context.texts
    if draft.questions:
        questions = tuple(
            NewQuestion(
                q["key"],
                q["kind"],
                q["prompt"],
                q["hint"],
                tuple(q["options"]),
                q.get("translations", {}),
            )
            for q in draft.questions
        )
    else:
        # The questions in the language the facilitator writes the workshop in.
        questions = load_question_set("what-matters", context.language)
    about = tuple(
        NewAboutQuestion(a["key"], a["prompt"], tuple(a["options"]), dict(a["targets"]))
        for a in draft.about_you or []
    )
    new = NewWorkshop(
        title=_need(draft.title),
        purpose=_need(draft.purpose),
        engagement_level=EngagementLevel(_need(draft.engagement_level)),
        can_change=tuple(_need(draft.can_change)),
        cannot_change=tuple(_need(draft.cannot_change)),
        who_decides=_need(draft.who_decides),
        decide_by=_need(draft.decide_by),
        hear_back=t.plain(
            "facilitator/workshop/default_hear_back", days=_need(draft.update_cadence_days)
        ),
        support=tuple(SupportContact(n, c) for n, c in default_support(t)),
        ground_rules=tuple(t.labels("defaults.ground_rules")),
        questions=questions,
        timezone=_need(draft.timezone),
        retention_days=_need(draft.retention_days),
        update_cadence_days=_need(draft.update_cadence_days),
        about_you=about,
        language=context.language,
    )
    workshop = await context.storage.workshops.create(
        keep_complete(new, own_questions=bool(draft.questions)),
        created_by=user.id,
        creator_name=user.first_name,
        creator_language=context.language,
    )
    await audit(update, context, "newworkshop", workshop.id)
    owner = user.id in context.settings.admins
    await set_staff_menu(context.bot, t, user.id, staff=True, owner=owner)
    await say(update, context, "facilitator/new/created", workshop=workshop)
    await send_invite(update, context, workshop)
    return END


BUTTONS: tuple[tuple[type[CallbackData], Any], ...] = (
    (NewLevel, on_level),
    (NewQuestions, on_questions),
    (NewLondon, on_london),
    (NewDays, on_days),
    (NewSave, save),
    (NewCancel, on_cancel),
)


def build() -> Flow:
    # Every button of the set-up works at every step, as on the message it came from:
    # a late press fills in its answer, and the first thing still missing is asked.
    def buttons() -> list[AnyHandler]:
        return [CallbackQueryHandler(cb, pattern=family.pattern()) for family, cb in BUTTONS]

    states: dict[object, list[AnyHandler]] = {
        state: [MessageHandler(TEXT, _typed_step(state)), *buttons()] for state in TYPED
    }
    for state in (State.LEVEL, State.QUESTIONS, State.CONFIRM):
        states[state] = buttons()
    states[State.QUESTION_FILE] = [
        MessageHandler(DOCUMENT, take_file),
        MessageHandler(TEXT | NOT_TEXT, file_expected),
        *buttons(),
    ]
    return Flow(
        entry_points=[command("newworkshop", taken(begin))],
        states=states,
        store=DRAFT,
        command="/newworkshop",
        steps=tuple(family for family, _ in BUTTONS),
        cancelled="facilitator/new/cancelled",
    )
