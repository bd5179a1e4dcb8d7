"""/newworkshop: a guided conversation that sets up a workshop, step by step."""

from __future__ import annotations

import warnings
from enum import IntEnum
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler
from telegram.warnings import PTBUserWarning

from chat import callbacks
from chat.context import BotContext
from chat.filters import DOCUMENT, NOT_TEXT, TEXT, command
from chat.messaging import Button, acknowledge, retire_buttons, say
from chat.states import END
from domain.workshop_fields import FieldError, parse_field
from domain.workshop_file import WorkshopFileError, load_question_set, parse_question_file
from handlers.facilitator.access import audit, is_staff, parsed_button, refuse, staff_only
from handlers.facilitator.menus import set_staff_menu
from handlers.facilitator.prompting import KEY, NEW_WORKSHOP_DRAFT, PASS, exclusive
from handlers.facilitator.workshops import send_invite
from storage.models import ENGAGEMENT_LEVELS, SupportContact
from storage.workshops import NewAboutQuestion, NewQuestion, NewWorkshop

NAME = "new_workshop"
DRAFT = NEW_WORKSHOP_DRAFT
FILE_LIMIT = 100_000  # bytes: a question file is a few kilobytes
RETENTION_CHOICES = (183, 365, 730)
CADENCE_CHOICES = (7, 14, 28)


class Step(IntEnum):
    TITLE = 1
    PURPOSE = 2
    LEVEL = 3
    CAN = 4
    CANNOT = 5
    WHO = 6
    BY = 7
    QUESTIONS = 8
    QUESTION_FILE = 9
    TIMEZONE = 10
    RETENTION = 11
    CADENCE = 12
    CONFIRM = 13


NEEDED = (
    "title", "purpose", "engagement_level", "can_change", "cannot_change", "who_decides",
    "decide_by", "timezone", "retention_days", "update_cadence_days",
)  # fmt: skip

# Typed steps: (field checked by parse_field, the next step)
TYPED = {
    Step.TITLE: ("title", Step.PURPOSE),
    Step.PURPOSE: ("purpose", Step.LEVEL),
    Step.CAN: ("can_change", Step.CANNOT),
    Step.CANNOT: ("cannot_change", Step.WHO),
    Step.WHO: ("who_decides", Step.BY),
    Step.BY: ("decide_by", Step.QUESTIONS),
    Step.TIMEZONE: ("timezone", Step.RETENTION),
    Step.RETENTION: ("retention_days", Step.CADENCE),
    Step.CADENCE: ("update_cadence_days", Step.CONFIRM),
}


def _draft(context: BotContext) -> dict[str, Any]:
    draft = context.user_data.setdefault(DRAFT, {})
    assert isinstance(draft, dict)
    return draft


async def _still_staff(update: Update, context: BotContext) -> bool:
    user = update.effective_user
    if user is not None and await is_staff(context, user.id):
        return True
    context.user_data.pop(DRAFT, None)
    await refuse(update, context, "newworkshop")
    return False


async def ask(update: Update, context: BotContext, step: Step) -> int:
    """Ask for one step, with buttons where typing would be a chore."""
    t = context.texts
    rows: list[list[Button]] = []
    if step is Step.LEVEL:
        rows = [
            [(t.label(f"level_names.{level}"), callbacks.make("nw", "level", i))]
            for i, level in enumerate(ENGAGEMENT_LEVELS)
        ]
    elif step is Step.QUESTIONS:
        rows = [
            [(t.label("buttons.default_questions"), callbacks.make("nw", "questions", "default"))],
            [(t.label("buttons.upload_questions"), callbacks.make("nw", "questions", "file"))],
        ]
    elif step is Step.TIMEZONE:
        rows = [[(t.label("buttons.london"), callbacks.make("nw", "tz"))]]
    elif step is Step.RETENTION:
        rows = [
            [(t.label(f"retention.d{d}"), callbacks.make("nw", "days", "retention", d))]
            for d in RETENTION_CHOICES
        ]
    elif step is Step.CADENCE:
        rows = [
            [(t.label(f"cadence.d{d}"), callbacks.make("nw", "days", "cadence", d))]
            for d in CADENCE_CHOICES
        ]
    elif step is Step.CONFIRM:
        rows = [
            [(t.label("buttons.create_workshop"), callbacks.make("nw", "save"))],
        ]
    rows.append([(t.label("buttons.cancel"), callbacks.make("nw", "cancel"))])
    await say(
        update,
        context,
        "nw_step",
        buttons=rows,
        step=step.name.lower(),
        number=int(step) if step < Step.QUESTION_FILE else int(step) - 1,
        total=len(Step) - 1,  # the file step shares the number of the questions step
        draft=_draft(context),
    )
    return int(step)


