"""The outbox worker: sends due deliveries and decides what each failure means.

RetryAfter: wait what Telegram says, then carry on (it pauses every request anyway).
Forbidden: the person blocked the bot or left Telegram; never try them again.
BadRequest: the message itself is wrong; retrying cannot help.
TimedOut and other network errors: back off and retry, up to a limit. (A timed-out send
may in fact have arrived: then the person gets it twice, the price of not losing it.)
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
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
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
    storage: Storage
    clock: Clock = field(default=lambda: datetime.now(UTC))
    sleep: Sleep = asyncio.sleep
    max_attempts: int = 5
    base_delay: float = 10.0
    batch: int = 100
    retry_after_seen: int = 0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def run(self, bot: Bot) -> int:
        """Send everything due now; return how many were sent. One run at a time."""
        if self._lock.locked():
            return 0
        async with self._lock:
            sent = 0
            while True:
                due = await self.storage.outbox.claim_due(stamp(self.clock()), self.batch)
                if not due:
                    return sent
                for index, delivery in enumerate(due):
                    outcome = await self._check_then_send(bot, delivery)
                    sent += outcome is Outcome.SENT
                    if isinstance(outcome, float):
                        # Telegram asked every request to wait: put the rest back, then wait.
                        for later in due[index + 1 :]:
                            await self.storage.outbox.give_back(
                                later.id, later.not_before, "waiting for Telegram"
                            )
                        await self.sleep(outcome)
                        break

    async def _check_then_send(self, bot: Bot, delivery: Delivery) -> Outcome | float:
        """Send only if it is still wanted, and not in the workshop's quiet hours now."""
        outbox = self.storage.outbox
        now = self.clock()
        if not await outbox.still_wanted(delivery.id, stamp(now)):
            await outbox.cancel(delivery.id, "no longer wanted")
            return Outcome.CANCELLED
        workshop = await self.storage.workshops.get(delivery.workshop_id)
        if workshop is not None and in_quiet_hours(
            now, workshop.timezone, workshop.quiet_start, workshop.quiet_end
        ):
            later = next_allowed(now, workshop.timezone, workshop.quiet_start, workshop.quiet_end)
            await outbox.give_back(delivery.id, stamp(later), "quiet hours")
            return Outcome.HELD
        return await self._send(bot, delivery)

    async def _send(self, bot: Bot, delivery: Delivery) -> Outcome | float:
        outbox = self.storage.outbox
        markup = keyboard(delivery.buttons) if delivery.buttons else None
        parts = split_message(delivery.text)
        try:
            for part in parts[:-1]:  # only a very long update has more than one part
                await bot.send_message(delivery.chat_id, part)
            message = await bot.send_message(delivery.chat_id, parts[-1], reply_markup=markup)
        except RetryAfter as exc:
            self.retry_after_seen += 1
            with warnings.catch_warnings():
                # PTB 22 warns that retry_after becomes a timedelta; _seconds reads either.
                warnings.simplefilter("ignore", PTBDeprecationWarning)
                wait = _seconds(exc.retry_after)
            until = self.clock() + timedelta(seconds=wait)
            await outbox.give_back(delivery.id, stamp(until), f"RetryAfter {wait:g}s")
            return wait
        except Forbidden as exc:
            await outbox.unreachable(delivery, f"Forbidden: {exc.message}")
            return Outcome.UNREACHABLE
        except BadRequest as exc:  # before NetworkError: BadRequest is one
            await outbox.failed(delivery.id, f"BadRequest: {exc.message}")
            return Outcome.FAILED
        except (TimedOut, NetworkError) as exc:  # TimedOut is a NetworkError too
            return await self._retry_or_fail(delivery, f"{type(exc).__name__}: {exc.message}")
        except Exception as exc:  # a bug must not stop the broadcast
            log.exception("delivery %s failed unexpectedly", delivery.id)
            await outbox.failed(delivery.id, type(exc).__name__)
            return Outcome.FAILED
        await outbox.sent(delivery.id, message.message_id)
        return Outcome.SENT

    async def _retry_or_fail(self, delivery: Delivery, error: str) -> Outcome:
        if delivery.attempts >= self.max_attempts:
            await self.storage.outbox.failed(delivery.id, f"{error} (gave up)")
            return Outcome.FAILED
        delay = self.base_delay * 2 ** (delivery.attempts - 1)
        moment = self.clock() + timedelta(seconds=delay)
        workshop = await self.storage.workshops.get(delivery.workshop_id)
        if workshop is not None:  # a retry, too, waits for the end of quiet hours
            moment = next_allowed(
                moment, workshop.timezone, workshop.quiet_start, workshop.quiet_end
            )
        await self.storage.outbox.retry(delivery.id, stamp(moment), error)
        return Outcome.RETRY


def _seconds(value: Any) -> float:
    return float(value.total_seconds()) if isinstance(value, timedelta) else float(value)
