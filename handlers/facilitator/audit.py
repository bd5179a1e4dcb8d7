"""/audit for owners: what facilitators did (and who was refused), newest first, paged."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from chat.callbacks.safety import AuditPage
from chat.context import BotContext
from chat.filters import NEW_MESSAGE
from chat.handler_types import AnyHandler
from chat.messaging import Button, acknowledge, say
from chat.screens import expired
from handlers.facilitator.access import is_owner, is_staff, refuse

PAGE = 20


async def owner_or_refuse(update: Update, context: BotContext) -> bool:
    """Whether the sender is an owner; anyone else is refused (and that is recorded)."""
    user = update.effective_user
    if user is not None and is_owner(context, user.id):
        return True
    if user is None or not await is_staff(context, user.id):
        await refuse(update, context, "audit")
        return False
    await context.storage.audit.record_refusal(user.id, "audit")
    if update.callback_query is not None:
        await acknowledge(update.callback_query)
    await say(update, context, "facilitator/owners_only")
    return False


async def show_audit(update: Update, context: BotContext) -> None:
    """/audit: the newest page."""
    if await owner_or_refuse(update, context):
        await _page(update, context, None)


async def on_older(update: Update, context: BotContext) -> None:
    query, user = update.callback_query, update.effective_user
    data = AuditPage.unpack(query.data if query is not None else None)
    if query is None or user is None or data is None:
        await expired(update, context)
        return
    if not await owner_or_refuse(update, context):
        return
    await acknowledge(query)
    await _page(update, context, data.before)


async def _page(update: Update, context: BotContext, before: int | None) -> None:
    entries = await context.storage.audit.recent(PAGE + 1, before_id=before)
    page, more = entries[:PAGE], len(entries) > PAGE
    rows: list[list[Button]] = []
    if more:
        older = AuditPage(page[-1].id).pack()
        rows.append([(context.texts.label("buttons.audit_older"), older)])
    await say(
        update,
        context,
        "facilitator/audit",
        buttons=rows,
        entries=page,
        older=before is not None,
        timezone=context.settings.timezone,
    )


def handlers() -> list[AnyHandler]:
    return [
        CommandHandler("audit", show_audit, filters=NEW_MESSAGE),
        CallbackQueryHandler(on_older, pattern=AuditPage.pattern()),
    ]
