"""Answers and shared views of a workshop, newest first, for facilitators to read and export.

Only people still taking part are included; nothing here carries a Telegram id or name.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from storage.db import Database
from storage.kinds import FeedKind, Purpose, QuestionKind, ViewStatus
from storage.models import FeedItem
from storage.sql import agreed_to, among, taking_part

_ACTIVE = f"{taking_part()} AND {agreed_to(Purpose.TAKE_PART)}"
_QUOTE = agreed_to(Purpose.QUOTE)

_ANSWERS = f"""SELECT '{FeedKind.ANSWER}' AS kind, a.id, p.pseudonym, q.kind AS qkind, q.prompt,
        q.position, a.value, a.answered_at AS at, {_QUOTE} AS quote_ok
    FROM answers a JOIN participants p ON p.id = a.participant_id
    JOIN questions q ON q.id = a.question_id
    WHERE p.workshop_id = ? AND a.skipped = 0 AND {_ACTIVE}"""
_VIEWS = f"""SELECT '{FeedKind.VIEW}' AS kind, v.id, p.pseudonym, NULL AS qkind, NULL AS prompt,
        NULL AS position, v.text AS value, v.created_at AS at, {_QUOTE} AS quote_ok
    FROM views v JOIN participants p ON p.id = v.participant_id
    WHERE p.workshop_id = ? AND v.status IN {among(ViewStatus.SHARED)} AND {_ACTIVE}"""

ALL = "all"
VIEWS_ONLY = "views"


class Feed:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _query(self, workshop_id: int, which: str | int) -> tuple[str, tuple[object, ...]]:
        if which == ALL:
            return f"{_ANSWERS} UNION ALL {_VIEWS}", (workshop_id, workshop_id)
        if which == VIEWS_ONLY:
            return _VIEWS, (workshop_id,)
        return f"{_ANSWERS} AND q.position = ?", (workshop_id, which)

    async def count(self, workshop_id: int, which: str | int = ALL) -> int:
        sql, params = self._query(workshop_id, which)
        row = await self.db.fetchone(f"SELECT COUNT(*) FROM ({sql})", params)
        return int(row[0]) if row else 0

    async def items(
        self,
        workshop_id: int,
        which: str | int = ALL,
        *,
        offset: int = 0,
        limit: int | None = None,
        newest_first: bool = True,
    ) -> list[FeedItem]:
        sql, params = self._query(workshop_id, which)
        order = "DESC" if newest_first else "ASC"
        sql = f"SELECT * FROM ({sql}) ORDER BY at {order}, kind, id {order}"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params = (*params, limit, offset)
        rows = await self.db.fetchall(sql, params)
        themes = await self._themes([(FeedKind(r["kind"]), r["id"]) for r in rows])
        return [self._item(r, themes) for r in rows]

    async def item(self, kind: FeedKind, item_id: int) -> FeedItem | None:
        """One answer or shared view, if its author is still taking part."""
        if kind == FeedKind.ANSWER:
            sql, params = f"SELECT * FROM ({_ANSWERS} AND a.id = ?)", (item_id,)
        else:
            sql, params = f"SELECT * FROM ({_VIEWS} AND v.id = ?)", (item_id,)
        workshop = await self.db.fetchone(
            """SELECT p.workshop_id FROM participants p WHERE p.id = (SELECT participant_id
               FROM answers WHERE id = ? AND ? = ?
               UNION ALL SELECT participant_id FROM views WHERE id = ? AND ? = ?)""",
            (item_id, kind, FeedKind.ANSWER, item_id, kind, FeedKind.VIEW),
        )
        if workshop is None:
            return None
        rows = await self.db.fetchall(sql, (workshop[0], *params))
        if not rows:
            return None
        themes = await self._themes([(kind, item_id)])
        return self._item(rows[0], themes)

    def _item(self, r: Any, themes: dict[tuple[FeedKind, int], list[str]]) -> FeedItem:
        kind = FeedKind(r["kind"])
        return FeedItem(
            kind=kind,
            id=r["id"],
            pseudonym=r["pseudonym"],
            question_kind=None if r["qkind"] is None else QuestionKind(r["qkind"]),
            question_prompt=r["prompt"],
            question_position=r["position"],
            value=json.loads(r["value"]) if kind == FeedKind.ANSWER else r["value"],
            at=r["at"],
            themes=tuple(themes.get((kind, r["id"]), ())),
            quote_ok=bool(r["quote_ok"]),
        )

    async def _themes(
        self, keys: Sequence[tuple[FeedKind, int]]
    ) -> dict[tuple[FeedKind, int], list[str]]:
        found: dict[tuple[FeedKind, int], list[str]] = {}
        for kind, column in ((FeedKind.ANSWER, "answer_id"), (FeedKind.VIEW, "view_id")):
            ids = [i for k, i in keys if k == kind]
            if not ids:
                continue
            rows = await self.db.fetchall(
                f"""SELECT tt.{column} AS item, t.name FROM theme_tags tt
                    JOIN themes t ON t.id = tt.theme_id
                    WHERE tt.{column} IN ({", ".join("?" * len(ids))}) ORDER BY t.name""",
                tuple(ids),
            )
            for r in rows:
                found.setdefault((kind, r["item"]), []).append(r["name"])
        return found
