"""Workshops and their question sets."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiosqlite

from storage.db import Database, utcnow
from storage.kinds import EngagementLevel, ParticipantStatus, QuestionKind, WorkshopStatus
from storage.models import Question, SupportContact, Workshop

# Facilitator invites use deep-link payloads that start with this prefix.
FACILITATOR_PREFIX = "f_"

# Fields a facilitator may change after creating a workshop.
EDITABLE = frozenset(
    {
        "title", "purpose", "engagement_level", "can_change", "cannot_change", "who_decides",
        "decide_by", "hear_back", "timezone", "retention_days", "update_cadence_days",
        "quiet_start", "quiet_end", "contact", "offline_way_in",
    }
)  # fmt: skip


# The language someone reads on becoming staff, unless they already chose one.
FIRST_STAFF_LANGUAGE = """INSERT INTO staff_languages (telegram_user_id, language, updated_at)
    VALUES (?, ?, ?) ON CONFLICT (telegram_user_id) DO NOTHING"""


def new_invite_code() -> str:
    """Return a 128-bit code that is a valid Telegram deep-link payload."""
    while True:
        code = secrets.token_urlsafe(16)  # 22 characters of [A-Za-z0-9_-]
        if not code.startswith(FACILITATOR_PREFIX):
            return code


@dataclass(frozen=True, slots=True)
class NewQuestion:
    key: str
    kind: QuestionKind
    prompt: str
    hint: str = ""
    options: tuple[str, ...] = ()
    translations: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NewAboutQuestion:
    key: str
    prompt: str
    options: tuple[str, ...]
    targets: dict[str, float] = field(default_factory=dict)
    translations: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NewWorkshop:
    title: str
    purpose: str
    engagement_level: EngagementLevel
    can_change: tuple[str, ...]
    cannot_change: tuple[str, ...]
    who_decides: str
    decide_by: str
    hear_back: str
    support: tuple[SupportContact, ...]
    ground_rules: tuple[str, ...]
    questions: tuple[NewQuestion, ...]
    timezone: str = "Europe/London"
    retention_days: int = 365
    update_cadence_days: int = 14
    about_you: tuple[NewAboutQuestion, ...] = ()
    quiet_start: str = "21:00"
    quiet_end: str = "09:00"
    contact: str = ""
    offline_way_in: str = ""
    language: str = "en"
    # Only complete translations are stored (domain.translations checks them).
    translations: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # Translations left out as incomplete, with what each lacks: told, not stored.
    left_out: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def _workshop(row: aiosqlite.Row) -> Workshop:
    return Workshop(
        id=row["id"],
        title=row["title"],
        purpose=row["purpose"],
        engagement_level=EngagementLevel(row["engagement_level"]),
        can_change=tuple(json.loads(row["can_change"])),
        cannot_change=tuple(json.loads(row["cannot_change"])),
        who_decides=row["who_decides"],
        decide_by=row["decide_by"],
        hear_back=row["hear_back"],
        support=tuple(SupportContact(**item) for item in json.loads(row["support"])),
        ground_rules=tuple(json.loads(row["ground_rules"])),
        timezone=row["timezone"],
        retention_days=row["retention_days"],
        invite_code=row["invite_code"],
        status=WorkshopStatus(row["status"]),
        created_at=row["created_at"],
        update_cadence_days=row["update_cadence_days"],
        closing_message=row["closing_message"],
        closed_at=row["closed_at"],
        created_by=row["created_by"],
        quiet_start=row["quiet_start"],
        quiet_end=row["quiet_end"],
        contact=row["contact"],
        offline_way_in=row["offline_way_in"],
        language=row["language"],
        translations=json.loads(row["translations"]),
    )


def _question(row: aiosqlite.Row) -> Question:
    return Question(
        id=row["id"],
        workshop_id=row["workshop_id"],
        position=row["position"],
        key=row["key"],
        kind=QuestionKind(row["kind"]),
        prompt=row["prompt"],
        hint=row["hint"],
        options=tuple(json.loads(row["options"])),
        translations=json.loads(row["translations"]),
    )


BY_ID = "SELECT * FROM workshops WHERE id = ?"
BY_INVITE = "SELECT * FROM workshops WHERE invite_code = ?"


class Workshops:
    """Create and look up workshops."""

    def __init__(self, db: Database) -> None:
        self.db = db
        # Question sets never change once stored, and are read on every answer.
        self._questions: dict[int, tuple[Question, ...]] = {}

    async def create(
        self,
        new: NewWorkshop,
        *,
        created_by: int | None = None,
        creator_name: str = "",
        creator_language: str = "en",
    ) -> Workshop:
        """Store a workshop with its questions and a fresh invite code.

        Whoever created it (from Telegram) becomes its first facilitator.
        """
        code = new_invite_code()
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """INSERT INTO workshops (title, purpose, engagement_level, can_change,
                       cannot_change, who_decides, decide_by, hear_back, support, ground_rules,
                       timezone, retention_days, invite_code, created_at,
                       update_cadence_days, created_by, quiet_start, quiet_end, contact,
                       offline_way_in, language, translations)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    new.title,
                    new.purpose,
                    new.engagement_level,
                    json.dumps(list(new.can_change)),
                    json.dumps(list(new.cannot_change)),
                    new.who_decides,
                    new.decide_by,
                    new.hear_back,
                    json.dumps([{"name": s.name, "contact": s.contact} for s in new.support]),
                    json.dumps(list(new.ground_rules)),
                    new.timezone,
                    new.retention_days,
                    code,
                    utcnow(),
                    new.update_cadence_days,
                    created_by,
                    new.quiet_start,
                    new.quiet_end,
                    new.contact,
                    new.offline_way_in,
                    new.language,
                    json.dumps(new.translations, ensure_ascii=False),
                ),
            )
            workshop_id = cur.lastrowid
            await conn.executemany(
                """INSERT INTO questions (workshop_id, position, key, kind, prompt, hint, options,
                       translations)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    (
                        workshop_id,
                        i,
                        q.key,
                        q.kind,
                        q.prompt,
                        q.hint,
                        json.dumps(list(q.options)),
                        json.dumps(q.translations, ensure_ascii=False),
                    )
                    for i, q in enumerate(new.questions)
                ],
            )
            await conn.executemany(
                """INSERT INTO about_questions (workshop_id, position, key, prompt, options,
                       targets, translations) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                [
                    (
                        workshop_id,
                        i,
                        q.key,
                        q.prompt,
                        json.dumps(list(q.options)),
                        json.dumps(q.targets),
                        json.dumps(q.translations, ensure_ascii=False),
                    )
                    for i, q in enumerate(new.about_you)
                ],
            )
            if created_by is not None:
                await conn.execute(
                    """INSERT INTO facilitators (workshop_id, telegram_user_id, name, added_by,
                           added_at) VALUES (?, ?, ?, ?, ?)""",
                    (workshop_id, created_by, creator_name, created_by, utcnow()),
                )
                await conn.execute(FIRST_STAFF_LANGUAGE, (created_by, creator_language, utcnow()))
        workshop = await self.get(workshop_id or 0)
        assert workshop is not None
        return workshop

    async def get(self, workshop_id: int) -> Workshop | None:
        row = await self.db.fetchone(BY_ID, (workshop_id,))
        return _workshop(row) if row else None

    async def by_invite(self, code: str) -> Workshop | None:
        """Return the workshop with this invite code, open or closed."""
        row = await self.db.fetchone(BY_INVITE, (code,))
        return _workshop(row) if row else None

    async def all(self) -> list[Workshop]:
        rows = await self.db.fetchall("SELECT * FROM workshops ORDER BY id")
        return [_workshop(r) for r in rows]

    async def set_status(self, workshop_id: int, status: WorkshopStatus) -> None:
        await self.db.execute(
            "UPDATE workshops SET status = ? WHERE id = ?", (status, workshop_id)
        )

    async def close(self, workshop_id: int, closing_message: str | None) -> None:
        """Close to new participants; latecomers who open the link read the message."""
        await self.db.execute(
            """UPDATE workshops SET status = ?, closed_at = ?, closing_message = ?
               WHERE id = ?""",
            (WorkshopStatus.CLOSED, utcnow(), closing_message, workshop_id),
        )

    async def reopen(self, workshop_id: int) -> None:
        await self.db.execute(
            "UPDATE workshops SET status = ?, closed_at = NULL WHERE id = ?",
            (WorkshopStatus.OPEN, workshop_id),
        )

    async def update(
        self, workshop_id: int, field_name: str, value: object, *, untranslate: bool = False
    ) -> None:
        """Change one editable field; lists are stored as JSON. ``untranslate`` takes the
        workshop's translations off in the same step (they no longer say the same)."""
        if field_name not in EDITABLE:
            raise ValueError(f"not an editable field: {field_name}")
        stored = json.dumps(list(value)) if isinstance(value, list | tuple) else value
        async with self.db.transaction() as conn:
            await conn.execute(
                f"UPDATE workshops SET {field_name} = ? WHERE id = ?", (stored, workshop_id)
            )
            if untranslate:
                await conn.execute(
                    "UPDATE workshops SET translations = '{}' WHERE id = ?", (workshop_id,)
                )
                for table in ("questions", "about_questions"):
                    await conn.execute(
                        f"UPDATE {table} SET translations = '{{}}' WHERE workshop_id = ?",
                        (workshop_id,),
                    )
        if untranslate:
            self._questions.pop(workshop_id, None)

    async def set_cadence(
        self, workshop_id: int, days: int, default_hear_back: Callable[[int, str], str]
    ) -> None:
        """Change how often updates are promised, in one transaction with the "what happens
        next" text when that is still the default one (``default_hear_back(days, language)``),
        which names the cadence: so it stays true, in every language the workshop has. A
        text someone wrote is theirs and is kept."""
        async with self.db.transaction() as conn:
            async with conn.execute(
                """SELECT update_cadence_days, hear_back, language, translations
                   FROM workshops WHERE id = ?""",
                (workshop_id,),
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return
            before = row["update_cadence_days"]

            def kept_true(text: str, language: str) -> str:
                generated = text == default_hear_back(before, language)
                return default_hear_back(days, language) if generated else text

            translations = json.loads(row["translations"])
            for code, words in translations.items():
                if "hear_back" in words:
                    words["hear_back"] = kept_true(words["hear_back"], code)
            await conn.execute(
                """UPDATE workshops SET update_cadence_days = ?, hear_back = ?,
                       translations = ? WHERE id = ?""",
                (
                    days,
                    kept_true(row["hear_back"], row["language"]),
                    json.dumps(translations, ensure_ascii=False),
                    workshop_id,
                ),
            )

    async def participant_counts(self, workshop_id: int) -> dict[ParticipantStatus, int]:
        """How many people are at each status in this workshop."""
        rows = await self.db.fetchall(
            "SELECT status, COUNT(*) AS n FROM participants WHERE workshop_id = ? GROUP BY status",
            (workshop_id,),
        )
        return {ParticipantStatus(r["status"]): r["n"] for r in rows}

    async def questions(self, workshop_id: int) -> Sequence[Question]:
        if workshop_id not in self._questions:
            rows = await self.db.fetchall(
                "SELECT * FROM questions WHERE workshop_id = ? ORDER BY position", (workshop_id,)
            )
            self._questions[workshop_id] = tuple(_question(r) for r in rows)
        return self._questions[workshop_id]
