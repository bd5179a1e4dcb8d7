"""bot/pacing.py: requests into chats on a fixed schedule just under Telegram's 30 a second."""

from __future__ import annotations

import itertools
from typing import Any

from telegram.error import RetryAfter

from bot.pacing import PER_SECOND, PacedRateLimiter, Schedule


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_slots_are_a_fixed_spacing_apart_and_30_of_them_span_over_a_second() -> None:
    clock = Clock()
    schedule = Schedule(PER_SECOND, clock=clock)
    waits = [schedule.take() for _ in range(31)]
    assert waits[0] == 0
    assert waits[30] > 1.0  # the 31st request is more than a second after the first
    assert all(abs(b - a - schedule.spacing) < 1e-9 for a, b in itertools.pairwise(waits))


def test_a_late_wake_up_does_not_push_the_later_slots_back() -> None:
    clock = Clock()
    schedule = Schedule(30, margin=0, clock=clock)
    assert schedule.take() == 0  # slot at 100.000
    assert abs(schedule.take() - 1 / 30) < 1e-9  # slot at 100.033
    clock.now += 1 / 30 + 0.002  # woke 2 ms late for it, and asks for the next at once
    assert abs(schedule.take() - (1 / 30 - 0.002)) < 1e-9  # still 100.067


def test_time_nobody_used_is_not_saved_up_for_a_burst() -> None:
    clock = Clock()
    schedule = Schedule(30, margin=0, clock=clock)
    schedule.take()
    clock.now += 10  # quiet for ten seconds
    assert schedule.take() == 0
    assert abs(schedule.take() - 1 / 30) < 1e-9


async def test_only_requests_that_name_a_chat_wait_for_a_slot() -> None:
    limiter = PacedRateLimiter(per_second=1)  # one a second: a wait would show
    done: list[str] = []

    async def call(name: str) -> dict[str, Any]:
        done.append(name)
        return {}

    for name in ("getUpdates", "answerCallbackQuery", "getMe"):
        await limiter.process_request(call, (name,), {}, name, {}, None)
    await limiter.process_request(call, ("first",), {}, "sendMessage", {"chat_id": 1}, None)
    assert done == ["getUpdates", "answerCallbackQuery", "getMe", "first"]
    assert limiter.schedule.take() > 0.9  # the next chat request would wait its turn


async def test_after_a_429_and_its_retry_the_next_slot_is_a_full_spacing_later() -> None:
    limiter = PacedRateLimiter(per_second=30)
    answers: list[Exception | None] = [RetryAfter(1), None]

    async def send() -> dict[str, Any]:
        answer = answers.pop(0)
        if answer is not None:
            raise answer
        return {}

    await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert answers == []  # refused once, then sent again after the wait
    # The retry went at a moment its slot did not cover: no slot for a spacing after it
    # (without that, the next request could go at once, two in a few milliseconds).
    assert limiter.schedule.take() > limiter.schedule.spacing / 2


async def test_a_request_that_left_late_moves_the_one_30_after_it() -> None:
    clock = Clock()
    schedule = Schedule(3, margin=0.01, clock=clock)  # 3 in any 1.01 s: 0.337 s apart
    first = schedule.book()
    first[0] += 0.2  # it left 0.2 s after its slot (the loop was busy)
    second, third = schedule.book(), schedule.book()
    assert abs(second[0] - first[0] + 0.2 - schedule.spacing) < 1e-9  # not moved
    fourth = schedule.book()
    # Three in any 1.01 s: the fourth goes 1.01 s after the first really left.
    assert abs(fourth[0] - (first[0] + 1.01)) < 1e-9
    assert fourth[0] > third[0] + schedule.spacing
