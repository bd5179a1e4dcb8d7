"""/update: a progress update (choose the actions it is about) or a reminder or a notice;
write it, see a preview of exactly what each kind of recipient will read, then send it now
or at a later time. Held by quiet hours, it can be sent anyway; a waiting one cancelled."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler

from chat.callbacks.facilitator import CancelPrompt, Pick
from chat.callbacks.loop import (
    CancelUpdate,
    SendAnyway,
    SendLater,
    SendNow,
    StartUpdate,
    UpdateAction,
    WriteUpdate,
    WriteVersion,
)
from chat.context import BotContext
from chat.filters import TEXT
from chat.messaging import Button, replace, say
from chat.states import END
from conversations.facilitator.drafts import (
    Flow,
    Next,
    Store,
    ask,
    fits,
    pressed,
    step,
    taken,
    typed,
    ways_in,
)
from domain.broadcast import BODY_LIMIT, update_text
from domain.quiet_hours import next_allowed
from domain.texts import MESSAGE_LIMIT, language_name, languages, shorten, texts
from handlers.delivery import stamp
from handlers.facilitator.access import audit, button, gone
from handlers.facilitator.loop import future, now
from handlers.jobs import deliver_soon, enqueue_update, update_buttons
from storage.kinds import UpdateKind
from storage.models import Workshop
from storage.updates import Recipient

PREVIEWS = 4  # personal versions shown in a preview, most common first
BUTTON_TITLE = 50  # characters of an action's title on its button


class State(IntEnum):
    ACTIONS = 20
    BODY = 21
    CONFIRM = 22
    WHEN = 23
    VERSION = 24


@dataclass
class Draft:
    workshop: int
    actions: list[int] = field(default_factory=list)
    body: str = ""
    kind: UpdateKind = UpdateKind.PROGRESS
    # The message in other languages its recipients read, by language; and which one is
    # being written now.
    translations: dict[str, str] = field(default_factory=dict)
    writing: str = ""


DRAFT = Store("update", Draft)


async def _workshop(context: BotContext, draft: Draft) -> Workshop:
    workshop = await context.storage.workshops.get(draft.workshop)
    assert workshop is not None
    return workshop


# ---- choosing the actions ------------------------------------------------------------------


async def _begin(update: Update, context: BotContext, workshop: Workshop) -> Next:
    draft = Draft(workshop.id)
    DRAFT.open(context, draft)
    return await _action_picker(update, context, draft, workshop)


@button(StartUpdate, "update")
async def from_nudge(
    update: Update, context: BotContext, data: StartUpdate, workshop: Workshop
) -> Next:
    return await _begin(update, context, workshop)


async def _action_picker(
    update: Update, context: BotContext, draft: Draft, workshop: Workshop,
    *, in_place: bool = False,
) -> Next:  # fmt: skip
    t = context.texts
    chosen = set(draft.actions)
    nonce = DRAFT.buttons_for(context)
    actions = await context.storage.actions.of_workshop(workshop.id)
    rows: list[list[Button]] = [
        [
            (
                ("✓ " if a.id in chosen else "") + shorten(a.title, BUTTON_TITLE),
                UpdateAction(a.id, nonce).pack(),
            )
        ]
        for a in actions
    ]
    rows.append(
        [(t.label("buttons.write_message"), WriteUpdate(UpdateKind.PROGRESS, nonce).pack())]
    )
    rows.append(
        [
            (t.label("buttons.write_reminder"), WriteUpdate(UpdateKind.REMINDER, nonce).pack()),
            (t.label("buttons.write_notice"), WriteUpdate(UpdateKind.NOTICE, nonce).pack()),
        ]
    )
    values = {"workshop": workshop, "count": len(actions)}
    if in_place and update.callback_query is not None:
        rows.append([(t.label("buttons.cancel"), CancelPrompt().pack())])
        await replace(
            update.callback_query,
            context,
            "facilitator/update/pick_actions",
            buttons=rows,
            **values,
        )
    else:
        await ask(update, context, "facilitator/update/pick_actions", buttons=rows, **values)
    return State.ACTIONS


@step(DRAFT, "update")
async def toggle_action(update: Update, context: BotContext, draft: Draft) -> Next:
    action = await context.storage.actions.get(pressed(update, UpdateAction).action)
    if action is None or action.workshop_id != draft.workshop:
        await gone(update, context)
        return None
    draft.actions = sorted(set(draft.actions) ^ {action.id})
    DRAFT.put(context, draft)
    workshop = await _workshop(context, draft)
    return await _action_picker(update, context, draft, workshop, in_place=True)


@step(DRAFT, "update")
async def write(update: Update, context: BotContext, draft: Draft) -> Next:
    """The kind is chosen: a reminder or a notice is about no actions."""
    draft.kind = pressed(update, WriteUpdate).kind
    if draft.kind != UpdateKind.PROGRESS:
        draft.actions = []
    DRAFT.put(context, draft)
    await ask(update, context, "facilitator/update/ask_body", limit=BODY_LIMIT, kind=draft.kind)
    return State.BODY


# ---- the message and its preview -----------------------------------------------------------


@step(DRAFT, "update")
async def take_body(update: Update, context: BotContext, draft: Draft) -> Next:
    """The message (typed at the preview, a new one replaces the one shown)."""
    text = typed(update.effective_message)
    if not await fits(update, context, text, BODY_LIMIT):
        return None
    # A version in another language was of the message it replaces: it would say the old.
    set_aside = [language_name(code) for code in draft.translations] if text != draft.body else []
    draft.body = text
    if set_aside:
        draft.translations = {}
    DRAFT.put(context, draft)
    return await _preview(update, context, draft, set_aside=set_aside)


async def _preview(
    update: Update, context: BotContext, draft: Draft, *, set_aside: list[str] | None = None
) -> Next:
    """Show exactly what each kind of recipient will see (rendered for a sample recipient
    of each, as their outbox rows will be), how many get each, and refuse anything too
    long for one Telegram message."""
    storage = context.storage
    t = context.texts
    workshop = await _workshop(context, draft)
    actions = await storage.actions.many(list(draft.actions))
    recipients = await storage.updates.recipients(workshop.id)
    if not recipients:  # nobody yet: show what anyone who chooses updates would get
        recipients = [Recipient(0, 0, "", frozenset(), workshop.language)]
        counted = 0
    else:
        counted = len(recipients)
    # One version per language and distinct set of matching actions (the general one is
    # the empty set), each rendered as its recipients' outbox rows will be.
    versions: dict[tuple[str, tuple[int, ...]], tuple[str, int]] = {}
    for person in recipients:
        key = (
            person.language,
            tuple(a.id for a in actions if person.theme_ids & set(a.theme_ids)),
        )
        html, _ = update_text(
            texts(person.language), workshop, draft.translations.get(person.language)
            or draft.body, actions, person.theme_ids, draft.kind,
        )  # fmt: skip
        versions[key] = (html, versions.get(key, ("", 0))[1] + (1 if counted else 0))
    # Whoever joins before it goes gets the general version: it must fit too.
    longest: dict[str, int] = {}
    for code, body in ((workshop.language, draft.body), *draft.translations.items()):
        html, _ = update_text(texts(code), workshop, body, actions, frozenset(), draft.kind)
        longest[code] = len(html)
    for (code, _matched), (html, _count) in versions.items():
        longest[code] = max(longest.get(code, 0), len(html))
    too_long = [code for code, length in longest.items() if length > MESSAGE_LIMIT - 100]
    if too_long:
        code = too_long[0]
        await say(update, context, "facilitator/update/too_long", length=longest[code])
        if code in draft.translations:  # that version is the one to shorten
            return await _ask_version(update, context, draft, code)
        await ask(
            update, context, "facilitator/update/ask_body", limit=BODY_LIMIT, kind=draft.kind
        )
        return State.BODY
    personal = sum(n for (_code, matched), (_, n) in versions.items() if matched)
    spoken = _readers(recipients, workshop.language)
    await say(
        update, context, "facilitator/update/preview_intro",
        total=counted, personal=personal, has_personal=personal > 0, set_aside=set_aside or [],
        readers=[
            (language_name(code), n, code in draft.translations) for code, n in spoken.items()
        ],
    )  # fmt: skip
    shown = sorted(versions.items(), key=lambda kv: (not kv[0][1], -kv[1][1]))
    for (code, matched), (html, count) in shown[:PREVIEWS]:
        labels = [
            label for row in update_buttons(texts(code), 0, draft.kind) for label, _data in row
        ]
        await say(
            update, context, "facilitator/update/preview",
            kind="personal" if matched else "general", html=html, count=count,
            everyone_else=personal > 0, button_labels=labels,
            language=language_name(code) if spoken else None,
        )  # fmt: skip
    nonce = DRAFT.buttons_for(context)
    rows = [
        [
            (
                t.label(
                    "buttons.change_version"
                    if code in draft.translations
                    else "buttons.add_version",
                    language=language_name(code),
                ),
                WriteVersion(code, nonce).pack(),
            )
        ]
        for code in spoken
    ]
    rows += [
        [(t.label("buttons.send_now"), SendNow(nonce).pack())],
        [(t.label("buttons.send_later"), SendLater(nonce).pack())],
    ]
    await ask(
        update,
        context,
        "facilitator/update/confirm",
        buttons=rows,
        more=max(len(shown) - PREVIEWS, 0),
    )
    return State.CONFIRM


def _readers(recipients: list[Recipient], written_in: str) -> dict[str, int]:
    """How many recipients read each language other than the workshop's (one the bot
    speaks), most first: each may be given its own version."""
    counts: dict[str, int] = {}
    for person in recipients:
        if person.language != written_in and person.language in languages():
            counts[person.language] = counts.get(person.language, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


@step(DRAFT, "update")
async def write_version(update: Update, context: BotContext, draft: Draft) -> Next:
    """Ask for the message in one of its recipients' languages."""
    code = pressed(update, WriteVersion).language
    workshop = await _workshop(context, draft)
    # The workshop's own language is the message itself, not a version of it.
    if code not in languages() or code == workshop.language:
        await gone(update, context)
        return None
    return await _ask_version(update, context, draft, code)


