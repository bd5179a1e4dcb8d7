"""Optional "about you" answers, kept apart from answers and views."""

from __future__ import annotations

import json

from storage.db import Database, utcnow
from storage.models import AboutQuestion
from storage.sql import taking_part

# Stored when someone chooses not to say.
NOT_SAID = ""


QUESTIONS = "SELECT * FROM about_questions WHERE workshop_id = ? ORDER BY position"


class AboutYou:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def questions(self, workshop_id: int) -> list[AboutQuestion]:
        rows = await self.db.fetchall(
            QUESTIONS,
            (workshop_id,),
        )
        return [
            AboutQuestion(
                id=r["id"],
                workshop_id=r["workshop_id"],
                position=r["position"],
                key=r["key"],
                prompt=r["prompt"],
                options=tuple(json.loads(r["options"])),
                targets={k: float(v) for k, v in json.loads(r["targets"]).items()},
                translations=json.loads(r["translations"]),
            )
            for r in rows
        ]

    async def answered(self, participant_id: int) -> dict[int, str]:
        rows = await self.db.fetchall(
            "SELECT about_question_id, value FROM about_answers WHERE participant_id = ?",
            (participant_id,),
        )
        return {r["about_question_id"]: r["value"] for r in rows}

    async def save(self, participant_id: int, question_id: int, value: str) -> None:
        await self.db.execute(
            """INSERT INTO about_answers (participant_id, about_question_id, value, answered_at)
               VALUES (?, ?, ?, ?)
               ON CONFLICT (participant_id, about_question_id) DO UPDATE SET
                   value = excluded.value, answered_at = excluded.answered_at""",
            (participant_id, question_id, value, utcnow()),
        )

    async def tally(self, workshop_id: int) -> dict[int, dict[str, int]]:
        """Counts per question and option, over people still taking part."""
        rows = await self.db.fetchall(
            f"""SELECT a.about_question_id AS q, a.value AS v, COUNT(*) AS n
                FROM about_answers a JOIN participants p ON p.id = a.participant_id
                WHERE p.workshop_id = ? AND {taking_part()}
                GROUP BY a.about_question_id, a.value""",
            (workshop_id,),
        )
        tally: dict[int, dict[str, int]] = {}
        for r in rows:
            tally.setdefault(r["q"], {})[r["v"]] = r["n"]
        return tally
