"""A printable A4 invite poster: what the workshop is for, a big QR code of the link, how to
join, who to ask, and a way in for people without a smartphone."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import matplotlib
import segno
from PIL import Image, ImageDraw, ImageFont

from domain.texts import Texts, texts
from storage.models import Workshop

DPI = 300
WIDTH, HEIGHT = 2480, 3508  # A4 portrait (210 x 297 mm) at 300 dpi
MARGIN = 220  # about 19 mm: clear of what most printers cannot reach
TEXT_WIDTH = WIDTH - 2 * MARGIN
QUIET_ZONE = 4  # modules; the QR standard's minimum, which phone readers rely on
MIN_MODULE = 8  # px, about 0.7 mm: below this cheap printers and old phones struggle
GAP = 80  # between the groups: what it is, the code and how to use it, who to ask
LINE_GAP = 24  # between the lines of one group
QR_GAP = 40  # on top of the quiet zone, so text never sits right at its edge

TITLE_SIZES = (150, 130, 112, 96, 84)
PURPOSE_SIZE = 60
BLURB_SIZES = (76, 68, 60, 52)
LINK_SIZES = (48, 42, 36)
FOOTER_SIZES = (60, 54, 48, 44)
LINK_GREY = 70  # the link is there to type by hand: readable, quieter than the rest

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True, slots=True)
class Part:
    """One thing on the page: lines of text at one size, or the QR code (no lines)."""

    name: str
    lines: list[str]
    size: int = 0
    bold: bool = False
    grey: int = 0
    qr: Image.Image | None = None
    face: str | None = None  # the font file that has the letters of its script

    @property
    def line_height(self) -> int:
        return round(self.size * 1.25)

    @property
    def height(self) -> int:
        if self.qr is not None:
            return self.qr.height
        return self.line_height * len(self.lines)


def workshop_poster(workshop: Workshop, link: str, words: Texts | None = None) -> bytes:
    """The invite poster for a workshop, in its words and with what its facilitators set:
    in the language the workshop is written in, unless ``words`` says otherwise."""
    words = words or texts(workshop.language)
    return invite_poster(
        title=workshop.title,
        purpose=workshop.purpose,
        link=link,
        blurb=words.plain("facilitator/invite/poster_blurb", workshop=workshop),
        footer=words.plain("facilitator/invite/poster_footer", workshop=workshop),
    )


def invite_poster(
    *, title: str, link: str, blurb: str, footer: str = "", purpose: str = ""
) -> bytes:
    """A print-ready PNG poster: title, the purpose in one line, the QR code of the link,
    the blurb (how to join), the link in text, then the footer's lines (who to ask, a way in
    without a smartphone), each its own paragraph.

    Raises ValueError if the link is empty, or if the text is so long that no readable QR fits.
    """
    page = Image.new("L", (WIDTH, HEIGHT), 255)
    draw = ImageDraw.Draw(page)
    parts = layout(title=title, purpose=purpose, link=link, blurb=blurb, footer=footer)
    heights = [p.height for p in parts]
    gaps = [_gap_before(parts, i) for i in range(len(parts))]
    y = MARGIN + (HEIGHT - 2 * MARGIN - sum(heights) - sum(gaps)) // 2
    for part, gap in zip(parts, gaps, strict=True):
        y += gap
        if part.qr is not None:
            page.paste(part.qr, ((WIDTH - part.qr.width) // 2, y))
            y += part.qr.height
            continue
        for line in part.lines:
            font = _font(part.size, bold=part.bold, face=part.face)
            draw.text((WIDTH // 2, y), line, font=font, fill=part.grey, anchor="ma")
            y += part.line_height

    out = io.BytesIO()
    page.save(out, format="PNG", dpi=(DPI, DPI), optimize=True)
    return out.getvalue()


def layout(*, title: str, purpose: str, link: str, blurb: str, footer: str) -> list[Part]:
    """What goes on the page, top to bottom, each part at the size it fits at."""
    if not link.strip():
        raise ValueError("the invite link is empty")
    draw = ImageDraw.Draw(Image.new("L", (1, 1)))
    parts = [_fit(draw, "title", _drawable(title).split(), " ", TITLE_SIZES, 3, bold=True)]
    if purpose.strip():
        line = one_line(_drawable(purpose))
        parts.append(_fit(draw, "purpose", line.split(), " ", (PURPOSE_SIZE,), 1))
    below = [_fit(draw, "blurb", _drawable(blurb).split(), " ", BLURB_SIZES, 1, bold=True)]
    # Break a long link after a "/" or before the "?", never mid-word unless it must.
    link_parts = [p for p in re.split(r"(?<=/)|(?=\?)", link.strip()) if p]
    below.append(_fit(draw, "link", link_parts, "", LINK_SIZES, 1, grey=LINK_GREY))
    for paragraph in _drawable(footer).splitlines():
        if paragraph.strip():
            below.append(_fit(draw, "footer", paragraph.split(), " ", FOOTER_SIZES, 3))
    below = [p for p in below if p.lines]

    qr = segno.make(link.strip(), error="m", micro=False)
    modules = int(qr.symbol_size(scale=1, border=QUIET_ZONE)[0])
    sequence = [*parts, Part("qr", []), *below]
    gaps = sum(_gap_before(sequence, i) for i in range(len(sequence)))
    taken = sum(p.height for p in parts + below) + gaps
    module = min(TEXT_WIDTH, HEIGHT - 2 * MARGIN - taken) // modules
    if module < MIN_MODULE:
        raise ValueError("the title, blurb and footer leave no room for a readable QR code")
    return [*parts, Part("qr", [], qr=_qr_image(qr, module)), *below]


def _gap_before(parts: Sequence[Part], index: int) -> int:
    """Space above a part: none at the top, wide around the QR code and the footer."""
    if index == 0:
        return 0
    name, previous = parts[index].name, parts[index - 1].name
    if "qr" in (name, previous):
        return QR_GAP
    if name == "footer" and previous != "footer":
        return GAP
    return LINE_GAP


def one_line(text: str, size: int = PURPOSE_SIZE) -> str:
    """The first sentence of the text, cut at a word with "…" to fit one line at this size."""
    text = " ".join(text.split())
    first = re.split(r"(?<=[.!?؟।])\s", text, maxsplit=1)[0]
    font = _font(size, face=face_for(text))
    draw = ImageDraw.Draw(Image.new("L", (1, 1)))
    if draw.textlength(first, font=font) <= TEXT_WIDTH:
        return first
    words = first.split(" ")
    while len(words) > 1 and draw.textlength(" ".join(words) + "…", font=font) > TEXT_WIDTH:
        words.pop()
    line = " ".join(words).rstrip(",;:—–-") + "…"
    while draw.textlength(line, font=font) > TEXT_WIDTH:  # one word wider than the page
        line = line[:-2] + "…"
    return line


@cache
def _font_file(bold: bool = False) -> str | None:
    """DejaVu Sans, which matplotlib (a dependency) ships: Latin, Greek and Cyrillic."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name
    return str(path) if path.is_file() else None


