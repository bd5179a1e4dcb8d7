"""The outbox worker when things stop half-way: a shutdown, an error of ours, a long update.

Through the real Application and its worker, with the fake Bot API at the transport seam:
- a shutdown stops the claiming between two sends; what was not sent stays queued, and
  goes (once) when the worker runs again;
- nothing stays "sending" while the bot runs on, whatever error escapes a send;
- a retry of a long update (several messages) sends only the parts not yet delivered.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

from handlers import jobs
from storage import Storage
from storage.kinds import DeliveryState, Purpose
from storage.models import Workshop
from storage.outbox import Delivery
from storage.updates import ProgressUpdate
from tests.conftest import OWNER, RunningBot
from tests.storage.test_participants import HASH

FIRST_CHAT = 7000


async def recipients(storage: Storage, workshop: Workshop, count: int) -> list[int]:
    """People who agreed to take part and to hear updates, straight through storage."""
    chats = list(range(FIRST_CHAT, FIRST_CHAT + count))
    for chat_id in chats:
        person = await storage.participants.decide_take_part(
            workshop.id, chat_id, granted=True, text_sha256=HASH, method="button"
        )
        await storage.participants.decide(
            person.id, Purpose.UPDATES, granted=True, text_sha256=HASH, method="button"
        )
    return chats


async def broadcast(bot: RunningBot, workshop: Workshop, body: str = "Thank you all.") -> int:
    """An update queued for every recipient, as the facilitator's "Send now" does."""
    saved: ProgressUpdate = await bot.storage.updates.create(
        workshop.id, body, [], "2000-01-01T00:00:00+00:00", OWNER
    )
    await jobs.enqueue_update(bot.storage, saved, bot.clock())
    return saved.id


def sends(bot: RunningBot) -> list[Any]:
    return [c for c in bot.fake.calls if c.method == "sendMessage"]


async def rows(bot: RunningBot, update_id: int) -> list[Delivery]:
    return await bot.storage.outbox.for_update(update_id)


def states(deliveries: list[Delivery]) -> Counter[str]:
    return Counter(str(d.state) for d in deliveries)


