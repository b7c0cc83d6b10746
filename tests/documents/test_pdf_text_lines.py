"""Lines and cell texts built by the inlined `build_lines` equal those of the reader before it.

`_reference_build_lines` is the line builder as it was (one helper call per glyph pair);
the two are compared on every page and table cell of a real report and a LibreOffice export
and on generated glyphs with fake bold, multi-character OCR words, gaps either side of the
thresholds and lines that overlap.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import pytest

from gaibao_pipeline.documents.pdf.glyphs import Glyph, glyphs_from_pdfium
from gaibao_pipeline.documents.pdf.rules import page_rule_edges
from gaibao_pipeline.documents.pdf.tables import close_open_ends, table_cell_boxes, table_layouts
from gaibao_pipeline.documents.pdf.text import TextLine, build_lines, cell_text
from tests.support.pdf_pages import text_pages

ROOT = Path(__file__).parents[2]
PDFS = [
    ROOT / "gaibao_pipeline" / "sample_corpus" / "hongze2023.pdf",
    ROOT / "tests" / "data" / "documents" / "synth-2021-libreoffice.pdf",
]


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _separator(left: Glyph, right: Glyph) -> str:
    gap = right.x0 - left.x1
    size = max(left.height, right.height, 1.0)
    if _wide(left.text[-1]) or _wide(right.text[0]):
        return " " if gap > 1.0 * size else ""
    return " " if gap > 0.25 * size else ""


def _duplicate(previous: Glyph, glyph: Glyph) -> bool:
    return (
        glyph.text == previous.text
        and abs(glyph.x0 - previous.x0) < 0.3 * max(previous.x1 - previous.x0, 1.0)
        and abs(glyph.top - previous.top) < 0.3 * max(previous.height, 1.0)
    )


def _line(glyphs: list[Glyph]) -> TextLine:
    glyphs.sort(key=lambda g: g.x0)
    parts: list[str] = []
    kept: list[Glyph] = []
    for glyph in glyphs:
        if kept and _duplicate(kept[-1], glyph):
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
    return TextLine("".join(parts), bbox)


def _reference_build_lines(glyphs: Sequence[Glyph]) -> list[TextLine]:
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
            lines.append(_line(current))
        current = [glyph]
        line_top, line_bottom = glyph.top, glyph.bottom
    if current:
        lines.append(_line(current))
    return lines


def glyph_groups(path: Path) -> list[list[Glyph]]:
    """Each page's glyphs, and the glyphs of each table cell (by the cell holding their centre)."""
    groups: list[list[Glyph]] = []
    for page, textpage, left, top in text_pages(path.read_bytes()):
        glyphs = glyphs_from_pdfium(textpage, left, top).glyphs
        groups.append(glyphs)
        edges = page_rule_edges(page)
        for layout in table_layouts(table_cell_boxes(close_open_ends(edges))) if edges else []:
            cells: dict[int, list[Glyph]] = {}
            for g in glyphs:
                cell = layout.cell_at(g.center_x, g.center_y)
                if cell is not None:
                    cells.setdefault(cell, []).append(g)
            groups.extend(cells.values())
    return groups


def _reference_cell_text(glyphs: Sequence[Glyph]) -> str:
    texts = [line.text for line in _reference_build_lines(list(glyphs))]
    if len(texts) > 1 and all(len(t) == 1 and _wide(t) for t in texts):
        return "".join(texts)
    return "\n".join(texts)


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_same_lines_as_the_reference_on_real_pages_and_cells(path: Path) -> None:
    groups = glyph_groups(path)
    assert len(groups) > 50, "pages and table cells"
    assert any(len(g) == 1 for g in groups) and any(len(g) > 3 for g in groups)
    for glyphs in groups:
        assert build_lines(list(glyphs)) == _reference_build_lines(list(glyphs))
        assert cell_text(list(glyphs)) == _reference_cell_text(glyphs)


def random_glyphs(rng: random.Random) -> list[Glyph]:
    glyphs: list[Glyph] = []
    alphabet = ["政", "府", "公", "开", "，", "１", "A", "b", "7", "0", "-", "（", "x", "Ab", "12", "公开"]
    for _ in range(rng.randint(1, 40)):
        text = rng.choice(alphabet)
        size = rng.choice([0.5, 9.0, 10.5, 12.0])
        x0 = rng.uniform(0, 300)
        top = rng.choice([100.0, 100.0 + size * 0.4, 120.0, rng.uniform(90, 140)])
        glyph = Glyph(text, x0, top, x0 + size * rng.choice([0.5, 1.0, 2.0]), top + size)
        glyphs.append(glyph)
        if rng.random() < 0.2:  # fake bold: drawn again slightly offset
            glyphs.append(Glyph(text, glyph.x0 + 0.2, glyph.top + 0.1, glyph.x1 + 0.2, glyph.bottom + 0.1))
    return glyphs


@pytest.mark.parametrize("seed", range(80))
def test_same_lines_as_the_reference_on_generated_glyphs(seed: int) -> None:
    glyphs = random_glyphs(random.Random(seed))
    assert build_lines(list(glyphs)) == _reference_build_lines(list(glyphs))
    for part in (glyphs[:1], glyphs[:2], glyphs):
        assert cell_text(list(part)) == _reference_cell_text(part)


def test_empty_cell_has_no_text() -> None:
    assert cell_text([]) == _reference_cell_text([]) == ""