async def _ask_version(update: Update, context: BotContext, draft: Draft, code: str) -> Next:
    draft.writing = code
    DRAFT.put(context, draft)
    await ask(
        update,
        context,
        "facilitator/update/ask_version",
        language=language_name(code),
        limit=BODY_LIMIT,
        original=draft.body,
    )
    return State.VERSION


@step(DRAFT, "update")
async def take_version(update: Update, context: BotContext, draft: Draft) -> Next:
    text = typed(update.effective_message)
    if not await fits(update, context, text, BODY_LIMIT):
        return None
    if draft.writing:
        draft.translations[draft.writing] = text
    draft.writing = ""
    DRAFT.put(context, draft)
    return await _preview(update, context, draft)


# ---- now or later --------------------------------------------------------------------------


@step(DRAFT, "update")
async def send_now(update: Update, context: BotContext, draft: Draft) -> Next:
    user = update.effective_user
    assert user is not None
    storage = context.storage
    workshop = await _workshop(context, draft)
    moment = now(context)
    saved = await storage.updates.create(
        workshop.id,
        draft.body,
        list(draft.actions),
        stamp(moment),
        user.id,
        draft.kind,
        draft.translations,
    )
    await enqueue_update(storage, saved, moment)
    # The deliver job may have queued it first: count the rows, whoever wrote them.
    count = await storage.outbox.recipients_count(saved.id)
    await audit(update, context, "update-sent", workshop.id, f"{saved.id} to {count}")
    held = _held_until(workshop, moment) if count else None
    buttons: list[list[Button]] = []
    if held is not None:
        buttons = [[(context.texts.label("buttons.send_anyway"), SendAnyway(saved.id).pack())]]
    await say(
        update, context, "facilitator/update/sending", buttons=buttons, count=count,
        held_until=held, timezone=workshop.timezone,
        asks_back=draft.kind == UpdateKind.PROGRESS,
    )  # fmt: skip
    deliver_soon(context)
    return END


