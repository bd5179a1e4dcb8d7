"""The rate limiter: every request into a chat on a fixed schedule under Telegram's limit.

Telegram allows a bot about 30 messages a second and counts any one-second window.
python-telegram-bot's AIORateLimiter paces with a leaky bucket: a bucket of 30 lets a
burst of up to 60 into the first second, and a bucket of one loses whatever time its
timer wakes late (about a millisecond in every 33: 2-4 % of a broadcast). Here each
request gets the next slot of a fixed schedule instead, so a late wake-up does not push
the later slots back, and no slot is given out less than a second (and a margin) after
the moment the request 30 before really left: a request that left late (the event loop
was busy, the machine too) moves the one 30 later, not every one after it.
The rest (the retries after a 429, the group and paid-broadcast limits) is AIORateLimiter's;
after a retry, which goes at a moment no slot covered, the next slot is a spacing later.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

PER_SECOND = 30  # Telegram's overall limit, in any one second
# Kept between a request and the one 30 after it, beyond the second: what arrives at
# Telegram can bunch by a few milliseconds on the way. 1 %: 30 requests span 1.01 s.
MARGIN = 0.010
RETRIES = 2  # a 429 that still happens is retried twice rather than shown to the person
PAUSED = 1.0  # seconds: a request that took this long waited for a 429's retry_after


class Schedule:
    """At most ``per_second`` requests in any ``1 + margin`` seconds, evenly spaced; a
    caller waits for the next free slot."""

    def __init__(
        self,
        per_second: int = PER_SECOND,
        margin: float = MARGIN,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.window = 1.0 + margin
        self.spacing = self.window / per_second
        self._clock = clock
        self._next = 0.0
        # When each of the last ``per_second`` requests left (their slot, until they do).
        self._left: deque[list[float]] = deque(maxlen=per_second)

    def _now(self) -> float:
        return self._clock() if self._clock else asyncio.get_running_loop().time()

    def book(self) -> list[float]:
        """Book the next free slot: ``[its time]``, to be set to when it really left."""
        now = self._now()
        slot = max(now, self._next)
        if len(self._left) == self._left.maxlen:
            slot = max(slot, self._left[0][0] + self.window)
        self._next = slot + self.spacing
        booking = [slot]
        self._left.append(booking)
        return booking

    def take(self) -> float:
        """Book the next free slot; return how long to wait for it."""
        return self.book()[0] - self._now()

    def not_before(self, moment: float) -> None:
        """Give out no slot before ``moment``."""
        self._next = max(self._next, moment)

    async def wait(self) -> None:
        booking = self.book()
        delay = booking[0] - self._now()
        if delay > 0:
            await asyncio.sleep(delay)
        booking[0] = max(booking[0], self._now())  # a late wake-up counts as it happened


class PacedRateLimiter(AIORateLimiter):
    """AIORateLimiter with its overall limit kept by a :class:`Schedule`."""

    def __init__(
        self, per_second: int = PER_SECOND, margin: float = MARGIN, max_retries: int = RETRIES
    ) -> None:
        super().__init__(overall_max_rate=0, max_retries=max_retries)  # 0: no bucket
        self.schedule = Schedule(per_second, margin)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        # What the bucket limited: requests that name a chat (getUpdates, answering a
        # button press and the like do not count against Telegram's message limits).
        if data.get("chat_id") is None:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        await self.schedule.wait()
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        finally:
            # Over a second: Telegram said to wait (a 429), and AIORateLimiter sent it
            # again, at a moment before now that its slot does not cover.
            if loop.time() - started >= PAUSED:
                self.schedule.not_before(loop.time() + self.schedule.spacing)
