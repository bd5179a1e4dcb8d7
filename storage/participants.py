"""Participants and their consent records: one aggregate, written together."""

from __future__ import annotations

import secrets

import aiosqlite

from storage.db import Database, utcnow
from storage.kinds import UNFINISHED, ParticipantStatus, Purpose
from storage.models import Consent, Participant
from storage.sql import agreed_to, among, taking_part


def _participant(row: aiosqlite.Row) -> Participant:
    return Participant(
        id=row["id"],
        workshop_id=row["workshop_id"],
        telegram_user_id=row["telegram_user_id"],
        pseudonym=row["pseudonym"],
        status=ParticipantStatus(row["status"]),
        position=row["position"],
        changing=bool(row["changing"]),
        joined_at=row["joined_at"],
        last_seen_at=row["last_seen_at"],
        submitted_at=row["submitted_at"],
        reminders_sent=row["reminders_sent"],
    )


async def _free_pseudonym(conn: aiosqlite.Connection, workshop_id: int) -> str:
    digits = 4
    for attempt in range(1000):
        if attempt and attempt % 20 == 0:
            digits += 1  # a busy workshop: widen the space rather than loop
        candidate = "P-" + secrets.token_hex(4).upper()[:digits]
        async with conn.execute(
            "SELECT 1 FROM participants WHERE workshop_id = ? AND pseudonym = ?",
            (workshop_id, candidate),
        ) as cur:
            if await cur.fetchone() is None:
                return candidate
    raise RuntimeError("no free pseudonym")  # pragma: no cover - 8 hex digits never run out


# Answering in one workshop pauses these in the person's others.
_UNDER_WAY = among(
    ParticipantStatus.ANSWERING, ParticipantStatus.CONTINUING, ParticipantStatus.REVIEWING
)


