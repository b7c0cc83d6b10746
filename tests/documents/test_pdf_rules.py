"""Rules read from pdfium's page objects give the tables pdfplumber's objects give.

The reader takes table rules from pdfium (`rules`) instead of pdfminer's parse; the cell
boxes the table finder makes of them must be the same for every way a PDF draws a table: the
WPS-made sample, Word-style bars, one path holding a whole grid, scaled content, tables
inside form XObjects, and the things that are no rules (white boxes, white or diagonal lines).
"""

from __future__ import annotations

import io
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest

from gaibao_pipeline.documents.pdf.reader import read_pdf
from gaibao_pipeline.documents.pdf.rules import page_rule_edges
from gaibao_pipeline.documents.pdf.tables import Edge, close_open_ends, rule_edges, table_cell_boxes
from gaibao_pipeline.limits import Limits

from .test_pdf_fixtures import Page, build_pdf

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "gaibao_pipeline" / "sample_corpus" / "hongze2023.pdf"
XS = [60.0, 200.0, 300.0, 400.0]
CELLS = [(r, c, 1, 1, f"{r}{c}") for r in range(3) for c in range(3)]
TOLERANCE = 0.6  # points: pdfium keeps coordinates as floats, pdfminer as doubles


def rows_at(top: float, count: int, height: float = 20.0) -> list[float]:
    return [top + height * n for n in range(count + 1)]


def cell_boxes(edges: list[Edge]) -> list[list[tuple[float, ...]]]:
    tables = table_cell_boxes(close_open_ends(edges)) if edges else []
    return sorted(sorted(tuple(round(v, 1) for v in box) for box in table) for table in tables)


def same_boxes(a: list[list[tuple[float, ...]]], b: list[list[tuple[float, ...]]]) -> bool:
    return len(a) == len(b) and all(
        len(ta) == len(tb)
        and all(
            max(abs(x - y) for x, y in zip(ba, bb, strict=True)) <= TOLERANCE
            for ba, bb in zip(ta, tb, strict=True)
        )
        for ta, tb in zip(a, b, strict=True)
    )


def both_readings(data: bytes) -> list[tuple[list[list[tuple[float, ...]]], list[list[tuple[float, ...]]]]]:
    """Per page: cell boxes from pdfium's rules, and from pdfplumber's objects."""
    document = pdfium.PdfDocument(data)
    pages = []
    with pdfplumber.open(io.BytesIO(data)) as plumber:
        for index, slow in enumerate(plumber.pages):
            fast = document[index]
            pages.append(
                (
                    cell_boxes(page_rule_edges(fast)),
                    cell_boxes(rule_edges(slow.lines, slow.rects, slow.curves)),
                )
            )
            fast.close()
    document.close()
    return pages


def bar_table(page: Page, xs: list[float], ys: list[float]) -> Page:
    """A grid of thin black filled bars, as Word and WPS draw cell borders."""
    for y in ys:
        page.box(xs[0], y - 0.25, xs[-1], y + 0.25, fill=0.0)
    for x in xs:
        page.ops.append(f"0 g {x - 0.25:.2f} {842 - ys[-1]:.2f} 0.5 {ys[-1] - ys[0]:.2f} re f".encode())
    return page


def one_path_bars(page: Page, xs: list[float], ys: list[float]) -> Page:
    """Every border as a thin rectangle, all subpaths of one filled path (one `f` for the grid)."""
    rects = [f"{xs[0]:.2f} {842 - y - 0.25:.2f} {xs[-1] - xs[0]:.2f} 0.5 re" for y in ys]
    rects += [f"{x - 0.25:.2f} {842 - ys[-1]:.2f} 0.5 {ys[-1] - ys[0]:.2f} re" for x in xs]
    page.ops.append(("0 g " + " ".join(rects) + " f").encode())
    return page


def one_path_grid(page: Page, xs: list[float], ys: list[float]) -> Page:
    """Every rule of a grid as subpaths of one stroked path."""
    parts = [f"{xs[0]:.2f} {842 - y:.2f} m {xs[-1]:.2f} {842 - y:.2f} l" for y in ys]
    parts += [f"{x:.2f} {842 - ys[0]:.2f} m {x:.2f} {842 - ys[-1]:.2f} l" for x in xs]
    page.ops.append(("0.5 w 0 G " + " ".join(parts) + " S").encode())
    return page


