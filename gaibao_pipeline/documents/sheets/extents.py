"""What a workbook's XML says about its sheets before calamine loads them: used ranges and ODS merges.

calamine holds a sheet as a dense rectangle from its first to its last cell with a value: a
5 KB XLSX with values in A1 and XFD1048576 asks for 17·10⁹ cells and aborts the process.
So the used range of every XLSX and ODS sheet is measured here first, by streaming the XML
with lxml (no entities, no DTD), and a sheet over `MAX_SHEET_CELLS` makes the file
`too_large`. XLS is bounded by its own format (65,536 × 256 cells).

calamine gives no merged ranges for ODS; they are read here, from the spans of the cells
(`table:number-columns-spanned`, `table:number-rows-spanned`), counted with the repeats
(`table:number-rows-repeated`, `table:number-columns-repeated`) the way calamine counts them.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from gaibao_pipeline.documents.docx.package import SAFE_XML_OPTIONS, read_member
from gaibao_pipeline.errors import DocumentError, Status

MAX_SHEET_CELLS = 5_000_000  # rows × columns of a sheet's used range; real statistics forms have < 10^4
Merge = tuple[tuple[int, int], tuple[int, int]]  # ((first row, first col), (last row, last col)), 0-based

_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d{1,7})")
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_T = "{" + _TABLE + "}"


@dataclass(slots=True)
class UsedRange:
    """The smallest rectangle holding every cell with a value."""

    first_row: int | None = None
    last_row: int = -1
    first_col: int | None = None
    last_col: int = -1

    def add(self, row: int, col: int, rows: int = 1, cols: int = 1) -> None:
        self.first_row = row if self.first_row is None else min(self.first_row, row)
        self.first_col = col if self.first_col is None else min(self.first_col, col)
        self.last_row = max(self.last_row, row + rows - 1)
        self.last_col = max(self.last_col, col + cols - 1)

    @property
    def cells(self) -> int:
        if self.first_row is None or self.first_col is None:
            return 0
        return (self.last_row - self.first_row + 1) * (self.last_col - self.first_col + 1)


def _check(used: UsedRange, sheet: str) -> None:
    if used.cells > MAX_SHEET_CELLS:
        raise DocumentError(
            Status.TOO_LARGE,
            f"sheet {sheet} spans {used.cells:,} cells from its first to its last value; "
            f"the limit is {MAX_SHEET_CELLS:,}",
        )


def _iterparse(data: bytes, tag: tuple[str, ...], events: tuple[str, ...]) -> etree.iterparse:
    return etree.iterparse(io.BytesIO(data), events=events, tag=tag, **SAFE_XML_OPTIONS)


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number - 1


def check_xlsx_sheets(archive: zipfile.ZipFile) -> None:
    """Raise `too_large` when an XLSX sheet's used range (cells with a value) is over `MAX_SHEET_CELLS`."""
    for name in archive.namelist():
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            _check(_xlsx_used_range(read_member(archive, name) or b"", name), name)


def _xlsx_used_range(data: bytes, name: str) -> UsedRange:
    used = UsedRange()
    row = col = -1
    try:
        for event, element in _iterparse(data, ("{*}row", "{*}c"), ("start", "end")):
            if etree.QName(element).localname == "row":
                if event == "start":
                    ref = element.get("r")
                    row, col = (int(ref) - 1 if ref and ref.isdigit() else row + 1), -1
                else:
                    element.clear()
                continue
            if event == "start":
                continue
            match = _CELL_REF.fullmatch(element.get("r") or "")
            col, row = (_column_number(match.group(1)), int(match.group(2)) - 1) if match else (col + 1, row)
            # a styled cell without a value is no part of the range calamine loads
            if any(etree.QName(child).localname in ("v", "is") for child in element):
                used.add(max(row, 0), max(col, 0))
    except etree.XMLSyntaxError as exc:
        raise DocumentError(Status.UNREADABLE, f"{name} is not well-formed XML: {exc}") from exc
    return used


@dataclass(slots=True)
class OdsSheet:
    """One ODS table: its merged ranges and used range, in calamine's coordinates."""

    merges: list[Merge] = field(default_factory=list)
    used: UsedRange = field(default_factory=UsedRange)


def _count(element: etree._Element, attribute: str) -> int:
    try:
        return max(1, int(element.get(_T + attribute) or 1))
    except ValueError:
        return 1


def _has_value(cell: etree._Element) -> bool:
    if cell.get("{" + _OFFICE + "}value-type"):
        return True
    return any((p.xpath("string()") or "").strip() for p in cell.iter("{" + _TEXT + "}p"))


def ods_sheets(content: bytes) -> list[OdsSheet]:
    """Merges and used range of every table of an ODS `content.xml`; `too_large` when one is too big."""
    sheets: list[OdsSheet] = []
    row = 0
    tags = (_T + "table", _T + "table-row", _T + "table-cell", _T + "covered-table-cell")
    try:
        for event, element in _iterparse(content, tags, ("start", "end")):
            local = etree.QName(element).localname
            if event == "start":
                if local == "table":
                    sheets.append(OdsSheet())
                    row = 0
                continue
            if local == "table":
                _check(sheets[-1].used, f"{len(sheets)}")
                element.clear()
            elif local == "table-row" and sheets:
                _read_row(element, row, sheets[-1])
                row += _count(element, "number-rows-repeated")
                element.clear()
    except etree.XMLSyntaxError as exc:
        raise DocumentError(Status.UNREADABLE, f"content.xml is not well-formed XML: {exc}") from exc
    return sheets


def _read_row(row_element: etree._Element, row: int, sheet: OdsSheet) -> None:
    rows = _count(row_element, "number-rows-repeated")
    col = 0
    for cell in row_element:
        local = etree.QName(cell).localname if isinstance(cell.tag, str) else ""
        if local not in ("table-cell", "covered-table-cell"):
            continue
        repeat = _count(cell, "number-columns-repeated")
        if local == "table-cell":
            if _has_value(cell):
                sheet.used.add(row, col, rows, repeat)
            spans = (_count(cell, "number-rows-spanned"), _count(cell, "number-columns-spanned"))
            if spans != (1, 1):
                for n in range(min(repeat, 1_000)):  # a repeated merged cell is a pathology
                    first = (row, col + n * spans[1])
                    sheet.merges.append((first, (row + spans[0] - 1, first[1] + spans[1] - 1)))
        col += repeat
    if sheet.used.cells > MAX_SHEET_CELLS:
        _check(sheet.used, "being read")
