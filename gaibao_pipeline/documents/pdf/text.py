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


def _separator(left: Glyph, right: Glyph) -> str:
    gap = right.x0 - left.x1
    size = max(left.height, right.height, 1.0)
    if is_wide(left.text[-1]) or is_wide(right.text[0]):
        return " " if gap > WIDE_GAP * size else ""
    return " " if gap > NARROW_GAP * size else ""


def _is_duplicate(previous: Glyph, glyph: Glyph) -> bool:
    # Word processors fake bold type by drawing each character twice, slightly offset
    return (
        glyph.text == previous.text
        and abs(glyph.x0 - previous.x0) < 0.3 * max(previous.x1 - previous.x0, 1.0)
        and abs(glyph.top - previous.top) < 0.3 * max(previous.height, 1.0)
    )


def _line_text(glyphs: list[Glyph]) -> tuple[str, BBox]:
    glyphs.sort(key=lambda g: g.x0)
    parts: list[str] = []
    kept: list[Glyph] = []
    for glyph in glyphs:
        if kept and _is_duplicate(kept[-1], glyph):
            continue
        if kept:
            parts.append(_separator(kept[-1], glyph))
        parts.append(glyph.text)
        kept.append(glyph)
    bbox = (
        min(g.x0 for g in kept),
        min(g.top for g in kept),
        max(g.x1 for g in kept),
        max(g.bottom for g in kept),
    )
    return "".join(parts), bbox


def build_lines(glyphs: Sequence[Glyph]) -> list[TextLine]:
    """Group glyphs into lines, top to bottom, each line's glyphs left to right."""
    lines: list[TextLine] = []
    current: list[Glyph] = []
    line_top = line_bottom = 0.0
    for glyph in sorted(glyphs, key=lambda g: (g.top, g.x0)):
        if current:
            overlap = min(line_bottom, glyph.bottom) - max(line_top, glyph.top)
            if overlap >= 0.5 * min(line_bottom - line_top, glyph.height):
                current.append(glyph)
                line_top = min(line_top, glyph.top)
                line_bottom = max(line_bottom, glyph.bottom)
                continue
            lines.append(TextLine(*_line_text(current)))
        current = [glyph]
        line_top, line_bottom = glyph.top, glyph.bottom
    if current:
        lines.append(TextLine(*_line_text(current)))
    return lines


def cell_text(glyphs: Sequence[Glyph]) -> str:
    """A table cell's text: its lines joined by newlines; a vertical label becomes one word."""
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
