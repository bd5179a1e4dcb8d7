"""Facilitator prompts that wait for typed text: editing a field, a closing message, a theme.

What is awaited is kept in user_data (``AWAITING``), so a restart does not lose it; the
role is checked again when the text arrives, because it may have changed meanwhile.
"""

from __future__ import annotations

import warnings
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler
from telegram.warnings import PTBUserWarning

from bot import callbacks
from bot.context import BotContext
from bot.messaging import acknowledge, retire_buttons, say
from bot.workshop_fields import FieldError, parse_field
from conversations.routing import NOT_TEXT, TEXT, command
from conversations.states import END
from handlers.facilitator import access
from handlers.facilitator.access import audit, may_run, refuse, staff_only
from handlers.facilitator.themes import show_themes
from handlers.facilitator.views import KIND_NAME, show_tagging
from handlers.facilitator.workshops import show_workshop

NAME = "facilitator_input"
AWAITING = 1
KEY = "awaiting"
THEME_NAME_LIMIT = 60


def _cancel_row(context: BotContext) -> list[list[tuple[str, str]]]:
    return [[(context.texts.label("buttons.cancel"), callbacks.make("fi", "cancel"))]]


async def _await(
    update: Update, context: BotContext, what: dict[str, Any], prompt: str, **values: Any
) -> int:
    context.user_data[KEY] = what
    buttons = values.pop("buttons", None) or _cancel_row(context)
    await say(update, context, prompt, buttons=buttons, **values)
    return AWAITING


# ---- ways in -------------------------------------------------------------------------------


@staff_only("close")
async def close_command(update: Update, context: BotContext) -> int:
    """/close: ask for a closing message before closing the workshop to new people."""
    workshop = await access.chosen_workshop(update, context, "close")
    if workshop is None:
        return END
    return await ask_closing_message(update, context, workshop.id)


async def ask_closing_message(update: Update, context: BotContext, workshop_id: int) -> int:
    workshop = await context.storage.workshops.get(workshop_id)
    assert workshop is not None
    t = context.texts
    rows = [
        [(t.label("buttons.close_silently"), callbacks.make("wc", "skip", workshop.id))],
        [(t.label("buttons.keep_open"), callbacks.make("wc", "keep", workshop.id))],
    ]
    return await _await(
        update, context, {"what": "close", "workshop": workshop.id}, "fac_ask_closing",
        buttons=rows, workshop=workshop,
    )  # fmt: skip


async def on_button(update: Update, context: BotContext) -> int:
    """Buttons that lead to a typed answer: edit a field, close, name or rename a theme."""
    query = update.callback_query
    assert query is not None
    cb = await access.parsed_button(update, context, "button")
    if cb is None:
        return END
    user = update.effective_user
    assert user is not None
    storage = context.storage
    if (
        (cb.flow == "fw" and cb.action == "close")
        or cb.flow == "we"
        or (cb.action == "new" and cb.flow == "th")
    ):
        workshop_id = cb.int_arg(0)
        if not await may_run(context, user.id, workshop_id):
            await refuse(update, context, cb.action, workshop_id)
            return END
        await acknowledge(query)
        if cb.flow == "fw":
            return await ask_closing_message(update, context, workshop_id)
        if cb.flow == "th":
            return await _await(
                update, context, {"what": "theme", "workshop": workshop_id}, "fac_ask_theme_name"
            )
        workshop = await storage.workshops.get(workshop_id)
        return await _await(
            update, context, {"what": "edit", "workshop": workshop_id, "field": cb.action},
            "fac_ask_field", field=cb.action, workshop=workshop,
        )  # fmt: skip
    if cb.flow == "th":  # rename
        theme = await storage.themes.get(cb.int_arg(0))
        if theme is None or not await may_run(context, user.id, theme.workshop_id):
            await refuse(update, context, "rename-theme", theme.workshop_id if theme else None)
            return END
        await acknowledge(query)
        return await _await(
            update, context, {"what": "rename", "workshop": theme.workshop_id, "theme": theme.id},
            "fac_ask_theme_rename", theme=theme,
        )  # fmt: skip
    # vw:new: a new theme for one answer or view, tagged straight away
    kind, item_id = cb.args[0], cb.int_arg(1)
    workshop_id = await storage.themes.item_workshop(KIND_NAME[kind], item_id)
    if workshop_id is None or not await may_run(context, user.id, workshop_id):
        await refuse(update, context, "tag", workshop_id)
        return END
    await acknowledge(query)
    return await _await(
        update, context, {"what": "theme", "workshop": workshop_id, "kind": kind, "item": item_id},
        "fac_ask_theme_name",
    )  # fmt: skip


# ---- the typed answer ----------------------------------------------------------------------


async def on_text(update: Update, context: BotContext) -> int:
    """Apply what was typed, after checking the role again."""
    message = update.effective_message
    user = update.effective_user
    awaiting = context.user_data.get(KEY)
    if message is None or user is None or not isinstance(awaiting, dict):
        return END
    workshop_id = int(awaiting.get("workshop", 0))
    if not await may_run(context, user.id, workshop_id):
        context.user_data.pop(KEY, None)
        await refuse(update, context, str(awaiting.get("what")), workshop_id)
        return END
    text = (message.text or "").strip()
    what = awaiting.get("what")
    if what == "close":
        return await _close(update, context, workshop_id, text)
    if what == "edit":
        return await _edit(update, context, workshop_id, str(awaiting["field"]), text)
    return await _theme(update, context, awaiting, text)


