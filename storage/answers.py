"""Answers: one row per participant and question, saved the moment it is given."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

import aiosqlite

from storage.db import Database, fetchone, utcnow
from storage.kinds import ParticipantStatus
from storage.models import Answer, Participant
from storage.participants import _participant as participant_of


@dataclass(frozen=True, slots=True)
class Step:
    """Where a participant goes with an answer; a part left as None stays as it is."""

    status: ParticipantStatus | None = None
    position: int | None = None
    changing: bool | None = None

    @property
    def moves(self) -> bool:
        return (self.status, self.position, self.changing) != (None, None, None)


def _answer(row: aiosqlite.Row) -> Answer:
    return Answer(
        question_id=row["question_id"],
        value=None if row["value"] is None else json.loads(row["value"]),
        skipped=bool(row["skipped"]),
        answered_at=row["answered_at"],
        source_message_id=row["source_message_id"],
    )


SAVE_ANSWER = """INSERT INTO answers (participant_id, question_id, value, skipped,
        source_message_id, answered_at)
    VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (participant_id, question_id) DO UPDATE SET
        value = excluded.value, skipped = excluded.skipped,
        source_message_id = excluded.source_message_id,
        answered_at = excluded.answered_at"""
MOVE = """UPDATE participants SET status = COALESCE(?, status),
        position = COALESCE(?, position),
        changing = COALESCE(?, changing), last_seen_at = ?
    WHERE id = ?"""
FOR_PARTICIPANT = "SELECT * FROM answers WHERE participant_id = ?"
SEEN = "INSERT OR IGNORE INTO seen_messages (participant_id, message_id) VALUES (?, ?)"


def seen(raw: sqlite3.Connection, participant_id: int, message_id: int) -> bool:
    """:func:`mark_seen` on the database thread."""
    return raw.execute(SEEN, (participant_id, message_id)).rowcount == 1


async def mark_seen(conn: aiosqlite.Connection, participant_id: int, message_id: int) -> bool:
    """Remember a message as used; False if it was used before (a redelivered update)."""
    cur = await conn.execute(SEEN, (participant_id, message_id))
    return cur.rowcount == 1


class Answers:
    """Save, read and change answers."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(
        self,
        participant_id: int,
        question_id: int,
        value: Any,
        *,
        skipped: bool = False,
        message_id: int | None = None,
        editable: bool = False,
        status: ParticipantStatus | None = None,
        position: int | None = None,
    ) -> bool:
        """Store an answer (and, if given, a new status or position) in one transaction.

        Returns False and changes nothing when ``message_id`` was already used.
        """
        moved = await self.save_and_move(
            participant_id,
            question_id,
            value,
            to=Step(None if status is None else ParticipantStatus(status), position),
            skipped=skipped,
            message_id=message_id,
            editable=editable,
        )
        return moved is not None

    async def save_and_move(
        self,
        participant_id: int,
        question_id: int,
        value: Any,
        *,
        to: Step,
        skipped: bool = False,
        message_id: int | None = None,
        editable: bool = False,
    ) -> Participant | None:
        """Store an answer and where the participant goes next, in one transaction.

        Returns the participant as they are now, or None (and changes nothing) when
        ``message_id`` was already used: a redelivered message is kept once.
        ``editable``: the answer is exactly that message's text, so editing the message
        in Telegram may replace it; any other answer forgets which message it came from.
        """
        now = utcnow()
        encoded = None if skipped else json.dumps(value, ensure_ascii=False)
        source = message_id if editable else None

        def step(raw: sqlite3.Connection) -> sqlite3.Row | None:
            if message_id is not None and not seen(raw, participant_id, message_id):
                return None
            raw.execute(SAVE_ANSWER, (participant_id, question_id, encoded, int(skipped),
                                      source, now))  # fmt: skip
            if to.moves:
                changing = None if to.changing is None else int(to.changing)
                raw.execute(MOVE, (to.status, to.position, changing, now, participant_id))
            row: sqlite3.Row | None = fetchone(
                raw, "SELECT * FROM participants WHERE id = ?", (participant_id,)
            )
            assert row is not None  # the answer's foreign key needs the participant
            return row

        # One hand-over to the database thread for the whole step (see Database.write).
        row = await self.db.write(step)
        return None if row is None else participant_of(row)

    async def get(self, participant_id: int, question_id: int) -> Answer | None:
        # All of the person's answers (a few rows): the read an update shares (preload.py).
        return (await self.for_participant(participant_id)).get(question_id)

    async def for_participant(self, participant_id: int) -> dict[int, Answer]:
        rows = await self.db.fetchall(FOR_PARTICIPANT, (participant_id,))
        return {r["question_id"]: _answer(r) for r in rows}

    async def by_message(self, participant_id: int, message_id: int) -> Answer | None:
        row = await self.db.fetchone(
            "SELECT * FROM answers WHERE participant_id = ? AND source_message_id = ?",
            (participant_id, message_id),
        )
        return _answer(row) if row else None

    async def replace_text(self, participant_id: int, question_id: int, text: str) -> None:
        """Put the edited text of a message in place of the answer it gave."""
        await self.db.execute(
            """UPDATE answers SET value = ?, skipped = 0, answered_at = ?
               WHERE participant_id = ? AND question_id = ?""",
            (json.dumps(text, ensure_ascii=False), utcnow(), participant_id, question_id),
        )
