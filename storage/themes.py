"""Themes: a facilitator's labels that group answers and views."""

from __future__ import annotations

import sqlite3

import aiosqlite

from storage.db import Database, utcnow
from storage.kinds import FeedKind, ViewStatus
from storage.models import Theme, ThemeCount
from storage.sql import taking_part

ITEM_COLUMN = {FeedKind.ANSWER: "answer_id", FeedKind.VIEW: "view_id"}


def _theme(row: aiosqlite.Row) -> Theme:
    return Theme(
        id=row["id"],
        workshop_id=row["workshop_id"],
        name=row["name"],
        created_at=row["created_at"],
    )


class Themes:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(
        self, workshop_id: int, name: str, tag: tuple[FeedKind, int, int] | None = None
    ) -> Theme | None:
        """A new theme, and optionally its first tag (kind, item id, by), together.

        None if the workshop already has a theme of that name (any case).
        """
        try:
            async with self.db.transaction() as conn:
                cur = await conn.execute(
                    "INSERT INTO themes (workshop_id, name, created_at) VALUES (?, ?, ?)",
                    (workshop_id, name, utcnow()),
                )
                theme_id = cur.lastrowid or 0
                if tag is not None:
                    kind, item_id, tagged_by = tag
                    await conn.execute(
                        f"""INSERT INTO theme_tags (theme_id, {ITEM_COLUMN[kind]}, tagged_by,
                                tagged_at) VALUES (?, ?, ?, ?)""",
                        (theme_id, item_id, tagged_by, utcnow()),
                    )
        except sqlite3.IntegrityError:
            return None
        return await self.get(theme_id)

    async def get(self, theme_id: int) -> Theme | None:
        row = await self.db.fetchone("SELECT * FROM themes WHERE id = ?", (theme_id,))
        return _theme(row) if row else None

    async def of_workshop(self, workshop_id: int) -> list[Theme]:
        rows = await self.db.fetchall(
            "SELECT * FROM themes WHERE workshop_id = ? ORDER BY name", (workshop_id,)
        )
        return [_theme(r) for r in rows]

    async def rename(self, theme_id: int, name: str) -> bool:
        """False if another theme in the workshop already has that name."""
        try:
            await self.db.execute("UPDATE themes SET name = ? WHERE id = ?", (name, theme_id))
        except sqlite3.IntegrityError:
            return False
        return True

    async def merge(self, source_id: int, target_id: int) -> None:
        """Move every tag of the source theme onto the target, then delete the source."""
        async with self.db.transaction() as conn:
            await conn.execute(
                """INSERT OR IGNORE INTO theme_tags
                       (theme_id, answer_id, view_id, tagged_by, tagged_at)
                   SELECT ?, answer_id, view_id, tagged_by, tagged_at
                   FROM theme_tags WHERE theme_id = ?""",
                (target_id, source_id),
            )
            await conn.execute("DELETE FROM themes WHERE id = ?", (source_id,))

    async def tag(self, theme_id: int, kind: FeedKind, item_id: int, tagged_by: int) -> None:
        """Tag an answer or view; tagging twice (two facilitators at once) is harmless."""
        column = ITEM_COLUMN[kind]
        await self.db.execute(
            f"""INSERT OR IGNORE INTO theme_tags (theme_id, {column}, tagged_by, tagged_at)
                VALUES (?, ?, ?, ?)""",
            (theme_id, item_id, tagged_by, utcnow()),
        )

    async def untag(self, theme_id: int, kind: FeedKind, item_id: int) -> None:
        column = ITEM_COLUMN[kind]
        await self.db.execute(
            f"DELETE FROM theme_tags WHERE theme_id = ? AND {column} = ?", (theme_id, item_id)
        )

    async def of_item(self, kind: FeedKind, item_id: int) -> set[int]:
        column = ITEM_COLUMN[kind]
        rows = await self.db.fetchall(
            f"SELECT theme_id FROM theme_tags WHERE {column} = ?", (item_id,)
        )
        return {r["theme_id"] for r in rows}

    async def item_workshop(self, kind: FeedKind, item_id: int) -> int | None:
        """The workshop an answer or shared view belongs to (for checking who may tag it)."""
        if kind == FeedKind.ANSWER:
            sql = """SELECT p.workshop_id FROM answers a
                     JOIN participants p ON p.id = a.participant_id WHERE a.id = ?"""
        else:
            sql = """SELECT p.workshop_id FROM views v
                     JOIN participants p ON p.id = v.participant_id
                     WHERE v.id = ? AND v.status = ?"""
        params = (item_id,) if kind == FeedKind.ANSWER else (item_id, ViewStatus.SHARED)
        row = await self.db.fetchone(sql, params)
        return int(row[0]) if row else None

    async def counts(self, workshop_id: int) -> list[ThemeCount]:
        """Each theme with how many answers and views carry it, from how many people."""
        # Only what a facilitator can still read counts: answers not skipped, shared views,
        # of people still taking part.
        rows = await self.db.fetchall(
            f"""SELECT t.*,
                   COUNT(pa.id) + COUNT(pv.id) AS items,
                   COUNT(pv.id) AS views,
                   COUNT(DISTINCT COALESCE(pa.id, pv.id)) AS participants
               FROM themes t
               LEFT JOIN theme_tags tt ON tt.theme_id = t.id
               LEFT JOIN answers a ON a.id = tt.answer_id AND a.skipped = 0
               LEFT JOIN participants pa ON pa.id = a.participant_id
                   AND {taking_part("pa")}
               LEFT JOIN views v ON v.id = tt.view_id AND v.status = ?
               LEFT JOIN participants pv ON pv.id = v.participant_id
                   AND {taking_part("pv")}
               WHERE t.workshop_id = ?
               GROUP BY t.id ORDER BY items DESC, t.name""",
            (ViewStatus.SHARED, workshop_id),
        )
        return [
            ThemeCount(
                theme=_theme(r), items=r["items"], views=r["views"], participants=r["participants"]
            )
            for r in rows
        ]
