"""Quiet hours: scheduled messages wait for the morning, in the workshop's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def in_quiet_hours(moment: datetime, timezone: str, start: str, end: str) -> bool:
    """Whether ``moment`` (aware) falls in the quiet hours, which may run past midnight."""
    local = moment.astimezone(ZoneInfo(timezone)).time()
    begin, finish = _clock(start), _clock(end)
    if begin == finish:
        return False
    if begin < finish:
        return begin <= local < finish
    return local >= begin or local < finish


def next_allowed(moment: datetime, timezone: str, start: str, end: str) -> datetime:
    """``moment`` if it is outside quiet hours, otherwise the end of those quiet hours (UTC)."""
    if not in_quiet_hours(moment, timezone, start, end):
        return moment.astimezone(UTC)
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    finish = _clock(end)
    day = local.date() if local.time() < finish else local.date() + timedelta(days=1)
    wake = datetime.combine(day, finish, tzinfo=zone).astimezone(UTC)
    # When the clocks go back, the end of quiet hours can come round twice: never earlier.
    return max(wake, moment.astimezone(UTC))
