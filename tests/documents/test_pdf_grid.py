"""The fast cell finder (`grid`) finds exactly the cells pdfplumber's lines strategy finds.

Compared on the rules of real and LibreOffice-exported pages and on generated grids with
merged cells, tables cut by a page, stray strokes and rules that nearly meet.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from pdfplumber.table import cells_to_tables as plumber_tables
from pdfplumber.table import edges_to_intersections as plumber_intersections
from pdfplumber.table import intersections_to_cells as plumber_cells
from pdfplumber.table import merge_edges as plumber_merge_edges

from gaibao_pipeline.documents.pdf.glyphs import Glyph, glyphs_from_pdfium
from gaibao_pipeline.documents.pdf.grid import (
    cells_to_tables,
    edges_to_intersections,
    intersections_to_cells,
    merge_edges,
)
from gaibao_pipeline.documents.pdf.rules import page_rule_edges
from gaibao_pipeline.documents.pdf.survey import survey_page
from gaibao_pipeline.documents.pdf.tables import (
    JOIN,
    MIN_EDGE,
    SNAP,
    Edge,
    TableLayout,
    close_open_ends,
    fill_tables,
    make_edge,
    nearest_index,
    table_cell_boxes,
    table_layouts,
)
from gaibao_pipeline.documents.pdf.text import cell_text
from tests.support.pdf_pages import text_pages

ROOT = Path(__file__).parents[2]
PDFS = [
    ROOT / "gaibao_pipeline" / "sample_corpus" / "hongze2023.pdf",
    ROOT / "tests" / "data" / "documents" / "synth-2021-libreoffice.pdf",
]


def merged(edges: list[Edge]) -> list[Edge]:
    """The edges as `tables.table_cell_boxes` hands them to the cell finder."""
    edges = plumber_merge_edges(close_open_ends(edges), SNAP, SNAP, JOIN, JOIN)
    return [e for e in edges if e["width" if e["orientation"] == "h" else "height"] >= MIN_EDGE]


def plumber(edges: list[Edge]) -> list[tuple[float, float, float, float]]:
    return list(plumber_cells(plumber_intersections(edges, SNAP, SNAP)))


def ours(edges: list[Edge]) -> list[tuple[float, float, float, float]]:
    return intersections_to_cells(edges_to_intersections(edges, SNAP, SNAP))


def page_edges(path: Path) -> list[list[Edge]]:
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        pages = []
        for index in range(len(document)):
            page = document[index]
            pages.append(page_rule_edges(page))
            page.close()
        return pages
    finally:
        document.close()


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_same_cells_as_pdfplumber_on_real_pages(path: Path) -> None:
    pages = [edges for edges in page_edges(path) if edges]
    assert pages, "the fixture draws ruled tables"
    for edges in pages:
        expected = plumber(merged(edges))
        assert expected, "each ruled page holds cells"
        assert ours(merged(edges)) == expected
        assert cells_to_tables(expected) == plumber_tables(expected)


def random_grid(rng: random.Random) -> list[Edge]:
    """A ruled grid with some rules missing (merged cells), jitter, open ends and stray strokes."""
    xs = sorted(rng.sample(range(40, 560, 7), rng.randint(2, 9)))
    ys = sorted(rng.sample(range(40, 800, 5), rng.randint(2, 14)))
    jitter = rng.choice([0.0, 0.4, 2.9, 3.1])
    edges: list[Edge] = []
    for y in ys[(1 if rng.random() < 0.2 else 0) :]:  # sometimes cut by the page: no top rule
        for x0, x1 in itertools.pairwise(xs):
            if rng.random() < 0.85:
                dy = rng.uniform(-jitter, jitter)
                edges.append(make_edge("h", x0, y + dy, x1, y + dy))
    for x in xs:
        for y0, y1 in itertools.pairwise(ys):
            if rng.random() < 0.85:
                dx = rng.uniform(-jitter, jitter)
                edges.append(make_edge("v", x + dx, y0, x + dx, y1))
    for _ in range(rng.randint(0, 4)):  # strokes that are not part of the grid
        x, y = rng.uniform(0, 600), rng.uniform(0, 840)
        length = rng.uniform(1, 200)
        edges.append(
            make_edge("h", x, y, x + length, y) if rng.random() < 0.5 else make_edge("v", x, y, x, y + length)
        )
    return edges


@pytest.mark.parametrize("seed", range(60))
def test_same_cells_as_pdfplumber_on_generated_grids(seed: int) -> None:
    edges = merged(random_grid(random.Random(seed)))
    cells = plumber(edges)
    assert ours(edges) == cells
    assert cells_to_tables(cells) == plumber_tables(cells)


@pytest.mark.parametrize("seed", range(20))
def test_same_tables_as_pdfplumber_from_scattered_cells(seed: int) -> None:
    # several grids on one page, their cells in any order: tables grow over several passes
    rng = random.Random(seed)
    cells = [cell for _ in range(3) for cell in plumber(merged(random_grid(rng)))]
    rng.shuffle(cells)
    cells = list(dict.fromkeys(cells))
    assert cells_to_tables(cells) == plumber_tables(cells)


def test_raw_tolerances_match_pdfplumber_at_the_boundary() -> None:
    # a horizontal exactly the tolerance above a vertical's top still meets it
    edges = [
        make_edge("v", 100.0, 50.0, 100.0, 150.0),
        make_edge("v", 200.0, 50.0, 200.0, 150.0),
        make_edge("h", 100.0, 47.0, 200.0, 47.0),
        make_edge("h", 97.0, 153.0, 203.0, 153.0),
        make_edge("h", 100.0, 100.0, 196.9, 100.0),
    ]
    expected = plumber(edges)
    assert expected
    assert ours(edges) == expected


@pytest.mark.parametrize("value", [-5.0, 0.0, 9.99, 10.0, 15.0, 15.0001, 19.9999, 20.0, 47.5, 60.0, 99.0])
def test_nearest_edge_index_is_the_first_of_the_nearest(value: float) -> None:
    edges = [0.0, 10.0, 20.0, 30.0, 60.0]
    assert nearest_index(edges, value) == min(range(len(edges)), key=lambda i: abs(edges[i] - value))


def with_page_fields(edge: Edge) -> Edge:
    """The edge as pdfplumber's own objects carry it: doctop, y0 and y1 besides."""
    page_height = 842.0
    return {
        **edge,
        "doctop": edge["top"] + page_height,
        "y0": page_height - edge["bottom"],
        "y1": page_height - edge["top"],
    }