def scaled(page: Page) -> Page:
    """The page's drawing scaled by a half and moved, with `cm`."""
    page.ops.insert(0, b"q 0.5 0 0 0.5 100 200 cm")
    page.ops.append(b"Q")
    return page


PAGES = {
    "stroked lines": Page().table(XS, rows_at(100, 3), CELLS),
    "split at both ends": Page().table(XS, rows_at(100, 3), CELLS, open_top=True, open_bottom=True),
    "stroked boxes": Page().box(60, 100, 200, 120, stroke=True).box(200, 100, 300, 120, stroke=True),
    "filled bars": bar_table(Page(), XS, rows_at(100, 3)),
    "one path": one_path_grid(Page(), XS, rows_at(100, 4)),
    "one path of bars": one_path_bars(Page(), XS, rows_at(100, 4)),
    "scaled": scaled(Page().table(XS, rows_at(100, 3), CELLS)),
    "grey rules": Page(ops=[b"0.5 G"]).table(XS, rows_at(100, 2), CELLS[:6]),
    "diagonal in corner": Page().table(XS, rows_at(100, 2), CELLS[:6]).line(60, 100, 200, 120),
}
NO_RULES = {
    "white boxes behind text": Page().box(60, 100, 530, 124).box(60, 124, 530, 148).text(64, 106, "正文"),
    "white stroked lines": Page(ops=[b"1 1 1 RG"]).box(60, 100, 530, 124, stroke=True),
    # shading, not borders: two grey header cells side by side
    "shaded cells": Page().box(60, 100, 300, 130, fill=0.8).box(300, 100, 530, 130, fill=0.8),
    "diagonals only": Page().line(60, 100, 300, 300).line(300, 100, 60, 300),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_drawn_tables_give_the_same_cells(name: str) -> None:
    ((fast, slow),) = both_readings(build_pdf([PAGES[name]]))
    assert slow, "pdfplumber should see a table here"
    assert same_boxes(fast, slow), (fast, slow)


@pytest.mark.parametrize("name", list(NO_RULES))
def test_what_no_reader_sees_as_a_rule_gives_no_table(name: str) -> None:
    ((fast, slow),) = both_readings(build_pdf([NO_RULES[name]]))
    assert fast == [] and slow == []


def test_the_wps_sample_gives_the_same_cells_on_every_page() -> None:
    pages = both_readings(SAMPLE.read_bytes())
    assert sum(len(slow) for _, slow in pages) >= 3  # t2, t3 and t4 at least
    for number, (fast, slow) in enumerate(pages, start=1):
        assert same_boxes(fast, slow), f"page {number}"


def test_tables_inside_form_xobjects_are_placed_by_the_form_matrix() -> None:
    # two pages of the sample drawn side by side at half size, each as a form XObject (N-up)
    source = pdfium.PdfDocument(SAMPLE.read_bytes())
    sheet = pdfium.PdfDocument.new()
    width, height = source[1].get_size()
    target = sheet.new_page(width, height)
    for slot, index in enumerate((1, 2)):
        form = source.page_as_xobject(index, sheet).as_pageobject()
        form.transform(pdfium.PdfMatrix().scale(0.5, 0.5).translate(slot * width / 2, height / 4))
        target.insert_obj(form)
    target.gen_content()
    out = io.BytesIO()
    sheet.save(out)
    ((fast, slow),) = both_readings(out.getvalue())
    assert len(slow) >= 2
    assert same_boxes(fast, slow), (fast, slow)


def test_a_media_box_away_from_the_origin_moves_rules_and_glyphs_alike() -> None:
    # positions are measured from the media box's top-left corner, for rules and glyphs alike
    data = build_pdf([Page().table(XS, rows_at(100, 3), CELLS)])
    shifted = data.replace(b"/MediaBox [0 0 595 842]", b"/MediaBox [-30 40 565 882]")
    assert shifted != data  # the same length: the cross-reference offsets stay right
    ((original, _),) = both_readings(data)
    ((fast, _),) = both_readings(shifted)
    moved = [[(x0 + 30, top + 40, x1 + 30, bottom + 40) for x0, top, x1, bottom in t] for t in original]
    assert original and same_boxes(fast, moved), (fast, moved)
    (grid,) = read_pdf(shifted, Limits()).grids
    assert [[c.text for c in grid.cells if c.row == r] for r in range(3)] == [
        ["00", "01", "02"],
        ["10", "11", "12"],
        ["20", "21", "22"],
    ]
