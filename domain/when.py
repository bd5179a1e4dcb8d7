"""Reading a date and time a facilitator typed, in the workshop's time zone.

People type times the way they say them: "tomorrow 10am", "Friday 2pm", "in 2 hours",
"14:30", "1 Dec 10:00", as well as "2026-12-01 10:00" or "1/12/2026 10:00". A time with no
day is the next such time; a weekday is the next such day (today, if the time is still to
come). Whatever is typed is read in the workshop's time zone and returned in UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_TIME = r"(?:at\s+)?(?P<H>\d{1,2})(?:[:.](?P<M>\d{2}))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?"
_MONTH_NAMES = (
    "jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july",
    "aug august", "sep sept september", "oct october", "nov november", "dec december",
)  # fmt: skip
_DAY_NAMES = (
    "mon monday", "tue tues tuesday", "wed wednesday", "thu thur thurs thursday",
    "fri friday", "sat saturday", "sun sunday",
)  # fmt: skip
_MONTHS = {name: n for n, names in enumerate(_MONTH_NAMES, 1) for name in names.split()}
_DAYS = {name: n for n, names in enumerate(_DAY_NAMES) for name in names.split()}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_WORD = (
    r"(?:(?P<rel>today|tonight|tomorrow)|(?:next\s+|on\s+)?(?P<wd>"
    + "|".join(sorted(_DAYS, key=len, reverse=True))
    + "))"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_YEAR = r"(?P<y>\d{4})"

_NUMERIC = tuple(
    re.compile(form)
    for form in (
        rf"{_YEAR}-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}})(?:t|\s+){_TIME}",
        rf"(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})/{_YEAR}\s+{_TIME}",
        rf"(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})\s+{_TIME}",
        rf"(?P<d>\d{{1,2}}){_ORDINAL}\s+(?P<mon>{_MONTH})\.?(?:\s+{_YEAR})?,?\s+{_TIME}",
        rf"(?P<mon>{_MONTH})\.?\s+(?P<d>\d{{1,2}}){_ORDINAL}(?:,?\s+{_YEAR})?,?\s+{_TIME}",
    )
)
_RELATIVE_DAY = re.compile(rf"{_DAY_WORD}\s+{_TIME}")
_TIME_FIRST = re.compile(rf"{_TIME}\s+{_DAY_WORD}")
_TIME_ONLY = re.compile(_TIME)
_IN = re.compile(
    r"in\s+(?P<n>\d{1,3}|an?|one)\s+(?P<unit>minutes?|mins?|hours?|hrs?|days?|weeks?)"
)


def parse_local(text: str, timezone: str, now: datetime) -> datetime | None:
    """The moment ``text`` names, read in ``timezone``, as UTC; None if it is not a time."""
    text = " ".join(text.lower().split()).rstrip(".")
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    try:
        return _parse(text, zone, today, now)
    except (ValueError, OverflowError):  # 31/02, or the last minute of year 9999 west of UTC
        return None


def _parse(text: str, zone: ZoneInfo, today: date, now: datetime) -> datetime | None:
    if match := _IN.fullmatch(text):
        return _after(match, now)
    for form in _NUMERIC:
        if match := form.fullmatch(text):
            parts = match.groupdict()
            month = _MONTHS[parts["mon"]] if parts.get("mon") else int(parts["m"])
            year = int(parts["y"]) if parts.get("y") else today.year
            local = _at(date(year, month, int(parts["d"])), match, zone)
            if local is None:
                return None
            if not parts.get("y") and local < now:
                local = _at(date(year + 1, month, int(parts["d"])), match, zone)
            return None if local is None else local.astimezone(UTC)
    if match := _RELATIVE_DAY.fullmatch(text) or _TIME_FIRST.fullmatch(text):
        return _on_day(match, zone, today, now)
    if match := _TIME_ONLY.fullmatch(text):
        if match["M"] is None and match["ampm"] is None:
            return None  # a bare number is not a time
        local = _at(today, match, zone)
        if local is not None and local < now:
            local = _at(today + timedelta(days=1), match, zone)
        return None if local is None else local.astimezone(UTC)
    return None


def _after(match: re.Match[str], now: datetime) -> datetime | None:
    amount = 1 if match["n"] in ("a", "an", "one") else int(match["n"])
    unit = match["unit"][0]
    if unit == "m":
        return now + timedelta(minutes=amount)
    if unit == "h":
        return now + timedelta(hours=amount)
    if unit == "d":
        return now + timedelta(days=amount)
    return now + timedelta(weeks=amount)


def _on_day(match: re.Match[str], zone: ZoneInfo, today: date, now: datetime) -> datetime | None:
    if match["rel"] is not None:
        day = today + timedelta(days=1 if match["rel"] == "tomorrow" else 0)
        local = _at(day, match, zone)
        return None if local is None else local.astimezone(UTC)
    ahead = (_DAYS[match["wd"]] - today.weekday()) % 7
    local = _at(today + timedelta(days=ahead), match, zone)
    if local is not None and local < now:
        local = _at(today + timedelta(days=ahead or 7), match, zone)
    return None if local is None else local.astimezone(UTC)


def _at(day: date, match: re.Match[str], zone: ZoneInfo) -> datetime | None:
    hour, minute = int(match["H"]), int(match["M"] or 0)
    ampm = (match["ampm"] or "").replace(".", "")
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return datetime.combine(day, time(hour, minute), tzinfo=zone)