@staff_only("newworkshop")
async def begin(update: Update, context: BotContext) -> int:
    """Start a fresh draft (closing any other facilitator prompt: one at a time)."""
    context.user_data.pop(KEY, None)
    context.user_data[DRAFT] = {}
    await say(update, context, "nw_intro")
    return await ask(update, context, Step.TITLE)


def typed_step(step: Step) -> Any:
    field, following = TYPED[step]

    async def take(update: Update, context: BotContext) -> int:
        if DRAFT not in context.user_data:
            return PASS  # set-up left behind: this text is someone's answer elsewhere
        if not await _still_staff(update, context):
            return END
        message = update.effective_message
        assert message is not None
        try:
            value = parse_field(field, message.text or "")
        except FieldError as problem:
            await say(
                update, context, "fac_field_problem", problem=problem.problem, **problem.values
            )
            return int(step)
        _draft(context)[field] = value
        return await ask(update, context, following)

    take.__name__ = f"take_{field}"
    return take


async def on_button(update: Update, context: BotContext) -> int | None:
    """Level, question set, time zone, retention, cadence, create, cancel."""
    query = update.callback_query
    assert query is not None
    if not await _still_staff(update, context):
        return END
    cb = await parsed_button(update, context, "newworkshop")
    if cb is None:
        return None
    await acknowledge(query)
    await retire_buttons(query)
    if DRAFT not in context.user_data:
        await say(update, context, "nw_expired")
        return END
    draft = _draft(context)
    if cb.action == "cancel":
        context.user_data.pop(DRAFT, None)
        await say(update, context, "nw_cancelled")
        return END
    if cb.action == "level" and cb.int_arg(0) < len(ENGAGEMENT_LEVELS):
        draft["engagement_level"] = ENGAGEMENT_LEVELS[cb.int_arg(0)]
        return await ask(update, context, Step.CAN)
    if cb.action == "questions":
        if cb.args[0] == "file":
            await say(update, context, "nw_send_file")
            return int(Step.QUESTION_FILE)
        draft.pop("questions", None)
        draft.pop("about_you", None)
        return await ask(update, context, Step.TIMEZONE)
    if cb.action == "tz":
        draft["timezone"] = "Europe/London"
        return await ask(update, context, Step.RETENTION)
    if cb.action == "days":
        field = "retention_days" if cb.args[0] == "retention" else "update_cadence_days"
        try:
            draft[field] = parse_field(field, cb.args[1])
        except FieldError:
            return await ask(
                update, context, Step.RETENTION if field == "retention_days" else Step.CADENCE
            )
        return await ask(
            update, context, Step.CADENCE if field == "retention_days" else Step.CONFIRM
        )
    if cb.action == "save":
        return await _save(update, context)
    return await _resume_step(update, context)


async def _resume_step(update: Update, context: BotContext) -> int:
    """A button from another step (pressed late): ask the first thing still missing."""
    draft = _draft(context)
    order = [
        ("title", Step.TITLE), ("purpose", Step.PURPOSE), ("engagement_level", Step.LEVEL),
        ("can_change", Step.CAN), ("cannot_change", Step.CANNOT), ("who_decides", Step.WHO),
        ("decide_by", Step.BY), ("timezone", Step.TIMEZONE), ("retention_days", Step.RETENTION),
        ("update_cadence_days", Step.CADENCE),
    ]  # fmt: skip
    for field, step in order:
        if field not in draft:
            return await ask(update, context, step)
    return await ask(update, context, Step.CONFIRM)


async def take_file(update: Update, context: BotContext) -> int:
    """A TOML file of [[questions]] (and optional [[about_you]]) sent as a document."""
    if DRAFT not in context.user_data:
        return PASS
    if not await _still_staff(update, context):
        return END
    message = update.effective_message
    assert message is not None
    assert message.document is not None
    document = message.document
    if (document.file_size or 0) > FILE_LIMIT or not (document.file_name or "").endswith(".toml"):
        await say(update, context, "nw_file_problem", problem=None, too_big=True)
        return int(Step.QUESTION_FILE)
    try:
        file = await document.get_file()
        raw = bytes(await file.download_as_bytearray()).decode("utf-8")
        questions, about = parse_question_file(raw, document.file_name or "questions.toml")
    except UnicodeDecodeError:
        await say(update, context, "nw_file_problem", problem="The file is not UTF-8 text.")
        return int(Step.QUESTION_FILE)
    except WorkshopFileError as problem:
        await say(update, context, "nw_file_problem", problem=str(problem))
        return int(Step.QUESTION_FILE)
    except TelegramError:
        await say(update, context, "nw_file_problem", problem=None, too_big=False)
        return int(Step.QUESTION_FILE)
    draft = _draft(context)
    draft["questions"] = [
        {
            "key": q.key,
            "kind": q.kind,
            "prompt": q.prompt,
            "hint": q.hint,
            "options": list(q.options),
        }
        for q in questions
    ]
    draft["about_you"] = [
        {"key": a.key, "prompt": a.prompt, "options": list(a.options), "targets": a.targets}
        for a in about
    ]
    await say(update, context, "nw_file_ok", count=len(questions), about=len(about))
    return await ask(update, context, Step.TIMEZONE)