class Participants:
    """Find participants, move them through the journey, record their consent."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, workshop_id: int, telegram_user_id: int) -> Participant | None:
        row = await self.db.fetchone(
            "SELECT * FROM participants WHERE workshop_id = ? AND telegram_user_id = ?",
            (workshop_id, telegram_user_id),
        )
        return _participant(row) if row else None

    async def by_id(self, participant_id: int) -> Participant | None:
        row = await self.db.fetchone("SELECT * FROM participants WHERE id = ?", (participant_id,))
        return _participant(row) if row else None

    async def latest(self, telegram_user_id: int) -> Participant | None:
        """Return the membership this person used last, if they have taken part anywhere."""
        row = await self.db.fetchone(
            f"""SELECT * FROM participants p
                WHERE telegram_user_id = ? AND {taking_part()}
                ORDER BY activity DESC, id DESC LIMIT 1""",
            (telegram_user_id,),
        )
        return _participant(row) if row else None

    async def memberships(self, telegram_user_id: int) -> list[Participant]:
        """Every workshop this person has agreed to take part in, latest first."""
        rows = await self.db.fetchall(
            f"""SELECT * FROM participants p
                WHERE telegram_user_id = ? AND {taking_part()}
                ORDER BY activity DESC, id DESC""",
            (telegram_user_id,),
        )
        return [_participant(r) for r in rows]

    async def decide_take_part(
        self,
        workshop_id: int,
        telegram_user_id: int,
        *,
        granted: bool,
        text_sha256: str,
        method: str,
    ) -> Participant:
        """Record the take-part decision; the participant row is created by this decision.

        Someone who erased their data and joins again gets a new pseudonym, so what they
        say now cannot be linked to what they erased.
        """
        now = utcnow()
        status = ParticipantStatus.CONSENTING if granted else ParticipantStatus.DECLINED
        async with self.db.transaction() as conn:
            async with conn.execute(
                """SELECT id, status FROM participants
                   WHERE workshop_id = ? AND telegram_user_id = ?""",
                (workshop_id, telegram_user_id),
            ) as cur:
                row = await cur.fetchone()
            if row is None:
                pseudonym = await _free_pseudonym(conn, workshop_id)
                cur = await conn.execute(
                    """INSERT INTO participants (workshop_id, telegram_user_id, pseudonym,
                           status, joined_at, last_seen_at)
                       VALUES (?, ?, ?, ?, ?, ?)""",
                    (workshop_id, telegram_user_id, pseudonym, status, now, now),
                )
                participant_id = cur.lastrowid or 0
            else:
                participant_id = row["id"]
                if row["status"] == ParticipantStatus.WITHDRAWN and granted:
                    await conn.execute(
                        "UPDATE participants SET pseudonym = ?, joined_at = ? WHERE id = ?",
                        (await _free_pseudonym(conn, workshop_id), now, participant_id),
                    )
                await conn.execute(
                    """UPDATE participants SET status = ?, position = 0, changing = 0,
                           last_seen_at = ? WHERE id = ?""",
                    (status, now, participant_id),
                )
            await self._upsert_consent(
                conn, participant_id, Purpose.TAKE_PART, granted, text_sha256, method, now
            )
            if granted:
                await self._make_current(conn, participant_id, telegram_user_id)
        participant = await self.by_id(participant_id)
        assert participant is not None
        return participant

    async def make_current(self, participant_id: int) -> None:
        """Make this the workshop the person is working in; pause their questions elsewhere."""
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT telegram_user_id FROM participants WHERE id = ?", (participant_id,)
            ) as cur:
                row = await cur.fetchone()
            if row is not None:
                await self._make_current(conn, participant_id, row["telegram_user_id"])

    @staticmethod
    async def _make_current(
        conn: aiosqlite.Connection, participant_id: int, telegram_user_id: int
    ) -> None:
        await conn.execute(
            f"""UPDATE participants SET status = ?
                WHERE telegram_user_id = ? AND id != ? AND status IN {_UNDER_WAY}""",
            (ParticipantStatus.PAUSED, telegram_user_id, participant_id),
        )
        await conn.execute(
            """UPDATE participants SET activity =
                   (SELECT COALESCE(MAX(activity), 0) + 1 FROM participants
                    WHERE telegram_user_id = ?)
               WHERE id = ?""",
            (telegram_user_id, participant_id),
        )

    async def decide(
        self,
        participant_id: int,
        purpose: Purpose,
        *,
        granted: bool,
        text_sha256: str,
        method: str,
        status: str | None = None,
    ) -> None:
        """Record the decision on one further purpose (updates, quote), and with it the
        participant's new ``status`` if given (all purposes decided: ready)."""
        now = utcnow()
        async with self.db.transaction() as conn:
            await self._upsert_consent(
                conn, participant_id, purpose, granted, text_sha256, method, now
            )
            if status is not None:
                await conn.execute(
                    "UPDATE participants SET status = ?, last_seen_at = ? WHERE id = ?",
                    (status, now, participant_id),
                )

    @staticmethod
    async def _upsert_consent(
        conn: aiosqlite.Connection,
        participant_id: int,
        purpose: Purpose,
        granted: bool,
        text_sha256: str,
        method: str,
        now: str,
    ) -> None:
        await conn.execute(
            """INSERT INTO consents (participant_id, purpose, granted, text_sha256, method,
                   decided_at, withdrawn_at)
               VALUES (?, ?, ?, ?, ?, ?, NULL)
               ON CONFLICT (participant_id, purpose) DO UPDATE SET
                   granted = excluded.granted, text_sha256 = excluded.text_sha256,
                   method = excluded.method, decided_at = excluded.decided_at,
                   withdrawn_at = NULL""",
            (participant_id, purpose, int(granted), text_sha256, method, now),
        )

    async def consents(self, participant_id: int) -> dict[Purpose, Consent]:
        rows = await self.db.fetchall(
            "SELECT * FROM consents WHERE participant_id = ?", (participant_id,)
        )
        return {
            Purpose(r["purpose"]): Consent(
                purpose=Purpose(r["purpose"]),
                granted=bool(r["granted"]),
                text_sha256=r["text_sha256"],
                method=r["method"],
                decided_at=r["decided_at"],
                withdrawn_at=r["withdrawn_at"],
            )
            for r in rows
        }

    async def move(
        self,
        participant_id: int,
        *,
        status: ParticipantStatus | None = None,
        position: int | None = None,
        changing: bool | None = None,
    ) -> None:
        """Change where the participant is; any part left as None stays as it is."""
        now = utcnow()
        submitted = now if status == ParticipantStatus.SUBMITTED else None
        await self.db.execute(
            """UPDATE participants SET
                   status = COALESCE(?, status),
                   position = COALESCE(?, position),
                   changing = COALESCE(?, changing),
                   submitted_at = COALESCE(?, submitted_at),
                   last_seen_at = ?
               WHERE id = ?""",
            (
                status,
                position,
                None if changing is None else int(changing),
                submitted,
                now,
                participant_id,
            ),
        )

    async def screen_message(self, telegram_user_id: int) -> tuple[int, bool] | None:
        """The message showing this person's current question or review screen, and
        whether it still carries its buttons; None when none is known."""
        row = await self.db.fetchone(
            """SELECT screen_message_id, screen_buttons FROM participants
               WHERE telegram_user_id = ? AND screen_message_id IS NOT NULL
               ORDER BY activity DESC, id DESC LIMIT 1""",
            (telegram_user_id,),
        )
        return (row["screen_message_id"], bool(row["screen_buttons"])) if row else None

    async def set_screen_message(
        self, participant_id: int, message_id: int, *, buttons: bool = True
    ) -> None:
        """Remember the message now showing the person's screen (one per person: any
        other membership of theirs forgets its own)."""
        await self.db.execute(
            """UPDATE participants SET
                   screen_message_id = CASE WHEN id = ? THEN ? END,
                   screen_buttons = CASE WHEN id = ? THEN ? ELSE 0 END
               WHERE telegram_user_id =
                   (SELECT telegram_user_id FROM participants WHERE id = ?)""",
            (participant_id, message_id, participant_id, int(buttons), participant_id),
        )

    async def screen_buttons_gone(self, telegram_user_id: int) -> bool:
        """Note that the screen message's buttons are off; False if they already were."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """UPDATE participants SET screen_buttons = 0
                   WHERE telegram_user_id = ? AND screen_buttons = 1""",
                (telegram_user_id,),
            )
            return cur.rowcount > 0

    async def withdraw(self, participant_id: int) -> None:
        """Erase what the person said in this workshop and withdraw every consent."""
        now = utcnow()
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM answers WHERE participant_id = ?", (participant_id,))
            await conn.execute("DELETE FROM views WHERE participant_id = ?", (participant_id,))
            for table in ("about_answers", "feedback", "session_replies"):
                await conn.execute(
                    f"DELETE FROM {table} WHERE participant_id = ?", (participant_id,)
                )
            # Messages to them (some personalised by what they said) go with the rest.
            await conn.execute(
                "DELETE FROM deliveries WHERE participant_id = ?", (participant_id,)
            )
            await conn.execute(
                "DELETE FROM seen_messages WHERE participant_id = ?", (participant_id,)
            )
            await conn.execute(
                """UPDATE consents SET withdrawn_at = ?
                   WHERE participant_id = ? AND withdrawn_at IS NULL""",
                (now, participant_id),
            )
            await conn.execute(
                """UPDATE participants SET status = ?, position = 0, changing = 0,
                       submitted_at = NULL, last_seen_at = ? WHERE id = ?""",
                (ParticipantStatus.WITHDRAWN, now, participant_id),
            )
        await self.db.checkpoint()

    async def set_stopped(self, telegram_user_id: int, stopped: bool) -> int:
        """STOP (or /updates again) for every workshop this person is in."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE participants SET stopped_at = ? WHERE telegram_user_id = ?",
                (utcnow() if stopped else None, telegram_user_id),
            )
            return cur.rowcount

    async def is_stopped(self, telegram_user_id: int) -> bool:
        row = await self.db.fetchone(
            """SELECT 1 FROM participants WHERE telegram_user_id = ? AND stopped_at IS NOT NULL
               LIMIT 1""",
            (telegram_user_id,),
        )
        return row is not None

    async def set_no_reminders(self, participant_id: int) -> None:
        await self.db.execute(
            "UPDATE participants SET no_reminders = 1 WHERE id = ?", (participant_id,)
        )

    async def to_remind(self, idle_since: str, limit: int) -> list[Participant]:
        """People part-way through the questions, quiet since ``idle_since``, still welcome
        to a reminder: agreed to take part, not stopped, reachable, at most ``limit`` sent."""
        rows = await self.db.fetchall(
            f"""SELECT p.* FROM participants p JOIN workshops w ON w.id = p.workshop_id
                WHERE p.status IN {among(*UNFINISHED)}
                  AND p.last_seen_at <= ? AND p.reminders_sent < ? AND p.no_reminders = 0
                  AND p.stopped_at IS NULL AND p.unreachable_at IS NULL
                  AND (p.last_reminded_at IS NULL OR p.last_reminded_at <= ?)
                  AND {agreed_to(Purpose.TAKE_PART)}""",
            (idle_since, limit, idle_since),
        )
        return [_participant(r) for r in rows]
