"""Write a `SynthReport`'s statistics tables as an XLSX workbook, as agencies attach them.

The workbook holds what such an attachment holds: a title row naming the agency and the
year, each table of the form with its merged header cells (the official layout, the same
cells as every other builder), the filer and the date under the tables; numbers as numbers,
the 总计 column of table 三 as `SUM` formulas with their computed values, as Excel saves
them. A legacy report's workbook is its 统计表 with the form's header fields above it.

Variants: `one_sheet` stacks the tables on one sheet, a heading row and an empty row between
them; `sheets` gives each table a sheet of its own. The XML is written directly (as Excel
lays it out: shared strings, styles with borders, merge ranges), so the bytes are
deterministic and no spreadsheet library is needed at run time.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from gaibao_pipeline.synth import legacy_render
from gaibao_pipeline.synth.layout import T3_HEADER_ROWS, T3_LABEL_COLS
from gaibao_pipeline.synth.legacy import signature_date
from gaibao_pipeline.synth.pdf_builder import official_cells
from gaibao_pipeline.synth.values import SECTION_NUMBERS, SynthReport

VARIANTS = ("one_sheet", "sheets")
_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?")  # "01" (a legacy code) stays text
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_TITLE_STYLE, _TABLE_STYLE, _TEXT_STYLE = 1, 2, 3
_T3_APPLICANTS = 6  # applicant columns before 总计 in table 三
_SHEET_NAMES = {"t2": "主动公开情况", "t3": "依申请公开情况", "t4": "复议诉讼情况", "legacy": "统计表"}


def column_letters(col: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _ref(row: int, col: int) -> str:
    return f"{column_letters(col)}{row + 1}"


@dataclass(slots=True)
class _Sheet:
    name: str
    cells: dict[tuple[int, int], tuple[str, int, str | None]] = field(
        default_factory=dict
    )  # text, style, formula
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # row, col, last row, last col
    width: int = 1
    row: int = 0  # the next free row

    def put(self, row: int, col: int, text: str, style: int, rowspan: int = 1, colspan: int = 1) -> None:
        self.cells[(row, col)] = (text, style, None)
        for r in range(row, row + rowspan):  # a merged range is bordered all over, as Excel draws it
            for c in range(col, col + colspan):
                if (r, c) != (row, col):
                    self.cells.setdefault((r, c), ("", style, None))
        if rowspan > 1 or colspan > 1:
            self.merges.append((row, col, row + rowspan - 1, col + colspan - 1))
        self.width = max(self.width, col + colspan)

    def line(self, text: str, style: int = _TEXT_STYLE, span: int | None = None) -> None:
        """A row of one cell merged over `span` columns (the sheet's width by default)."""
        self.put(self.row, 0, text, style, colspan=max(span or self.width, 1))
        self.row += 1

    def table(self, report: SynthReport, code: str) -> None:
        top = self.row
        cells = official_cells(report, code)
        for cell in cells:
            self.put(top + cell.row, cell.col, cell.text, _TABLE_STYLE, cell.rowspan, cell.colspan)
        if code == "t3":  # the 总计 column sums the applicant columns, as the form's spreadsheet does
            total = T3_LABEL_COLS + _T3_APPLICANTS
            last = max(c.row + c.rowspan for c in cells)
            for row in range(top + T3_HEADER_ROWS, top + last):
                text, style, _ = self.cells.get((row, total), ("", _TABLE_STYLE, None))
                if _NUMBER.fullmatch(text):
                    first, end = _ref(row, T3_LABEL_COLS), _ref(row, total - 1)
                    self.cells[(row, total)] = (text, style, f"SUM({first}:{end})")
        self.row = top + max(c.row + c.rowspan for c in cells)


def _sheets(report: SynthReport, variant: str) -> list[_Sheet]:
    if report.legacy is not None:
        sheet = _Sheet(
            _SHEET_NAMES["legacy"], width=len(legacy_render.header(legacy_render.legacy_table(report)))
        )
        # the workbook's title names the report it belongs to; the form's header fields follow
        sheet.line(f"{report.title}统计表", _TITLE_STYLE)
        for text in legacy_render.above_table(report)[1:]:
            sheet.line(text)
        sheet.table(report, "legacy")
        for text in legacy_render.below_table(report):
            sheet.line(text)
        _filer(sheet, report)
        return [sheet]
    headings = {"t2": 1, "t3": 2, "t4": 3}  # the section each table belongs to
    sheets: list[_Sheet] = []
    for code, section in headings.items():
        if variant == "sheets" or not sheets:
            sheets.append(_Sheet(_SHEET_NAMES[code] if variant == "sheets" else "Sheet1", width=15))
            if len(sheets) == 1:
                sheets[0].line(f"{report.title}统计表", _TITLE_STYLE)
        else:
            sheets[-1].row += 1  # an empty row between two tables
        sheet = sheets[-1]
        sheet.line(f"{SECTION_NUMBERS[section]}、{report.section_titles[section]}", _TEXT_STYLE)
        sheet.table(report, code)
    _filer(sheets[-1], report)
    return sheets


def _filer(sheet: _Sheet, report: SynthReport) -> None:
    sheet.row += 1
    sheet.line(f"填报单位：{report.agency}", span=4)
    sheet.line(f"填报日期：{signature_date(report, chinese=False)}", span=4)


class _Strings:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.uses = 0

    def __call__(self, text: str) -> int:
        self.uses += 1
        return self.index.setdefault(text, len(self.index))

    def xml(self) -> str:
        items = "".join(
            f'<si><t xml:space="preserve">{escape(text)}</t></si>'
            if text.strip() != text or "\n" in text
            else f"<si><t>{escape(text)}</t></si>"
            for text in self.index
        )
        return (
            f'{_HEAD}<sst xmlns="{_MAIN}" count="{self.uses}" uniqueCount="{len(self.index)}">{items}</sst>'
        )


def _sheet_xml(sheet: _Sheet, strings: _Strings) -> str:
    rows: dict[int, list[str]] = {}
    for (row, col), (text, style, formula) in sorted(sheet.cells.items()):
        ref = _ref(row, col)
        if formula is not None:
            cell = f'<c r="{ref}" s="{style}"><f>{formula}</f><v>{text}</v></c>'
        elif _NUMBER.fullmatch(text):
            cell = f'<c r="{ref}" s="{style}"><v>{text}</v></c>'
        elif text:
            cell = f'<c r="{ref}" s="{style}" t="s"><v>{strings(text)}</v></c>'
        else:
            cell = f'<c r="{ref}" s="{style}"/>'
        rows.setdefault(row, []).append(cell)
    data = "".join(f'<row r="{row + 1}">{"".join(cells)}</row>' for row, cells in sorted(rows.items()))
    cols = (
        '<cols><col min="1" max="1" width="28" customWidth="1"/>'
        f'<col min="2" max="{sheet.width}" width="11" customWidth="1"/></cols>'
    )
    merges = "".join(f'<mergeCell ref="{_ref(r0, c0)}:{_ref(r1, c1)}"/>' for r0, c0, r1, c1 in sheet.merges)
    merged = f'<mergeCells count="{len(sheet.merges)}">{merges}</mergeCells>' if merges else ""
    last = _ref(max(r for r, _ in sheet.cells), sheet.width - 1)
    return (
        f'{_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><dimension ref="A1:{last}"/>'
        f'<sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        f"{cols}<sheetData>{data}</sheetData>{merged}"
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
    )


_STYLES = (
    f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="宋体"/><charset val="134"/></font>'
    '<font><b/><sz val="16"/><name val="宋体"/><charset val="134"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/>'
    "<diagonal/></border></borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">'
    '<alignment horizontal="center" vertical="center"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" applyAlignment="1">'
    '<alignment horizontal="center" vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def build_xlsx(report: SynthReport, variant: str = "one_sheet") -> bytes:
    """The report's statistics tables as an XLSX workbook; the same report gives the same bytes."""
    if variant not in VARIANTS:
        raise ValueError(f"XLSX variant must be one of {VARIANTS}, got {variant!r}")
    sheets = _sheets(report, variant)
    strings = _Strings()
    sheet_xml = [_sheet_xml(sheet, strings) for sheet in sheets]
    n = len(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, n + 1)
    )
    content_types = (
        f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{overrides}"
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>'
    )
    root_rels = (
        f'{_HEAD}<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
        'metadata/core-properties" Target="docProps/core.xml"/></Relationships>'
    )
    listed = "".join(
        f'<sheet name={quoteattr(sheet.name)} sheetId="{i}" r:id="rId{i}"/>'
        for i, sheet in enumerate(sheets, 1)
    )
    workbook = f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{listed}</sheets></workbook>'
    workbook_rels = (
        f'{_HEAD}<Relationships xmlns="{_PKG_REL}">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        + f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        + f'<Relationship Id="rId{n + 2}" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        + "</Relationships>"
    )
    core = (
        f'{_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{escape(report.title)}统计表</dc:title><dc:creator>{escape(report.agency)}</dc:creator>"
        "</cp:coreProperties>"
    )
    parts = [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", root_rels),
        ("docProps/core.xml", core),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", workbook_rels),
        ("xl/styles.xml", _STYLES),
        *((f"xl/worksheets/sheet{i}.xml", xml) for i, xml in enumerate(sheet_xml, 1)),
        ("xl/sharedStrings.xml", strings.xml()),
    ]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in parts:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(info, text.encode("utf-8"))
    return out.getvalue()
