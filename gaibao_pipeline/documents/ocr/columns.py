"""Tables without ruling lines, rebuilt from the text boxes OCR found: rows by label, columns by values.

A table printed without rules (or whose rules the scan lost) still has its structure in the
positions of its text: each row is a label followed by values, and the values of one column
stand one under the other. Consecutive lines holding several values form a block; the
horizontal centres of their values cluster into columns; every row gets one cell per
column, blank where no value stands (a blank kept as blank, which splitting a line on its
spaces would lose). A line of text alone between two rows of a block is the rest of a
label broken over two lines, and joins the nearer row.
"""

from __future__ import annotations

import itertools
import re
import statistics
from dataclasses import dataclass

from gaibao_pipeline.documents.ocr.readings import BLANK, joined
from gaibao_pipeline.documents.pdf.tables import PageTable, TableCell
from gaibao_pipeline.model import BBox, OcrReading

_VALUE = re.compile(r"^[（(]?[+\-增减]?\s*\d[\d,，.]*\s*(万元|元|件|条|%)?[）)]?$|^[/／—\-–－]+$")
MIN_VALUES = 2  # values a line needs to be a row of a table
MIN_ROWS = 2  # rows a block needs to be a table
COLUMN_GAP = 1.2  # × the median box height: value centres further apart are different columns


@dataclass(frozen=True, slots=True)
class TextBox:
    """One detected line of text read by OCR, in page points."""

    text: str
    bbox: BBox
    reading: OcrReading

    @property
    def center_x(self) -> float:
        return (self.bbox[0] + self.bbox[2]) / 2

    @property
    def is_value(self) -> bool:
        return bool(_VALUE.match(self.text.strip()))


def _lines(boxes: list[TextBox]) -> list[list[TextBox]]:
    """Boxes grouped into lines by vertical overlap, top to bottom, each left to right."""
    lines: list[list[TextBox]] = []
    for box in sorted(boxes, key=lambda b: (b.bbox[1], b.bbox[0])):
        if lines:
            last = lines[-1]
            top, bottom = min(b.bbox[1] for b in last), max(b.bbox[3] for b in last)
            overlap = min(bottom, box.bbox[3]) - max(top, box.bbox[1])
            if overlap >= 0.5 * min(bottom - top, box.bbox[3] - box.bbox[1]):
                last.append(box)
                continue
        lines.append([box])
    return [sorted(line, key=lambda b: b.bbox[0]) for line in lines]


def _is_row(line: list[TextBox]) -> bool:
    return sum(b.is_value for b in line) >= MIN_VALUES


def _blocks(lines: list[list[TextBox]]) -> list[tuple[int, int]]:
    """(first, end) line indexes of runs of rows; one text line between two rows stays inside."""
    blocks: list[tuple[int, int]] = []
    start: int | None = None
    index = 0
    while index < len(lines):
        if _is_row(lines[index]):
            start = index if start is None else start
            index += 1
            continue
        inside = start is not None and index + 1 < len(lines) and _is_row(lines[index + 1])
        if inside:
            index += 1
            continue
        if start is not None:
            blocks.append((start, index))
            start = None
        index += 1
    if start is not None:
        blocks.append((start, len(lines)))
    return [(a, b) for a, b in blocks if sum(_is_row(line) for line in lines[a:b]) >= MIN_ROWS]


def _columns(rows: list[list[TextBox]]) -> list[float]:
    """Centres of the value columns: clusters of the values' horizontal centres."""
    values = sorted(b.center_x for row in rows for b in row if b.is_value)
    height = statistics.median(b.bbox[3] - b.bbox[1] for row in rows for b in row)
    clusters: list[list[float]] = []
    for x in values:
        if clusters and x - clusters[-1][-1] <= COLUMN_GAP * height:
            clusters[-1].append(x)
        else:
            clusters.append([x])
    return [sum(c) / len(c) for c in clusters]


def _table(lines: list[list[TextBox]], page: int | None) -> PageTable | None:
    rows = [line for line in lines if _is_row(line)]
    for line in lines:
        if not _is_row(line):  # the rest of a label broken over two lines: the nearer row's
            middle = (line[0].bbox[1] + line[0].bbox[3]) / 2
            nearest = min(rows, key=lambda r: abs((r[0].bbox[1] + r[0].bbox[3]) / 2 - middle))
            nearest.extend(line)
    centres = _columns(rows)
    if len(centres) < MIN_VALUES:
        return None
    boundaries = [(a + b) / 2 for a, b in itertools.pairwise(centres)]
    first_value = min(b.bbox[0] for row in rows for b in row if b.is_value)
    x0 = min(b.bbox[0] for row in rows for b in row)
    x1 = max(b.bbox[2] for row in rows for b in row)
    xs = [x0, min(first_value, centres[0]) - 1.0, *boundaries, x1]
    cells: list[TableCell] = []
    for number, row in enumerate(rows):
        top, bottom = min(b.bbox[1] for b in row), max(b.bbox[3] for b in row)
        slots: list[list[TextBox]] = [[] for _ in range(len(centres) + 1)]
        for box in sorted(row, key=lambda b: (b.bbox[1], b.bbox[0])):
            if not box.is_value and box.bbox[2] <= xs[1] + 1.0:
                slots[0].append(box)
            else:
                slots[1 + min(range(len(centres)), key=lambda i: abs(centres[i] - box.center_x))].append(box)
        for col, boxes in enumerate(slots):
            text = ("\n" if col == 0 else " ").join(b.text for b in boxes)
            reading = joined(text, [b.reading for b in boxes]) if boxes else BLANK
            bbox = (xs[col], top, xs[col + 1], bottom)
            cells.append(TableCell(number, col, 1, 1, text, page, bbox, ocr=reading))
    bbox = (x0, min(c.bbox[1] for c in cells), x1, max(c.bbox[3] for c in cells))
    return PageTable(page, bbox, xs, cells, [page])


def borderless_tables(boxes: list[TextBox], page: int | None) -> tuple[list[PageTable], list[TextBox]]:
    """Tables rebuilt from rows of values among the boxes, and the boxes left for text lines."""
    lines = _lines(boxes)
    tables: list[PageTable] = []
    used: set[int] = set()
    for start, end in _blocks(lines):
        table = _table([list(line) for line in lines[start:end]], page)
        if table is not None:
            tables.append(table)
            used.update(range(start, end))
    rest = [box for index, line in enumerate(lines) if index not in used for box in line]
    return tables, rest
