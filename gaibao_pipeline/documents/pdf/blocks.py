"""Pages of lines and tables into the document's blocks, in reading order.

Page furniture goes first (page numbers, running headers and footers), so that a table ending
one page and a table starting the next are seen as neighbours and joined.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from gaibao_pipeline.documents.pdf.merge import continues, merge_continuation, to_grid
from gaibao_pipeline.documents.pdf.tables import PageTable
from gaibao_pipeline.documents.pdf.text import (
    TextLine,
    furniture_key,
    in_margin,
    is_continuation_note,
    is_page_number,
    running_lines,
)
from gaibao_pipeline.model import BBox, Block, Paragraph, Provenance


class PageKind(StrEnum):
    """What a page's text layer is worth."""

    TEXT = "text"
    BLANK = "blank"
    SCANNED = "scanned"  # an image of a page, no text layer
    OUTLINED = "outlined"  # text drawn as vector outlines, no characters
    BROKEN = "broken"  # characters whose fonts map to no readable Unicode
    FAILED = "failed"  # the page itself could not be loaded

    @property
    def lacks_text(self) -> bool:
        return self in (PageKind.SCANNED, PageKind.OUTLINED, PageKind.BROKEN)


@dataclass(slots=True)
class PageContent:
    """One page read: its text lines outside tables, its tables, and what kind of page it is."""

    number: int  # 1-based
    height: float
    kind: PageKind
    lines: list[TextLine] = field(default_factory=list)
    tables: list[PageTable] = field(default_factory=list)
    pictures: list[BBox] = field(default_factory=list)  # pictures on a text page that may hold a table


def _without_furniture(pages: list[PageContent]) -> list[list[TextLine]]:
    margin_keys = [{furniture_key(line.text) for line in p.lines if in_margin(line, p.height)} for p in pages]
    running = running_lines(margin_keys)
    kept: list[list[TextLine]] = []
    for page in pages:
        lines = []
        for line in page.lines:
            if in_margin(line, page.height) and (
                is_page_number(line.text)
                # the first page's top line is usually the title, which a running header repeats
                or (page.number > 1 and furniture_key(line.text) in running)
            ):
                continue
            lines.append(line)
        kept.append(lines)
    return kept


def assemble_blocks(pages: list[PageContent]) -> list[Block]:
    """Paragraphs and grids in reading order, with tables continued across pages joined."""
    ordered: list[tuple[int, TextLine | PageTable]] = []
    open_table: PageTable | None = None  # a table that ended the previous page
    for page, lines in zip(pages, _without_furniture(pages), strict=True):
        items: list[TextLine | PageTable] = [
            item
            for _, _, item in sorted(
                [(line.top, 1, line) for line in lines] + [(t.bbox[1], 0, t) for t in page.tables],
                key=lambda entry: (entry[0], entry[1]),
            )
        ]
        start = 0
        while start < len(items) and isinstance(items[start], TextLine):
            line = items[start]
            if not (isinstance(line, TextLine) and is_continuation_note(line.text)):
                break
            start += 1
        first = items[start] if start < len(items) else None
        if open_table is not None and isinstance(first, PageTable) and continues(open_table, first):
            merge_continuation(open_table, first)
            rest = items[start + 1 :]
            if not rest:
                continue  # the whole page continued the table, which may go on
        else:
            rest = items
        ordered.extend((page.number, item) for item in rest)
        open_table = rest[-1] if rest and isinstance(rest[-1], PageTable) else None

    blocks: list[Block] = []
    grids = 0
    for page_number, item in ordered:
        if isinstance(item, PageTable):
            blocks.append(to_grid(item, index=grids))
            grids += 1
        else:
            blocks.append(Paragraph(item.text, Provenance(page=page_number, bbox=item.bbox)))
    return blocks
