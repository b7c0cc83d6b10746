"""The one document model that every reader (text, PDF, DOCX, HTML, DOC/WPS) produces.

A `Document` is a sequence of blocks in reading order: `Paragraph`s of running text and
`Grid`s of table cells. A grid keeps every cell once, at its top-left slot, with its row and
column span, its raw text and where it came from. The parser (`gaibao_pipeline.parsing`)
reads only this model, so a new file format needs only a new reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

BBox = tuple[float, float, float, float]
"""(x0, top, x1, bottom) in PDF points, origin at the page's top-left corner.

Text read by OCR from a picture outside a PDF (an image file, a picture in a DOCX or HTML
page) is placed in points at 72 per inch of that picture's resolution (96 dpi when unstated)."""


@dataclass(frozen=True, slots=True)
class OcrReading:
    """How OCR read a piece of text: the text, the engine's confidence in it and in each character.

    `alternatives` are other readings of the same spot (the cell cropped at a higher scale,
    digits only): the identities may choose one of them when the first reading breaks them.
    """

    text: str
    confidence: float  # 0..1; a blank cell without ink is read as "" with confidence 1
    char_confidences: tuple[float, ...] = ()  # one per character of `text`
    alternatives: tuple[OcrReading, ...] = ()


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a piece of text came from. Every field is optional: each format knows some."""

    page: int | None = None  # 1-based page number (PDF, converted DOC)
    table_index: int | None = None  # 0-based index of the table in the document
    row: int | None = None  # 0-based row in that table's grid
    col: int | None = None  # 0-based column in that table's grid
    bbox: BBox | None = None  # cell or line box on the page
    line: int | None = None  # 1-based line in a text source
    ocr: OcrReading | None = None  # set when the text was read from an image by OCR

    def to_dict(self) -> dict[str, Any]:
        """The fields that are known, for JSON output."""
        out: dict[str, Any] = {}
        for key in ("page", "table_index", "row", "col", "line"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.bbox is not None:
            out["bbox"] = [round(v, 2) for v in self.bbox]
        return out


@dataclass(frozen=True, slots=True)
class Cell:
    """One table cell at its top-left slot; covered slots of a merged cell are not repeated."""

    row: int
    col: int
    text: str  # raw text as extracted: newlines inside the cell are kept
    rowspan: int = 1
    colspan: int = 1
    where: Provenance = field(default_factory=Provenance)


@dataclass(slots=True)
class Grid:
    """A table: cells with spans and provenance.

    `run_together` marks grids recovered from text whose cell separators were lost
    (`713000074`), so one cell may hold several values that the parser has to split.
    """

    cells: list[Cell]
    index: int = 0
    run_together: bool = False

    @property
    def n_rows(self) -> int:
        return max((c.row + c.rowspan for c in self.cells), default=0)

    @property
    def n_cols(self) -> int:
        return max((c.col + c.colspan for c in self.cells), default=0)

    def rows(self) -> list[list[Cell]]:
        """Cells grouped by the row they start in, each row ordered by column."""
        by_row: dict[int, list[Cell]] = {}
        for cell in self.cells:
            by_row.setdefault(cell.row, []).append(cell)
        return [sorted(by_row[r], key=lambda c: c.col) for r in sorted(by_row)]

    def text(self) -> str:
        """The grid's text in reading order, one row per line, cells separated by tabs."""
        return "\n".join("\t".join(c.text for c in row) for row in self.rows())


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A run of narrative text (a line of a text file, a paragraph of a DOCX or PDF page)."""

    text: str
    where: Provenance = field(default_factory=Provenance)


Block = Paragraph | Grid


@dataclass(slots=True)
class DocumentMetadata:
    """What the container says about the document, as opposed to what its text says."""

    title: str | None = None
    author: str | None = None
    published_at: str | None = None  # ISO 8601 publication time of the web page, where known
    created_at: str | None = None  # ISO 8601 creation time from file metadata
    source_url: str | None = None


@dataclass(slots=True)
class Document:
    """A report file read into blocks, before any report-specific parsing."""

    # "text", "pdf", "docx", "html", "doc", "wps", "rtf", "odt", "ofd", "xlsx", "xls", "et", "ods",
    # "image"
    format: str
    blocks: list[Block] = field(default_factory=list)
    page_count: int | None = None
    metadata: DocumentMetadata = field(default_factory=DocumentMetadata)
    warnings: list[str] = field(default_factory=list)

    @property
    def grids(self) -> list[Grid]:
        return [b for b in self.blocks if isinstance(b, Grid)]

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    def text(self) -> str:
        """All text in reading order; grids rendered one row per line."""
        return "\n".join(b.text if isinstance(b, Paragraph) else b.text() for b in self.blocks)