def _held_until(workshop: Workshop, moment: datetime) -> str | None:
    """The local time quiet hours end, if they hold messages queued at ``moment``."""
    allowed = next_allowed(moment, workshop.timezone, workshop.quiet_start, workshop.quiet_end)
    if allowed <= moment:
        return None
    return allowed.astimezone(ZoneInfo(workshop.timezone)).strftime("%H:%M")


@step(DRAFT, "update")
async def send_later(update: Update, context: BotContext, draft: Draft) -> Next:
    workshop = await _workshop(context, draft)
    await ask(update, context, "facilitator/update/ask_when", timezone=workshop.timezone)
    return State.WHEN


@step(DRAFT, "update")
async def take_when(update: Update, context: BotContext, draft: Draft) -> Next:
    workshop = await _workshop(context, draft)
    moment = await future(update, context, workshop, typed(update.effective_message))
    if moment is None:
        return None
    user = update.effective_user
    assert user is not None
    saved = await context.storage.updates.create(
        workshop.id,
        draft.body,
        list(draft.actions),
        stamp(moment),
        user.id,
        draft.kind,
        draft.translations,
    )
    await audit(update, context, "update-scheduled", workshop.id, str(saved.id))
    await say(
        update, context, "facilitator/update/scheduled",
        workshop=workshop, when=stamp(moment), held_until=_held_until(workshop, moment),
    )  # fmt: skip
    return END


