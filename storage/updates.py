"""Updates (progress, reminders, notices): written by a facilitator, sent now or later."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import aiosqlite

from storage.db import Database, utcnow
from storage.kinds import DeliveryState, Purpose, UpdateKind, UpdateStatus
from storage.sql import agreed_to, among, taking_part


@dataclass(frozen=True, slots=True)
class ProgressUpdate:
    id: int
    workshop_id: int
    body: str
    status: UpdateStatus
    send_at: str
    created_by: int
    created_at: str
    enqueued_at: str | None
    action_ids: tuple[int, ...] = ()
    kind: UpdateKind = UpdateKind.PROGRESS
    # The body in other languages than the workshop's, by language: {"pl": "..."}.
    translations: Mapping[str, str] = field(default_factory=dict)

    def body_in(self, language: str) -> str:
        """The body as a reader of ``language`` gets it: their version, else the original."""
        return self.translations.get(language) or self.body


@dataclass(frozen=True, slots=True)
class Recipient:
    """A participant who may receive updates, with the themes their own words carry."""

    participant_id: int
    chat_id: int
    pseudonym: str
    theme_ids: frozenset[int]
    language: str = "en"


_RECIPIENTS = f"""
SELECT p.id, p.telegram_user_id, p.pseudonym, p.language FROM participants p
WHERE p.workshop_id = ? AND {taking_part()}
  AND p.stopped_at IS NULL AND p.unreachable_at IS NULL
  AND {agreed_to(Purpose.TAKE_PART)}
  AND {agreed_to(Purpose.UPDATES)}
