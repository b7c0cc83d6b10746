"""Draw a `SynthReport` as a PDF without LibreOffice: text flow, ruled tables split across pages.

Pure Python. The tables have the official structure (the HTML builder's rowspan/colspan
tables, laid out on their grid as a browser does), the ruling lines a word processor draws,
CJK text wrapped to the cell width, and page breaks inside tables the way Word makes them:
no rule along the break (`open_breaks`), a merged label that spans the break cut in two with
its text in the first part tall enough to hold it, and a page number in the footer. A legacy
report's 统计表 follows the signature on a page of its own and runs over the next pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import html as lxml_html

from gaibao_pipeline.documents.html.tables import HtmlCell, SlotBudget, layout_table
from gaibao_pipeline.synth import legacy_render
from gaibao_pipeline.synth.html_builder import official_table
from gaibao_pipeline.synth.legacy import signature_date
from gaibao_pipeline.synth.pdf_canvas import HEIGHT, WIDTH, Cell, Page, build_pdf
from gaibao_pipeline.synth.values import SECTION_NUMBERS, SynthReport

LEFT, RIGHT = 56.0, WIDTH - 56.0
TOP, BOTTOM = 64.0, HEIGHT - 70.0
PAD = 3.0  # points between a cell's rule and its text (as `Page.table` draws it)
LEADING = 1.3  # line height / font size
BODY = 10.5
FONT = "F2"  # STSong-Light with half-width Latin letters and digits
# Column widths (points, a 483 pt text block) and font size of tables 二, 三, 四.
_TABLES: dict[str, tuple[tuple[float, ...], float]] = {
    "t2": ((159.0, 108.0, 108.0, 108.0), 9.0),
    "t3": ((36.0, 54.0, 120.0, *(39.0,) * 7), 8.0),
    "t4": ((32.2,) * 15, 7.0),
}
# The legacy form: label, unit, [code], period, cumulative (coded and uncoded forms).
_LEGACY_WIDTH = 483.0  # label, unit, [code], then one or two value columns share it
_LEGACY_NARROW = {"unit": 42.0, "code": 34.0, "value": 76.0}
_LEGACY_SIZE = 8.0


def _legacy_widths(coded: bool, values: int) -> tuple[float, ...]:
    narrow = [_LEGACY_NARROW["unit"], *([_LEGACY_NARROW["code"]] if coded else [])]
    narrow += [_LEGACY_NARROW["value"]] * values
    return (_LEGACY_WIDTH - sum(narrow), *narrow)


def text_width(text: str, size: float) -> float:
    """Width of `text` in points: CJK characters one em, ASCII half an em (font F2)."""
    return sum(size / 2 if ch.isascii() else size for ch in text)


def wrap(text: str, width: float, size: float, indent: float = 0.0) -> list[str]:
    """Lines of `text` that fit `width` points, breaking anywhere (as CJK text breaks)."""
    lines: list[str] = []
    for part in text.split("\n"):
        line, used = "", indent
        for ch in part:
            step = text_width(ch, size)
            if line and used + step > width:
                lines.append(line)
                line, used = "", 0.0
            line, used = line + ch, used + step
        lines.append(line)
        indent = 0.0
    return lines


def official_cells(report: SynthReport, table: str) -> list[HtmlCell]:
    """The official table's cells with spans, from the HTML builder's rowspan/colspan markup."""
    element = lxml_html.fragment_fromstring(official_table(report, table))
    return layout_table(element, [], SlotBudget())


@dataclass(slots=True)
class _Table:
    """One table being drawn: its cells, their wrapped text and the height of each row."""

    cells: list[HtmlCell]
    xs: list[float]
    size: float
    texts: list[str] = field(default_factory=list)
    heights: list[float] = field(default_factory=list)
    printed: set[int] = field(default_factory=set)  # cells whose text is already on a page

    def __post_init__(self) -> None:
        xs = self.xs
        self.texts = [
            "\n".join(wrap(c.text, xs[c.col + c.colspan] - xs[c.col] - 2 * PAD, self.size))
            for c in self.cells
        ]
        n_rows = max(c.row + c.rowspan for c in self.cells)
        self.heights = [self.size * LEADING + 2 * PAD] * n_rows
        for i in sorted(range(len(self.cells)), key=lambda i: self.cells[i].rowspan):
            cell = self.cells[i]
            need = self.text_height(i)
            have = sum(self.heights[cell.row : cell.row + cell.rowspan])
            if need > have:  # the cell's last row grows, as in a word processor
                self.heights[cell.row + cell.rowspan - 1] += need - have

    def text_height(self, i: int) -> float:
        return (self.texts[i].count("\n") + 1) * self.size * LEADING + 2 * PAD

    def pieces(self, start: int, end: int) -> list[Cell]:
        """The cells of rows start..end-1, cut at both ends; a cut cell's text goes where it fits."""
        out: list[Cell] = []
        for i, cell in enumerate(self.cells):
            first, last = max(cell.row, start), min(cell.row + cell.rowspan, end)
            if first >= last:
                continue
            text = ""
            fits = sum(self.heights[first:last]) >= self.text_height(i)
            if i not in self.printed and (fits or last == cell.row + cell.rowspan):
                text = self.texts[i]
                self.printed.add(i)
            out.append((first - start, cell.col, last - first, cell.colspan, text))
        return out


