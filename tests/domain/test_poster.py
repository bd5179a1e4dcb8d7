"""bot/poster.py: an A4 invite poster whose QR code a phone reads back as the exact link."""

from __future__ import annotations

import io

import pytest
import segno
import zxingcpp
from PIL import Image, ImageDraw, ImageOps

from domain import poster
from domain.poster import invite_poster

LINK = "https://t.me/doingwith_bot?start=AbCdEfGhIjKlMnOpQrSt-_"
# Telegram usernames are at most 32 characters; invite codes are 22 (128 bits, base64url).
LONGEST_LINK = (
    "https://t.me/" + "northfield_health_lab_invite_bot" + "?start=" + "Zz9_-" * 4 + "Q7"
)
TITLE = "Getting to appointments: a 100-day lab"
BLURB = "Scan with your phone camera to join this co-design workshop on Telegram."
LONG_TITLE = ("What matters to you about getting to your hospital appointments on time " * 2)[:120]
LONG_BLURB = ("Scan with your phone camera to take part, at your own pace, in private. " * 5)[:300]


def render(**overrides: str) -> Image.Image:
    args = {"title": TITLE, "link": LINK, "blurb": BLURB} | overrides
    page = Image.open(io.BytesIO(invite_poster(**args)))
    page.load()
    return page


def read_qr(page: Image.Image) -> zxingcpp.Barcode:
    """The one QR code on the whole page, read as a phone camera would."""
    found = zxingcpp.read_barcodes(page)
    assert len(found) == 1, found
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode
    return found[0]


def qr_box(barcode: zxingcpp.Barcode) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the QR symbol itself, without its quiet zone."""
    p = barcode.position
    corners = (p.top_left, p.top_right, p.bottom_left, p.bottom_right)
    xs, ys = [p.x for p in corners], [p.y for p in corners]
    return min(xs), min(ys), max(xs), max(ys)


def has_dark(page: Image.Image, box: tuple[int, int, int, int]) -> bool:
    """Whether anything is drawn inside box (left, top, right, bottom)."""
    darkest, _ = page.convert("L").crop(box).getextrema()
    return darkest < 128


def test_page_is_a4_portrait_at_150_dpi() -> None:
    page = render()
    assert page.format == "PNG"
    assert page.size == (1240, 1754)
    assert page.mode in {"RGB", "L"}
    assert page.info["dpi"] == pytest.approx((150, 150), abs=0.5)


@pytest.mark.parametrize(
    "link",
    [
        "https://t.me/doingwith_bot?start=abc",
        LINK,
        LONGEST_LINK,
    ],
)
def test_qr_reads_back_as_exactly_the_link(link: str) -> None:
    barcode = read_qr(render(link=link))
    assert barcode.text == link
    assert barcode.ec_level in {"M", "Q", "H"}


def test_qr_is_large_and_crisp() -> None:
    page = render(link=LONGEST_LINK)
    left, top, right, bottom = qr_box(read_qr(page))
    assert right - left >= 0.6 * page.width
    # Nearest-neighbour scaling: only pure black and pure white inside the symbol.
    colours = page.convert("L").crop((left, top, right, bottom)).getcolors()
    assert {value for _, value in colours} == {0, 255}


def test_long_title_and_blurb_still_fit() -> None:
    page = render(title=LONG_TITLE, blurb=LONG_BLURB, link=LONGEST_LINK, footer="Northfield Lab")
    assert len(LONG_TITLE) == 120
    assert len(LONG_BLURB) == 300
    assert page.size == (1240, 1754)
    assert read_qr(page).text == LONGEST_LINK
    # Margins stay clear: nothing ran off the edge of the page.
    left, top, right, bottom = ImageOps.invert(page.convert("L")).getbbox()
    assert min(left, top, page.width - right, page.height - bottom) >= 80


def test_unicode_title_does_not_crash() -> None:
    page = render(title="Café des amis: what’s next for us? 🎉 ½", footer="Zoë’s group 🙂")
    assert read_qr(page).text == LINK


@pytest.mark.parametrize("title", [TITLE, LONG_TITLE])
def test_qr_and_its_quiet_zone_are_clear_of_text(title: str) -> None:
    page = render(title=title, blurb=LONG_BLURB, link=LONGEST_LINK)
    left, top, right, bottom = qr_box(read_qr(page))
    modules = segno.make(LONGEST_LINK, error="m", micro=False).symbol_size(border=0)[0]
    # The quiet zone (4 modules) and a little more: text that ran into the QR's white square
    # would be cut off right at its edge, so that would show here.
    clear = 4 * (right - left) // modules + 10
    # The title is above the QR, and ends well before it.
    assert has_dark(page, (0, 0, page.width, top - clear))
    assert not has_dark(page, (0, top - clear, page.width, top - 1))
    # Nothing beside the QR, and the link text starts well below it.
    assert not has_dark(page, (0, top, left - 1, bottom))
    assert not has_dark(page, (right + 1, top, page.width, bottom))
    assert not has_dark(page, (0, bottom + 1, page.width, bottom + clear))
    assert has_dark(page, (0, bottom + clear, page.width, page.height))


def test_a_link_wider_than_the_page_wraps_whole() -> None:
    draw = ImageDraw.Draw(Image.new("L", (1, 1)))
    font = poster._font(80)
    lines = poster._wrap(draw, [LONGEST_LINK], "", font)
    assert len(lines) > 1
    assert "".join(lines) == LONGEST_LINK
    assert all(draw.textlength(line, font=font) <= poster.TEXT_WIDTH for line in lines)


def test_accents_stay_and_emoji_are_left_out() -> None:
    # DejaVu Sans (shipped with matplotlib) draws accented Latin, Greek and Cyrillic.
    assert poster._font_file() is not None
    assert poster._drawable("Café, Zoë’s group 🎉 Łódź Ελένη Олена") == (
        "Café, Zoë’s group  Łódź Ελένη Олена"
    )


def test_empty_link_is_refused() -> None:
    with pytest.raises(ValueError, match="link"):
        invite_poster(title=TITLE, link=" ", blurb=BLURB)


def test_text_too_long_for_a_readable_qr_is_refused() -> None:
    with pytest.raises(ValueError, match="no room"):
        invite_poster(title=TITLE, link=LINK, blurb="word " * 2000)
