"""Participation and funnel charts for /stats, rendered headless to PNG bytes.

The picture says what it shows: the workshop's title, the dates it covers, and n (how many
people agreed to take part). A week or less of data is drawn as bars, one pair a day, on an
axis with room either side; longer spans as running totals.
"""

from __future__ import annotations

import datetime
import io
import textwrap
import threading
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from itertools import accumulate

from babel.dates import format_date
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.ticker import FixedFormatter, FixedLocator, MaxNLocator, NullLocator

from domain.texts import SOURCE_LANGUAGE, texts

DPI = 150
SIZE_INCHES = (7.2, 9.0)  # 1080×1350 px: portrait, fits a phone screen without zooming
JOINED_COLOUR = "#2b6cb0"
COMPLETED_COLOUR = "#2f855a"
FUNNEL_COLOURS = ("#90cdf4", "#63b3ed", "#3182ce", "#2f855a")
NOT_A_NUMBER = "–"
MAX_DATE_TICKS = 7
BAR_DAYS = 7  # up to this many calendar days: a bar for each day, not a line
# Tick steps in days that read naturally: daily, every other day, weekly, fortnightly, ...
_TICK_STEPS = (1, 2, 3, 7, 14, 28, 56, 91, 182, 364)

# Matplotlib's font objects and text caches are shared process-wide and are not thread-safe;
# charts are rare, so serialise rendering rather than trust finer-grained internal locks.
_RENDER_LOCK = threading.Lock()


# The language of the chart being drawn (one at a time: see _RENDER_LOCK).
_LANGUAGE: ContextVar[str] = ContextVar("chart_language", default=SOURCE_LANGUAGE)


def _label(key: str, **values: object) -> str:
    """Chart words live with every other text a person reads: templates/labels/chart."""
    return texts(_LANGUAGE.get()).label(f"chart.{key}", **values)


def _month(day: datetime.date) -> str:
    """'Nov 2025', in the chart's language."""
    language = _LANGUAGE.get()
    if language == SOURCE_LANGUAGE:
        return f"{day:%b %Y}"
    return format_date(day, "LLL y", locale=language)


@dataclass(frozen=True, slots=True)
class Funnel:
    opened: int  # people who opened the invite link
    consented: int  # agreed to take part
    started: int  # answered or skipped at least one question
    completed: int  # submitted their answers


@dataclass(frozen=True, slots=True)
class DayCount:
    day: datetime.date
    joined: int  # people who agreed to take part that day
    completed: int  # people who submitted that day


def funnel_rows(funnel: Funnel) -> list[tuple[str, int, str]]:
    """(label, count, share of people who opened the link) for each funnel step, in order."""
    steps = [
        (_label("opened"), funnel.opened),
        (_label("consented"), funnel.consented),
        (_label("started"), funnel.started),
        (_label("completed"), funnel.completed),
    ]
    if funnel.opened <= 0:
        return [(label, count, NOT_A_NUMBER) for label, count in steps]
    return [(label, count, f"{_percent(count, funnel.opened)}%") for label, count in steps]


def participation_chart(
    *,
    title: str,
    days: Sequence[DayCount],
    funnel: Funnel,
    language: str = SOURCE_LANGUAGE,
) -> bytes:
    """One PNG, two panels: who joined and answered by day, then the funnel; its words in
    ``language`` (the facilitator's)."""
    with _RENDER_LOCK:
        fig = figure(title=title, days=days, funnel=funnel, language=language)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
        return buffer.getvalue()


def figure(
    *,
    title: str,
    days: Sequence[DayCount],
    funnel: Funnel,
    language: str = SOURCE_LANGUAGE,
) -> Figure:
    """The chart before it is rendered (callers other than tests hold the render lock)."""
    token = _LANGUAGE.set(language)
    try:
        return _figure(title=title, days=days, funnel=funnel)
    finally:
        _LANGUAGE.reset(token)


