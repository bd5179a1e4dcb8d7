"""Participants and their consent records: one aggregate, written together."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import aiosqlite

from storage.db import Database, fetchone, utcnow
from storage.kinds import UNFINISHED, DeliveryKind, DeliveryState, ParticipantStatus, Purpose
from storage.models import Consent, Participant
from storage.pseudonyms import pseudonym
from storage.sql import agreed_to, among, taking_part

# Every column that can name a participant, and how erasure reaches it. A schema test
# (tests/storage/test_erasure.py) fails when a table gains such a column not listed here,
# so a new table cannot be forgotten by erasure.
ERASED_BY_PARTICIPANT = (
    "answers",
    "views",
    "seen_messages",
    "about_answers",
    "feedback",
    "session_replies",
    "deliveries",
    "flags",  # safeguarding flags go with the rest (retention purges them too)
    "typed_steps",  # what their next typed message was for
    "handled_updates",  # Telegram update ids already handled for them
    "consents",  # kept only as a tombstone: purpose, time, text hash
)
ERASED_BY_TELEGRAM_ID = (
    ("ptb_conversations", "user_id"),  # when no other membership or role needs it
    ("ptb_user_data", "user_id"),
    ("audit_log", "actor"),  # replaced by a tombstone id
    ("deliveries", "chat_id"),  # each of a participant's deliveries carries participant_id
    ("link_opens", "opener"),  # the keyed hash of the Telegram id, for this workshop
    ("flags", "telegram_user_id"),  # raised before they agreed: no participant id yet
    ("typed_steps", "telegram_user_id"),  # a step not yet tied to a workshop
)
# Columns that name staff (facilitators, owners), never a participant as such.
STAFF_COLUMNS = (
    ("workshops", "created_by"),
    ("facilitators", "telegram_user_id"),
    ("facilitators", "added_by"),
    ("facilitator_invites", "created_by"),
    ("facilitator_invites", "used_by"),
    ("actions", "created_by"),
    ("action_status_changes", "changed_by"),
    ("updates", "created_by"),
    ("sessions", "created_by"),
    ("theme_tags", "tagged_by"),
    ("flags", "handled_by"),
    ("staff_languages", "telegram_user_id"),
)
# Statements that insert a participant with an id drawn here and a pseudonym made from it.
_NEXT_ID = """UPDATE sequences
    SET value = MAX(value, (SELECT COALESCE(MAX(id), 0) FROM participants)) + 1
    WHERE name = 'participants' RETURNING value"""
# Rows written with random pseudonyms before migration 0005 (or by hand) can still clash
# with a derived one; then the next id is taken. New workshops never clash.
_CLASHES_ALLOWED = 1000

_INSERT = """INSERT INTO participants (id, workshop_id, telegram_user_id, pseudonym, status,
    joined_at, last_seen_at, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"""
_REJOIN = """UPDATE participants SET status = ?, position = 0, changing = 0, last_seen_at = ?,
    language = ? WHERE id = ?"""
_UPSERT_CONSENT = """INSERT INTO consents (participant_id, purpose, granted, text_sha256,
        method, decided_at, withdrawn_at, language)
    VALUES (?, ?, ?, ?, ?, ?, NULL, ?)
    ON CONFLICT (participant_id, purpose) DO UPDATE SET
        granted = excluded.granted, text_sha256 = excluded.text_sha256,
        method = excluded.method, decided_at = excluded.decided_at,
        withdrawn_at = NULL, language = excluded.language"""
_BUMP_ACTIVITY = """UPDATE participants SET activity =
        (SELECT COALESCE(MAX(activity), 0) + 1 FROM participants WHERE telegram_user_id = ?)
    WHERE id = ?"""
_TOMBSTONES = """INSERT INTO consent_tombstones (workshop_id, purpose, granted, text_sha256,
        decided_at, withdrawn_at, erased_at, language)
    SELECT p.workshop_id, c.purpose, c.granted, c.text_sha256, c.decided_at,
        COALESCE(c.withdrawn_at, ?), ?, c.language
    FROM consents c JOIN participants p ON p.id = c.participant_id
    WHERE c.participant_id = ?"""
_MEMBER = "SELECT id, status FROM participants WHERE workshop_id = ? AND telegram_user_id = ?"
CONSENTS = "SELECT * FROM consents WHERE participant_id = ?"


@dataclass(frozen=True, slots=True)
class Erased:
    """What an erasure did: whether anything was found, and whether the -wal is clean."""

    found: bool
    finished: bool


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
        language=row["language"],
    )


# Answering in one workshop pauses these in the person's others.
_UNDER_WAY = among(
    ParticipantStatus.ANSWERING, ParticipantStatus.CONTINUING, ParticipantStatus.REVIEWING
)

# Reads an update of the person's is likely to make (storage/preload.py makes them at once).
BY_MEMBERSHIP = "SELECT * FROM participants WHERE workshop_id = ? AND telegram_user_id = ?"
BY_ID = "SELECT * FROM participants WHERE id = ?"
LATEST = f"""SELECT * FROM participants p
    WHERE telegram_user_id = ? AND {taking_part()}
    ORDER BY activity DESC, id DESC LIMIT 1"""
SCREEN = """SELECT screen_message_id, screen_buttons FROM participants
    WHERE telegram_user_id = ? AND screen_message_id IS NOT NULL
    ORDER BY activity DESC, id DESC LIMIT 1"""


class Participants:
    """Find participants, move them through the journey, record their consent."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, workshop_id: int, telegram_user_id: int) -> Participant | None:
        row = await self.db.fetchone(BY_MEMBERSHIP, (workshop_id, telegram_user_id))
        return _participant(row) if row else None

    async def by_id(self, participant_id: int) -> Participant | None:
        row = await self.db.fetchone(BY_ID, (participant_id,))
        return _participant(row) if row else None

    async def latest(self, telegram_user_id: int) -> Participant | None:
        """Return the membership this person used last, if they have taken part anywhere."""
        row = await self.db.fetchone(LATEST, (telegram_user_id,))
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
        language: str = "en",
    ) -> Participant:
        """Record the take-part decision; the participant row is created by this decision.

        Someone who withdrew or erased their data and joins again is a new participant: a
        new id and a new pseudonym, so what they say now cannot be linked to what they
        erased. The pseudonym is made from the id (storage.pseudonyms): no look-ups.
        """
        now = utcnow()
        status = ParticipantStatus.CONSENTING if granted else ParticipantStatus.DECLINED
        key = self.db.pseudonym_key

        def step(raw: sqlite3.Connection) -> sqlite3.Row:
            row = fetchone(raw, _MEMBER, (workshop_id, telegram_user_id))
            if row is not None and row["status"] == ParticipantStatus.WITHDRAWN and granted:
                # What they said is already erased; the old membership leaves a tombstone.
                raw.execute(_TOMBSTONES, (now, now, row["id"]))
                raw.execute("DELETE FROM participants WHERE id = ?", (row["id"],))
                row = None
            if row is None:
                participant_id = _insert(raw, key, workshop_id, telegram_user_id, status, now,
                                         language)  # fmt: skip
            else:
                participant_id = row["id"]
                raw.execute(_REJOIN, (status, now, language, participant_id))
            raw.execute(_UPSERT_CONSENT, (participant_id, Purpose.TAKE_PART, int(granted),
                                          text_sha256, method, now, language))  # fmt: skip
            if granted:
                _make_current(raw, participant_id, telegram_user_id)
            joined: sqlite3.Row = fetchone(
                raw, "SELECT * FROM participants WHERE id = ?", (participant_id,)
            )
            return joined

        # One hand-over to the database thread for the whole decision (see Database.write).
        return _participant(await self.db.write(step))

    async def make_current(self, participant_id: int) -> None:
        """Make this the workshop the person is working in; pause their questions elsewhere."""

        def step(raw: sqlite3.Connection) -> None:
            row = fetchone(
                raw, "SELECT telegram_user_id FROM participants WHERE id = ?", (participant_id,)
            )
            if row is not None:
                _make_current(raw, participant_id, row["telegram_user_id"])

        await self.db.write(step)

    async def decide(
        self,
        participant_id: int,
        purpose: Purpose,
        *,
        granted: bool,
        text_sha256: str,
        method: str,
        status: str | None = None,
        language: str = "en",
    ) -> None:
        """Record the decision on one further purpose (updates, quote), and with it the
        participant's new ``status`` if given (all purposes decided: ready)."""
        now = utcnow()

        def step(raw: sqlite3.Connection) -> None:
            raw.execute(_UPSERT_CONSENT, (participant_id, purpose, int(granted), text_sha256,
                                          method, now, language))  # fmt: skip
            if status is not None:
                raw.execute(
                    "UPDATE participants SET status = ?, last_seen_at = ? WHERE id = ?",
                    (status, now, participant_id),
                )

        await self.db.write(step)

    async def consents(self, participant_id: int) -> dict[Purpose, Consent]:
        rows = await self.db.fetchall(CONSENTS, (participant_id,))
        return {
            Purpose(r["purpose"]): Consent(
                purpose=Purpose(r["purpose"]),
                granted=bool(r["granted"]),
                text_sha256=r["text_sha256"],
                method=r["method"],
                decided_at=r["decided_at"],
                withdrawn_at=r["withdrawn_at"],
                language=r["language"],
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
        row = await self.db.fetchone(SCREEN, (telegram_user_id,))
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
        gone: int = await self.db.write(
            lambda raw: (
                raw.execute(
                    """UPDATE participants SET screen_buttons = 0
                   WHERE telegram_user_id = ? AND screen_buttons = 1""",
                    (telegram_user_id,),
                ).rowcount
            )
        )
        return gone > 0

    async def take_screen_buttons(self, telegram_user_id: int) -> int | None:
        """Note that the buttons of the person's screen message come off, and return that
        message's id; None when no screen is known or its buttons are off already.

        :meth:`screen_message` and :meth:`screen_buttons_gone` in one step.
        """

        def step(raw: sqlite3.Connection) -> int | None:
            row = fetchone(raw, SCREEN, (telegram_user_id,))
            if row is None or not row["screen_buttons"]:
                return None
            raw.execute(
                """UPDATE participants SET screen_buttons = 0
                   WHERE telegram_user_id = ? AND screen_buttons = 1""",
                (telegram_user_id,),
            )
            return int(row["screen_message_id"])

        return await self.db.write(step)

    async def withdraw(self, participant_id: int) -> bool:
        """Erase what the person said in this workshop and withdraw every consent.

        The participants row stays (status withdrawn) until they join again, which makes a
        new participant; :meth:`erase` removes the row too. Returns whether the -wal is
        clean (see :meth:`erase`).
        """
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
        return await self.db.checkpoint()

    async def erase(self, participant_id: int) -> Erased:
        """Remove this membership from every table; return whether the -wal is clean too.

        Answers, views, about-you answers, feedback, session replies, deliveries, seen
        messages and the participants row go; consents leave a tombstone (purpose, time,
        text hash, no person); the link-open hash for this workshop goes; audit rows the
        person caused get a tombstone id instead of their Telegram id; flow state goes
        when no other membership or role of theirs needs it. Works for someone who declined
        too (call it as soon as they have been answered). If a reader elsewhere kept the
        checkpoint busy, ``finished`` is False: call :meth:`Database.finish_checkpoint`
        later (the next start does it too) and tell the person it will be complete soon.
        """
        now = utcnow()
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT workshop_id, telegram_user_id FROM participants WHERE id = ?",
                (participant_id,),
            ) as cur:
                row = await cur.fetchone()
            if row is not None:
                await self._erase(conn, participant_id, row[0], row[1], now)
        finished = await self.db.checkpoint()
        return Erased(found=row is not None, finished=finished)

    async def withdraw_consent(self, participant_id: int, purpose: Purpose) -> int:
        """Withdraw a standing yes to one further purpose (updates, quote), at once.

        Recorded as a withdrawal (the yes and when it was given are kept, with when it was
        withdrawn). Withdrawing updates cancels every update and session message still
        waiting for them; the sender checks consent again before each send, too. Returns
        how many waiting messages were cancelled. Taking part is withdrawn with
        :meth:`erase` or :meth:`anonymise` instead.
        """
        if purpose == Purpose.TAKE_PART:
            raise ValueError("withdraw taking part with erase() or anonymise()")
        async with self.db.transaction() as conn:
            await conn.execute(
                """UPDATE consents SET withdrawn_at = ?
                   WHERE participant_id = ? AND purpose = ? AND withdrawn_at IS NULL""",
                (utcnow(), participant_id, purpose),
            )
            if purpose != Purpose.UPDATES:
                return 0
            cur = await conn.execute(
                f"""UPDATE deliveries SET state = ?, last_error = 'consent withdrawn'
                    WHERE participant_id = ? AND state = ?
                      AND kind IN {among(DeliveryKind.UPDATE, DeliveryKind.SESSION)}""",
                (DeliveryState.CANCELLED, participant_id, DeliveryState.PENDING),
            )
            return max(cur.rowcount, 0)

    async def anonymise(self, participant_id: int) -> Erased:
        """Keep what they said under the pseudonym, cut loose from their Telegram id.

        The row's Telegram id becomes a tombstone id no one has; messages to them, their
        "about you" answers, link open, seen messages and flow state go; updates consent
        is withdrawn and nothing is sent to them again. Answers, views and feedback stay
        in the workshop's results, by pseudonym only.
        """
        now = utcnow()
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT workshop_id, telegram_user_id FROM participants WHERE id = ?",
                (participant_id,),
            ) as cur:
                row = await cur.fetchone()
            if row is not None and row[1] >= 0:
                workshop_id, telegram_user_id = row[0], row[1]
                for table in (
                    "deliveries",
                    "about_answers",
                    "seen_messages",
                    "session_replies",
                    "flags",
                    "typed_steps",
                    "handled_updates",
                ):
                    await conn.execute(
                        f"DELETE FROM {table} WHERE participant_id = ?", (participant_id,)
                    )
                await conn.execute(
                    "DELETE FROM typed_steps WHERE telegram_user_id = ?", (telegram_user_id,)
                )
                await conn.execute(
                    "DELETE FROM flags WHERE telegram_user_id = ? AND workshop_id = ?",
                    (telegram_user_id, workshop_id),
                )
                await self._forget_open(conn, workshop_id, telegram_user_id)
                await conn.execute(
                    """UPDATE consents SET withdrawn_at = ? WHERE participant_id = ?
                       AND purpose = ? AND withdrawn_at IS NULL""",
                    (now, participant_id, Purpose.UPDATES),
                )
                await conn.execute(
                    """UPDATE participants SET telegram_user_id = ?, stopped_at = ?,
                           no_reminders = 1, last_seen_at = ? WHERE id = ?""",
                    (-participant_id, now, now, participant_id),
                )
                await self._forget_person(conn, participant_id, workshop_id, telegram_user_id)
        finished = await self.db.checkpoint()
        return Erased(found=row is not None, finished=finished)

    async def decline(
        self,
        workshop_id: int,
        telegram_user_id: int,
        *,
        text_sha256: str,
        method: str,
        language: str = "en",
    ) -> bool:
        """Record a "no" to taking part without keeping a row about the person.

        The refusal is kept as a consent tombstone (take part, no, when, which text); an
        earlier declined or withdrawn row of theirs in this workshop is erased. Someone
        taking part (a stale "No" button) is left as they are: returns False then.
        """
        now = utcnow()
        async with self.db.transaction() as conn:
            async with conn.execute(
                """SELECT id, status FROM participants
                   WHERE workshop_id = ? AND telegram_user_id = ?""",
                (workshop_id, telegram_user_id),
            ) as cur:
                row = await cur.fetchone()
            if row is not None:
                if row["status"] not in (ParticipantStatus.DECLINED, ParticipantStatus.WITHDRAWN):
                    return False
                await self._erase(conn, row["id"], workshop_id, telegram_user_id, now)
            else:
                await self._forget_open(conn, workshop_id, telegram_user_id)
            await conn.execute(
                """INSERT INTO consent_tombstones (workshop_id, purpose, granted, text_sha256,
                       decided_at, withdrawn_at, erased_at, language)
                   VALUES (?, ?, 0, ?, ?, NULL, ?, ?)""",
                (workshop_id, Purpose.TAKE_PART, text_sha256, now, now, language),
            )
        await self.db.checkpoint()
        return True

    async def _erase(
        self,
        conn: aiosqlite.Connection,
        participant_id: int,
        workshop_id: int,
        telegram_user_id: int,
        now: str,
    ) -> None:
        for table in ERASED_BY_PARTICIPANT[:-1]:
            await conn.execute(f"DELETE FROM {table} WHERE participant_id = ?", (participant_id,))
        await self._forget_open(conn, workshop_id, telegram_user_id)
        await conn.execute(
            "DELETE FROM typed_steps WHERE telegram_user_id = ?", (telegram_user_id,)
        )
        await conn.execute(
            "DELETE FROM flags WHERE telegram_user_id = ? AND workshop_id = ?",
            (telegram_user_id, workshop_id),
        )
        await self._delete_membership(conn, participant_id, now)
        await self._forget_person(conn, participant_id, workshop_id, telegram_user_id)

    @staticmethod
    async def _forget_person(
        conn: aiosqlite.Connection, participant_id: int, workshop_id: int, telegram_user_id: int
    ) -> None:
        """Audit entries and flow state that name the person, once this membership is gone."""
        async with conn.execute(
            """SELECT EXISTS (SELECT 1 FROM participants WHERE telegram_user_id = ?),
                      EXISTS (SELECT 1 FROM facilitators WHERE telegram_user_id = ?),
                      EXISTS (SELECT 1 FROM facilitators
                              WHERE telegram_user_id = ? AND workshop_id = ?)""",
            (telegram_user_id, telegram_user_id, telegram_user_id, workshop_id),
        ) as cur:
            other = await cur.fetchone()
        member_elsewhere, staff_anywhere, staff_here = (bool(v) for v in other or (0, 0, 0))
        # A negative id no Telegram user has, and that points at no row any more.
        tombstone = -participant_id
        if not staff_here:
            await conn.execute(
                """UPDATE audit_log SET actor = ? WHERE actor = ?
                   AND (workshop_id = ? OR (workshop_id IS NULL AND ?))""",
                (tombstone, telegram_user_id, workshop_id, int(not staff_anywhere)),
            )
        if not (member_elsewhere or staff_anywhere):
            await conn.execute(
                "DELETE FROM ptb_conversations WHERE user_id = ?", (telegram_user_id,)
            )
            await conn.execute("DELETE FROM ptb_user_data WHERE user_id = ?", (telegram_user_id,))
            await conn.execute(
                "DELETE FROM flags WHERE telegram_user_id = ? AND workshop_id IS NULL",
                (telegram_user_id,),
            )

    async def _forget_open(
        self, conn: aiosqlite.Connection, workshop_id: int, telegram_user_id: int
    ) -> None:
        cur = await conn.execute(
            "DELETE FROM link_opens WHERE workshop_id = ? AND opener = ?",
            (workshop_id, self.db.opener(telegram_user_id)),
        )
        if cur.rowcount > 0:  # the funnel still counts the open, now naming no one
            await conn.execute(
                """INSERT INTO purged_totals (workshop_id, what, count)
                   VALUES (?, 'link_opens', 1)
                   ON CONFLICT (workshop_id, what) DO UPDATE SET count = count + 1""",
                (workshop_id,),
            )

    @staticmethod
    async def _delete_membership(
        conn: aiosqlite.Connection, participant_id: int, now: str
    ) -> None:
        """Turn the consents into tombstones and delete the participants row."""
        await conn.execute(_TOMBSTONES, (now, now, participant_id))
        # The rows left (consents; anything else already gone) cascade with the row.
        await conn.execute("DELETE FROM participants WHERE id = ?", (participant_id,))

    async def set_language(self, telegram_user_id: int, language: str) -> None:
        """Send this person's later updates and reminders in ``language``, in every
        workshop they are in."""
        await self.db.execute(
            "UPDATE participants SET language = ? WHERE telegram_user_id = ?",
            (language, telegram_user_id),
        )

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