async def _close(
    update: Update, context: BotContext, workshop_id: int, message: str | None
) -> int:
    if message is not None and len(message) > 1000:
        await say(update, context, "fac_field_problem", problem="too_long", limit=1000)
        return AWAITING
    context.user_data.pop(KEY, None)
    await context.storage.workshops.close(workshop_id, message or None)
    await audit(update, context, "close", workshop_id)
    workshop = await context.storage.workshops.get(workshop_id)
    await say(update, context, "fac_closed", workshop=workshop)
    return END


async def _edit(
    update: Update, context: BotContext, workshop_id: int, field: str, text: str
) -> int:
    try:
        value = parse_field(field, text)
    except FieldError as problem:
        await say(update, context, "fac_field_problem", problem=problem.problem, **problem.values)
        return AWAITING
    context.user_data.pop(KEY, None)
    await context.storage.workshops.update(workshop_id, field, value)
    await audit(update, context, "edit", workshop_id, field)
    await say(update, context, "fac_saved", field=field)
    workshop = await context.storage.workshops.get(workshop_id)
    assert workshop is not None
    await show_workshop(update, context, workshop)
    return END


async def _theme(update: Update, context: BotContext, awaiting: dict[str, Any], text: str) -> int:
    user = update.effective_user
    assert user is not None
    name = " ".join(text.split())
    if not name or len(name) > THEME_NAME_LIMIT:
        await say(update, context, "fac_theme_name_problem", limit=THEME_NAME_LIMIT)
        return AWAITING
    themes = context.storage.themes
    workshop_id = int(awaiting["workshop"])
    if awaiting["what"] == "rename":
        theme = await themes.get(int(awaiting["theme"]))
        if theme is None or theme.workshop_id != workshop_id:
            context.user_data.pop(KEY, None)
            await say(update, context, "expired_nowhere")
            return END
        if not await themes.rename(theme.id, name):
            await say(update, context, "fac_theme_exists", name=name)
            return AWAITING
        await audit(update, context, "rename-theme", workshop_id, str(theme.id))
    else:
        theme = await themes.create(workshop_id, name)
        if theme is None:
            await say(update, context, "fac_theme_exists", name=name)
            return AWAITING
        await audit(update, context, "new-theme", workshop_id, str(theme.id))
        if "item" in awaiting:
            kind, item = str(awaiting["kind"]), int(awaiting["item"])
            await themes.tag(theme.id, KIND_NAME[kind], item, user.id)
            context.user_data.pop(KEY, None)
            await show_tagging(update, context, workshop_id, kind, item)
            return END
    context.user_data.pop(KEY, None)
    workshop = await context.storage.workshops.get(workshop_id)
    assert workshop is not None
    await show_themes(update, context, workshop)
    return END


async def not_text(update: Update, context: BotContext) -> int:
    await say(update, context, "fac_type_please")
    return AWAITING


async def cancel(update: Update, context: BotContext) -> int:
    if update.callback_query is not None:
        await acknowledge(update.callback_query)
        await retire_buttons(update.callback_query)
    context.user_data.pop(KEY, None)
    await say(update, context, "fac_cancelled")
    return END


async def on_close_button(update: Update, context: BotContext) -> int:
    """Close without a message, or keep the workshop open."""
    query = update.callback_query
    assert query is not None
    cb = await access.parsed_button(update, context, "close")
    if cb is None:
        return END
    user = update.effective_user
    workshop_id = cb.int_arg(0)
    if user is None or not await may_run(context, user.id, workshop_id):
        await refuse(update, context, "close", workshop_id)
        return END
    await acknowledge(query)
    await retire_buttons(query)
    if cb.action == "keep":
        context.user_data.pop(KEY, None)
        await say(update, context, "fac_kept_open")
        return END
    return await _close(update, context, workshop_id, None)


def build() -> ConversationHandler:  # type: ignore[type-arg]
    ways_in = [
        command("close", close_command),
        CallbackQueryHandler(
            on_button, pattern=r"^(fw:close:|we:(?!levels?:)|th:(new|rename):|vw:new:)"
        ),
        CallbackQueryHandler(on_close_button, pattern=r"^wc:(skip|keep):"),
        CallbackQueryHandler(cancel, pattern=r"^fi:cancel$"),
    ]
    with warnings.catch_warnings():
        # Buttons are checked against the database and the role, not tracked per message.
        warnings.filterwarnings("ignore", message=".*per_message.*", category=PTBUserWarning)
        return ConversationHandler(
            name=NAME,
            persistent=True,
            entry_points=ways_in,
            states={
                AWAITING: [
                    command("cancel", cancel),
                    CallbackQueryHandler(cancel, pattern=r"^fi:cancel$"),
                    MessageHandler(TEXT, on_text),
                    MessageHandler(NOT_TEXT, not_text),
                ]
            },
            fallbacks=ways_in,
        )
