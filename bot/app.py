"""The composition root: the only place that wires settings, storage and handlers together."""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

from telegram import BotCommand, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot.config import Settings, file_url
from bot.context import BotApplication, BotContext
from bot.persistence import SqlitePersistence
from bot.texts import texts
from conversations import journey
from handlers import errors, groups, jobs, participant
from storage import Storage

log = logging.getLogger(__name__)

PARTICIPANT_COMMANDS = ("start", "resume", "share", "mine", "forget", "help", "cancel")


def build_application(settings: Settings, *, request: BaseRequest | None = None) -> BotApplication:
    """Build the bot; ``request`` replaces the network layer (tests, local servers)."""
    storage = Storage(settings.db_path)
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .context_types(ContextTypes(context=BotContext))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                tzinfo=ZoneInfo(settings.timezone),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .persistence(SqlitePersistence(storage, update_interval=settings.persistence_interval))
        # Replies retry a 429 a couple of times instead of failing in front of the person.
        .rate_limiter(AIORateLimiter(max_retries=2))
        .concurrent_updates(False)
        .post_init(on_startup)
        .post_shutdown(on_shutdown)
    )
    if settings.api_base_url:
        builder = builder.base_url(settings.api_base_url).base_file_url(
            file_url(settings.api_base_url)
        )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    app: BotApplication = builder.build()  # type: ignore[assignment]
    app.bot_data.update(storage=storage, texts=texts(), settings=settings)

    # Group -1 first: group chats are refused before anything else can see them.
    app.add_handlers(groups.handlers(), group=-1)
    # The conversation before the general handlers: it decides what text and buttons mean,
    # and a general handler registered first would swallow its messages.
    app.add_handler(journey.build())
    app.add_handlers(participant.handlers())
    app.add_error_handler(errors.report_error)
    if app.job_queue is not None:
        jobs.schedule(app.job_queue)
    return app


async def on_startup(app: Any) -> None:
    """Open the database, remember the bot's username, and publish the command menu."""
    storage: Storage = app.bot_data["storage"]
    await storage.open()
    await storage.meta.set("bot_username", app.bot.username)
    for workshop in await storage.workshops.all():
        if workshop.is_open:
            log.info(
                "invite link for %r: https://t.me/%s?start=%s",
                workshop.title,
                app.bot.username,
                workshop.invite_code,
            )
    t = texts()
    try:
        await app.bot.set_my_commands(
            [BotCommand(name, t.label(f"commands.{name}")) for name in PARTICIPANT_COMMANDS]
        )
    except TelegramError as exc:
        log.warning("could not set the command menu: %s", exc)


async def on_shutdown(app: Any) -> None:
    """Close the database after the last persistence update."""
    storage: Storage = app.bot_data["storage"]
    await storage.close()
