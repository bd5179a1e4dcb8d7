"""Who may run which workshop, and one-time links that make someone a facilitator."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from storage.db import Database, utcnow
from storage.workshops import FACILITATOR_PREFIX, FIRST_STAFF_LANGUAGE

INVITE_DAYS = 7


class Facilitators:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def is_facilitator(self, workshop_id: int, telegram_user_id: int) -> bool:
        row = await self.db.fetchone(
            "SELECT 1 FROM facilitators WHERE workshop_id = ? AND telegram_user_id = ?",
            (workshop_id, telegram_user_id),
        )
        return row is not None

    async def workshops_of(self, telegram_user_id: int) -> list[int]:
        rows = await self.db.fetchall(
            """SELECT workshop_id FROM facilitators WHERE telegram_user_id = ?
               ORDER BY workshop_id""",
            (telegram_user_id,),
        )
        return [r["workshop_id"] for r in rows]

    async def of_workshop(self, workshop_id: int) -> list[tuple[int, str]]:
        """(Telegram id, name) of each facilitator, earliest first."""
        rows = await self.db.fetchall(
            """SELECT telegram_user_id, name FROM facilitators WHERE workshop_id = ?
               ORDER BY added_at, telegram_user_id""",
            (workshop_id,),
        )
        return [(r["telegram_user_id"], r["name"]) for r in rows]

    async def languages(self, telegram_user_ids: list[int]) -> dict[int, str]:
        """The language each of these members of staff reads (their /language, or their
        Telegram's when they became staff); one not known is left out."""
        if not telegram_user_ids:
            return {}
        marks = ", ".join("?" * len(telegram_user_ids))
        rows = await self.db.fetchall(
            f"""SELECT telegram_user_id, language FROM staff_languages
                WHERE telegram_user_id IN ({marks})""",
            tuple(telegram_user_ids),
        )
        return {r["telegram_user_id"]: r["language"] for r in rows}

    async def set_language(self, telegram_user_id: int, language: str) -> None:
        """What this member of staff reads from now on (alerts, nudges, the menu)."""
        await self.db.execute(
            """INSERT INTO staff_languages (telegram_user_id, language, updated_at)
               VALUES (?, ?, ?) ON CONFLICT (telegram_user_id) DO UPDATE SET
                   language = excluded.language, updated_at = excluded.updated_at""",
            (telegram_user_id, language, utcnow()),
        )

    async def everyone(self) -> list[int]:
        rows = await self.db.fetchall("SELECT DISTINCT telegram_user_id FROM facilitators")
        return [r["telegram_user_id"] for r in rows]

    async def add(
        self,
        workshop_id: int,
        telegram_user_id: int,
        added_by: int,
        name: str = "",
    ) -> bool:
        """Make someone a facilitator; False if they already were."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """INSERT OR IGNORE INTO facilitators (workshop_id, telegram_user_id, name,
                       added_by, added_at) VALUES (?, ?, ?, ?, ?)""",
                (workshop_id, telegram_user_id, name, added_by, utcnow()),
            )
            return cur.rowcount == 1

    async def remove(self, workshop_id: int, telegram_user_id: int) -> bool:
        """Remove someone, and the unused invites they made for this workshop."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "DELETE FROM facilitators WHERE workshop_id = ? AND telegram_user_id = ?",
                (workshop_id, telegram_user_id),
            )
            await conn.execute(
                """DELETE FROM facilitator_invites
                   WHERE workshop_id = ? AND created_by = ? AND used_by IS NULL""",
                (workshop_id, telegram_user_id),
            )
            return cur.rowcount == 1

    async def create_invite(self, workshop_id: int, created_by: int) -> str:
        """A deep-link payload (f_ + 128 random bits) valid for one use within 7 days."""
        code = FACILITATOR_PREFIX + secrets.token_urlsafe(16)
        now = datetime.now(UTC)
        await self.db.execute(
            """INSERT INTO facilitator_invites (code, workshop_id, created_by, created_at,
                   expires_at) VALUES (?, ?, ?, ?, ?)""",
            (
                code,
                workshop_id,
                created_by,
                now.isoformat(timespec="seconds"),
                (now + timedelta(days=INVITE_DAYS)).isoformat(timespec="seconds"),
            ),
        )
        return code

    async def redeem(
        self,
        code: str,
        telegram_user_id: int,
        name: str = "",
        *,
        owners: frozenset[int] = frozenset(),
        now: datetime | None = None,
        language: str = "en",
    ) -> int | None:
        """Use an invite: the workshop id it was for, or None if unknown, used or expired.

        The invite counts only while whoever made it may still run the workshop; opening it
        when already a facilitator does not use it up.
        """
        stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
        async with self.db.transaction() as conn:
            async with conn.execute(
                """SELECT i.workshop_id, i.created_by,
                       EXISTS (SELECT 1 FROM facilitators f WHERE f.workshop_id = i.workshop_id
                               AND f.telegram_user_id = i.created_by) AS maker_runs_it,
                       EXISTS (SELECT 1 FROM facilitators f WHERE f.workshop_id = i.workshop_id
                               AND f.telegram_user_id = ?) AS already
                   FROM facilitator_invites i
                   WHERE i.code = ? AND i.used_by IS NULL AND i.expires_at > ?""",
                (telegram_user_id, code, stamp),
            ) as rows:
                invite = await rows.fetchone()
            if invite is None:
                return None
            if not (invite["maker_runs_it"] or invite["created_by"] in owners):
                return None
            if invite["already"]:
                return int(invite["workshop_id"])
            cur = await conn.execute(
                """UPDATE facilitator_invites SET used_by = ?, used_at = ?
                   WHERE code = ? AND used_by IS NULL AND expires_at > ?""",
                (telegram_user_id, stamp, code, stamp),
            )
            if cur.rowcount != 1:
                return None
            async with conn.execute(
                "SELECT workshop_id, created_by FROM facilitator_invites WHERE code = ?",
                (code,),
            ) as rows:
                row = await rows.fetchone()
            assert row is not None
            await conn.execute(
                """INSERT OR IGNORE INTO facilitators (workshop_id, telegram_user_id, name,
                       added_by, added_at) VALUES (?, ?, ?, ?, ?)""",
                (row["workshop_id"], telegram_user_id, name, row["created_by"], stamp),
            )
            # Their alerts and nudges in the language they use now, unless they chose one.
            await conn.execute(FIRST_STAFF_LANGUAGE, (telegram_user_id, language, stamp))
            return int(row["workshop_id"])
