"""A document's tables as one stream of cell tokens, in reading order.

Real reports split a table over pages or grids, break rows at page ends, and scraped text
loses row boundaries altogether. Reading cells as a stream, anchored on row labels, is
what every one of those shapes still has in common: a row is its label followed by its
values. Row starts are kept as soft boundaries; narrative paragraphs are hard ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

from gaibao_pipeline.documents.text.lines import is_label_line, row_cells, table_segments
from gaibao_pipeline.model import Block, Cell, Document, Grid, Paragraph, Provenance
from gaibao_pipeline.parsing.runs import has_run_together_tables, split_run_together
from gaibao_pipeline.parsing.values import ParsedValue, ValueKind, parse_value


class TokenKind(StrEnum):
    LABEL = "label"  # text: a row label, heading or fragment
    VALUE = "value"  # a number or a not-applicable mark
    EMPTY = "empty"  # a blank cell
    RUN = "run"  # digits from run-together text: maybe several cells
    PARA = "para"  # a narrative paragraph between tables


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str
    where: Provenance
    parsed: ParsedValue
    row_start: bool = False  # first cell of a grid row
    grid: int | None = None
    glued: bool = False  # from run-together text: headings may be glued to a label
    alone: bool = False  # the only cell of its grid row: text written one cell per line
    joined: bool = False  # two fragments of a number split over lines, joined (`damage`)

    @property
    def is_value(self) -> bool:
        return self.kind in (TokenKind.VALUE, TokenKind.EMPTY, TokenKind.RUN)


def recover_tables(document: Document) -> list[Block]:
    """The document's blocks with tables that survive only as text turned into grids.

    Run-together cells (`规章000行政规范性文件693665`) become run-together grids; in formats
    other than plain text (whose reader does this itself), lines of values among paragraphs
    (a PDF table without vertical rules, `一、本年新收… 21 0 0 0 0 0 21`) become line grids.
    """
    next_index = max((g.index for g in document.grids), default=-1) + 1
    blocks: list[Block] = []
    pending: list[Paragraph] = []

    def flush() -> None:
        nonlocal next_index
        if document.format != "text":
            grids, next_index = _line_tables(pending, next_index)
        else:
            grids, next_index = _headed_values(pending, next_index)
        blocks.extend(grids)
        pending.clear()

    for block in document.blocks:
        if isinstance(block, Paragraph) and has_run_together_tables(block.text):
            flush()
            blocks.extend(split_run_together(block, next_index))
            next_index += 1
        elif isinstance(block, Paragraph):
            pending.append(block)
        else:
            flush()
            blocks.append(block)
    flush()
    return blocks


HEADER_LINES = 5  # short label lines that make a header, above a few lines of values


def _headed_values(paragraphs: list[Paragraph], next_index: int) -> tuple[list[Block], int]:
    """A header of short label lines over a line or two of values: a table one cell per line.

    A crawl that collapsed table 四's fifteen zeros leaves one line of values under its
    header, too few for the text reader to call the lines a table; the header says it is one.
    """
    out: list[Block] = []
    i = 0
    while i < len(paragraphs):
        j = i
        while j < len(paragraphs) and (
            is_label_line(paragraphs[j].text) or _is_value_line(paragraphs[j].text)
        ):
            j += 1
        run = paragraphs[i:j]
        labels = sum(1 for p in run if not _is_value_line(p.text))
        if labels >= HEADER_LINES and any(_is_value_line(p.text) for p in run):
            cells = [
                Cell(row, 0, p.text.strip(), where=replace(p.where, table_index=next_index, row=row, col=0))
                for row, p in enumerate(run)
            ]
            out.append(Grid(cells, index=next_index))
            next_index += 1
        else:
            out += run
        if j < len(paragraphs):
            out.append(paragraphs[j])
        i = j + 1
    return out, next_index


def _is_value_line(text: str) -> bool:
    return parse_value(text).kind in (ValueKind.NUMBER, ValueKind.NOT_APPLICABLE)


def _line_tables(paragraphs: list[Paragraph], next_index: int) -> tuple[list[Block], int]:
    out: list[Block] = []
    position = 0
    for start, end in table_segments([p.text for p in paragraphs]):
        out += paragraphs[position:start]
        cells = []
        for row, paragraph in enumerate(paragraphs[start:end]):
            for col, text in enumerate(row_cells(paragraph.text)):
                where = replace(paragraph.where, table_index=next_index, row=row, col=col)
                cells.append(Cell(row, col, text, where=where))
        out.append(Grid(cells, index=next_index))
        next_index += 1
        position = end
    out += paragraphs[position:]
    return out, next_index


def tokens_of(blocks: list[Block]) -> list[Token]:
    """Every grid cell as a token, every paragraph as a boundary token."""
    tokens: list[Token] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            tokens.append(Token(TokenKind.PARA, block.text, block.where, ParsedValue(ValueKind.TEXT)))
            continue
        tokens.extend(_grid_tokens(block))
    return _with_units(tokens)


_MONEY_UNIT = re.compile(r"^(?:亿元|万元|千元|元|万|亿)$")


def _with_units(tokens: list[Token]) -> list[Token]:
    """A money unit crawled onto a line of its own after its number (`16` `万`) joins the number."""
    out: list[Token] = []
    for token in tokens:
        previous = out[-1] if out else None
        if (
            previous is not None
            and previous.kind == TokenKind.VALUE
            and previous.parsed.kind == ValueKind.NUMBER
            and previous.parsed.unit is None
            and token.kind == TokenKind.LABEL
            and _MONEY_UNIT.match(token.text.strip())
        ):
            text = previous.text.strip() + token.text.strip()
            out[-1] = replace(previous, text=text, parsed=parse_value(text))
            continue
        out.append(token)
    return out


def _grid_tokens(grid: Grid) -> list[Token]:
    tokens: list[Token] = []
    for row in grid.rows():
        for i, cell in enumerate(row):
            parsed = parse_value(cell.text)
            if parsed.kind == ValueKind.TEXT:
                kind = TokenKind.LABEL
            elif parsed.kind == ValueKind.BLANK:
                kind = TokenKind.EMPTY
            elif grid.run_together and parsed.kind == ValueKind.NUMBER:
                kind = TokenKind.RUN
            else:
                kind = TokenKind.VALUE
            tokens.append(
                Token(
                    kind,
                    cell.text,
                    cell.where,
                    parsed,
                    row_start=i == 0,
                    grid=grid.index,
                    glued=grid.run_together,
                    alone=len(row) == 1,
                )
            )
    return tokens
