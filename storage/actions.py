"""Actions: what was done (or could not be done, and why) about themes."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from storage.db import Database, utcnow
from storage.kinds import ActionStatus

# Kept for callers that list the statuses in order; ActionStatus is the source.


@dataclass(frozen=True, slots=True)
class Action:
    id: int
    workshop_id: int
    title: str
    status: ActionStatus
    reason: str | None
    created_at: str
    updated_at: str
    theme_ids: tuple[int, ...] = ()
    theme_names: tuple[str, ...] = ()


class Actions:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(
        self,
        workshop_id: int,
        title: str,
        status: ActionStatus,
        reason: str | None,
        theme_ids: list[int],
        created_by: int,
    ) -> Action:
        now = utcnow()
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """INSERT INTO actions (workshop_id, title, status, reason, created_by,
                       created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (workshop_id, title, status, reason, created_by, now, now),
            )
            action_id = cur.lastrowid or 0
            await conn.executemany(
                """INSERT OR IGNORE INTO action_themes (action_id, theme_id)
                   SELECT ?, id FROM themes WHERE id = ? AND workshop_id = ?""",
                [(action_id, t, workshop_id) for t in theme_ids],
            )
            await conn.execute(
                """INSERT INTO action_status_changes (action_id, status, reason, changed_by,
                       changed_at) VALUES (?, ?, ?, ?, ?)""",
                (action_id, status, reason, created_by, now),
            )
        found = await self.get(action_id)
        assert found is not None
        return found

    async def set_status(
        self, action_id: int, status: ActionStatus, reason: str | None, changed_by: int
    ) -> None:
        """Change the status; every change is kept with its time."""
        now = utcnow()
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE actions SET status = ?, reason = ?, updated_at = ? WHERE id = ?",
                (status, reason, now, action_id),
            )
            await conn.execute(
                """INSERT INTO action_status_changes (action_id, status, reason, changed_by,
                       changed_at) VALUES (?, ?, ?, ?, ?)""",
                (action_id, status, reason, changed_by, now),
            )

    async def history(self, action_id: int) -> list[tuple[ActionStatus, str | None, str]]:
        rows = await self.db.fetchall(
            """SELECT status, reason, changed_at FROM action_status_changes
               WHERE action_id = ? ORDER BY id""",
            (action_id,),
        )
        return [(ActionStatus(r["status"]), r["reason"], r["changed_at"]) for r in rows]

    async def _themes(self, action_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
        if not action_ids:
            return {}
        rows = await self.db.fetchall(
            f"""SELECT at.action_id, t.id, t.name FROM action_themes at
                JOIN themes t ON t.id = at.theme_id
                WHERE at.action_id IN ({", ".join("?" * len(action_ids))}) ORDER BY t.name""",
            tuple(action_ids),
        )
        found: dict[int, list[tuple[int, str]]] = {}
        for r in rows:
            found.setdefault(r["action_id"], []).append((r["id"], r["name"]))
        return found

    def _action(self, row: aiosqlite.Row, themes: list[tuple[int, str]]) -> Action:
        return Action(
            id=row["id"],
            workshop_id=row["workshop_id"],
            title=row["title"],
            status=ActionStatus(row["status"]),
            reason=row["reason"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            theme_ids=tuple(t for t, _ in themes),
            theme_names=tuple(n for _, n in themes),
        )

    async def get(self, action_id: int) -> Action | None:
        row = await self.db.fetchone("SELECT * FROM actions WHERE id = ?", (action_id,))
        if row is None:
            return None
        themes = await self._themes([action_id])
        return self._action(row, themes.get(action_id, []))

    async def of_workshop(self, workshop_id: int) -> list[Action]:
        rows = await self.db.fetchall(
            "SELECT * FROM actions WHERE workshop_id = ? ORDER BY id", (workshop_id,)
        )
        themes = await self._themes([r["id"] for r in rows])
        return [self._action(r, themes.get(r["id"], [])) for r in rows]

    async def many(self, action_ids: list[int]) -> list[Action]:
        found = [await self.get(a) for a in action_ids]
        return [a for a in found if a is not None]
