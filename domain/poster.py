"""A printable A4 invite poster: the workshop title, a big QR code of the link, and the link."""

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

DPI = 150
WIDTH, HEIGHT = 1240, 1754  # A4 portrait at 150 dpi
MARGIN = 110  # about 19 mm: clear of what most printers cannot reach
TEXT_WIDTH = WIDTH - 2 * MARGIN
QUIET_ZONE = 4  # modules; the QR standard's minimum, which phone readers rely on
MIN_MODULE = 4  # px, about 0.7 mm: below this cheap printers and old phones struggle
GAP = 40
QR_GAP = 20  # on top of the quiet zone, so text never sits right at its edge

TITLE_SIZES = (80, 72, 64, 56, 48, 42)
LINK_SIZES = (40, 34, 28)
BLURB_SIZES = (40, 36, 32, 28)
FOOTER_SIZES = (28, 24)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True, slots=True)
class _Block:
    """Lines of text wrapped at one font size."""

    font: Font
    size: int
    lines: list[str]

    @property
    def line_height(self) -> int:
        return round(self.size * 1.25)

    @property
    def height(self) -> int:
        return self.line_height * len(self.lines)


def invite_poster(*, title: str, link: str, blurb: str, footer: str = "") -> bytes:
    """A print-ready PNG poster for a workshop invite: title, QR of the link, the link in text,
    and one line saying what this is.

    Raises ValueError if the link is empty, or if the text is so long that no readable QR fits.
    """
    if not link.strip():
        raise ValueError("the invite link is empty")
    page = Image.new("L", (WIDTH, HEIGHT), 255)
    draw = ImageDraw.Draw(page)

    title_block = _fit(draw, _drawable(title).split(), " ", TITLE_SIZES, max_lines=3)
    # Break a long link after a "/" or before the "?", never mid-word unless it must.
    link_parts = [p for p in re.split(r"(?<=/)|(?=\?)", link.strip()) if p]
    link_block = _fit(draw, link_parts, "", LINK_SIZES, max_lines=1)
    blurb_block = _fit(draw, _drawable(blurb).split(), " ", BLURB_SIZES, max_lines=4)
    footer_block = _fit(draw, _drawable(footer).split(), " ", FOOTER_SIZES, max_lines=2)

    qr = segno.make(link.strip(), error="m", micro=False)
    modules = int(qr.symbol_size(scale=1, border=QUIET_ZONE)[0])
    text_height = sum(b.height for b in (title_block, link_block, blurb_block, footer_block))
    free_height = HEIGHT - 2 * MARGIN - text_height - 2 * GAP - 2 * QR_GAP
    module = min(TEXT_WIDTH, free_height) // modules
    if module < MIN_MODULE:
        raise ValueError("the title, blurb and footer leave no room for a readable QR code")
    qr_side = module * modules

    # Centre title, QR, link and blurb together; the footer sits at the foot of the page.
    body_height = (
        title_block.height + 2 * QR_GAP + qr_side + link_block.height + GAP + blurb_block.height
    )
    y = MARGIN + (HEIGHT - 2 * MARGIN - footer_block.height - GAP - body_height) // 2
    y = _draw_block(draw, title_block, y) + QR_GAP
    page.paste(_qr_image(qr, module), ((WIDTH - qr_side) // 2, y))
    y = _draw_block(draw, link_block, y + qr_side + QR_GAP)
    _draw_block(draw, blurb_block, y + GAP)
    _draw_block(draw, footer_block, HEIGHT - MARGIN - footer_block.height)

    out = io.BytesIO()
    page.save(out, format="PNG", dpi=(DPI, DPI), optimize=True)
    return out.getvalue()


@cache
def _font_file() -> str | None:
    """DejaVu Sans, which matplotlib (a dependency) ships: Latin, Greek and Cyrillic."""
    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    return str(path) if path.is_file() else None


@cache
def _font(size: int) -> Font:
    path = _font_file()
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
    parts: Sequence[str],
    joiner: str,
    sizes: Sequence[int],
    *,
    max_lines: int,
) -> _Block:
    """The largest size at which the text wraps to max_lines, else the smallest size."""
    for size in sizes:
        font = _font(size)
        lines = _wrap(draw, parts, joiner, font)
        if len(lines) <= max_lines:
            break
    return _Block(font, size, lines)


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


def _draw_block(draw: ImageDraw.ImageDraw, block: _Block, y: int) -> int:
    """Draw the lines centred from y down; return the y just below them."""
    for line in block.lines:
        draw.text((WIDTH // 2, y), line, font=block.font, fill=0, anchor="ma")
        y += block.line_height
    return y