# ---- cancelling a waiting update -----------------------------------------------------------


async def update_workshop(context: BotContext, data: CancelUpdate) -> int | None:
    found = await context.storage.updates.get(data.update)
    return None if found is None else found.workshop_id


@button(CancelUpdate, "update", update_workshop)
async def cancel_waiting(
    update: Update, context: BotContext, data: CancelUpdate, workshop: Workshop
) -> Next:
    cancelled = await context.storage.updates.cancel(data.update)
    if cancelled:
        await audit(update, context, "update-cancelled", workshop.id, str(data.update))
    await say(update, context, "facilitator/update/cancelled", cancelled=cancelled)
    return None  # not a prompt: whatever else is open stays open


async def anyway_workshop(context: BotContext, data: SendAnyway) -> int | None:
    found = await context.storage.updates.get(data.update)
    return None if found is None else found.workshop_id


@button(SendAnyway, "update", anyway_workshop)
async def send_anyway(
    update: Update, context: BotContext, data: SendAnyway, workshop: Workshop
) -> Next:
    """Quiet hours overridden, on purpose, for this one update: its held messages go now."""
    count = await context.storage.updates.send_anyway(data.update, stamp(now(context)))
    if count:
        await audit(update, context, "update-sent-anyway", workshop.id, f"{data.update}")
        deliver_soon(context)
    await say(update, context, "facilitator/update/sent_anyway", count=count)
    return None  # not a prompt: whatever else is open stays open


def build() -> Flow:
    return Flow(
        entry_points=[
            *ways_in("update", Pick.UPDATE, _begin),
            CallbackQueryHandler(taken(from_nudge), pattern=StartUpdate.pattern()),
            CallbackQueryHandler(taken(cancel_waiting), pattern=CancelUpdate.pattern()),
            CallbackQueryHandler(taken(send_anyway), pattern=SendAnyway.pattern()),
        ],
        states={
            State.ACTIONS: [
                CallbackQueryHandler(toggle_action, pattern=UpdateAction.pattern()),
                CallbackQueryHandler(write, pattern=WriteUpdate.pattern()),
            ],
            State.BODY: [MessageHandler(TEXT, take_body)],
            State.CONFIRM: [
                MessageHandler(TEXT, take_body),
                CallbackQueryHandler(write_version, pattern=WriteVersion.pattern()),
                CallbackQueryHandler(send_now, pattern=SendNow.pattern()),
                CallbackQueryHandler(send_later, pattern=SendLater.pattern()),
            ],
            State.VERSION: [MessageHandler(TEXT, take_version)],
            State.WHEN: [MessageHandler(TEXT, take_when)],
        },
        store=DRAFT,
        command="/update",
        steps=(
            UpdateAction,
            WriteUpdate,
            WriteVersion,
            SendNow,
            SendLater,
        ),
    )
