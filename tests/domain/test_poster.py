"""domain/poster.py: an A4 invite poster whose QR code a phone reads back as the exact link."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import segno
import zxingcpp
from PIL import Image, ImageDraw, ImageOps

from domain import poster
from domain.poster import invite_poster
from domain.texts import texts
from domain.workshop_file import load_workshop_file
from storage.models import Workshop

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "what-matters.toml"

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


def test_page_is_a4_portrait_at_300_dpi() -> None:
    page = render()
    assert page.format == "PNG"
    assert page.size == (2480, 3508)  # 210 x 297 mm
    assert page.mode in {"RGB", "L"}
    assert page.info["dpi"] == pytest.approx((300, 300), abs=0.5)


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
    assert page.size == (2480, 3508)
    assert read_qr(page).text == LONGEST_LINK
    # Margins stay clear (over 13 mm): nothing ran off the edge of the page.
    left, top, right, bottom = ImageOps.invert(page.convert("L")).getbbox()
    assert min(left, top, page.width - right, page.height - bottom) >= 160


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


# ---- what the poster says, read back from the page -----------------------------------------

PURPOSE = (
    "Many people in Northfield miss health and care appointments because getting there is "
    "hard. Over 100 days, people who use local services, carers and staff will redesign how "
    "transport and appointment times work."
)
CONTACT = "Ask Priya on 0141 496 0000"
OFFLINE = "No smartphone? Call 0141 496 0000, or ask at the venue for a paper form"
SCAN = "Free Telegram app — scan with your phone camera"


def test_the_purpose_is_one_line_cut_at_a_word() -> None:
    line = poster.one_line(PURPOSE)
    assert line.endswith("…")
    assert PURPOSE.startswith(line.removesuffix("…"))
    assert PURPOSE[len(line) - 1] == " "  # the cut falls between words
    assert poster.one_line("Make the buses work.") == "Make the buses work."
    draw = ImageDraw.Draw(Image.new("L", (1, 1)))
    assert draw.textlength(line, font=poster._font(poster.PURPOSE_SIZE)) <= poster.TEXT_WIDTH


def test_every_part_is_on_the_page_in_order() -> None:
    parts = poster.layout(
        title=TITLE, purpose=PURPOSE, link=LINK, blurb=SCAN, footer=f"{CONTACT}\n{OFFLINE}"
    )
    texts = [(part.name, " ".join(part.lines)) for part in parts]
    assert [name for name, _ in texts] == [
        "title", "purpose", "qr", "blurb", "link", "footer", "footer"
    ]  # fmt: skip
    shown = dict(texts[:2]) | {"scan": texts[3][1], "link": texts[4][1]}
    assert shown["title"] == TITLE
    assert shown["purpose"] == poster.one_line(PURPOSE)
    assert shown["scan"] == SCAN
    assert shown["link"] == LINK
    assert [text for name, text in texts if name == "footer"] == [CONTACT, OFFLINE]
    # The title is printed once: no footer repeats it.
    assert sum(TITLE in text for _, text in texts) == 1


def test_a_poster_with_every_part_still_reads_back() -> None:
    page = render(
        title=LONG_TITLE, purpose=PURPOSE, blurb=SCAN, link=LONGEST_LINK,
        footer=f"{CONTACT}\n{OFFLINE}",
    )  # fmt: skip
    assert read_qr(page).text == LONGEST_LINK
    left, top, right, bottom = qr_box(read_qr(page))
    assert right - left >= 0.5 * page.width
    left, top, right, bottom = ImageOps.invert(page.convert("L")).getbbox()
    assert min(left, top, page.width - right, page.height - bottom) >= 160


def _example(**fields: str) -> Workshop:
    new = load_workshop_file(EXAMPLE)
    values = {
        name: getattr(new, name) for name in Workshop.__dataclass_fields__ if hasattr(new, name)
    }
    return Workshop(
        **values | fields, id=1, invite_code="AbCdEfGhIjKlMnOpQrSt-_", status="open",
        created_at="2026-12-01T10:00:00+00:00",
    )  # fmt: skip


def test_a_workshop_poster_says_who_to_ask_and_how_to_join_without_a_smartphone() -> None:
    workshop = _example(contact=CONTACT, offline_way_in=OFFLINE)
    page = Image.open(io.BytesIO(poster.workshop_poster(workshop, LINK)))
    assert page.size == (2480, 3508)
    assert read_qr(page).text == LINK
    parts = poster.layout(
        title=workshop.title, purpose=workshop.purpose, link=LINK,
        blurb=texts().plain("facilitator/invite/poster_blurb", workshop=workshop),
        footer=texts().plain("facilitator/invite/poster_footer", workshop=workshop),
    )  # fmt: skip
    shown = {part.name: " ".join(part.lines) for part in parts if part.name != "footer"}
    assert shown["blurb"] == SCAN
    assert shown["purpose"].startswith("Many people in Northfield miss")
    assert [" ".join(p.lines) for p in parts if p.name == "footer"] == [CONTACT, OFFLINE]


def test_without_a_contact_or_a_way_in_the_poster_says_whom_to_ask() -> None:
    workshop = _example(contact="", offline_way_in="")
    footer = texts().plain("facilitator/invite/poster_footer", workshop=workshop)
    assert footer == (
        "No smartphone? Ask the person who gave you this poster how else you can take part."
    )
    assert read_qr(Image.open(io.BytesIO(poster.workshop_poster(workshop, LINK)))).text == LINK


# What a plain pip install draws (DejaVu, which matplotlib ships); other scripts need a
# system font such as the Noto fonts the Docker image installs.
COVERED_BY_DEJAVU = {
    "Polish": "Zażółć gęślą jaźń: warsztat dla wszystkich",
    "Gaelic": "Cuir fàilte air a h-uile duine: bùth-obrach",
    "Russian": "Добро пожаловать в мастерскую",
    "Arabic": "مرحبا بكم في الورشة",
}


@pytest.mark.parametrize("text", COVERED_BY_DEJAVU.values(), ids=COVERED_BY_DEJAVU.keys())
def test_a_title_in_another_script_is_drawn_with_a_font_that_has_its_letters(text: str) -> None:
    face = poster.face_for(text, bold=True)
    assert face is not None
    letters = {ord(c) for c in text if not c.isspace()}
    assert letters <= poster._letters(face)
    parts = poster.layout(title=text, purpose="", link=LINK, blurb=BLURB, footer="")
    assert parts[0].face == face
    assert read_qr(render(title=text)).text == LINK


def test_an_arabic_title_is_laid_out_right_to_left_and_joined() -> None:
    # Shaped (joined letters) text is narrower than the same letters drawn apart.
    font = poster._font(100, face=poster.face_for("مرحبا"))
    draw = ImageDraw.Draw(Image.new("L", (1, 1)))
    joined = draw.textlength("مرحبا", font=font)
    apart = sum(draw.textlength(c, font=font) for c in "مرحبا")
    assert joined < apart


def test_a_workshop_written_in_polish_gets_a_polish_poster() -> None:
    workshop = _example(contact="", offline_way_in="")
    polish = Workshop(**{**vars_of(workshop), "language": "pl"})
    parts = poster.layout(
        title=polish.title, purpose=polish.purpose, link=LINK,
        blurb=texts("pl").plain("facilitator/invite/poster_blurb", workshop=polish),
        footer=texts("pl").plain("facilitator/invite/poster_footer", workshop=polish),
    )  # fmt: skip
    blurb = " ".join(next(p for p in parts if p.name == "blurb").lines)
    assert blurb != SCAN
    assert blurb == texts("pl").plain("facilitator/invite/poster_blurb", workshop=polish)
    page = Image.open(io.BytesIO(poster.workshop_poster(polish, LINK)))
    assert read_qr(page).text == LINK


def vars_of(workshop: Workshop) -> dict[str, object]:
    return {name: getattr(workshop, name) for name in workshop.__dataclass_fields__}


@pytest.mark.skipif(
    not (poster.SYSTEM_FONTS / "truetype" / "noto").is_dir(),
    reason="needs the Noto fonts the Docker image installs (fonts-noto-core)",
)
@pytest.mark.parametrize(
    "text", ["ہم آپ کی بات سننا چاہتے ہیں", "ਸਤ ਸ੍ਰੀ ਅਕਾਲ", "नमस्ते", "আমরা শুনতে চাই"]
)
def test_with_the_noto_fonts_urdu_punjabi_hindi_and_bengali_are_drawn(text: str) -> None:
    face = poster.face_for(text)
    assert face is not None
    assert "Noto" in face
    assert {ord(c) for c in text if not c.isspace()} <= poster._letters(face)
