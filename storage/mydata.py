"""Everything held about one person, for /mydata: every table that can name them.

Built from the same table lists erasure uses (storage.participants), which a schema test
keeps complete, so a new table holding a person cannot be left out of either.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from storage.db import Database
from storage.participants import ERASED_BY_PARTICIPANT, ERASED_BY_TELEGRAM_ID

Rows = list[dict[str, object]]


@dataclass(frozen=True, slots=True)
class PersonalData:
    telegram_user_id: int
    tables: dict[str, Rows] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """How many rows each table holds about them (for a readable summary)."""
        return {table: len(rows) for table, rows in self.tables.items()}

    def to_json(self) -> bytes:
        """The whole of it as a JSON document, the file /mydata sends."""
        document = {"telegram_user_id": self.telegram_user_id, "tables": self.tables}
        return json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")


class MyData:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def collect(self, telegram_user_id: int) -> PersonalData:
        """Every row about this person: memberships, consents, words, messages, state."""
        tables: dict[str, Rows] = {}
        members = await self._rows(
            "SELECT * FROM participants WHERE telegram_user_id = ? ORDER BY id",
            (telegram_user_id,),
        )
        tables["participants"] = members
        ids = [int(str(m["id"])) for m in members]
        marks = ", ".join("?" * len(ids)) or "NULL"
        # Each table once, found by participant id or by Telegram id, whichever it has.
        found: dict[str, list[tuple[str, tuple[object, ...]]]] = {}
        for table in ERASED_BY_PARTICIPANT:
            found.setdefault(table, []).append((f"participant_id IN ({marks})", tuple(ids)))
        for table, column in ERASED_BY_TELEGRAM_ID:
            if table == "deliveries":
                continue  # every delivery to a participant carries their participant id
            value = self.db.opener(telegram_user_id) if column == "opener" else telegram_user_id
            found.setdefault(table, []).append((f"{column} = ?", (value,)))
        for table, conditions in found.items():
            where = " OR ".join(f"({sql})" for sql, _params in conditions)
            params = tuple(p for _sql, values in conditions for p in values)
            rows = await self._rows(f"SELECT * FROM {table} WHERE {where}", params)
            # The link-open hash says nothing to them.
            tables[table] = [{k: v for k, v in r.items() if k != "opener"} for r in rows]
        tables["facilitators"] = await self._rows(
            "SELECT * FROM facilitators WHERE telegram_user_id = ?", (telegram_user_id,)
        )
        return PersonalData(telegram_user_id, tables)

    async def _rows(self, sql: str, params: tuple[object, ...]) -> Rows:
        return [dict(row) for row in await self.db.fetchall(sql, params)]
