"""domain/charts.py: the /stats chart renders as a PNG for every edge case, without warnings."""

from __future__ import annotations

import datetime
import io
import threading

import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from PIL import Image

from domain import charts
from domain.charts import DayCount, Funnel, funnel_rows, participation_chart
from domain.texts import texts

START = datetime.date(2025, 11, 3)
FUNNEL = Funnel(opened=40, consented=30, started=25, completed=20)
ZERO = Funnel(opened=0, consented=0, started=0, completed=0)


def month(days: int = 30) -> list[DayCount]:
    return [
        DayCount(START + datetime.timedelta(days=i), joined=i % 3, completed=i % 2)
        for i in range(days)
    ]


def open_png(data: bytes) -> Image.Image:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_renders_a_png_of_a_sane_size() -> None:
    image = open_png(participation_chart(title="What matters", days=month(), funnel=FUNNEL))
    assert image.format == "PNG"
    assert 800 <= image.width <= 2000
    assert 800 <= image.height <= 2000
    # Not blank: a real chart has many colours.
    assert len(image.convert("RGB").getcolors(maxcolors=1_000_000) or []) > 50


@pytest.mark.parametrize(
    ("title", "days", "funnel"),
    [
        pytest.param("Nothing yet", [], ZERO, id="no-days-zero-funnel"),
        pytest.param("No days", [], FUNNEL, id="no-days"),
        pytest.param("One day", [DayCount(START, 3, 1)], FUNNEL, id="single-day"),
        pytest.param("Zeros", [DayCount(START, 0, 0)], ZERO, id="all-zeros"),
        pytest.param("120 days", month(120), FUNNEL, id="120-days"),
        pytest.param("Two years", month(730), FUNNEL, id="two-years"),
        pytest.param(
            "Gaps & repeats",
            [DayCount(START, 2, 0), DayCount(START, 1, 1), DayCount(START.replace(day=20), 0, 2)],
            FUNNEL,
            id="gaps-and-repeats",
        ),
        pytest.param(
            "Out of order",
            list(reversed(month(10))),
            Funnel(opened=3, consented=5, started=5, completed=4),
            id="unsorted-and-over-100-percent",
        ),
        pytest.param("Carers & <friends> — é 🌱🙂👩‍👩‍👧", month(), FUNNEL, id="symbols-emoji"),
        pytest.param("", month(5), FUNNEL, id="empty-title"),
        pytest.param("🙂" * 5, month(5), FUNNEL, id="emoji-only-title"),
        pytest.param("A long title " * 20, month(5), FUNNEL, id="long-title"),
        pytest.param("Line one\nline two\ttab", month(5), FUNNEL, id="whitespace-title"),
    ],
)
def test_edge_cases_render_without_warnings(
    title: str, days: list[DayCount], funnel: Funnel
) -> None:
    # filterwarnings=error turns any matplotlib glyph, layout or limit warning into a failure.
    open_png(participation_chart(title=title, days=days, funnel=funnel))


@pytest.mark.parametrize(
    "title",
    [
        "Costs $5 and $10",
        "$x^2$",
        "$",
        r"\$ escaped \$",
        # Mathtext raises ValueError on unknown TeX, so this only renders if it is not parsed.
        r"Budget $\undefinedcommand$ and $\frac{a}{",
    ],
)
def test_dollar_titles_render_literally(title: str) -> None:
    open_png(participation_chart(title=title, days=month(3), funnel=FUNNEL))


def test_different_inputs_give_different_images() -> None:
    base = participation_chart(title="Same", days=month(), funnel=FUNNEL)
    assert participation_chart(title="Same", days=month(), funnel=FUNNEL) == base
    assert participation_chart(title="Same", days=month(29), funnel=FUNNEL) != base
    assert participation_chart(title="Same", days=month(), funnel=ZERO) != base
    assert participation_chart(title="Other", days=month(), funnel=FUNNEL) != base


def test_funnel_rows_labels_counts_and_percentages() -> None:
    assert funnel_rows(FUNNEL) == [
        ("Opened the link", 40, "100%"),
        ("Agreed to take part", 30, "75%"),
        ("Started answering", 25, "63%"),  # 62.5 rounds half up
        ("Sent their answers", 20, "50%"),
    ]