# Where a system keeps fonts for other scripts (the Docker image installs Noto there).
SYSTEM_FONTS = Path("/usr/share/fonts")


@cache
def _faces(bold: bool) -> tuple[str, ...]:
    """Font files to draw with, best first: DejaVu, then any Noto font of the system."""
    found = [f for f in (_font_file(bold), _font_file()) if f]
    if SYSTEM_FONTS.is_dir():
        noto = sorted(
            (str(p) for p in SYSTEM_FONTS.rglob("Noto*") if p.suffix in (".ttf", ".otf")),
            key=lambda p: ("NotoSans" not in p, "Kufi" in p, p),  # plain sans first
        )
        weight = "Bold" if bold else "Regular"
        found += [p for p in noto if weight in Path(p).name]
        found += [p for p in noto if "Regular" in Path(p).name and p not in found]
    return tuple(dict.fromkeys(found))


@cache
def _letters(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # ships with matplotlib

    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


def face_for(text: str, *, bold: bool = False) -> str | None:
    """The first font file that has every letter of ``text`` (Latin and Cyrillic in DejaVu,
    Arabic script too; others where the system has a Noto font for them), else the one that
    has the most of them."""
    wanted = {ord(c) for c in text if not c.isspace() and unicodedata.category(c)[0] != "C"}
    best, best_count = None, -1
    for path in _faces(bold):
        count = len(wanted & _letters(path))
        if count == len(wanted):
            return path
        if count > best_count:
            best, best_count = path, count
    return best


@cache
def _font(size: int, *, bold: bool = False, face: str | None = None) -> Font:
    path = face or _font_file(bold) or _font_file()
    # Raqm (bundled with Pillow's wheels) joins Arabic letters and lays right-to-left
    # lines out in reading order.
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size=size)


def _drawable(text: str) -> str:
    """The text as the font can draw it: pictographs (emoji) are left out, not boxed.

    Without DejaVu (never expected), accents are dropped too: the built-in font is ASCII.
    """
    kept = "".join(c for c in text if not (unicodedata.category(c) == "So" and ord(c) > 0x2FFF))
    if _font_file() is not None:
        return kept
    decomposed = unicodedata.normalize("NFKD", kept)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _qr_image(qr: segno.QRCode, module: int) -> Image.Image:
    rows = [list(row) for row in qr.matrix_iter(scale=1, border=QUIET_ZONE)]
    img = Image.new("L", (len(rows[0]), len(rows)))
    img.putdata([0 if dark else 255 for row in rows for dark in row])
    # Nearest-neighbour at a whole number of pixels per module keeps every edge sharp.
    return img.resize((img.width * module, img.height * module), Image.Resampling.NEAREST)


def _fit(
    draw: ImageDraw.ImageDraw,
    name: str,
    parts: Sequence[str],
    joiner: str,
    sizes: Sequence[int],
    max_lines: int,
    *,
    bold: bool = False,
    grey: int = 0,
) -> Part:
    """The largest size at which the text wraps to max_lines, else the smallest size."""
    face = face_for(joiner.join(parts), bold=bold)
    for size in sizes:
        lines = _wrap(draw, parts, joiner, _font(size, bold=bold, face=face))
        if len(lines) <= max_lines:
            break
    return Part(name, lines, size, bold, grey, face=face)


def _wrap(draw: ImageDraw.ImageDraw, parts: Sequence[str], joiner: str, font: Font) -> list[str]:
    """Greedy wrap to TEXT_WIDTH; a part wider than the page is split between characters."""
    lines: list[str] = []
    line = ""
    for part in parts:
        candidate = line + joiner + part if line else part
        if draw.textlength(candidate, font=font) <= TEXT_WIDTH:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in part:
            if line and draw.textlength(line + char, font=font) > TEXT_WIDTH:
                lines.append(line)
                line = ""
            line += char
    if line:
        lines.append(line)
    return lines