@pytest.mark.parametrize("seed", range(40))
def test_merged_edges_equal_pdfplumbers(seed: int) -> None:
    rng = random.Random(seed)
    edges = random_grid(rng)
    if seed % 2:
        edges = [with_page_fields(e) for e in edges]
    rng.shuffle(edges)
    for tolerance in (SNAP, 0.0):
        assert merge_edges(edges, tolerance, SNAP, JOIN, tolerance) == plumber_merge_edges(
            edges, tolerance, SNAP, JOIN, tolerance
        )


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_merged_edges_equal_pdfplumbers_on_real_pages(path: Path) -> None:
    for edges in page_edges(path):
        if edges:
            assert merge_edges(edges, SNAP, SNAP, JOIN, JOIN) == plumber_merge_edges(
                edges, SNAP, SNAP, JOIN, JOIN
            )
            closed = close_open_ends(edges)
            assert merge_edges(closed, SNAP, SNAP, JOIN, JOIN) == plumber_merge_edges(
                closed, SNAP, SNAP, JOIN, JOIN
            )


def page_glyphs_and_layouts(path: Path) -> list[tuple[list[Glyph], list[TableLayout]]]:
    pages = []
    for page, textpage, left, top in text_pages(path.read_bytes()):
        glyphs = glyphs_from_pdfium(textpage, left, top).glyphs
        edges = page_rule_edges(page)
        pages.append((glyphs, table_layouts(table_cell_boxes(close_open_ends(edges))) if edges else []))
    return pages


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_glyphs_go_to_the_cell_holding_their_centre(path: Path) -> None:
    # fill_tables inlines TableLayout.cell_at: the glyphs each cell gets, and those left over, are the same
    pages = page_glyphs_and_layouts(path)
    assert any(layouts for _, layouts in pages)
    for number, (glyphs, layouts) in enumerate(pages, start=1):
        expected: dict[tuple[int, int], list[Glyph]] = {}
        left_over: list[Glyph] = []
        for glyph in glyphs:
            for t, layout in enumerate(layouts):
                cell = layout.cell_at(glyph.center_x, glyph.center_y)
                if cell is not None:
                    expected.setdefault((t, cell), []).append(glyph)
                    break
            else:
                left_over.append(glyph)
        tables, rest = fill_tables(layouts, glyphs, number)
        assert rest == left_over
        texts = sorted(cell_text(found) for (t, cell), found in expected.items())
        assert sorted(c.text for table in tables for c in table.cells if c.text) == [t for t in texts if t]


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_rules_from_the_surveyed_objects_equal_a_fresh_walk(path: Path) -> None:
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        for index in range(len(document)):
            page = document[index]
            survey = survey_page(page)
            assert len(survey.objects) == pdfium_c.FPDFPage_CountObjects(page.raw)
            assert page_rule_edges(page, survey.objects) == page_rule_edges(page)
            page.close()
    finally:
        document.close()
