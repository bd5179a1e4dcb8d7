"""The rate limiter: every request into a chat on a fixed schedule under Telegram's limit.

Telegram allows a bot about 30 messages a second and counts any one-second window.
python-telegram-bot's AIORateLimiter paces with a leaky bucket: a bucket of 30 lets a
burst of up to 60 into the first second, and a bucket of one loses whatever time its
timer wakes late (about a millisecond in every 33, 2-4 % of a broadcast). Here each
request gets the next slot of a fixed schedule instead, so a late wake-up does not push
the later slots back; the slots are a little more than 1/30 s apart, so that 30 of
them always span more than a second even when a request leaves a few milliseconds late.
The rest (the retries after a 429, the group and paid-broadcast limits) is AIORateLimiter's;
after a retry, which goes at a moment no slot covered, the next slot is a spacing later.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

# Telegram's overall limit, less 1 %: 30 slots span 1.0101 s, so up to 10 ms of lateness
# between the first of 30 and the last cannot make 31 in one second.
PER_SECOND = 30 * 0.99
RETRIES = 2  # a 429 that still happens is retried twice rather than shown to the person
PAUSED = 1.0  # seconds: a request that took this long waited for a 429's retry_after


class Schedule:
    """Slots ``1 / per_second`` apart; a caller waits for the next free one."""

    def __init__(self, per_second: float, clock: Callable[[], float] | None = None) -> None:
        self.spacing = 1 / per_second
        self._clock = clock
        self._next = 0.0

    def _now(self) -> float:
        return self._clock() if self._clock else asyncio.get_running_loop().time()

    def take(self) -> float:
        """Book the next free slot; return how long to wait for it."""
        now = self._now()
        slot = max(now, self._next)
        self._next = slot + self.spacing
        return slot - now

    def not_before(self, moment: float) -> None:
        """Give out no slot before ``moment``."""
        self._next = max(self._next, moment)

    async def wait(self) -> None:
        delay = self.take()
        if delay > 0:
            await asyncio.sleep(delay)


class PacedRateLimiter(AIORateLimiter):
    """AIORateLimiter with its overall limit kept by a :class:`Schedule`."""

    def __init__(self, per_second: float = PER_SECOND, max_retries: int = RETRIES) -> None:
        super().__init__(overall_max_rate=0, max_retries=max_retries)  # 0: no bucket
        self.schedule = Schedule(per_second)

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