@dataclass(slots=True)
class _Flow:
    """Pages filled top to bottom; a new page starts when the next line or table row does not fit."""

    open_breaks: bool
    pages: list[Page] = field(default_factory=lambda: [Page()])
    y: float = TOP

    def new_page(self) -> None:
        self.pages.append(Page())
        self.y = TOP

    def lines(self, lines: list[str], size: float, *, indent: float = 0.0, right: bool = False) -> None:
        for n, line in enumerate(lines):
            if self.y + size * LEADING > BOTTOM:
                self.new_page()
            x = RIGHT - text_width(line, size) if right else LEFT + (indent if n == 0 else 0.0)
            self.pages[-1].text(x, self.y, line, size=size, font=FONT)
            self.y += size * LEADING

    def paragraph(self, text: str, size: float = BODY) -> None:
        """A paragraph with a two-character first-line indent."""
        self.lines(wrap(text, RIGHT - LEFT, size, indent=2 * size), size, indent=2 * size)
        self.y += size * 0.4

    def table(self, table: _Table) -> None:
        rows = len(table.heights)
        start = 0
        while start < rows:
            end, room = start, BOTTOM - self.y
            while end < rows and sum(table.heights[start : end + 1]) <= room:
                end += 1
            if end == start:
                if self.y > TOP:  # not one row fits under the text: the table starts on a new page
                    self.new_page()
                    continue
                end = start + 1  # a row taller than a page: drawn anyway, as Word would
            ys = [self.y]
            for height in table.heights[start:end]:
                ys.append(ys[-1] + height)
            self.pages[-1].table(
                table.xs,
                ys,
                table.pieces(start, end),
                open_top=self.open_breaks and start > 0,
                open_bottom=self.open_breaks and end < rows,
                size=table.size,
                font=FONT,
            )
            self.y = ys[-1]
            start = end
            if start < rows:
                self.new_page()
        self.y += table.size


def _columns(widths: tuple[float, ...]) -> list[float]:
    xs = [LEFT]
    for width in widths:
        xs.append(xs[-1] + width)
    return xs


def build_report_pdf(report: SynthReport, *, open_breaks: bool = True) -> bytes:
    """The report as a PDF: title, sections, tables 二/三/四 under their sections, signature.

    The same report gives the same bytes. `open_breaks=False` closes each table part with a
    rule at the page break, as some word processors do. A legacy report has no tables in
    its sections: its 统计表 follows the signature, as an attachment.
    """
    return build_pdf(layout_report(report, open_breaks=open_breaks), title=report.title.encode("utf-16-be"))


def layout_report(report: SynthReport, *, open_breaks: bool = True) -> list[Page]:
    """The report's pages as `build_report_pdf` draws them (text runs and rules kept on each page)."""
    flow = _Flow(open_breaks)
    flow.lines(wrap(report.title, RIGHT - LEFT, 16.0), 16.0)
    flow.y += 12
    legacy = report.legacy
    for n, (number, title) in enumerate(zip(SECTION_NUMBERS, report.section_titles, strict=True)):
        flow.lines([f"{number}、{title}"], 12.0)
        for text in report.sections[n].split("\n"):
            flow.paragraph(text)
        code = {1: "t2", 2: "t3", 3: "t4"}.get(n) if legacy is None else None
        if code is not None:
            widths, size = _TABLES[code]
            flow.table(_Table(official_cells(report, code), _columns(widths), size))
    flow.y += BODY
    signed = signature_date(report, chinese=legacy is not None and legacy.cn_date)
    flow.lines([report.agency, signed], BODY, right=True)
    if legacy is not None:
        flow.new_page()
        for line in legacy_render.above_table(report):
            flow.lines(wrap(line, RIGHT - LEFT, BODY), BODY)
        flow.y += BODY / 2
        widths = _legacy_widths(legacy.form.coded, len(legacy.form.cols))
        flow.table(_Table(official_cells(report, "legacy"), _columns(widths), _LEGACY_SIZE))
        for line in legacy_render.below_table(report):
            flow.lines(wrap(line, RIGHT - LEFT, BODY), BODY)
    for page_no, page in enumerate(flow.pages, start=1):
        mark = f"- {page_no} -"
        page.text((WIDTH - text_width(mark, 9.0)) / 2, HEIGHT - 50, mark, size=9.0, font=FONT)
    return flow.pages
