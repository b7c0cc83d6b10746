"""Text reader: scraped or exported plain text → `Document`.

Crawlers and Word exports flatten tables in a few recognisable ways, and this reader turns
each back into a `Grid`:

* `|`-separated rows (`label | 条 | 01 | 339 |`), one row per line;
* `|`-terminated cells one per line (`4 |`, a bare `|` for a blank cell, `||…|` ending a row);
* tab-separated rows, one row per line (leading tabs are the empty slots of merged cells);
* tab-indented cells one per line, a blank line ending the row (Word's text export);
* space-separated rows as copied from a PDF (`规章 0 5 5`), and cells one per line with no
  delimiter at all (a label line, then its numbers, each on a line of its own).

Text whose cells ran together with no separator at all stays a `Paragraph`; the parser
recovers those tables with the template's labels and identities (`parsing/runs.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gaibao_pipeline.documents.encoding import decode_text
from gaibao_pipeline.documents.text.lines import row_cells, table_segments
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.model import Block, Cell, Document, DocumentMetadata, Grid, Paragraph, Provenance

# Word's text export leaves bookmarks; Markdown converters leave emphasis markers.
_ARTIFACTS = re.compile(r"\[bookmark:[^\]]*\]|\*\*")
_MARKDOWN_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
# A crawler's page header: "发布时间: 2022-02-08 16:34", "时间:2021-02-05 大 中 小".
_HEADER_FIELD = re.compile(r"^\s*(标题|发布时间|发布日期|时间|日期|原文链接|来源)\s*[:：]\s*(.*)$")
_BODY_MARKER = re.compile(r"^=+\s*正文\s*=+$")
# "- 3 -", "第 3 页", "第3页 共5页", "3/5": page furniture of text copied from a PDF
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4})\s*$"
)
_DATETIME = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")


@dataclass(slots=True)
class _Line:
    number: int  # 1-based
    text: str
    kind: str  # "pipe", "tab", "blank", "text"


def read_text(data: bytes, limits: Limits | None = None) -> Document:
    """Decode a text file and split it into paragraphs and table grids."""
    limits = limits or Limits()
    decoded = decode_text(data)
    text = decoded.text
    if len(text) > limits.max_text_chars:
        raise DocumentError(
            Status.TOO_LARGE, f"text has {len(text):,} characters; the limit is {limits.max_text_chars:,}"
        )
    if "\x00" in text:
        raise DocumentError(Status.UNREADABLE, "file is binary data, not text")
    document = Document(format="text")
    if decoded.lossy:
        document.warnings.append(f"some bytes could not be decoded as {decoded.encoding} and were replaced")
    lines = [
        _classify(i + 1, raw)
        for i, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    ]
    document.metadata = _crawler_metadata(lines)
    document.blocks = _blocks(lines)
    return document


def _classify(number: int, raw: str) -> _Line:
    # keep trailing tabs: they are the empty cells at the end of a tab-separated row
    text = _ARTIFACTS.sub("", raw.replace("\ufeff", "")).rstrip(" \r\n\u3000")
    if not text.strip() and "\t" not in text:
        return _Line(number, text, "blank")
    if _is_rule(text) or _PAGE_NUMBER.match(text):
        return _Line(number, text, "blank")
    if "|" in text and (text.endswith("|") or " | " in text or text.lstrip().startswith("|")):
        return _Line(number, text, "pipe")
    if "\t" in text:
        return _Line(number, text, "tab")
    return _Line(number, text, "text")


def _crawler_metadata(lines: list[_Line]) -> DocumentMetadata:
    """Title, publication time and URL from a crawler's header block, if the file has one."""
    meta = DocumentMetadata()
    for line in lines[:15]:
        if _BODY_MARKER.match(line.text.strip()):
            break
        match = _HEADER_FIELD.match(line.text)
        if not match:
            continue
        field, value = match.group(1), match.group(2).strip()
        if field == "标题" and value:
            meta.title = value
        elif field == "原文链接" and value:
            meta.source_url = value
        elif field in ("发布时间", "发布日期", "时间", "日期") and meta.published_at is None:
            meta.published_at = iso_datetime(value)
    return meta


def iso_datetime(text: str) -> str | None:
    """The first date (and time) in `text` as ISO 8601, or None."""
    match = _DATETIME.search(text)
    if not match:
        return None
    year, month, day, hour, minute, second = match.groups()
    try:
        if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
            return None
    except ValueError:
        return None
    date = f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
    if hour is None:
        return date
    return f"{date}T{int(hour):02d}:{int(minute):02d}:{int(second or 0):02d}"


def _is_rule(text: str) -> bool:
    """A Markdown table's rule (`|---|---|`) or a text rule (`-----`), not a cell of dashes.

    A crawler that writes one cell per line ends each with a bar (`---- |`), Word's text
    export opens each with a tab (`\t----`): such a line is a cell holding the dash a form
    prints where an indicator has no value, which is data.
    """
    if not (_MARKDOWN_RULE.match(text) and "-" in text):
        return False
    body = text.strip()
    bar_cell = body.endswith("|") and body.count("|") == 1 and not body.startswith("|")
    tab_cell = "|" not in text and text.startswith("\t")
    return not (bar_cell or tab_cell)