async def file_expected(update: Update, context: BotContext) -> int:
    if DRAFT not in context.user_data:
        return PASS
    await say(update, context, "nw_send_file")
    return int(Step.QUESTION_FILE)


async def use_buttons(update: Update, context: BotContext) -> int | None:
    """Text where a button is expected: say so, and ask the same step again."""
    if DRAFT not in context.user_data:
        return PASS
    await say(update, context, "nw_use_buttons")
    return None


async def not_text(update: Update, context: BotContext) -> int | None:
    if DRAFT not in context.user_data:
        return PASS
    await say(update, context, "fac_type_please")
    return None


async def cancel(update: Update, context: BotContext) -> int:
    if DRAFT not in context.user_data:
        return PASS  # /cancel for the participant conversation
    context.user_data.pop(DRAFT, None)
    await say(update, context, "nw_cancelled")
    return END


async def _save(update: Update, context: BotContext) -> int:
    user = update.effective_user
    assert user is not None
    draft = _draft(context)
    if any(field not in draft for field in NEEDED):
        return await _resume_step(update, context)
    t = context.texts
    if draft.get("questions"):
        questions = tuple(
            NewQuestion(q["key"], q["kind"], q["prompt"], q["hint"], tuple(q["options"]))
            for q in draft["questions"]
        )
    else:
        questions = load_question_set("what-matters")
    about = tuple(
        NewAboutQuestion(a["key"], a["prompt"], tuple(a["options"]), dict(a["targets"]))
        for a in draft.get("about_you", [])
    )
    new = NewWorkshop(
        title=draft["title"],
        purpose=draft["purpose"],
        engagement_level=draft["engagement_level"],
        can_change=tuple(draft["can_change"]),
        cannot_change=tuple(draft["cannot_change"]),
        who_decides=draft["who_decides"],
        decide_by=draft["decide_by"],
        hear_back=t.plain("default_hear_back", days=draft["update_cadence_days"]),
        support=tuple(
            SupportContact(name=n, contact=c)
            for n, c in zip(
                t.labels("defaults.support_names"),
                t.labels("defaults.support_contacts"),
                strict=True,
            )
        ),
        ground_rules=tuple(t.labels("defaults.ground_rules")),
        questions=questions,
        timezone=draft["timezone"],
        retention_days=draft["retention_days"],
        update_cadence_days=draft["update_cadence_days"],
        about_you=about,
    )
    workshop = await context.storage.workshops.create(
        new, created_by=user.id, creator_name=user.first_name
    )
    context.user_data.pop(DRAFT, None)
    await audit(update, context, "newworkshop", workshop.id)
    await set_staff_menu(context.bot, t, user.id, staff=True)
    await say(update, context, "nw_created", workshop=workshop)
    await send_invite(update, context, workshop)
    return END


def build() -> ConversationHandler:  # type: ignore[type-arg]
    buttons = CallbackQueryHandler(exclusive(on_button), pattern=r"^nw:")
    states: dict[object, list[Any]] = {
        int(step): [MessageHandler(TEXT, exclusive(typed_step(step))), buttons] for step in TYPED
    }
    for step in (Step.LEVEL, Step.QUESTIONS, Step.CONFIRM):
        states[int(step)] = [buttons, MessageHandler(TEXT, exclusive(use_buttons))]
    states[int(Step.QUESTION_FILE)] = [
        buttons,
        MessageHandler(DOCUMENT, exclusive(take_file)),
        MessageHandler(TEXT | NOT_TEXT, exclusive(file_expected)),
    ]
    for handlers in states.values():
        handlers.insert(0, command("cancel", exclusive(cancel)))
        handlers.append(MessageHandler(NOT_TEXT, exclusive(not_text)))
    start = command("newworkshop", exclusive(begin))
    with warnings.catch_warnings():
        # Buttons are checked against the role and the draft, not tracked per message.
        warnings.filterwarnings("ignore", message=".*per_message.*", category=PTBUserWarning)
        return ConversationHandler(
            name=NAME,
            persistent=True,
            entry_points=[start],
            states=states,
            fallbacks=[start, buttons],
        )
