"""The composition root: the only place that wires settings, storage and handlers together."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot.pacing import PacedRateLimiter
from bot.persistence import SqlitePersistence
from chat.context import BotApplication, BotContext
from chat.states import INVITE
from conversations import facilitator, journey
from domain.config import Settings, file_url
from handlers import (
    empty_buttons,
    errors,
    groups,
    jobs,
    language,
    optout,
    participant,
    rights,
    safeguarding,
)
from handlers.delivery import Worker
from handlers.facilitator import audit as facilitator_audit
from handlers.facilitator import commands as facilitator_commands
from handlers.facilitator import flags as facilitator_flags
from handlers.facilitator.menus import set_participant_menu, set_staff_menu, staff_texts
from storage import Storage
from storage.preload import preload_person

log = logging.getLogger(__name__)


class DoingwithApplication(Application[Any, Any, Any, Any, Any, Any]):
    """PTB's Application, handling each update with its reads shared: the reads a
    person's update is likely to make are made first, in one hand-over to the database
    thread, and every handler that asks for them gets them from there (a write reads
    them again in its own hand-over; see ``Database.shared_reads``, storage/preload.py)."""

    async def process_update(self, update: object) -> None:
        storage: Storage | None = self.bot_data.get("storage")
        if storage is None or not storage.db.is_open:
            await super().process_update(update)
            return
        with storage.db.shared_reads():
            if isinstance(update, Update) and update.effective_user is not None:
                # Telegram's update ids are positive; a made-up update (a test's) is not.
                handled = update.update_id if update.update_id > 0 else None
                try:
                    user_id = update.effective_user.id
                    invite = _invite_of(update, self.user_data.get(user_id, {}))
                    await preload_person(storage.db, user_id, handled, invite)
                except Exception:  # only a head start: the handlers read what they need
                    log.warning("could not preload an update's reads", exc_info=True)
            await super().process_update(update)


def _invite_of(update: Update, memory: Any) -> str | None:
    """The invite code this update is about, if any: the one being read, or /start CODE."""
    held = memory.get(INVITE)
    if isinstance(held, str):
        return held
    message = update.message
    if message is not None and message.text and message.text.startswith("/start "):
        return message.text.split(maxsplit=1)[1].strip()[:64] or None
    return None


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    clock: Callable[[], datetime] | None = None,
) -> BotApplication:
    """Build the bot; ``request`` replaces the network layer, ``clock`` the time (tests)."""
    storage = Storage(settings.db_path)
    # Any: the bot's type parameter depends on whether a rate limiter is set (below).
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .application_class(DoingwithApplication)
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
        .concurrent_updates(False)
        .post_init(on_startup)
        .post_shutdown(on_shutdown)
    )
    if settings.rate_limit:
        # Just under 30 a second, one request at a time on a fixed schedule (bot/pacing.py).
        builder = builder.rate_limiter(PacedRateLimiter())
    if settings.api_base_url:
        builder = builder.base_url(settings.api_base_url).base_file_url(
            file_url(settings.api_base_url)
        )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    app: BotApplication = builder.build()
    worker = Worker(
        storage,
        clock=clock or (lambda: datetime.now(UTC)),
        max_attempts=settings.delivery_attempts,
        stopping=lambda: stopping(app),
    )
    app.bot_data.update(storage=storage, settings=settings, worker=worker)

    # Where every update goes: each group sees it unless an earlier one stopped it (by
    # ApplicationHandlerStop); within a group only the first matching handler runs.
    #   -7  a button press with empty data is answered as expired (PTB would let it
    #       through every patterned button handler)
    #   -6  every private message is checked for risk phrases, at any step (stops nothing)
    #   -5  group chats are refused, before anything else
    #   -4  anyone who writes has not blocked the bot (stops nothing)
    #   -3  STOP / /stop / /updates, wherever the person is (never kept as an answer);
    #       they close any facilitator prompt left open
    #   -1  the facilitator prompts, one conversation: what it takes stops here; what is
    #       not its own (a participant's button, /help …) closes the prompt and goes on
    #    0  the participant journey, then the facilitator's single-shot commands and
    #       buttons, then commands that work anywhere and the catch-alls
    app.add_handlers(empty_buttons.handlers(), group=-7)
    app.add_handlers(safeguarding.handlers(), group=-6)
    app.add_handlers(groups.handlers(), group=-5)
    app.add_handlers(optout.presence(), group=-4)
    app.add_handlers(optout.handlers(closing=facilitator.close_prompts), group=-3)
    app.add_handler(facilitator.build(), group=-1)
    # The participant conversation before the general handlers: it decides what text and
    # buttons mean, and a general handler registered first would swallow its messages.
    app.add_handler(journey.build())
    app.add_handlers(facilitator_commands.handlers())
    app.add_handlers(facilitator_flags.handlers() + facilitator_audit.handlers())
    app.add_handlers(rights.handlers())
    app.add_handlers(language.handlers())
    app.add_handlers(participant.handlers())
    app.add_error_handler(errors.report_error)
    if app.job_queue is not None:
        jobs.schedule(app.job_queue)
    return app


def stopping(app: BotApplication) -> bool:
    """Whether the application has begun to stop: the outbox then claims no more rows.

    ``Application.stop()`` first sets ``running`` to False, then waits for the running jobs
    (a delivery run among them) before it shuts the job queue's scheduler down; so "not
    running while the scheduler still runs" is exactly that wait. (Without the scheduler,
    as when a test calls the jobs itself, the application was never started: not stopping.)
    """
    job_queue = app.job_queue
    return not app.running and job_queue is not None and job_queue.scheduler.running


async def on_startup(app: Any) -> None:
    """Open the database, remember the bot's username, and publish the command menu."""
    storage: Storage = app.bot_data["storage"]
    await storage.open()
    await storage.meta.set("bot_username", app.bot.username)
    requeued = await storage.outbox.requeue_in_flight()
    if requeued:
        log.info("%d deliveries were being sent when the bot stopped; they go again", requeued)
    for workshop in await storage.workshops.all():
        if workshop.is_open:
            log.info(
                "invite link for %r: https://t.me/%s?start=%s",
                workshop.title,
                app.bot.username,
                workshop.invite_code,
            )
    await set_participant_menu(app.bot)
    owners = app.bot_data["settings"].admins
    staff = sorted(set(owners) | set(await storage.facilitators.everyone()))
    for user_id, t in (await staff_texts(storage, staff)).items():
        await set_staff_menu(app.bot, t, user_id, staff=True, owner=user_id in owners)


async def on_shutdown(app: Any) -> None:
    """Close the database after the last persistence update."""
    storage: Storage = app.bot_data["storage"]
    await storage.close()
