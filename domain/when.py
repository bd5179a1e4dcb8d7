"""Reading a date and time a facilitator typed, in the workshop's time zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

_FORMS = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})[ T](?P<H>\d{1,2})[:.](?P<M>\d{2})$"),
    re.compile(r"^(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4}) (?P<H>\d{1,2})[:.](?P<M>\d{2})$"),
    re.compile(r"^(?P<d>\d{1,2})/(?P<m>\d{1,2}) (?P<H>\d{1,2})[:.](?P<M>\d{2})$"),
)


def parse_local(text: str, timezone: str, now: datetime) -> datetime | None:
    """'2026-12-01 10:00', '1/12/2026 10:00' or '1/12 10:00' (the next such date), as UTC."""
    text = " ".join(text.split())
    zone = ZoneInfo(timezone)
    for form in _FORMS:
        match = form.match(text)
        if match is None:
            continue
        parts = match.groupdict()
        year = int(parts["y"]) if parts.get("y") else now.astimezone(zone).year
        try:
            local = datetime(
                year, int(parts["m"]), int(parts["d"]), int(parts["H"]), int(parts["M"]),
                tzinfo=zone,
            )  # fmt: skip
        except ValueError:
            return None
        if not parts.get("y") and local < now:
            try:
                local = local.replace(year=year + 1)
            except ValueError:
                return None
        try:
            return local.astimezone(UTC)
        except OverflowError:  # e.g. the last minute of year 9999, west of Greenwich
            return None
    return None
