"""The outbox: one delivery row per message to one person, sent by a worker.

A broadcast is enqueued in one transaction; the worker claims due rows, sends them, and
records what happened. A crash loses nothing: rows claimed but not finished are put back
at start-up, so at most the sends in flight at the moment of the crash can repeat.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiosqlite

from storage.db import Database, utcnow
from storage.kinds import UNFINISHED, DeliveryKind, DeliveryState, Purpose, UpdateStatus
from storage.sql import agreed_to, among, taking_part

# rows of (label, callback data), as the outbox keeps them
Buttons = tuple[tuple[tuple[str, str], ...], ...]


@dataclass(frozen=True, slots=True)
class NewDelivery:
    kind: DeliveryKind
    workshop_id: int
    chat_id: int
    text: str
    not_before: str
    participant_id: int | None = None
    update_id: int | None = None
    session_id: int | None = None
    personalised: bool = False
    buttons: Buttons = ()


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    kind: DeliveryKind
    update_id: int | None
    participant_id: int | None
    workshop_id: int
    session_id: int | None
    chat_id: int
    personalised: bool
    text: str
    buttons: list[list[tuple[str, str]]]
    state: DeliveryState
    attempts: int
    not_before: str
    last_error: str | None
    telegram_message_id: int | None
    parts_sent: int = 0  # of a long text split into several messages
    urgent: bool = False  # sent anyway, in quiet hours, by a facilitator's choice


def _delivery(row: aiosqlite.Row) -> Delivery:
    return Delivery(
        id=row["id"],
        kind=DeliveryKind(row["kind"]),
        update_id=row["update_id"],
        participant_id=row["participant_id"],
        workshop_id=row["workshop_id"],
        session_id=row["session_id"],
        chat_id=row["chat_id"],
        personalised=bool(row["personalised"]),
        text=row["text"],
        buttons=[[(label, data) for label, data in r] for r in json.loads(row["buttons"])],
        state=DeliveryState(row["state"]),
        attempts=row["attempts"],
        not_before=row["not_before"],
        last_error=row["last_error"],
        telegram_message_id=row["telegram_message_id"],
        parts_sent=row["parts_sent"],
        urgent=bool(row["urgent"]),
    )


def _values(d: NewDelivery, now: str) -> tuple[Any, ...]:
    return (
        d.kind,
        d.update_id,
        d.participant_id,
        d.workshop_id,
        d.session_id,
        d.chat_id,
        int(d.personalised),
        d.text,
        json.dumps([list(map(list, row)) for row in d.buttons]),
        d.not_before,
        now,
    )


_INSERT = """INSERT OR IGNORE INTO deliveries (kind, update_id, participant_id, workshop_id,
    session_id, chat_id, personalised, text, buttons, not_before, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""

# Whether a claimed row should still go, checked just before sending: people may have said
# STOP, erased their data, finished the questions or opted out since it was queued.
_STILL_WANTED = f"""
SELECT CASE
  WHEN d.kind IN {among(DeliveryKind.NUDGE)} THEN 1
  WHEN p.id IS NULL OR NOT ({taking_part()}) OR p.stopped_at IS NOT NULL
       OR p.unreachable_at IS NOT NULL THEN 0
  WHEN NOT {agreed_to(Purpose.TAKE_PART)} THEN 0
  WHEN d.kind IN {among(DeliveryKind.REMINDER)}
       THEN p.status IN {among(*UNFINISHED)} AND p.no_reminders = 0
  WHEN d.kind IN {among(DeliveryKind.SESSION)} AND (s.id IS NULL OR s.starts_at <= ?) THEN 0
  ELSE {agreed_to(Purpose.UPDATES)}
END
FROM deliveries d
LEFT JOIN participants p ON p.id = d.participant_id
LEFT JOIN sessions s ON s.id = d.session_id
WHERE d.id = ? AND d.state IN {among(DeliveryState.SENDING)}"""


_FAILED = among(DeliveryState.FAILED, DeliveryState.UNREACHABLE)


class AlreadyDone(Exception):
    """The marking statement found nothing to mark: this was queued already."""


# Read for every message a person sends (storage/preload.py makes it with the others).
MARKED_UNREACHABLE = """SELECT 1 FROM participants
    WHERE telegram_user_id = ? AND unreachable_at IS NOT NULL LIMIT 1"""


class Outbox:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def enqueue_update(self, update_id: int, deliveries: list[NewDelivery]) -> int:
        """All of an update's deliveries, and the update marked sent, in one transaction."""
        now = utcnow()
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE updates SET status = ?, enqueued_at = ? WHERE id = ? AND status = ?",
                (UpdateStatus.SENT, now, update_id, UpdateStatus.SCHEDULED),
            )
            if cur.rowcount != 1:
                return 0  # already enqueued (or cancelled): never twice
            await conn.executemany(_INSERT, [_values(d, now) for d in deliveries])
        return len(deliveries)

    async def enqueue_reminder(
        self, delivery: NewDelivery, participant_id: int, reminders_sent: int, now: str
    ) -> bool:
        """Queue a reminder and count it, together; False if the count has moved on.

        ``reminders_sent`` is the count the reminder was decided on: the count goes up with
        the queued row, so a crash or a second tick can never cause one more than allowed.
        """
        return await self._enqueue_once(
            [delivery],
            """UPDATE participants SET reminders_sent = reminders_sent + 1, last_reminded_at = ?
               WHERE id = ? AND reminders_sent = ?""",
            (now, participant_id, reminders_sent),
        )

    async def enqueue_session_notice(
        self, deliveries: list[NewDelivery], session_id: int, now: str
    ) -> bool:
        """Queue the notices of a session and mark it reminded, together; once per session."""
        return await self._enqueue_once(
            deliveries,
            "UPDATE sessions SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL",
            (now, session_id),
        )

    async def enqueue_nudge(
        self, deliveries: list[NewDelivery], workshop_id: int, due_since: str, now: str
    ) -> bool:
        """Queue nudges to a workshop's facilitators, once per quiet spell (``due_since``)."""
        return await self._enqueue_once(
            deliveries,
            """INSERT OR IGNORE INTO facilitator_nudges (workshop_id, due_since, sent_at)
               VALUES (?, ?, ?)""",
            (workshop_id, due_since, now),
        )

    async def enqueue_retention_warning(
        self, deliveries: list[NewDelivery], workshop_id: int, due_at: str, now: str
    ) -> bool:
        """Queue the warning before a workshop's purge and mark it warned, together; once
        per purge date (``due_at``)."""
        return await self._enqueue_once(
            deliveries,
            """INSERT OR IGNORE INTO retention_warnings (workshop_id, due_at, warned_at)
               VALUES (?, ?, ?)""",
            (workshop_id, due_at, now),
        )

    async def _enqueue_once(
        self, deliveries: list[NewDelivery], mark: str, params: tuple[object, ...]
    ) -> bool:
        """Queue rows and record that they were queued, together or not at all.

        ``mark`` must change exactly one row the first time and none after (e.g. setting
        reminded_at where it is NULL); False when it changes none.
        """
        now = utcnow()
        try:
            async with self.db.transaction() as conn:
                cur = await conn.execute(mark, params)
                if cur.rowcount != 1:
                    raise AlreadyDone
                await conn.executemany(_INSERT, [_values(d, now) for d in deliveries])
        except AlreadyDone:
            return False
        return True

    async def still_wanted(self, delivery_id: int, now: str) -> bool:
        row = await self.db.fetchone(_STILL_WANTED, (now, delivery_id))
        return bool(row and row[0])

    async def cancel(self, delivery_id: int, reason: str) -> None:
        await self.db.execute(
            "UPDATE deliveries SET state = ?, last_error = ? WHERE id = ?",
            (DeliveryState.CANCELLED, reason, delivery_id),
        )

    async def requeue_in_flight(self) -> int:
        """At start-up: rows claimed by a process that died go back to pending."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE deliveries SET state = ? WHERE state = ?",
                (DeliveryState.PENDING, DeliveryState.SENDING),
            )
            return cur.rowcount

    async def claim_due(self, now: str, limit: int) -> list[Delivery]:
        """Mark up to ``limit`` due rows as being sent, oldest first, and return them."""
        async with (
            self.db.transaction() as conn,
            conn.execute(
                """UPDATE deliveries SET state = ?, attempts = attempts + 1
                   WHERE id IN (SELECT id FROM deliveries
                                WHERE state = ? AND not_before <= ?
                                ORDER BY not_before, id LIMIT ?)
                   RETURNING *""",
                (DeliveryState.SENDING, DeliveryState.PENDING, now, limit),
            ) as cur,
        ):
            rows = await cur.fetchall()
        return sorted((_delivery(r) for r in rows), key=lambda d: (d.not_before, d.id))

    async def sent(self, delivery_id: int, message_id: int, parts: int = 1) -> None:
        """The last (or only) part went out: ``parts`` in all."""
        await self.db.execute(
            """UPDATE deliveries SET state = ?, telegram_message_id = ?, parts_sent = ?,
                   sent_at = ?, last_error = NULL WHERE id = ?""",
            (DeliveryState.SENT, message_id, parts, utcnow(), delivery_id),
        )

    async def part_sent(self, delivery_id: int, parts: int, message_id: int) -> None:
        """A part of a long text went out (``parts`` so far): a retry sends only the rest."""
        await self.db.execute(
            "UPDATE deliveries SET parts_sent = ?, telegram_message_id = ? WHERE id = ?",
            (parts, message_id, delivery_id),
        )

    async def release(self, delivery_ids: list[int], *, tried: bool, reason: str | None) -> int:
        """Put claimed rows back in the queue as they were, due when they were due.

        ``tried``: their attempt counts (a send had begun); otherwise it is not counted.
        Only rows still being sent move, so a row that was settled meanwhile stays settled.
        """
        if not delivery_ids:
            return 0
        marks = ", ".join("?" * len(delivery_ids))
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                f"""UPDATE deliveries SET state = ?, last_error = COALESCE(?, last_error),
                        attempts = MAX(attempts - ?, 0) WHERE id IN ({marks}) AND state = ?""",
                (
                    DeliveryState.PENDING,
                    reason,
                    0 if tried else 1,
                    *delivery_ids,
                    DeliveryState.SENDING,
                ),
            )
            return cur.rowcount

    async def retry(self, delivery_id: int, not_before: str, error: str) -> None:
        await self.db.execute(
            """UPDATE deliveries SET state = ?, not_before = ?, last_error = ?
               WHERE id = ?""",
            (DeliveryState.PENDING, not_before, error, delivery_id),
        )

    async def give_back(self, delivery_id: int, not_before: str, error: str) -> None:
        """Put a row back without counting the attempt (Telegram asked us to wait)."""
        await self.db.execute(
            """UPDATE deliveries SET state = ?, not_before = ?, last_error = ?,
                   attempts = MAX(attempts - 1, 0) WHERE id = ?""",
            (DeliveryState.PENDING, not_before, error, delivery_id),
        )

    async def failed(self, delivery_id: int, error: str) -> None:
        await self.db.execute(
            "UPDATE deliveries SET state = ?, last_error = ? WHERE id = ?",
            (DeliveryState.FAILED, error, delivery_id),
        )

    async def unreachable(self, delivery: Delivery, error: str) -> None:
        """Blocked or deactivated: mark the person, and stop every message waiting for them."""
        now = utcnow()
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE deliveries SET state = ?, last_error = ? WHERE id = ?",
                (DeliveryState.UNREACHABLE, error, delivery.id),
            )
            await conn.execute(
                """UPDATE deliveries SET state = ?, last_error = ?
                   WHERE chat_id = ? AND state = ?""",
                (DeliveryState.UNREACHABLE, error, delivery.chat_id, DeliveryState.PENDING),
            )
            await conn.execute(
                """UPDATE participants SET unreachable_at = ?
                   WHERE telegram_user_id = ? AND unreachable_at IS NULL""",
                (now, delivery.chat_id),
            )

    async def reachable_again(self, telegram_user_id: int) -> None:
        """They wrote to the bot, so they have unblocked it.

        Called for every message: it only reads, unless they were marked (an UPDATE that
        matches no row would still wait for the write lock and take SQLite's)."""
        marked = await self.db.fetchone(MARKED_UNREACHABLE, (telegram_user_id,))
        if marked is None:
            return
        await self.db.execute(
            """UPDATE participants SET unreachable_at = NULL
               WHERE telegram_user_id = ? AND unreachable_at IS NOT NULL""",
            (telegram_user_id,),
        )

    async def cancel_pending_to(self, chat_id: int) -> int:
        """Drop every message still waiting for this person (they sent STOP).

        Nudges go to facilitators about their workshop, not to the person as a participant.
        """
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE deliveries SET state = ? WHERE chat_id = ? AND state = ? AND kind != ?",
                (DeliveryState.CANCELLED, chat_id, DeliveryState.PENDING, DeliveryKind.NUDGE),
            )
            return cursor.rowcount

    async def report(
        self, update_id: int
    ) -> tuple[dict[DeliveryState, int], list[tuple[str, int]]]:
        """Counts by state, and the reasons for failures with how often each happened."""
        rows = await self.db.fetchall(
            "SELECT state, COUNT(*) AS n FROM deliveries WHERE update_id = ? GROUP BY state",
            (update_id,),
        )
        reasons = await self.db.fetchall(
            f"""SELECT last_error, COUNT(*) AS n FROM deliveries
                WHERE update_id = ? AND state IN {_FAILED}
                GROUP BY last_error ORDER BY n DESC""",
            (update_id,),
        )
        return {DeliveryState(r["state"]): r["n"] for r in rows}, [
            (r["last_error"] or "", r["n"]) for r in reasons
        ]

    async def stopped_before(self, update_id: int) -> int:
        """People of the update's workshop who had chosen updates but sent STOP before it
        went, so it was never queued for them: they count among those it was not sent to."""
        row = await self.db.fetchone(
            f"""SELECT COUNT(*) FROM participants p JOIN updates u ON u.workshop_id = p.workshop_id
                WHERE u.id = ? AND u.enqueued_at IS NOT NULL AND {taking_part()}
                  AND p.stopped_at IS NOT NULL AND p.stopped_at <= u.enqueued_at
                  AND {agreed_to(Purpose.UPDATES)}
                  AND NOT EXISTS (SELECT 1 FROM deliveries d
                                  WHERE d.update_id = u.id AND d.participant_id = p.id)""",
            (update_id,),
        )
        return int(row[0]) if row else 0

    async def recipients_count(self, update_id: int) -> int:
        row = await self.db.fetchone(
            "SELECT COUNT(*) FROM deliveries WHERE update_id = ?", (update_id,)
        )
        return int(row[0]) if row else 0

    async def for_update(self, update_id: int) -> list[Delivery]:
        rows = await self.db.fetchall(
            "SELECT * FROM deliveries WHERE update_id = ? ORDER BY id", (update_id,)
        )
        return [_delivery(r) for r in rows]

    async def next_due(self) -> str | None:
        row = await self.db.fetchone(
            "SELECT MIN(not_before) FROM deliveries WHERE state = ?", (DeliveryState.PENDING,)
        )
        return str(row[0]) if row and row[0] else None

    async def delivered_to(self, update_id: int, chat_id: int) -> int | None:
        """The participant this update was sent to in this chat, if they still take part."""
        row = await self.db.fetchone(
            f"""SELECT d.participant_id FROM deliveries d
                JOIN participants p ON p.id = d.participant_id
                WHERE d.update_id = ? AND d.chat_id = ? AND d.state = ? AND {taking_part()}""",
            (update_id, chat_id, DeliveryState.SENT),
        )
        return int(row[0]) if row and row[0] is not None else None
