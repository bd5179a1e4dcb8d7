"""/export: the workshop's answers and views as CSV and JSON files, audit-logged."""

from __future__ import annotations

from telegram import InputFile, Update

from chat.context import BotContext
from chat.messaging import say
from domain.exports import export_rows, to_csv, to_json
from handlers.facilitator.access import audit
from storage.models import Workshop


async def send_export(update: Update, context: BotContext, workshop: Workshop) -> None:
    chat = update.effective_chat
    assert chat is not None
    rows = await export_rows(context.storage, workshop.id)
    await audit(update, context, "export", workshop.id, f"rows={len(rows)}")
    stem = f"workshop-{workshop.id}-export"
    await say(update, context, "facilitator/export", workshop=workshop, count=len(rows))
    await context.bot.send_document(chat.id, InputFile(to_csv(rows), filename=f"{stem}.csv"))
    await context.bot.send_document(
        chat.id, InputFile(to_json(workshop, rows), filename=f"{stem}.json")
    )