def _blocks(lines: list[_Line]) -> list[Block]:
    blocks: list[Block] = []
    i = 0
    table_index = 0
    while i < len(lines):
        line = lines[i]
        if line.kind in ("pipe", "tab"):
            j = i
            # a table block runs until the first line of narrative text; blank lines inside it
            # are row separators (Word export) or page-break debris
            while j < len(lines) and lines[j].kind in (line.kind, "blank"):
                j += 1
            while j > i and lines[j - 1].kind == "blank":
                j -= 1
            table_lines = lines[i:j]
            grid = (
                _pipe_grid(table_lines, table_index)
                if line.kind == "pipe"
                else _tab_grid(table_lines, table_index)
            )
            if grid.cells:
                blocks.append(grid)
                table_index += 1
            i = j
            continue
        if line.kind == "text":
            j = i
            while j < len(lines) and lines[j].kind in ("text", "blank"):
                j += 1
            table_index = _plain_lines(lines[i:j], blocks, table_index)
            i = j
            continue
        i += 1
    return blocks


def _plain_lines(run: list[_Line], blocks: list[Block], table_index: int) -> int:
    """Narrative lines as paragraphs, and runs of value lines among them as grids."""
    texts = [None if line.kind == "blank" else line.text for line in run]
    position = 0
    for start, end in table_segments(texts):
        blocks += [_paragraph(line) for line in run[position:start] if line.kind == "text"]
        builder = _GridBuilder(table_index)
        for line in run[start:end]:
            if line.kind == "text":
                for cell in row_cells(line.text):
                    builder.add(cell, line.number)
                builder.end_row()
        blocks.append(builder.grid())
        table_index += 1
        position = end
    blocks += [_paragraph(line) for line in run[position:] if line.kind == "text"]
    return table_index


def _paragraph(line: _Line) -> Paragraph:
    return Paragraph(line.text.strip(), Provenance(line=line.number))


def _pipe_cells(text: str, markdown: bool) -> list[str]:
    body = text.strip()
    if markdown and body.startswith("|"):
        body = body[1:]  # Markdown's leading bar, not an empty first cell
    pieces = body.split("|")
    if body.endswith("|"):
        pieces = pieces[:-1]
    return [p.strip() for p in pieces]


def _pipe_grid(lines: list[_Line], table_index: int) -> Grid:
    pipe_lines = [line for line in lines if line.kind == "pipe"]
    # Markdown tables open every row with a bar; crawled rows open with their first cell,
    # so there a leading bar is an empty first cell
    texts = [line.text.strip() for line in pipe_lines if line.text.strip("| ")]
    markdown = bool(texts) and all(t.startswith("|") for t in texts)
    rows = [(line, _pipe_cells(line.text, markdown)) for line in pipe_lines]
    single = sum(1 for _, cells in rows if len(cells) == 1)
    one_cell_per_line = single > len(rows) * 0.6
    builder = _GridBuilder(table_index)
    for line, cells in rows:
        if one_cell_per_line:
            if len(cells) > 1 and not any(cells):
                builder.end_row()  # "||…|": the crawler's padding for spanned slots ends a row
            else:
                for cell in cells:
                    builder.add(cell, line.number)
        else:
            for cell in cells:
                builder.add(cell, line.number)
            builder.end_row()
    builder.end_row()
    return builder.grid()


def _tab_grid(lines: list[_Line], table_index: int) -> Grid:
    tab_lines = [line for line in lines if line.kind == "tab"]
    indented_single = sum(
        1 for line in tab_lines if line.text.startswith("\t") and line.text.count("\t") == 1
    )
    one_cell_per_line = indented_single > len(tab_lines) * 0.8
    builder = _GridBuilder(table_index)
    for line in lines:
        if line.kind == "blank":
            if one_cell_per_line:
                builder.end_row()
            continue
        if one_cell_per_line:
            builder.add(line.text.strip(), line.number)
        else:
            for cell in line.text.split("\t"):
                builder.add(cell.strip(), line.number)
            builder.end_row()
    builder.end_row()
    return builder.grid()


class _GridBuilder:
    def __init__(self, table_index: int) -> None:
        self.table_index = table_index
        self.cells: list[Cell] = []
        self.row = 0
        self.col = 0

    def add(self, text: str, line: int) -> None:
        where = Provenance(table_index=self.table_index, row=self.row, col=self.col, line=line)
        self.cells.append(Cell(self.row, self.col, text, where=where))
        self.col += 1

    def end_row(self) -> None:
        if self.col:
            self.row += 1
            self.col = 0

    def grid(self) -> Grid:
        return Grid(self.cells, index=self.table_index)
