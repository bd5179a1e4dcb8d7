"""The outbox worker: sends due deliveries and decides what each failure means.

RetryAfter: wait what Telegram says, then carry on (it pauses every request anyway).
Forbidden: the person blocked the bot or left Telegram; never try them again.
BadRequest: the message itself is wrong; retrying cannot help.
TimedOut and other network errors: back off and retry, up to a limit. (A timed-out send
may in fact have arrived: then the person gets it twice, the price of not losing it.)
Any other error from the send: the row fails, with the error as its reason (a bug would
only repeat). An error of ours after the send (recording it): the row is retried.

Nothing stays "sending": when the bot stops, or an error or a cancellation ends a run,
the rows claimed but not begun go back to the queue as they were; if even that fails,
the next run puts them back. A long text goes as several messages, each recorded as it
goes out, so a retry sends only the parts not yet delivered.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.warnings import PTBDeprecationWarning

from chat.messaging import keyboard
from domain.quiet_hours import in_quiet_hours, next_allowed
from domain.texts import split_message
from storage import Storage
from storage.outbox import Delivery

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]


class Outcome(StrEnum):
    """What became of one claimed delivery (a RetryAfter is the seconds to wait instead)."""

    SENT = "sent"
    CANCELLED = "cancelled"
    HELD = "held"
    RETRY = "retry"
    FAILED = "failed"
    UNREACHABLE = "unreachable"


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass
class Worker:
    """Sends the outbox one row at a time, and stops between two rows when told to.

    ``stopping`` is asked before every claim and every send: once it says yes (the bot is
    shutting down), the send in flight finishes, the rows claimed but not begun go back to
    the queue untouched, and ``run`` returns. What was not sent goes after the restart.
    """

    storage: Storage
    clock: Clock = field(default=lambda: datetime.now(UTC))
    sleep: Sleep = asyncio.sleep
    max_attempts: int = 5
    base_delay: float = 10.0
    batch: int = 100
    retry_after_seen: int = 0
    stopping: Callable[[], bool] = field(default=lambda: False)
    poll: float = 0.2  # seconds between two looks at ``stopping`` while waiting for Telegram
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _abandoned: bool = False  # a run ended by an error before it could put its rows back

    async def run(self, bot: Bot) -> int:
        """Send everything due now; return how many were sent. One run at a time."""
        if self._lock.locked():
            return 0
        async with self._lock:
            outbox = self.storage.outbox
            if self._abandoned:
                # Nothing else sends from this database: a row still marked as being sent
                # belongs to a run that died of an error. It goes again rather than never.
                self._abandoned = False
                requeued = await outbox.requeue_in_flight()
                if requeued:
                    log.warning("%d deliveries left mid-send by an error go again", requeued)
            sent = 0
            while not self.stopping():
                due = await outbox.claim_due(stamp(self.clock()), self.batch)
                if not due:
                    return sent
                sent += await self._send_batch(bot, due)
            return sent

    async def _send_batch(self, bot: Bot, due: list[Delivery]) -> int:
        """Send claimed rows in order; whatever ends this early puts the untried rows back."""
        outbox = self.storage.outbox
        untried = list(due)
        current: Delivery | None = None
        sent = 0
        try:
            while untried and not self.stopping():
                current = untried.pop(0)
                outcome = await self._settle(bot, current)
                current = None
                sent += outcome is Outcome.SENT
                if isinstance(outcome, float):
                    # Telegram asked every request to wait: put the rest back, then wait.
                    await outbox.release(
                        [d.id for d in untried], tried=False, reason="waiting for Telegram"
                    )
                    untried = []
                    await self._pause(outcome)
        finally:
            # Stopping, or an error (cancellation included) escaped: nothing stays claimed.
            self._abandoned = True  # until they are back: if that fails, the next run does it
            await outbox.release([d.id for d in untried], tried=False, reason=None)
            if current is not None:  # its send may have gone out: that attempt counts
                await outbox.release([current.id], tried=True, reason="interrupted")
            self._abandoned = False
        return sent

    async def _settle(self, bot: Bot, delivery: Delivery) -> Outcome | float:
        """Send one row and record what became of it; an error of ours is a retry, not a loss."""
        try:
            return await self._check_then_send(bot, delivery)
        except Exception as exc:  # the database, not Telegram (its errors are handled below)
            log.exception("delivery %s could not be recorded", delivery.id)
            return await self._retry_or_fail(delivery, _reason(exc))

    async def _pause(self, seconds: float) -> None:
        """Wait as Telegram asked, but not past the moment the bot starts to stop."""
        waiting = asyncio.ensure_future(self.sleep(seconds))
        try:
            while not waiting.done() and not self.stopping():
                await asyncio.wait({waiting}, timeout=self.poll)
        finally:
            waiting.cancel()

    async def _check_then_send(self, bot: Bot, delivery: Delivery) -> Outcome | float:
        """Send only if it is still wanted, and not in the workshop's quiet hours now."""
        outbox = self.storage.outbox
        now = self.clock()
        if not await outbox.still_wanted(delivery.id, stamp(now)):
            await outbox.cancel(delivery.id, "no longer wanted")
            return Outcome.CANCELLED
        workshop = await self.storage.workshops.get(delivery.workshop_id)
        # Only a facilitator's "send it now anyway" (``urgent``) goes in quiet hours.
        if (
            workshop is not None
            and not delivery.urgent
            and in_quiet_hours(now, workshop.timezone, workshop.quiet_start, workshop.quiet_end)
        ):
            later = next_allowed(now, workshop.timezone, workshop.quiet_start, workshop.quiet_end)
            await outbox.give_back(delivery.id, stamp(later), "quiet hours")
            return Outcome.HELD
        return await self._send(bot, delivery)

    async def _send(self, bot: Bot, delivery: Delivery) -> Outcome | float:
        """Send the parts not yet delivered; each part is recorded as soon as it is out.

        Only a very long update has more than one part; the buttons go with the last.
        """
        outbox = self.storage.outbox
        parts = split_message(delivery.text)
        last = len(parts) - 1
        for index in range(min(delivery.parts_sent, last), last + 1):
            markup = keyboard(delivery.buttons) if delivery.buttons and index == last else None
            try:
                out = await bot.send_message(delivery.chat_id, parts[index], reply_markup=markup)
            except Exception as exc:
                return await self._failed_send(delivery, exc)
            if index == last:
                await outbox.sent(delivery.id, out.message_id, parts=len(parts))
            else:
                await outbox.part_sent(delivery.id, index + 1, out.message_id)
        return Outcome.SENT

    async def _failed_send(self, delivery: Delivery, exc: Exception) -> Outcome | float:
        """What a failed send means for its row (see the module's docstring)."""
        outbox = self.storage.outbox
        if isinstance(exc, RetryAfter):
            self.retry_after_seen += 1
            with warnings.catch_warnings():
                # PTB 22 warns that retry_after becomes a timedelta; _seconds reads either.
                warnings.simplefilter("ignore", PTBDeprecationWarning)
                wait = _seconds(exc.retry_after)
            until = self.clock() + timedelta(seconds=wait)
            await outbox.give_back(delivery.id, stamp(until), f"RetryAfter {wait:g}s")
            return wait
        if isinstance(exc, Forbidden):
            await outbox.unreachable(delivery, f"Forbidden: {exc.message}")
            return Outcome.UNREACHABLE
        if isinstance(exc, BadRequest):  # before NetworkError: BadRequest is one
            await outbox.failed(delivery.id, f"BadRequest: {exc.message}")
            return Outcome.FAILED
        if isinstance(exc, NetworkError):  # TimedOut is a NetworkError too
            return await self._retry_or_fail(delivery, f"{type(exc).__name__}: {exc.message}")
        # A bug here or in the library would only repeat: the row fails, with the reason
        # shown in the update's report, rather than being tried again or left being sent.
        log.error("delivery %s failed unexpectedly", delivery.id, exc_info=exc)
        await outbox.failed(delivery.id, _reason(exc))
        return Outcome.FAILED

    async def _retry_or_fail(self, delivery: Delivery, error: str) -> Outcome:
        if delivery.attempts >= self.max_attempts:
            await self.storage.outbox.failed(delivery.id, f"{error} (gave up)")
            return Outcome.FAILED
        delay = self.base_delay * 2 ** (delivery.attempts - 1)
        moment = self.clock() + timedelta(seconds=delay)
        workshop = await self.storage.workshops.get(delivery.workshop_id)
        # A retry, too, waits for the end of quiet hours (unless sent anyway, on purpose).
        if workshop is not None and not delivery.urgent:
            moment = next_allowed(
                moment, workshop.timezone, workshop.quiet_start, workshop.quiet_end
            )
        await self.storage.outbox.retry(delivery.id, stamp(moment), error)
        return Outcome.RETRY


def _reason(exc: BaseException) -> str:
    """An unexpected error as a report shows it: its type, and its words if it has any."""
    words = str(exc).strip()
    return f"{type(exc).__name__}: {words[:200]}" if words else type(exc).__name__


def _seconds(value: Any) -> float:
    return float(value.total_seconds()) if isinstance(value, timedelta) else float(value)
