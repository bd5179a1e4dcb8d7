"""Facilitator prompts that wait for typed text: edits, closing messages, themes, actions,
updates and sessions.

What is awaited is kept in user_data (``prompting.KEY``), so a restart does not lose it; the
role is checked again when the text arrives, because it may have changed meanwhile. This
conversation runs in a group before the participant conversation (see bot.app): a prompt
left open never swallows a participant's answers (``prompting.PASS``).
"""

from __future__ import annotations

import warnings
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler
from telegram.warnings import PTBUserWarning

from chat import callbacks
from chat.context import BotContext
from chat.filters import NOT_TEXT, TEXT, command
from chat.messaging import acknowledge, retire_buttons, say
from chat.states import END
from domain.workshop_fields import FieldError, parse_field
from handlers.facilitator import access, loop
from handlers.facilitator.access import audit, may_run, refuse, staff_only
from handlers.facilitator.prompting import (
    AWAITING,
    KEY,
    PASS,
    TEXT_STEPS,
    await_text,
    awaiting,
    exclusive,
    fits,
    text_step,
)
from handlers.facilitator.themes import show_themes
from handlers.facilitator.views import KIND_NAME, show_tagging
from handlers.facilitator.workshops import show_workshop

NAME = "facilitator_input"
THEME_NAME_LIMIT = 60


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
    return await await_text(
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
    if cb.flow in ("fw", "we") or (cb.flow, cb.action) == ("th", "new"):
        workshop = await access.workshop_from_button(update, context, cb.action, cb.int_arg(0))
        if workshop is None:
            return END
        if cb.flow == "fw":
            return await ask_closing_message(update, context, workshop.id)
        if cb.flow == "th":
            return await await_text(
                update, context, {"what": "theme", "workshop": workshop.id}, "fac_ask_theme_name"
            )
        return await await_text(
            update, context, {"what": "edit", "workshop": workshop.id, "field": cb.action},
            "fac_ask_field", field=cb.action, workshop=workshop,
        )  # fmt: skip
    if cb.flow == "th":  # rename
        theme = await storage.themes.get(cb.int_arg(0))
        if theme is None:
            await access.gone(update, context)
            return END
        if not await may_run(context, user.id, theme.workshop_id):
            await refuse(update, context, "rename-theme", theme.workshop_id)
            return END
        await acknowledge(query)
        return await await_text(
            update, context, {"what": "rename", "workshop": theme.workshop_id, "theme": theme.id},
            "fac_ask_theme_rename", theme=theme,
        )  # fmt: skip
    # vw:new: a new theme for one answer or view, tagged straight away
    kind, item_id = cb.args[0], cb.int_arg(1)
    workshop_id = await storage.themes.item_workshop(KIND_NAME[kind], item_id)
    if workshop_id is None:
        await access.gone(update, context)
        return END
    if not await may_run(context, user.id, workshop_id):
        await refuse(update, context, "tag", workshop_id)
        return END
    await acknowledge(query)
    return await await_text(
        update, context, {"what": "theme", "workshop": workshop_id, "kind": kind, "item": item_id},
        "fac_ask_theme_name",
    )  # fmt: skip


# ---- the typed answer ----------------------------------------------------------------------


async def on_text(update: Update, context: BotContext) -> int:
    """Apply what was typed, after checking the role again."""
    message = update.effective_message
    user = update.effective_user
    waiting = awaiting(context)
    if message is None or user is None or waiting is None:
        return PASS  # the prompt was left behind: this is someone's answer elsewhere
    workshop_id = int(waiting.get("workshop", 0))
    if not await may_run(context, user.id, workshop_id):
        context.user_data.pop(KEY, None)
        await refuse(update, context, str(waiting.get("what")), workshop_id)
        return END
    step = TEXT_STEPS.get(str(waiting.get("what")))
    if step is None:
        context.user_data.pop(KEY, None)
        return PASS
    return await step(update, context, waiting, (message.text or "").strip())


@text_step("close")
async def _close_step(
    update: Update, context: BotContext, waiting: dict[str, Any], text: str
) -> int:
    return await _close(update, context, int(waiting["workshop"]), text)


async def _close(
    update: Update, context: BotContext, workshop_id: int, message: str | None
) -> int:
    if not await fits(update, context, message, 1000, required=False):
        return AWAITING
    context.user_data.pop(KEY, None)
    await context.storage.workshops.close(workshop_id, message or None)
    await audit(update, context, "close", workshop_id)
    workshop = await context.storage.workshops.get(workshop_id)
    await say(update, context, "fac_closed", workshop=workshop)
    return END


@text_step("edit")
async def _edit(update: Update, context: BotContext, waiting: dict[str, Any], text: str) -> int:
    workshop_id, field = int(waiting["workshop"]), str(waiting["field"])
    try:
        value = parse_field(field, text)
    except FieldError as problem:
        await say(update, context, "fac_field_problem", problem=problem.problem, **problem.values)
        return AWAITING
    context.user_data.pop(KEY, None)
    workshops = context.storage.workshops
    before = await workshops.get(workshop_id)
    await workshops.update(workshop_id, field, value)
    if field == "update_cadence_days" and before is not None:
        # The generated "what happens next" names the cadence: keep it true.
        t = context.texts
        if before.hear_back == t.plain("default_hear_back", days=before.update_cadence_days):
            await workshops.update(
                workshop_id, "hear_back", t.plain("default_hear_back", days=value)
            )
    await audit(update, context, "edit", workshop_id, field)
    await say(update, context, "fac_saved", field=field)
    workshop = await context.storage.workshops.get(workshop_id)
    assert workshop is not None
    await show_workshop(update, context, workshop)
    return END


@text_step("theme")
@text_step("rename")
async def _theme(update: Update, context: BotContext, waiting: dict[str, Any], text: str) -> int:
    user = update.effective_user
    assert user is not None
    name = " ".join(text.split())
    if not name or len(name) > THEME_NAME_LIMIT:
        await say(update, context, "fac_theme_name_problem", limit=THEME_NAME_LIMIT)
        return AWAITING
    themes = context.storage.themes
    workshop_id = int(waiting["workshop"])
    if waiting["what"] == "rename":
        theme = await themes.get(int(waiting["theme"]))
        if theme is None or theme.workshop_id != workshop_id:
            context.user_data.pop(KEY, None)
            await say(update, context, "fac_gone")
            return END
        if not await themes.rename(theme.id, name):
            await say(update, context, "fac_theme_exists", name=name)
            return AWAITING
        await audit(update, context, "rename-theme", workshop_id, str(theme.id))
    elif "item" in waiting:
        kind, item = str(waiting["kind"]), int(waiting["item"])
        if await themes.item_workshop(KIND_NAME[kind], item) != workshop_id:
            context.user_data.pop(KEY, None)
            await say(update, context, "fac_gone")
            return END
        theme = await themes.create(workshop_id, name, tag=(KIND_NAME[kind], item, user.id))
        if theme is None:
            await say(update, context, "fac_theme_exists", name=name)
            return AWAITING
        await audit(update, context, "new-theme", workshop_id, str(theme.id))
        context.user_data.pop(KEY, None)
        await show_tagging(update, context, workshop_id, kind, item)
        return END
    else:
        theme = await themes.create(workshop_id, name)
        if theme is None:
            await say(update, context, "fac_theme_exists", name=name)
            return AWAITING
        await audit(update, context, "new-theme", workshop_id, str(theme.id))
    context.user_data.pop(KEY, None)
    workshop = await context.storage.workshops.get(workshop_id)
    assert workshop is not None
    await show_themes(update, context, workshop)
    return END


async def not_text(update: Update, context: BotContext) -> int:
    if awaiting(context) is None:
        return PASS
    await say(update, context, "fac_type_please")
    return AWAITING


async def cancel(update: Update, context: BotContext) -> int:
    if update.callback_query is not None:
        await acknowledge(update.callback_query)
        await retire_buttons(update.callback_query)
    elif awaiting(context) is None:
        return PASS  # /cancel for the participant conversation
    context.user_data.pop(KEY, None)
    await say(update, context, "fac_cancelled")
    return END


async def on_close_button(update: Update, context: BotContext) -> int:
    """Close without a message, or keep the workshop open: only while that prompt is open."""
    cb = await access.parsed_button(update, context, "close")
    if cb is None:
        return END
    workshop = await access.workshop_from_button(update, context, "close", cb.int_arg(0))
    if workshop is None:
        return END
    waiting = awaiting(context)
    query = update.callback_query
    assert query is not None
    await retire_buttons(query)
    if waiting is None or waiting.get("what") != "close" or waiting.get("workshop") != workshop.id:
        await access.gone(update, context)
        return END
    if cb.action == "keep":
        context.user_data.pop(KEY, None)
        await say(update, context, "fac_kept_open")
        return END
    return await _close(update, context, workshop.id, None)


def build() -> ConversationHandler:  # type: ignore[type-arg]
    ways_in = [
        command("close", exclusive(close_command)),
        *[command(name, exclusive(start)) for name, start in loop.COMMANDS.items()],
        CallbackQueryHandler(
            exclusive(on_button), pattern=r"^(fw:close:|we:(?!levels?:)|th:(new|rename):|vw:new:)"
        ),
        CallbackQueryHandler(exclusive(on_close_button), pattern=r"^wc:(skip|keep):"),
        CallbackQueryHandler(exclusive(loop.on_button), pattern=loop.BUTTONS),
        CallbackQueryHandler(exclusive(cancel), pattern=r"^fi:cancel$"),
        CallbackQueryHandler(exclusive(loop.skip_optional), pattern=r"^fi:skip$"),
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
                    command("cancel", exclusive(cancel)),
                    MessageHandler(TEXT, exclusive(on_text)),
                    MessageHandler(NOT_TEXT, exclusive(not_text)),
                ]
            },
            fallbacks=ways_in,
        )