def slow_sends(bot: RunningBot, seconds: float, after: int) -> asyncio.Event:
    """Each sendMessage takes a while, as over the network; the event: ``after`` went out."""
    fake = bot.fake
    real = fake.do_request
    reached = asyncio.Event()

    async def do_request(url: str, method: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        if url.endswith("/sendMessage"):
            await asyncio.sleep(seconds)
        answer = await real(url, method, *args, **kwargs)
        if len(sends(bot)) >= after:
            reached.set()
        return answer

    fake.do_request = do_request  # type: ignore[method-assign]  # a test double in place of the real call
    return reached


# ---- 1. a shutdown stops the claiming ----------------------------------------------------------


async def test_stopping_mid_broadcast_sends_no_more_and_the_rest_goes_next_time(
    bot: RunningBot, workshop: Workshop
) -> None:
    chats = await recipients(bot.storage, workshop, 30)
    update_id = await broadcast(bot, workshop)
    worker = bot.app.bot_data["worker"]
    worker.stopping = lambda: len(sends(bot)) >= 7  # the bot starts to stop after 7 sends

    assert await worker.run(bot.app.bot) == 7
    queued = await rows(bot, update_id)
    assert states(queued) == {"sent": 7, "pending": 23}  # none left "sending"
    # The rows claimed but never begun are as they were: no attempt counted, due as before.
    assert all(d.attempts == 0 and d.last_error is None for d in queued if d.state == "pending")

    worker.stopping = lambda: False  # the restart
    await jobs.deliver(bot.context())
    assert Counter(c.chat_id for c in sends(bot)) == dict.fromkeys(chats, 1)
    assert states(await rows(bot, update_id)) == {"sent": 30}


async def test_application_stop_ends_the_delivery_run_between_two_sends(
    bot: RunningBot, workshop: Workshop
) -> None:
    """PTB's Application.stop() waits for the running jobs: the delivery job ends quickly."""
    chats = await recipients(bot.storage, workshop, 200)
    update_id = await broadcast(bot, workshop)
    twenty = slow_sends(bot, 0.01, after=20)  # 200 sends: two seconds or more, undisturbed
    app = bot.app
    await app.start()  # the job queue's scheduler runs, as in `doingwith run`
    assert app.job_queue is not None
    app.job_queue.run_once(jobs.deliver, 0.0)
    await twenty.wait()
    began = time.monotonic()
    await app.stop()
    took = time.monotonic() - began
    assert took < 1.0, f"stop took {took:.2f} s"
    done = len(sends(bot))
    assert done < 100, done  # stopped mid-broadcast, not after draining it
    queued = await rows(bot, update_id)
    assert states(queued) == {"sent": done, "pending": 200 - done}

    await jobs.deliver(bot.context())  # after the restart (the application is not running)
    assert Counter(c.chat_id for c in sends(bot)) == dict.fromkeys(chats, 1)
    assert states(await rows(bot, update_id)) == {"sent": 200}


async def test_stopping_cuts_short_a_wait_telegram_asked_for(
    bot: RunningBot, workshop: Workshop
) -> None:
    await recipients(bot.storage, workshop, 5)
    update_id = await broadcast(bot, workshop)
    worker = bot.app.bot_data["worker"]
    worker.sleep = asyncio.sleep  # a real wait of 30 s, unless cut short
    bot.fake.fail("sendMessage", 429, "Too Many Requests: retry after 30", retry_after=30)
    loop = asyncio.get_running_loop()
    stop_at = loop.time() + 0.3
    worker.stopping = lambda: loop.time() >= stop_at

    began = time.monotonic()
    assert await worker.run(bot.app.bot) == 0
    assert time.monotonic() - began < 1.5
    queued = await rows(bot, update_id)
    assert states(queued) == {"pending": 5}
    assert {d.last_error for d in queued} == {"RetryAfter 30s", "waiting for Telegram"}
    assert all(d.attempts == 0 for d in queued)  # Telegram's wait is not a failed attempt


# ---- 2. no row stays "sending" while the bot runs on -------------------------------------------


async def test_an_unexpected_error_in_a_send_fails_that_row_with_its_reason(
    bot: RunningBot, workshop: Workshop
) -> None:
    chats = await recipients(bot.storage, workshop, 3)
    update_id = await broadcast(bot, workshop)
    fake = bot.fake
    real = fake.do_request

    async def do_request(url: str, method: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        code, body = await real(url, method, *args, **kwargs)
        if url.endswith("/sendMessage") and len(sends(bot)) == 2:
            return code, b"{not json"  # an answer PTB cannot read: not a Telegram error
        return code, body

    fake.do_request = do_request  # type: ignore[method-assign]  # a test double in place of the real call
    await jobs.deliver(bot.context())
    by_chat = {d.chat_id: d for d in await rows(bot, update_id)}
    assert [by_chat[c].state for c in chats] == ["sent", "failed", "sent"]
    # Failed, not retried: the same error would come again (and the message may have
    # arrived). The reason is what the update's report lists.
    assert by_chat[chats[1]].last_error is not None
    assert by_chat[chats[1]].last_error.startswith("TelegramError: ")
    owner = bot.chat(OWNER, "Olu")
    report = owner.texts(await owner.say("/report"))[0]
    assert "failed 1" in report


async def test_an_error_recording_a_send_puts_the_row_back_and_the_rest_go_on(
    bot: RunningBot, workshop: Workshop
) -> None:
    chats = await recipients(bot.storage, workshop, 3)
    update_id = await broadcast(bot, workshop)
    outbox = bot.storage.outbox
    real_sent = outbox.sent
    broken = [True]

    async def sent(delivery_id: int, message_id: int, parts: int = 1) -> None:
        if broken.pop() if broken else False:
            raise RuntimeError("disk I/O error")
        await real_sent(delivery_id, message_id, parts)

    outbox.sent = sent  # type: ignore[method-assign]  # a test double in place of the real call
    await jobs.deliver(bot.context())
    by_chat = {d.chat_id: d for d in await rows(bot, update_id)}
    assert [by_chat[c].state for c in chats] == ["pending", "sent", "sent"]
    assert by_chat[chats[0]].last_error == "RuntimeError: disk I/O error"
    assert by_chat[chats[0]].attempts == 1  # counted: it goes again later, within the limit

    bot.clock.advance(seconds=30)
    await jobs.deliver(bot.context())
    assert states(await rows(bot, update_id)) == {"sent": 3}
    # Its message may have arrived the first time: the one repeat an unrecorded send costs.
    assert [c.chat_id for c in sends(bot)] == [chats[0], chats[1], chats[2], chats[0]]


async def test_a_cancelled_run_puts_every_claimed_row_back_at_once(
    bot: RunningBot, workshop: Workshop
) -> None:
    chats = await recipients(bot.storage, workshop, 10)
    update_id = await broadcast(bot, workshop)
    fake = bot.fake
    real = fake.do_request
    started = asyncio.Event()

    async def do_request(url: str, method: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        if url.endswith("/sendMessage") and len(sends(bot)) == 3:
            started.set()
            await asyncio.sleep(10)  # the fourth send hangs until the run is cancelled
        return await real(url, method, *args, **kwargs)

    fake.do_request = do_request  # type: ignore[method-assign]  # a test double in place of the real call
    worker = bot.app.bot_data["worker"]
    run = asyncio.create_task(worker.run(bot.app.bot))
    await started.wait()
    run.cancel()
    await asyncio.gather(run, return_exceptions=True)

    queued = {d.chat_id: d for d in await rows(bot, update_id)}
    assert states(list(queued.values())) == {"sent": 3, "pending": 7}
    # The one cut off mid-send may have arrived: its attempt counts; the rest were untried.
    assert queued[chats[3]].last_error == "interrupted"
    assert queued[chats[3]].attempts == 1
    assert all(queued[c].attempts == 0 for c in chats[4:])

    fake.do_request = real  # type: ignore[method-assign]  # a test double in place of the real call
    await jobs.deliver(bot.context())
    assert states(await rows(bot, update_id)) == {"sent": 10}


async def test_rows_left_sending_when_even_putting_them_back_failed_go_on_the_next_run(
    bot: RunningBot, workshop: Workshop
) -> None:
    chats = await recipients(bot.storage, workshop, 4)
    update_id = await broadcast(bot, workshop)
    outbox = bot.storage.outbox
    real_release, real_sent = outbox.release, outbox.sent

    async def release(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("database is locked")

    async def sent(delivery_id: int, message_id: int, parts: int = 1) -> None:
        await real_sent(delivery_id, message_id, parts)
        raise asyncio.CancelledError  # the run is cancelled right after the first send

    outbox.release = release  # type: ignore[method-assign]  # a test double in place of the real call
    outbox.sent = sent  # type: ignore[method-assign]  # a test double in place of the real call
    worker = bot.app.bot_data["worker"]
    results = await asyncio.gather(worker.run(bot.app.bot), return_exceptions=True)
    assert isinstance(results[0], RuntimeError)
    assert states(await rows(bot, update_id)) == {"sent": 1, "sending": 3}

    outbox.release, outbox.sent = real_release, real_sent  # type: ignore[method-assign]  # a test double in place of the real call
    await jobs.deliver(bot.context())  # the bot runs on: the next tick
    assert states(await rows(bot, update_id)) == {"sent": 4}
    assert Counter(c.chat_id for c in sends(bot)) == dict.fromkeys(chats, 1)


# ---- 3. a long update's retry sends only what is missing ---------------------------------------


LONG = "\n\n".join(f"Paragraph {n}: " + "the buses run late " * 40 for n in range(1, 19))


def parts_of(bot: RunningBot, chat_id: int) -> list[str]:
    """The part of the update each send to this person carried, by its first paragraph."""
    found = []
    for call in sends(bot):
        if call.chat_id == chat_id:
            first = next(line for line in call.text.splitlines() if "Paragraph" in line)
            found.append(first.split(":")[0].split("Paragraph ")[1])
    return found


async def test_a_retry_of_a_long_update_sends_only_the_parts_not_yet_delivered(
    bot: RunningBot, workshop: Workshop
) -> None:
    [chat_id] = await recipients(bot.storage, workshop, 1)
    update_id = await broadcast(bot, workshop, LONG)
    fake = bot.fake
    real = fake.do_request

    async def do_request(url: str, method: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        if url.endswith("/sendMessage") and len(sends(bot)) == 1:
            fake.fail("sendMessage", 0, "timed out")  # the second part times out
        return await real(url, method, *args, **kwargs)

    fake.do_request = do_request  # type: ignore[method-assign]  # a test double in place of the real call
    await jobs.deliver(bot.context())
    [row] = await rows(bot, update_id)
    assert row.state == DeliveryState.PENDING
    assert row.parts_sent == 1
    first_id = fake.next_message_id  # the only message the fake has answered so far
    assert row.telegram_message_id == first_id
    calls = sends(bot)
    assert len(calls) == 2
    assert calls[1].buttons == []  # part 2 never carried the buttons

    fake.do_request = real  # type: ignore[method-assign]  # a test double in place of the real call
    bot.clock.advance(seconds=30)
    await jobs.deliver(bot.context())
    [row] = await rows(bot, update_id)
    assert row.state == DeliveryState.SENT
    total = row.parts_sent
    assert total >= 3
    # Part 1 once, part 2 tried twice (the first try timed out), every other part once.
    delivered = [call for call in sends(bot) if call is not calls[1]]
    assert len(delivered) == total
    assert delivered[-1].buttons  # the feedback buttons come with the last part
    assert all(not call.buttons for call in delivered[:-1])
    heads = parts_of(bot, chat_id)
    assert heads[0] == "1"
    assert heads[1] == heads[2]  # the retry began at part 2
    assert len(set(heads)) == total


async def test_after_a_crash_between_parts_the_restart_sends_the_rest(
    bot: RunningBot, workshop: Workshop
) -> None:
    [chat_id] = await recipients(bot.storage, workshop, 1)
    update_id = await broadcast(bot, workshop, LONG)
    outbox = bot.storage.outbox
    real_part_sent = outbox.part_sent

    async def part_sent(delivery_id: int, parts: int, message_id: int) -> None:
        await real_part_sent(delivery_id, parts, message_id)
        if parts == 2:
            raise asyncio.CancelledError  # the process dies here (its rows stay claimed)

    outbox.part_sent = part_sent  # type: ignore[method-assign]  # a test double in place of the real call
    worker = bot.app.bot_data["worker"]
    await asyncio.gather(worker.run(bot.app.bot), return_exceptions=True)
    outbox.part_sent = real_part_sent  # type: ignore[method-assign]  # a test double in place of the real call
    # As a kill -9 leaves it: still claimed, two parts out.
    await bot.storage.db.execute("UPDATE deliveries SET state = 'sending'")
    [row] = await rows(bot, update_id)
    assert (row.state, row.parts_sent) == ("sending", 2)

    assert await outbox.requeue_in_flight() == 1  # what start-up does
    await jobs.deliver(bot.context())
    [row] = await rows(bot, update_id)
    assert row.state == DeliveryState.SENT
    heads = parts_of(bot, chat_id)
    assert len(heads) == len(set(heads)) == row.parts_sent  # no part twice, none missing