def test_funnel_rows_round_to_whole_percent() -> None:
    rows = funnel_rows(Funnel(opened=3, consented=2, started=1, completed=0))
    assert [share for _, _, share in rows] == ["100%", "67%", "33%", "0%"]


def test_funnel_rows_nobody_opened_has_no_percentages() -> None:
    rows = funnel_rows(ZERO)
    assert [count for _, count, _ in rows] == [0, 0, 0, 0]
    assert all(not share.endswith("%") for _, _, share in rows)


def test_renders_from_several_threads_at_once() -> None:
    results: list[bytes] = []
    errors: list[BaseException] = []

    def render(n: int) -> None:
        try:
            results.append(participation_chart(title=f"T{n}", days=month(n + 1), funnel=FUNNEL))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=render, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len({open_png(r).size for r in results}) == 1


# ---- what the chart says: a title, the dates it covers, how many people (n) ---------------


def texts_of(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def over_time(fig: Figure) -> Axes:
    return fig.axes[0]


def test_title_date_range_and_n_are_on_the_chart() -> None:
    fig = charts.figure(title="What matters", days=month(30), funnel=FUNNEL)
    shown = texts_of(fig)
    assert "What matters" in shown
    assert "3 Nov – 2 Dec 2025" in shown
    assert "n = 30 people who agreed to take part" in shown


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ([DayCount(START, 3, 1)], "3 Nov 2025"),
        (month(2), "3–4 Nov 2025"),
        (
            [DayCount(START, 1, 0), DayCount(datetime.date(2026, 1, 9), 1, 1)],
            "3 Nov 2025 – 9 Jan 2026",
        ),
        ([], ""),
    ],
)
def test_the_date_range_reads_naturally(days: list[DayCount], expected: str) -> None:
    assert charts.date_range(days) == expected


def test_one_person_is_not_people() -> None:
    fig = charts.figure(title="T", days=[DayCount(START, 1, 0)], funnel=Funnel(1, 1, 0, 0))
    assert "n = 1 person who agreed to take part" in texts_of(fig)


@pytest.mark.parametrize("count", [1, 2])
def test_one_or_two_days_are_bars_on_a_padded_axis(count: int) -> None:
    days = [DayCount(START + datetime.timedelta(days=i), 2 + i, 1) for i in range(count)]
    ax = over_time(charts.figure(title="T", days=days, funnel=FUNNEL))
    assert ax.axison
    assert not ax.get_lines()  # no lone dot, no two-point line
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_height() > 0]
    assert bars
    low, high = ax.get_xlim()
    assert high - low >= count + 0.5  # room either side of the bars
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        charts._day_label(START + datetime.timedelta(days=i)) for i in range(count)
    ]
    assert ax.get_title(loc="left") == "People taking part each day"


def test_sixty_days_are_running_totals() -> None:
    ax = over_time(charts.figure(title="T", days=month(60), funnel=FUNNEL))
    assert len(ax.get_lines()) == 2
    assert ax.get_title(loc="left") == "People taking part over time"
    assert len(ax.get_xticklabels()) <= charts.MAX_DATE_TICKS + 1


def test_nobody_yet_has_no_empty_axes_and_no_date_range() -> None:
    fig = charts.figure(title="T", days=[], funnel=ZERO)
    assert not over_time(fig).axison
    assert "No one has joined yet.\nThis fills in as people take part." in texts_of(fig)
    assert "n = 0 people who agreed to take part" in texts_of(fig)


def test_a_chart_in_polish_has_polish_words_and_dates() -> None:
    fig = charts.figure(title="Co jest ważne", days=month(30), funnel=FUNNEL, language="pl")
    shown = texts_of(fig)
    assert "Co jest ważne" in shown
    assert texts("pl").label("chart.n_people", n=30) in shown
    assert "people who agreed" not in shown
    assert "3 lis – 2 gru 2025" in shown  # November and December, in Polish
    assert not any("Nov" in text for text in shown)
