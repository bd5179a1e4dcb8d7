"""storage/audit.py: refused attempts logged, but strangers cannot grow the log unbounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import storage.audit as audit_module
from storage import Storage


async def test_refusals_are_limited_per_person_and_in_all_per_hour(
    fresh_storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_module, "REFUSALS_PER_ACTOR_PER_HOUR", 3)
    monkeypatch.setattr(audit_module, "REFUSALS_PER_HOUR", 5)
    audit = fresh_storage.audit
    now = datetime.now(UTC)
    written = [await audit.record_refusal(1, "export", now=now) for _ in range(4)]
    assert written == [True, True, True, False]
    assert [await audit.record_refusal(2, "stats", now=now) for _ in range(3)] == [
        True,
        True,
        False,  # five in the hour from everyone
    ]
    # An allowed action is always logged; an hour later refusals are logged again.
    await audit.record(3, "export", workshop_id=None)
    later = now + timedelta(hours=1, seconds=1)
    assert await audit.record_refusal(1, "export", now=later) is True
    entries = await audit.entries()
    assert len(entries) == 7
    assert sum(not e.allowed for e in entries) == 6
    newest = await audit.recent(limit=2)
    assert [e.id for e in newest] == [entries[-1].id, entries[-2].id]
    assert [e.id for e in await audit.recent(limit=2, before_id=newest[-1].id)] == [
        entries[-3].id,
        entries[-4].id,
    ]