def _figure(*, title: str, days: Sequence[DayCount], funnel: Funnel) -> Figure:
    fig = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    over_time, funnel_ax = fig.subplots(2, 1, height_ratios=(3, 2))
    fig.suptitle(
        _printable(title, FontProperties(weight="bold", size=15)),
        fontsize=15,
        fontweight="bold",
        parse_math=False,
        usetex=False,
    )
    _draw_over_time(over_time, days)
    _draw_funnel(funnel_ax, funnel)
    fig.supxlabel(_label("n_people", n=max(0, funnel.consented)), fontsize=10, color="#333333")
    return fig


def date_range(days: Sequence[DayCount]) -> str:
    """The days covered, as people write them: '3 Nov 2025', '3–4 Nov 2025',
    '3 Nov – 2 Dec 2025', '3 Nov 2025 – 9 Jan 2026'; '' for none."""
    if not days:
        return ""
    first, last = min(d.day for d in days), max(d.day for d in days)
    if first == last:
        return f"{first.day} {_month(first)}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {_month(last)}"
    if first.year == last.year:
        return f"{_day_label(first)} – {last.day} {_month(last)}"
    return f"{first.day} {_month(first)} – {last.day} {_month(last)}"


def _percent(part: int, whole: int) -> int:
    return (200 * part + whole) // (2 * whole)  # round half up, integers only