ORDER BY p.id"""

_THEMES_OF_PEOPLE = """
SELECT a.participant_id AS pid, tt.theme_id FROM theme_tags tt
JOIN answers a ON a.id = tt.answer_id JOIN participants p ON p.id = a.participant_id
WHERE p.workshop_id = ?
UNION
SELECT v.participant_id, tt.theme_id FROM theme_tags tt
JOIN views v ON v.id = tt.view_id JOIN participants p ON p.id = v.participant_id
WHERE p.workshop_id = ?"""


# An update whose messages are all still waiting (none sent, none being sent).
_UNSENT = f"""NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.update_id = updates.id
    AND d.state NOT IN {among(DeliveryState.PENDING, DeliveryState.CANCELLED)})"""
# Nobody has received it yet: scheduled, or queued but every message still waiting.
_WAITING = f"""(status = '{UpdateStatus.SCHEDULED.value}'
    OR (status = '{UpdateStatus.SENT.value}' AND {_UNSENT}))"""


class Updates:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(
        self,
        workshop_id: int,
        body: str,
        action_ids: list[int],
        send_at: str,
        created_by: int,
        kind: UpdateKind = UpdateKind.PROGRESS,
        translations: Mapping[str, str] | None = None,
    ) -> ProgressUpdate:
        """A new update; only a progress update is about actions (others keep none)."""
        if kind != UpdateKind.PROGRESS:
            action_ids = []
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """INSERT INTO updates (workshop_id, kind, body, status, send_at, created_by,
                       created_at, translations) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    workshop_id,
                    kind,
                    body,
                    UpdateStatus.SCHEDULED,
                    send_at,
                    created_by,
                    utcnow(),
                    json.dumps(dict(translations or {}), ensure_ascii=False),
                ),
            )
            update_id = cur.lastrowid or 0
            await conn.executemany(
                """INSERT OR IGNORE INTO update_actions (update_id, action_id)
                   SELECT ?, id FROM actions WHERE id = ? AND workshop_id = ?""",
                [(update_id, a, workshop_id) for a in action_ids],
            )
        found = await self.get(update_id)
        assert found is not None
        return found

    def _update(self, row: aiosqlite.Row, actions: tuple[int, ...]) -> ProgressUpdate:
        return ProgressUpdate(
            id=row["id"],
            workshop_id=row["workshop_id"],
            body=row["body"],
            status=UpdateStatus(row["status"]),
            send_at=row["send_at"],
            created_by=row["created_by"],
            created_at=row["created_at"],
            enqueued_at=row["enqueued_at"],
            action_ids=actions,
            kind=UpdateKind(row["kind"]),
            translations=json.loads(row["translations"]),
        )

    async def get(self, update_id: int) -> ProgressUpdate | None:
        row = await self.db.fetchone("SELECT * FROM updates WHERE id = ?", (update_id,))
        if row is None:
            return None
        actions = await self.db.fetchall(
            "SELECT action_id FROM update_actions WHERE update_id = ? ORDER BY action_id",
            (update_id,),
        )
        return self._update(row, tuple(a[0] for a in actions))

    async def due(self, now: str) -> list[ProgressUpdate]:
        rows = await self.db.fetchall(
            "SELECT id FROM updates WHERE status = ? AND send_at <= ? ORDER BY send_at",
            (UpdateStatus.SCHEDULED, now),
        )
        found = [await self.get(r["id"]) for r in rows]
        return [u for u in found if u is not None]

    async def of_workshop(
        self, workshop_id: int, status: UpdateStatus | None = None
    ) -> list[ProgressUpdate]:
        sql = "SELECT id FROM updates WHERE workshop_id = ?"
        params: tuple[object, ...] = (workshop_id,)
        if status is not None:
            sql += " AND status = ?"
            params = (workshop_id, status)
        rows = await self.db.fetchall(sql + " ORDER BY send_at DESC, id DESC", params)
        found = [await self.get(r["id"]) for r in rows]
        return [u for u in found if u is not None]

    async def cancel(self, update_id: int) -> bool:
        """Cancel an update nobody has received yet (scheduled, or queued but held, e.g. by
        quiet hours); False once any message of it has gone out."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                f"UPDATE updates SET status = ? WHERE id = ? AND {_WAITING}",
                (UpdateStatus.CANCELLED, update_id),
            )
            if cur.rowcount != 1:
                return False
            await conn.execute(
                """UPDATE deliveries SET state = ?, last_error = 'update cancelled'
                   WHERE update_id = ? AND state = ?""",
                (DeliveryState.CANCELLED, update_id, DeliveryState.PENDING),
            )
            return True

    async def send_anyway(self, update_id: int, now: str) -> int:
        """Release an update's messages held by quiet hours, at once: the facilitator chose
        to send it anyway (an urgent notice). How many messages were released."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """UPDATE deliveries SET not_before = MIN(not_before, ?), urgent = 1
                   WHERE update_id = ? AND state = ?""",
                (now, update_id, DeliveryState.PENDING),
            )
            return cur.rowcount

    async def waiting(self, workshop_id: int) -> list[ProgressUpdate]:
        """Updates nobody has received yet: scheduled, or queued and held back."""
        rows = await self.db.fetchall(
            f"SELECT id FROM updates WHERE workshop_id = ? AND {_WAITING} ORDER BY send_at, id",
            (workshop_id,),
        )
        found = [await self.get(r["id"]) for r in rows]
        return [u for u in found if u is not None]

    async def recipients(self, workshop_id: int) -> list[Recipient]:
        """Who gets updates: agreed to take part and to updates, not stopped, reachable."""
        people = await self.db.fetchall(_RECIPIENTS, (workshop_id,))
        tags = await self.db.fetchall(_THEMES_OF_PEOPLE, (workshop_id, workshop_id))
        themes: dict[int, set[int]] = {}
        for row in tags:
            themes.setdefault(row[0], set()).add(row[1])
        return [
            Recipient(
                participant_id=r["id"],
                chat_id=r["telegram_user_id"],
                pseudonym=r["pseudonym"],
                theme_ids=frozenset(themes.get(r["id"], set())),
                language=r["language"],
            )
            for r in people
        ]

    async def last_sent(self, workshop_id: int) -> str | None:
        row = await self.db.fetchone(
            "SELECT MAX(enqueued_at) FROM updates WHERE workshop_id = ? AND status = ?",
            (workshop_id, UpdateStatus.SENT),
        )
        return row[0] if row and row[0] else None