def _insert(
    raw: sqlite3.Connection,
    key: bytes,
    workshop_id: int,
    telegram_user_id: int,
    status: ParticipantStatus,
    now: str,
    language: str,
) -> int:
    """A new participants row with the next id, and the pseudonym made from it."""
    for _ in range(_CLASHES_ALLOWED):
        row = fetchone(raw, _NEXT_ID)
        assert row is not None, "migration 0005 creates the participants sequence"
        participant_id = int(row[0])
        made = pseudonym(key, participant_id - 1)
        try:
            raw.execute(_INSERT, (participant_id, workshop_id, telegram_user_id, made, status,
                                  now, now, language))  # fmt: skip
        except sqlite3.IntegrityError as exc:
            if "pseudonym" not in str(exc):
                raise
            continue  # an old random pseudonym: take the next id
        return participant_id
    raise RuntimeError("no free pseudonym")  # pragma: no cover - needs 1000 old clashes


def _make_current(raw: sqlite3.Connection, participant_id: int, telegram_user_id: int) -> None:
    raw.execute(
        f"""UPDATE participants SET status = ?
            WHERE telegram_user_id = ? AND id != ? AND status IN {_UNDER_WAY}""",
        (ParticipantStatus.PAUSED, telegram_user_id, participant_id),
    )
    raw.execute(_BUMP_ACTIVITY, (telegram_user_id, participant_id))