def _draw_over_time(ax: Axes, days: Sequence[DayCount]) -> None:
    _tidy(ax)
    if days:
        ax.set_title(date_range(days), loc="right", fontsize=11, color="#333333")
    if days and (max(d.day for d in days) - min(d.day for d in days)).days < BAR_DAYS:
        _draw_each_day(ax, days)
        return
    ax.set_title(_label("over_time"), loc="left", fontsize=13)
    if not days:
        ax.set_axis_off()
        ax.text(
            0.5,
            0.5,
            _label("nobody_yet"),
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=12,
            color="#555555",
        )
        return

    dates, joined, completed = _running_totals(days)
    # Plotted against day numbers (0 = the first day), labelled with the dates themselves.
    x = list(range(len(dates)))
    marker = "o" if len(dates) <= 14 else None
    ax.plot(x, joined, color=JOINED_COLOUR, lw=2.5, marker=marker, label=_label("consented"))
    ax.plot(
        x,
        completed,
        color=COMPLETED_COLOUR,
        lw=2.5,
        marker=marker,
        label=_label("sent_answers"),
    )
    top = max(1, joined[-1], completed[-1]) * 1.3  # headroom keeps the legend off the lines
    gap = joined[-1] - completed[-1]
    nudge = 0 if abs(gap) > top / 15 else (5 if gap >= 0 else -5)  # keep end labels apart
    for values, colour, dy in (
        (joined, JOINED_COLOUR, nudge),
        (completed, COMPLETED_COLOUR, -nudge),
    ):
        ax.annotate(
            f"{values[-1]}",
            (x[-1], values[-1]),
            xytext=(6, dy),
            textcoords="offset points",
            va="center",
            color=colour,
            fontweight="bold",
        )

    pad = max(1, len(dates) // 12)  # room for the end labels
    ax.set_xlim(x[0] - (1 if len(dates) == 1 else 0), x[-1] + pad)
    step = next(
        (s for s in _TICK_STEPS if len(dates) <= s * MAX_DATE_TICKS),
        -(-len(dates) // MAX_DATE_TICKS),
    )
    ax.xaxis.set_major_locator(FixedLocator(x[::step]))
    ax.xaxis.set_major_formatter(FixedFormatter([_day_label(day) for day in dates[::step]]))
    ax.set_ylim(0, top)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    ax.set_ylabel(_label("people_so_far"))
    ax.grid(axis="y", color="#dddddd")
    ax.legend(loc="upper left", frameon=False)


def _draw_each_day(ax: Axes, days: Sequence[DayCount]) -> None:
    """A few days: a pair of bars a day (joined, sent answers), each with its number."""
    ax.set_title(_label("each_day"), loc="left", fontsize=13)
    dates, joined, completed = _per_day(days)
    x = list(range(len(dates)))
    width = 0.38
    for offset, values, colour, key in (
        (-width / 2, joined, JOINED_COLOUR, "consented"),
        (width / 2, completed, COMPLETED_COLOUR, "sent_answers"),
    ):
        bars = ax.bar([i + offset for i in x], values, width, color=colour, label=_label(key))
        ax.bar_label(bars, padding=3, color=colour, fontweight="bold")
    pad = 0.5 if len(dates) <= 2 else 0.2  # one or two days sit in the middle, not at an edge
    ax.set_xlim(-0.5 - pad, len(dates) - 0.5 + pad)
    ax.xaxis.set_major_locator(FixedLocator(x))
    ax.xaxis.set_major_formatter(FixedFormatter([_day_label(day) for day in dates]))
    ax.tick_params(axis="x", length=0)
    ax.set_ylim(0, max(1, *joined, *completed) * 1.35)  # room for the numbers and the legend
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    ax.set_ylabel(_label("people_that_day"))
    ax.grid(axis="y", color="#dddddd")
    ax.set_axisbelow(True)
    ax.legend(loc="upper left", frameon=False)


def _per_day(days: Sequence[DayCount]) -> tuple[list[datetime.date], list[int], list[int]]:
    """Every calendar day from first to last (gaps filled, repeats added up)."""
    by_day: dict[datetime.date, tuple[int, int]] = {}
    for d in days:
        j, c = by_day.get(d.day, (0, 0))
        by_day[d.day] = (j + d.joined, c + d.completed)
    first, last = min(by_day), max(by_day)
    dates = [first + datetime.timedelta(days=i) for i in range((last - first).days + 1)]
    return (
        dates,
        [by_day.get(day, (0, 0))[0] for day in dates],
        [by_day.get(day, (0, 0))[1] for day in dates],
    )


def _running_totals(
    days: Sequence[DayCount],
) -> tuple[list[datetime.date], list[int], list[int]]:
    """Every calendar day from first to last (gaps filled, repeats added up), as running totals."""
    dates, joined, completed = _per_day(days)
    return dates, list(accumulate(joined)), list(accumulate(completed))


def _day_label(day: datetime.date) -> str:
    language = _LANGUAGE.get()
    if language == SOURCE_LANGUAGE:
        return f"{day.day} {day:%b}"
    return format_date(day, "d MMM", locale=language)


def _draw_funnel(ax: Axes, funnel: Funnel) -> None:
    ax.set_title(_label("funnel"), loc="left", fontsize=13)
    _tidy(ax)
    rows = funnel_rows(funnel)
    counts = [max(0, count) for _, count, _ in rows]
    widest = max(1, *counts)
    positions = range(len(rows))
    ax.barh(positions, counts, color=FUNNEL_COLOURS, height=0.65)
    for y, (_, count, share) in zip(positions, rows, strict=True):
        text = f"{count}" if share == NOT_A_NUMBER else f"{count}  ({share})"
        ax.annotate(
            text,
            (max(0, count), y),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=11,
        )
    ax.set_yticks(list(positions), [label for label, _, _ in rows], fontsize=11)
    ax.invert_yaxis()
    ax.set_xlim(0, widest * 1.3)
    ax.xaxis.set_major_locator(NullLocator())
    ax.spines["bottom"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    note = _label("nobody_opened")
    if funnel.opened > 0:
        note = _label("share_note")
    ax.set_xlabel(note, fontsize=9, color="#555555")


def _tidy(ax: Axes) -> None:
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)


def _printable(text: str, font: FontProperties, width: int = 40) -> str:
    """Drop characters the font cannot draw (emoji), which would otherwise warn and show boxes."""
    drawable = _drawable_codepoints(findfont(font))
    kept = "".join(ch if ord(ch) in drawable else " " for ch in text)
    return "\n".join(textwrap.wrap(" ".join(kept.split()), width, max_lines=3, placeholder=" …"))


@cache
def _drawable_codepoints(font_path: str) -> frozenset[int]:
    return frozenset(get_font(font_path).get_charmap())
