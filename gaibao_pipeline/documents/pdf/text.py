"""Glyphs into text lines, and the page furniture (page numbers, running headers) to drop.

Chinese text is laid out character by character and often justified, so a gap between two
CJK characters is spacing, not a word break: spaces go only between Latin letters or digits,
or where a gap is as wide as a whole character.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter

from gaibao_pipeline.documents.pdf.glyphs import Glyph
from gaibao_pipeline.model import BBox

NARROW_GAP = 0.25  # × glyph height: a space between Latin letters or digits
WIDE_GAP = 1.0  # × glyph height: a space next to a CJK character
MARGIN = 0.12  # share of the page height at top and bottom where headers and footers live

_PAGE_NUMBER = re.compile(
    r"""
    [-－—–~～·•\s]*\d{1,3}[-－—–~～·•\s]*                    # 3, - 3 -, —3—
    | 第\s*\d{1,4}\s*页(\s*[,，/]?\s*共\s*\d{1,4}\s*页)?    # 第 3 页, 第3页 共5页
    | (共\s*\d{1,4}\s*页\s*[,，]?\s*)?第\s*\d{1,4}\s*页     # 共5页 第3页
    | \d{1,4}\s*/\s*\d{1,4}                               # 3/5
    | (page|p\.)\s*\d{1,4}(\s*(of|/)\s*\d{1,4})?          # Page 3 of 5
    """,
    re.IGNORECASE | re.VERBOSE,
)
_X0 = itemgetter(1)  # Glyph fields: text, x0, top, x1, bottom
_TOP_X0 = itemgetter(2, 1)
_CONTINUED = re.compile(r"[（(]?\s*续\s*(表|上表)?\s*[\d一二三四五六七八九十]*\s*[）)]?\s*[:：]?")


@dataclass(frozen=True, slots=True)
class TextLine:
    """One line of text on a page, with its box."""

    text: str
    bbox: BBox

    @property
    def top(self) -> float:
        return self.bbox[1]


def is_wide(ch: str) -> bool:
    """True for characters set one per em: CJK ideographs, kana, full-width forms and punctuation."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


_WIDE: dict[str, bool] = {}  # is_wide by character: asked for every pair of neighbouring glyphs


def _is_wide(ch: str) -> bool:
    wide = _WIDE.get(ch)
    if wide is None:
        wide = is_wide(ch)
        if len(_WIDE) < 65536:  # bounded: a file of random code points must not grow it without end
            _WIDE[ch] = wide
    return wide


def _line_text(glyphs: list[Glyph]) -> tuple[str, BBox]:
    """The line's text left to right and its box.

    A gap becomes a space only between Latin letters or digits (wider than NARROW_GAP) or
    next to a CJK character (wider than WIDE_GAP), gaps measured in glyph heights; a glyph
    drawn twice, slightly offset (Word's fake bold), is read once. Written out inline: this
    runs for every line and every table cell of a document.
    """
    glyphs.sort(key=_X0)
    first = glyphs[0]
    text, x0, top, x1, bottom = first
    parts = [text]
    left, high, right, low = x0, top, x1, bottom
    p_text, p_x0, p_top, p_x1, p_bottom = first
    for glyph in glyphs[1:]:
        text, x0, top, x1, bottom = glyph
        p_height = p_bottom - p_top
        if (
            text == p_text
            and abs(x0 - p_x0) < 0.3 * max(p_x1 - p_x0, 1.0)
            and abs(top - p_top) < 0.3 * max(p_height, 1.0)
        ):
            continue  # Word processors fake bold type by drawing each character twice
        gap = x0 - p_x1
        size = max(p_height, bottom - top, 1.0)
        if _is_wide(p_text[-1]) or _is_wide(text[0]):
            if gap > WIDE_GAP * size:
                parts.append(" ")
        elif gap > NARROW_GAP * size:
            parts.append(" ")
        parts.append(text)
        if x0 < left:
            left = x0
        if top < high:
            high = top
        if x1 > right:
            right = x1
        if bottom > low:
            low = bottom
        p_text, p_x0, p_top, p_x1, p_bottom = glyph
    return "".join(parts), (left, high, right, low)


def build_lines(glyphs: Sequence[Glyph]) -> list[TextLine]:
    """Group glyphs into lines, top to bottom, each line's glyphs left to right."""
    lines: list[TextLine] = []
    current: list[Glyph] = []
    line_top = line_bottom = 0.0
    for glyph in sorted(glyphs, key=_TOP_X0):
        top, bottom = glyph[2], glyph[4]
        if current:
            overlap = min(line_bottom, bottom) - max(line_top, top)
            if overlap >= 0.5 * min(line_bottom - line_top, bottom - top):
                current.append(glyph)
                if top < line_top:
                    line_top = top
                if bottom > line_bottom:
                    line_bottom = bottom
                continue
            lines.append(TextLine(*_line_text(current)))
        current = [glyph]
        line_top, line_bottom = top, bottom
    if current:
        lines.append(TextLine(*_line_text(current)))
    return lines


def cell_text(glyphs: Sequence[Glyph]) -> str:
    """A table cell's text: its lines joined by newlines; a vertical label becomes one word."""
    if len(glyphs) <= 1:  # most cells: empty, or one digit (what build_lines would make of them)
        return glyphs[0].text if glyphs else ""
    texts = [line.text for line in build_lines(glyphs)]
    # 三、本年度办理结果 set one character per line reads as one label; digits stay apart
    # because a column of single digits is several values, not one number
    if len(texts) > 1 and all(len(t) == 1 and is_wide(t) for t in texts):
        return "".join(texts)
    return "\n".join(texts)


def is_page_number(text: str) -> bool:
    """True for lines such as `- 3 -`, `第 3 页`, `3/5` or `Page 3 of 5`."""
    return _PAGE_NUMBER.fullmatch(text.strip()) is not None


def is_continuation_note(text: str) -> bool:
    """True for a `续表` line that announces a table continued from the previous page."""
    return "续" in text and _CONTINUED.fullmatch(text.strip()) is not None


def in_margin(line: TextLine, page_height: float) -> bool:
    """True when the line sits in the top or bottom band where headers and footers live."""
    return line.bbox[3] <= MARGIN * page_height or line.bbox[1] >= (1 - MARGIN) * page_height


def furniture_key(text: str) -> str:
    """The text with whitespace removed and digits masked, so `第3页` and `第4页` compare equal."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def running_lines(margin_texts_per_page: Sequence[set[str]]) -> set[str]:
    """The furniture keys of margin lines repeated on most pages (running headers and footers)."""
    pages = len(margin_texts_per_page)
    if pages < 2:
        return set()
    counts = Counter(key for keys in margin_texts_per_page for key in keys)
    needed = max(2, pages // 2 + 1)
    return {key for key, n in counts.items() if n >= needed and key}
