"""Closing the loop, for facilitators: actions, updates (now or later), sessions, reports."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from telegram import Update

from chat import callbacks
from chat.context import BotContext
from chat.messaging import Button, replace, say
from chat.states import END
from domain.broadcast import BODY_LIMIT, update_text
from domain.texts import MESSAGE_LIMIT
from domain.when import parse_local
from handlers.delivery import Worker, stamp
from handlers.facilitator import access
from handlers.facilitator.access import audit, staff_only
from handlers.facilitator.prompting import AWAITING, KEY, await_text, awaiting, fits, text_step
from handlers.jobs import deliver_soon, enqueue_update
from storage.actions import STATUSES
from storage.models import Workshop

REPORTED = 10  # most recent updates in /report
PREVIEWS = 4  # personal versions shown in a preview, most common first
TITLE_LIMIT = 300
REASON_LIMIT = 1000
VENUE_LIMIT = 300
BUTTONS = r"^(ac:|up:(start|act|next|now|later|cancel)(:|$)|fw:(action|update|session):)"


async def _no_draft(update: Update, context: BotContext, action: str) -> int:
    """A draft-step button with no draft open: stale for staff, refused for anyone else."""
    user = update.effective_user
    if user is not None and await access.is_staff(context, user.id):
        await access.gone(update, context)
    else:
        await access.refuse(update, context, action)
    return END


async def _draft(
    update: Update, context: BotContext, flow: str
) -> tuple[dict[str, Any], Workshop] | None:
    """The open draft of an action or update, and its workshop, if the presser runs it."""
    waiting = awaiting(context)
    if waiting is None or not str(waiting.get("what", "")).startswith(f"{flow}_"):
        await _no_draft(update, context, flow)
        return None
    workshop = await access.workshop_from_button(update, context, flow, int(waiting["workshop"]))
    return None if workshop is None else (waiting, workshop)


async def _future(
    update: Update, context: BotContext, waiting: dict[str, Any], text: str
) -> tuple[Workshop, datetime] | None:
    """The workshop and the future time typed (in its time zone); or say what was wrong."""
    workshop = await context.storage.workshops.get(int(waiting["workshop"]))
    assert workshop is not None
    now = _now(context)
    moment = parse_local(text, workshop.timezone, now)
    if moment is None or moment <= now:
        past = moment is not None
        await say(update, context, "fac_when_problem", timezone=workshop.timezone, past=past)
        return None
    return workshop, moment


def _now(context: BotContext) -> datetime:
    worker: Worker = context.bot_data["worker"]
    return worker.clock()


# ---- actions -------------------------------------------------------------------------------


async def start_action(update: Update, context: BotContext, workshop: Workshop) -> int:
    return await await_text(
        update, context, {"what": "action_title", "workshop": workshop.id}, "fac_ask_action",
        workshop=workshop,
    )  # fmt: skip


@text_step("action_title")
async def _action_title(
    update: Update, context: BotContext, waiting: dict[str, Any], text: str
) -> int:
    if not await fits(update, context, text, TITLE_LIMIT):
        return AWAITING
    waiting.update(what="action_status", title=text, themes=[])
    t = context.texts
    rows = [
        [(t.label(f"action_status.{status}"), callbacks.make("ac", "status", i))]
        for i, status in enumerate(STATUSES)
    ]
    return await await_text(update, context, waiting, "fac_ask_action_status", buttons=rows)


@text_step("action_reason")
@text_step("action_reason_change")
async def _action_reason(
    update: Update, context: BotContext, waiting: dict[str, Any], text: str
) -> int:
    if not await fits(update, context, text, REASON_LIMIT):
        return AWAITING
    if waiting["what"] == "action_reason_change":
        user = update.effective_user
        assert user is not None
        action_id = int(waiting["action"])
        await context.storage.actions.set_status(action_id, "not_possible", text, user.id)
        await audit(update, context, "action-status", int(waiting["workshop"]), str(action_id))
        context.user_data.pop(KEY, None)
        await _show_actions(update, context, int(waiting["workshop"]))
        return END
    waiting.update(what="action_themes", reason=text)
    return await _theme_picker(update, context, waiting)


async def _theme_picker(
    update: Update, context: BotContext, waiting: dict[str, Any], *, in_place: bool = False
) -> int:
    t = context.texts
    chosen = set(waiting.get("themes", []))
    rows: list[list[Button]] = [
        [
            (
                ("✓ " if theme.id in chosen else "") + theme.name,
                callbacks.make("ac", "theme", theme.id),
            )
        ]
        for theme in await context.storage.themes.of_workshop(int(waiting["workshop"]))
    ]
    rows.append([(t.label("buttons.save_action"), callbacks.make("ac", "save"))])
    context.user_data[KEY] = waiting
    if in_place and update.callback_query is not None:
        await replace(update.callback_query, context, "fac_ask_action_themes", buttons=rows)
        return AWAITING
    return await await_text(update, context, waiting, "fac_ask_action_themes", buttons=rows)


async def show_actions(update: Update, context: BotContext, workshop: Workshop) -> None:
    await _show_actions(update, context, workshop.id)


async def _show_actions(update: Update, context: BotContext, workshop_id: int) -> None:
    workshop = await context.storage.workshops.get(workshop_id)
    actions = await context.storage.actions.of_workshop(workshop_id)
    t = context.texts
    rows: list[list[Button]] = [
        [(t.label("buttons.change_action").format(n=i), callbacks.make("ac", "edit", a.id))]
        for i, a in enumerate(actions, start=1)
    ]
    await say(update, context, "fac_actions", buttons=rows, workshop=workshop, actions=actions)


async def _action_button(update: Update, context: BotContext, cb: callbacks.Callback) -> int:
    storage = context.storage
    user = update.effective_user
    assert user is not None
    if cb.action in ("edit", "set"):
        action = await storage.actions.get(cb.int_arg(0))
        if action is None:
            await access.gone(update, context)
            return END
        if (
            await access.workshop_from_button(update, context, "action", action.workshop_id)
            is None
        ):
            return END
        if cb.action == "edit":
            t = context.texts
            rows = [
                [(t.label(f"action_status.{s}"), callbacks.make("ac", "set", action.id, i))]
                for i, s in enumerate(STATUSES)
            ]
            await say(update, context, "fac_ask_action_status", buttons=rows, action=action)
            return END
        if cb.int_arg(1) >= len(STATUSES):
            await access.gone(update, context)
            return END
        status = STATUSES[cb.int_arg(1)]
        if status == "not_possible":
            what = {"what": "action_reason_change", "workshop": action.workshop_id}
            what["action"] = action.id
            return await await_text(update, context, what, "fac_ask_action_reason")
        await storage.actions.set_status(action.id, status, None, user.id)
        await audit(update, context, "action-status", action.workshop_id, str(action.id))
        await _show_actions(update, context, action.workshop_id)
        return END
    # the steps of a new action keep their draft in the awaited prompt
    draft = await _draft(update, context, "action")
    if draft is None:
        return END
    waiting, workshop = draft
    if cb.action == "status" and waiting["what"] == "action_status":
        if cb.int_arg(0) >= len(STATUSES):
            await access.gone(update, context)
            return END
        waiting["status"] = STATUSES[cb.int_arg(0)]
        if waiting["status"] == "not_possible":
            waiting["what"] = "action_reason"
            return await await_text(update, context, waiting, "fac_ask_action_reason")
        waiting["what"] = "action_themes"
        return await _theme_picker(update, context, waiting)
    if cb.action == "theme" and waiting["what"] == "action_themes":
        theme = await storage.themes.get(cb.int_arg(0))
        if theme is None or theme.workshop_id != workshop.id:
            await access.gone(update, context)
            return AWAITING
        chosen = set(waiting.get("themes", []))
        chosen ^= {theme.id}
        waiting["themes"] = sorted(chosen)
        return await _theme_picker(update, context, waiting, in_place=True)
    if cb.action == "save" and waiting["what"] == "action_themes":
        action = await storage.actions.create(
            workshop.id,
            str(waiting["title"]),
            str(waiting["status"]),
            waiting.get("reason"),
            list(waiting.get("themes", [])),
            user.id,
        )
        context.user_data.pop(KEY, None)
        await audit(update, context, "action", workshop.id, str(action.id))
        await say(update, context, "fac_action_saved", action=action)
        await _show_actions(update, context, workshop.id)
        return END
    await access.gone(update, context)
    return AWAITING


# ---- updates -------------------------------------------------------------------------------


async def start_update(update: Update, context: BotContext, workshop: Workshop) -> int:
    """Choose which actions the update is about, then write it."""
    waiting = {"what": "update_actions", "workshop": workshop.id, "actions": []}
    return await _action_picker(update, context, waiting, workshop)


async def _action_picker(
    update: Update, context: BotContext, waiting: dict[str, Any], workshop: Workshop,
    *, in_place: bool = False,
) -> int:  # fmt: skip
    t = context.texts
    chosen = set(waiting.get("actions", []))
    actions = await context.storage.actions.of_workshop(workshop.id)
    rows: list[list[Button]] = [
        [(("✓ " if a.id in chosen else "") + a.title[:50], callbacks.make("up", "act", a.id))]
        for a in actions
    ]
    rows.append([(t.label("buttons.write_message"), callbacks.make("up", "next"))])
    context.user_data[KEY] = waiting
    values = {"workshop": workshop, "count": len(actions)}
    if in_place and update.callback_query is not None:
        rows.append([(t.label("buttons.cancel"), callbacks.make("fi", "cancel"))])
        await replace(update.callback_query, context, "fac_pick_actions", buttons=rows, **values)
        return AWAITING
    return await await_text(update, context, waiting, "fac_pick_actions", buttons=rows, **values)


@text_step("update_actions")
async def _typed_while_picking(
    update: Update, context: BotContext, waiting: dict[str, Any], text: str
) -> int:
    await say(update, context, "nw_use_buttons")
    return AWAITING


@text_step("update_body")
async def _update_body(
    update: Update, context: BotContext, waiting: dict[str, Any], text: str
) -> int:
    if not await fits(update, context, text, BODY_LIMIT):
        return AWAITING
    waiting.update(what="update_confirm", body=text)
    return await _preview(update, context, waiting)


@text_step("update_confirm")
async def _typed_at_preview(
    update: Update, context: BotContext, waiting: dict[str, Any], text: str
) -> int:
    # A new message replaces the one in the preview.
    return await _update_body(update, context, waiting, text)


async def _preview(update: Update, context: BotContext, waiting: dict[str, Any]) -> int:
    """Show exactly what each kind of recipient will see, how many get each, and refuse
    anything too long for one Telegram message."""
    storage = context.storage
    t = context.texts
    workshop = await storage.workshops.get(int(waiting["workshop"]))
    assert workshop is not None
    actions = await storage.actions.many(list(waiting.get("actions", [])))
    recipients = await storage.updates.recipients(workshop.id)
    body = str(waiting["body"])
    # One version per distinct set of matching actions, plus the general one.
    versions: dict[tuple[int, ...], tuple[str, int]] = {}
    for person in recipients:
        key = tuple(a.id for a in actions if person.theme_ids & set(a.theme_ids))
        html, _ = update_text(t, workshop, body, actions, person.theme_ids)
        versions[key] = (html, versions.get(key, ("", 0))[1] + 1)
    general, _ = update_text(t, workshop, body, actions, frozenset())
    versions.setdefault((), (general, 0))
    longest = max(len(html) for html, _ in versions.values())
    if longest > MESSAGE_LIMIT - 100:
        await say(update, context, "fac_update_too_long", length=longest)
        waiting["what"] = "update_body"
        return await await_text(update, context, waiting, "fac_ask_update_body", limit=BODY_LIMIT)
    personal = sum(n for key, (_, n) in versions.items() if key)
    await say(
        update, context, "fac_update_preview_intro",
        total=len(recipients), personal=personal, has_personal=personal > 0,
    )  # fmt: skip
    shown = sorted(versions.items(), key=lambda kv: (not kv[0], -kv[1][1]))
    for key, (html, count) in shown[:PREVIEWS]:
        await say(
            update, context, "fac_update_preview",
            kind="personal" if key else "general", html=html, count=count,
        )  # fmt: skip
    rows = [
        [(t.label("buttons.send_now"), callbacks.make("up", "now"))],
        [(t.label("buttons.send_later"), callbacks.make("up", "later"))],
    ]
    return await await_text(
        update, context, waiting, "fac_update_confirm", buttons=rows,
        more=max(len(shown) - PREVIEWS, 0),
    )  # fmt: skip


@text_step("update_when")
async def _update_when(
    update: Update, context: BotContext, waiting: dict[str, Any], text: str
) -> int:
    storage = context.storage
    found = await _future(update, context, waiting, text)
    if found is None:
        return AWAITING
    workshop, moment = found
    user = update.effective_user
    assert user is not None
    saved = await storage.updates.create(
        workshop.id, str(waiting["body"]), list(waiting.get("actions", [])), stamp(moment), user.id
    )
    context.user_data.pop(KEY, None)
    await audit(update, context, "update-scheduled", workshop.id, str(saved.id))
    await say(update, context, "fac_update_scheduled", workshop=workshop, when=stamp(moment))
    return END


async def _update_button(update: Update, context: BotContext, cb: callbacks.Callback) -> int:
    storage = context.storage
    user = update.effective_user
    assert user is not None
    if cb.action == "start":
        workshop = await access.workshop_from_button(update, context, "update", cb.int_arg(0))
        return END if workshop is None else await start_update(update, context, workshop)
    if cb.action == "cancel":
        found = await storage.updates.get(cb.int_arg(0))
        if found is None:
            await access.gone(update, context)
            return END
        if await access.workshop_from_button(update, context, "update", found.workshop_id) is None:
            return END
        cancelled = await storage.updates.cancel(found.id)
        if cancelled:
            await audit(update, context, "update-cancelled", found.workshop_id, str(found.id))
        await say(update, context, "fac_update_cancelled", cancelled=cancelled)
        return END
    draft = await _draft(update, context, "update")
    if draft is None:
        return END
    waiting, workshop = draft
    if cb.action == "act" and waiting["what"] == "update_actions":
        action = await storage.actions.get(cb.int_arg(0))
        if action is None or action.workshop_id != workshop.id:
            await access.gone(update, context)
            return AWAITING
        waiting["actions"] = sorted(set(waiting.get("actions", [])) ^ {action.id})
        return await _action_picker(update, context, waiting, workshop, in_place=True)
    if cb.action == "next" and waiting["what"] == "update_actions":
        waiting["what"] = "update_body"
        return await await_text(update, context, waiting, "fac_ask_update_body", limit=BODY_LIMIT)
    if cb.action == "later" and waiting["what"] == "update_confirm":
        waiting["what"] = "update_when"
        return await await_text(
            update, context, waiting, "fac_ask_update_when", timezone=workshop.timezone
        )
    if cb.action == "now" and waiting["what"] == "update_confirm":
        saved = await storage.updates.create(
            workshop.id, str(waiting["body"]), list(waiting.get("actions", [])),
            stamp(_now(context)), user.id,
        )  # fmt: skip
        context.user_data.pop(KEY, None)
        await enqueue_update(storage, context.texts, saved, _now(context))
        # The deliver job may have queued it first: count the rows, whoever wrote them.
        count = await storage.outbox.recipients_count(saved.id)
        await audit(update, context, "update-sent", workshop.id, f"{saved.id} to {count}")
        await say(update, context, "fac_update_sending", count=count, workshop=workshop)
        deliver_soon(context)
        return END
    await access.gone(update, context)
    return AWAITING


async def show_scheduled(update: Update, context: BotContext, workshop: Workshop) -> None:
    """Updates nobody has received yet (scheduled or held by quiet hours), with Cancel."""
    pending = await context.storage.updates.waiting(workshop.id)
    t = context.texts
    rows = [
        [(t.label("buttons.cancel_update").format(n=i), callbacks.make("up", "cancel", u.id))]
        for i, u in enumerate(pending, start=1)
    ]
    await say(update, context, "fac_scheduled", buttons=rows, workshop=workshop, updates=pending)


async def show_report(update: Update, context: BotContext, workshop: Workshop) -> None:
    """For recent updates: sent, waiting, unreachable, failed (why), and what people said."""
    storage = context.storage
    reports = []
    for sent in (await storage.updates.of_workshop(workshop.id, "sent"))[:REPORTED]:
        counts, reasons = await storage.outbox.report(sent.id)
        reports.append(
            {
                "update": sent,
                "counts": counts,
                "reasons": reasons,
                "tally": await storage.feedback.tally(sent.id),
                "comments": await storage.feedback.comments(sent.id),
            }
        )
    sessions = [
        (session, await storage.sessions.cant_come_count(session.id))
        for session in await storage.sessions.upcoming(workshop.id, stamp(_now(context)))
    ]
    await audit(update, context, "report", workshop.id)
    await say(update, context, "fac_report", workshop=workshop, reports=reports, sessions=sessions)


# ---- sessions ------------------------------------------------------------------------------


async def start_session(update: Update, context: BotContext, workshop: Workshop) -> int:
    return await await_text(
        update, context, {"what": "session_when", "workshop": workshop.id}, "fac_ask_session_when",
        timezone=workshop.timezone,
    )  # fmt: skip


@text_step("session_when")
async def _session_when(
    update: Update, context: BotContext, waiting: dict[str, Any], text: str
) -> int:
    found = await _future(update, context, waiting, text)
    if found is None:
        return AWAITING
    waiting.update(what="session_venue", starts_at=stamp(found[1]))
    return await await_text(update, context, waiting, "fac_ask_session_venue")


@text_step("session_venue")
async def _session_venue(
    update: Update, context: BotContext, waiting: dict[str, Any], text: str
) -> int:
    if not await fits(update, context, text, VENUE_LIMIT):
        return AWAITING
    waiting.update(what="session_access", venue=text)
    skip = [[(context.texts.label("buttons.no_notes"), callbacks.make("fi", "skip"))]]
    return await await_text(update, context, waiting, "fac_ask_session_access", buttons=skip)


@text_step("session_access")
async def _session_access(
    update: Update, context: BotContext, waiting: dict[str, Any], text: str
) -> int:
    if not await fits(update, context, text, VENUE_LIMIT * 3, required=False):
        return AWAITING
    user = update.effective_user
    assert user is not None
    workshop_id = int(waiting["workshop"])
    session = await context.storage.sessions.create(
        workshop_id, str(waiting["starts_at"]), str(waiting["venue"]), text, user.id
    )
    context.user_data.pop(KEY, None)
    await audit(update, context, "session", workshop_id, str(session.id))
    workshop = await context.storage.workshops.get(workshop_id)
    await say(update, context, "fac_session_saved", session=session, workshop=workshop)
    return END


# ---- wiring --------------------------------------------------------------------------------


async def on_button(update: Update, context: BotContext) -> int:
    """ac:…, up:…, and the workshop picker for /action, /update and /session."""
    cb = await access.parsed_button(update, context, "button")
    if cb is None:
        return END
    if cb.flow == "ac":
        return await _action_button(update, context, cb)
    if cb.flow == "up":
        return await _update_button(update, context, cb)
    workshop = await access.workshop_from_button(update, context, cb.action, cb.int_arg(0))
    if workshop is None:
        return END
    return await STARTS[cb.action](update, context, workshop)


async def skip_optional(update: Update, context: BotContext) -> int:
    """'No notes' on the accessibility step."""
    waiting = awaiting(context)
    if waiting is None or waiting.get("what") != "session_access":
        return await _no_draft(update, context, "session")
    if (
        await access.workshop_from_button(update, context, "session", int(waiting["workshop"]))
        is None
    ):
        return END
    return await _session_access(update, context, waiting, "")


STARTS: dict[str, Callable[[Update, BotContext, Workshop], Awaitable[int]]] = {
    "action": start_action,
    "update": start_update,
    "session": start_session,
}


def _command(name: str) -> Callable[[Update, BotContext], Awaitable[int]]:
    @staff_only(name)
    async def begin(update: Update, context: BotContext) -> int:
        workshop = await access.chosen_workshop(update, context, name)
        if workshop is None:
            return END
        return await STARTS[name](update, context, workshop)

    begin.__name__ = f"begin_{name}"
    return begin


COMMANDS = {name: _command(name) for name in STARTS}
