"""Fill a database fast: P participants and A answers in the example workshop.

The workshops are created through storage (as `doingwith workshop add` does); the people,
their consents, answers and flow states are written with executemany in one transaction
through sqlite3 directly, so 100,000 people and 1,000,000 answers take seconds. This is the
one place outside storage/ that knows the table layout.

The example workshop asks six questions and a person answers each once, so more than six
answers a person do not fit in one workshop: the answers left over go to earlier
workshops (from the same file) that the same people took part in and submitted.

    python -m benchmarks.seed /tmp/big.db --people 100000 --answers 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from chat.states import State
from conversations.journey import NAME as JOURNEY
from domain.workshop_file import load_workshop_file
from storage import Storage
from storage.kinds import ParticipantStatus, Purpose, QuestionKind

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "what-matters.toml"
SEEDED_USERS = 10_000_000  # Telegram user ids of seeded people start here
SIMULATED_USERS = 50_000_000  # and of the people the benchmarks drive, here
QUESTIONS = 6
FOUR_HEX = 16**4  # the bot's pseudonyms have 4 hex digits until a workshop runs out

TEXTS = (
    "Seeing my grandchildren",
    "Getting to the shops on my own",
    "My allotment",
    "Cooking for friends",
    "The bus into town",
    "Walking the dog",
    "Church on Sundays",
)
RELATIONSHIPS = {
    "entries": [
        {
            "who": "My daughter",
            "how_often": "Every week",
            "support": ["Phone", "Practical help"],
            "complete": True,
        }
    ]
}


@dataclass(frozen=True)
class Seeded:
    workshop_id: int  # the workshop the benchmark's people join
    invite_code: str
    participants: int  # people in that workshop
    rows: int  # participant rows over every workshop
    workshops: int
    answers: int
    consents: int


def _answer_counts(rng: random.Random, people: int, answers: int) -> list[int]:
    """How many questions each person answered: most all six, some mid-way, a few none;
    trimmed from the end if fewer answers were asked for than that makes."""
    counts = []
    for _ in range(people):
        roll = rng.random()
        counts.append(QUESTIONS if roll < 0.85 else 0 if roll < 0.88 else rng.randint(1, 5))
    excess = sum(counts) - answers
    for n in range(people - 1, -1, -1):
        if excess <= 0:
            break
        cut = min(excess, counts[n])
        counts[n] -= cut
        excess -= cut
    return counts


def _status(rng: random.Random, answered: int) -> ParticipantStatus:
    if answered == QUESTIONS:
        return ParticipantStatus.SUBMITTED if rng.random() < 0.93 else ParticipantStatus.REVIEWING
    if answered:
        return ParticipantStatus.ANSWERING if rng.random() < 0.6 else ParticipantStatus.PAUSED
    return ParticipantStatus.READY if rng.random() < 0.5 else ParticipantStatus.CONSENTING


def _pseudonyms(rng: random.Random, count: int) -> list[str]:
    """Unique pseudonyms as the bot hands them out: 4 random hex digits, then 5."""
    four = rng.sample(range(FOUR_HEX), min(count, FOUR_HEX))
    names = [f"P-{n:04X}" for n in four]
    names += [f"P-{n:05X}" for n in range(FOUR_HEX, count)]
    return names


ENCODED_TEXTS = [json.dumps(text) for text in TEXTS]
ENCODED_RELATIONSHIPS = json.dumps(RELATIONSHIPS)


def _value(kind: str, rng: random.Random) -> str:
    if kind == QuestionKind.RELATIONSHIPS:
        return ENCODED_RELATIONSHIPS
    return ENCODED_TEXTS[int(rng.random() * len(ENCODED_TEXTS))]


def fill(
    path: Path, workshops: list[int], people: int, answers: int, *, rng_seed: int = 13
) -> tuple[int, int, int]:
    """Write ``people`` into ``workshops[0]`` and ``answers`` over all of them; return
    (participant rows, answers, consents) written."""
    rng = random.Random(rng_seed)
    base = datetime(2026, 1, 1, 12, tzinfo=UTC)

    def at(n: int) -> str:
        return (base + timedelta(seconds=n * 7)).isoformat(timespec="seconds")

    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = OFF")
        kinds = {
            workshop: [
                (qid, kind)
                for qid, kind in conn.execute(
                    "SELECT id, kind FROM questions WHERE workshop_id = ? ORDER BY position",
                    (workshop,),
                )
            ]
            for workshop in workshops
        }
        first_id = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM participants").fetchone()
        next_id = int(first_id[0])
        counts = _answer_counts(rng, people, answers)
        left = answers - sum(counts)
        participants: list[tuple[object, ...]] = []
        consents: list[tuple[object, ...]] = []
        rows: list[tuple[object, ...]] = []
        flows: list[tuple[object, ...]] = []
        for number, workshop in enumerate(workshops):
            if number:  # an earlier workshop: the same people, all six answered
                counts = []
                while left > 0 and len(counts) < people:
                    counts.append(min(QUESTIONS, left))
                    left -= counts[-1]
            names = _pseudonyms(rng, len(counts))
            for n, answered in enumerate(counts):
                pid, user = next_id, SEEDED_USERS + n
                next_id += 1
                status = _status(rng, answered) if number == 0 else ParticipantStatus.SUBMITTED
                joined = at(n)
                submitted = joined if status == ParticipantStatus.SUBMITTED else None
                # activity: the main workshop is the one each person used last
                participants.append(
                    (
                        pid,
                        workshop,
                        user,
                        names[n],
                        status,
                        answered,
                        2 if number == 0 else 1,
                        joined,
                        joined,
                        submitted,
                    )
                )
                consents.append((pid, Purpose.TAKE_PART, 1, joined))
                if status != ParticipantStatus.CONSENTING:
                    consents.append((pid, Purpose.UPDATES, int(rng.random() < 0.7), joined))
                    consents.append((pid, Purpose.QUOTE, int(rng.random() < 0.4), joined))
                for qid, kind in kinds[workshop][:answered]:
                    rows.append((pid, qid, _value(kind, rng), joined))
                if number == 0 and status != ParticipantStatus.SUBMITTED:
                    state = (
                        State.CONSENT
                        if status == ParticipantStatus.CONSENTING
                        else State.QUESTIONS
                    )
                    flows.append(
                        (JOURNEY, json.dumps([user, user]), user, json.dumps(int(state)), joined)
                    )
        conn.execute("BEGIN")
        conn.executemany(
            """INSERT INTO participants (id, workshop_id, telegram_user_id, pseudonym, status,
                   position, activity, joined_at, last_seen_at, submitted_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            participants,
        )
        conn.executemany(
            """INSERT INTO consents (participant_id, purpose, granted, text_sha256, method,
                   decided_at) VALUES (?, ?, ?, 'seeded', 'telegram-button', ?)""",
            consents,
        )
        conn.executemany(
            "INSERT INTO answers (participant_id, question_id, value, answered_at) "
            "VALUES (?, ?, ?, ?)",
            rows,
        )
        conn.executemany(
            "INSERT INTO ptb_conversations (name, key, user_id, state, updated_at) "
            "VALUES (?, ?, ?, ?, ?)",
            flows,
        )
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return len(participants), len(rows), len(consents)


async def seed(path: Path, people: int, answers: int) -> Seeded:
    """A database at ``path`` with the example workshop and ``people`` / ``answers`` in it."""
    fits = min(answers, QUESTIONS * people)
    earlier = -(-(answers - fits) // (QUESTIONS * people)) if people else 0
    storage = Storage(path)
    await storage.open()
    try:
        new = load_workshop_file(EXAMPLE)
        created = [await storage.workshops.create(new) for _ in range(1 + earlier)]
    finally:
        await storage.close()
    main = created[-1]  # the newest: the one people are joining now
    order = [main.id, *(w.id for w in created[:-1])]
    rows, stored, consents = await asyncio.to_thread(fill, path, order, people, answers)
    return Seeded(
        main.id, main.invite_code, min(people, rows), rows, len(created), stored, consents
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path", type=Path)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--answers", type=int, default=1_000_000)
    args = parser.parse_args()
    started = time.perf_counter()
    result = asyncio.run(seed(args.path, args.people, args.answers))
    print(f"{result} in {time.perf_counter() - started:.1f} s")
