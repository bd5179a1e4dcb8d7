"""The reads one update from a person is likely to make, made at once.

Handling a person's message, several handlers each ask for a little: whether the person
was marked unreachable, whether this update was handled before, their typed step, the
membership they used last, its workshop, their answers and consents, its "about you"
questions, their screen message. Inside
``Database.shared_reads`` each of those is one hand-over to the database thread; made
here first, in one, they are all shared (see storage/db.py). The SQL is the stores' own,
so a store that changes a query changes what is preloaded too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from storage import about, answers, outbox, participants, typed_steps, workshops
from storage.db import Database, ReadKey, read
from storage.kinds import ParticipantStatus

_CONSENTING = (ParticipantStatus.CONSENTING, ParticipantStatus.READY)


def _plan(
    telegram_user_id: int, update_id: int | None, invite: str | None
) -> Callable[[sqlite3.Connection], dict[ReadKey, Any]]:
    def plan(raw: sqlite3.Connection) -> dict[ReadKey, Any]:
        person = (telegram_user_id,)
        keys: list[ReadKey] = [
            ("one", outbox.MARKED_UNREACHABLE, person),
            ("one", typed_steps.CURRENT, person),
            ("one", participants.SCREEN, person),
        ]
        if update_id is not None:
            keys.append(("one", typed_steps.HANDLED, (update_id,)))
        found = {key: read(raw, key) for key in keys}
        latest_key: ReadKey = ("one", participants.LATEST, person)
        latest = found[latest_key] = read(raw, latest_key)
        if latest is not None:
            # The same row, by the other ways the stores look it up.
            found[("one", participants.BY_ID, (latest["id"],))] = latest
            membership = (latest["workshop_id"], telegram_user_id)
            found[("one", participants.BY_MEMBERSHIP, membership)] = latest
            keys = [
                ("one", workshops.BY_ID, (latest["workshop_id"],)),
                ("all", answers.FOR_PARTICIPANT, (latest["id"],)),
            ]
            # Only where the next step reads them: the consent steps, and after submitting.
            if latest["status"] in _CONSENTING:
                keys.append(("all", participants.CONSENTS, (latest["id"],)))
            if latest["status"] == ParticipantStatus.SUBMITTED:
                keys.append(("all", about.QUESTIONS, (latest["workshop_id"],)))
            for key in keys:
                found[key] = read(raw, key)
            workshop = found[("one", workshops.BY_ID, (latest["workshop_id"],))]
            if workshop is not None:  # a button carries the invite code while consenting
                found[("one", workshops.BY_INVITE, (workshop["invite_code"],))] = workshop
        if invite is not None:  # being invited: that workshop, and their place in it
            _invited(raw, found, telegram_user_id, invite)
        return found

    return plan


def _invited(
    raw: sqlite3.Connection, found: dict[ReadKey, Any], telegram_user_id: int, invite: str
) -> None:
    def once(key: ReadKey) -> Any:
        if key not in found:
            found[key] = read(raw, key)
        return found[key]

    workshop = once(("one", workshops.BY_INVITE, (invite,)))
    if workshop is None:
        return
    member = once(("one", participants.BY_MEMBERSHIP, (workshop["id"], telegram_user_id)))
    if member is not None:
        once(("all", participants.CONSENTS, (member["id"],)))


async def preload_person(
    db: Database, telegram_user_id: int, update_id: int | None, invite: str | None = None
) -> None:
    """Inside ``db.shared_reads()``: make and share the reads of one update from this
    person in one hand-over; outside, do nothing."""
    await db.preload(_plan(telegram_user_id, update_id, invite))
