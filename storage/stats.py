"""Figures for /stats: the funnel, participation over time, answers, consents."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Database
from storage.kinds import ParticipantStatus, Purpose, ViewStatus


@dataclass(frozen=True, slots=True)
class Figures:
    opened: int
    consented: int
    started: int
    completed: int
    joined_at: list[str]  # when each current participant agreed to take part (UTC)
    completed_at: list[str]
    answers_per_question: list[tuple[int, str, int, int]]  # position, prompt, answered, skipped
    consents: dict[Purpose, tuple[int, int]]  # purpose -> (yes, no)
    views: int
    stopped: int = 0  # people who sent STOP: no updates or reminders


class Stats:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def figures(self, workshop_id: int) -> Figures:
        one = self.db.fetchone
        opened = await one(
            """SELECT (SELECT COUNT(*) FROM link_opens WHERE workshop_id = ?)
                    + COALESCE((SELECT count FROM purged_totals
                                WHERE workshop_id = ? AND what = 'link_opens'), 0)""",
            (workshop_id, workshop_id),
        )
        joined = await self.db.fetchall(
            """SELECT c.decided_at FROM consents c JOIN participants p ON p.id = c.participant_id
               WHERE p.workshop_id = ? AND c.purpose = ? AND c.granted = 1
                 AND c.withdrawn_at IS NULL ORDER BY c.decided_at""",
            (workshop_id, Purpose.TAKE_PART),
        )
        started = await one(
            """SELECT COUNT(DISTINCT a.participant_id) FROM answers a
               JOIN participants p ON p.id = a.participant_id WHERE p.workshop_id = ?""",
            (workshop_id,),
        )
        completed = await self.db.fetchall(
            """SELECT submitted_at FROM participants
               WHERE workshop_id = ? AND status = ? ORDER BY submitted_at""",
            (workshop_id, ParticipantStatus.SUBMITTED),
        )
        # Answers and views purged after the retention period still count (purged_totals).
        per_question = await self.db.fetchall(
            """SELECT q.position, q.prompt,
                   COALESCE((SELECT SUM(a.skipped = 0) FROM answers a
                             WHERE a.question_id = q.id), 0)
                   + COALESCE((SELECT count FROM purged_totals t WHERE t.workshop_id = ?
                               AND t.what = 'answers:' || q.id || ':0'), 0) AS answered,
                   COALESCE((SELECT SUM(a.skipped = 1) FROM answers a
                             WHERE a.question_id = q.id), 0)
                   + COALESCE((SELECT count FROM purged_totals t WHERE t.workshop_id = ?
                               AND t.what = 'answers:' || q.id || ':1'), 0) AS skipped
               FROM questions q WHERE q.workshop_id = ? ORDER BY q.position""",
            (workshop_id, workshop_id, workshop_id),
        )
        consents = await self.db.fetchall(
            """SELECT c.purpose, SUM(c.granted = 1 AND c.withdrawn_at IS NULL) AS yes,
                   SUM(c.granted = 0 OR c.withdrawn_at IS NOT NULL) AS no
               FROM consents c JOIN participants p ON p.id = c.participant_id
               WHERE p.workshop_id = ? GROUP BY c.purpose""",
            (workshop_id,),
        )
        views = await one(
            """SELECT (SELECT COUNT(*) FROM views v JOIN participants p
                       ON p.id = v.participant_id WHERE p.workshop_id = ? AND v.status = ?)
                    + COALESCE((SELECT count FROM purged_totals
                                WHERE workshop_id = ? AND what = 'views:' || ?), 0)""",
            (workshop_id, ViewStatus.SHARED, workshop_id, ViewStatus.SHARED),
        )
        stopped = await one(
            "SELECT COUNT(*) FROM participants WHERE workshop_id = ? AND stopped_at IS NOT NULL",
            (workshop_id,),
        )
        return Figures(
            opened=int(opened[0]) if opened else 0,
            consented=len(joined),
            started=int(started[0]) if started else 0,
            completed=len(completed),
            joined_at=[r[0] for r in joined],
            completed_at=[r[0] for r in completed],
            answers_per_question=[
                (r["position"], r["prompt"], r["answered"], r["skipped"]) for r in per_question
            ],
            consents={Purpose(r["purpose"]): (r["yes"] or 0, r["no"] or 0) for r in consents},
            views=int(views[0]) if views else 0,
            stopped=int(stopped[0]) if stopped else 0,
        )
