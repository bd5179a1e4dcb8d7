"""Scheduled work. The JobQueue only ticks: what to do is decided from the database."""

from __future__ import annotations

import logging

from telegram.ext import JobQueue

from bot.context import BotContext

log = logging.getLogger(__name__)

HOUSEKEEPING_EVERY = 3600.0  # seconds


async def housekeeping(context: BotContext) -> None:
    """Delete answers past their retention period and stale state of non-participants."""
    storage = context.storage
    expired = await storage.housekeeping.apply_retention()
    strangers = await storage.housekeeping.forget_strangers(keep=context.settings.admins)
    if expired or strangers:
        log.info("housekeeping: %d old answers/views deleted, %d stale states", expired, strangers)


def schedule(job_queue: JobQueue[BotContext]) -> None:
    job_queue.run_repeating(
        housekeeping, interval=HOUSEKEEPING_EVERY, first=60.0, name="housekeeping"
    )
