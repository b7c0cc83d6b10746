"""A legacy report as a Word document: narrative, signature, and the 统计表 as a ruled table.

No blank template of the pre-2019 forms exists to fill, so the document is written with
python-docx the way an office would type it: a centred title, numbered section headings,
paragraphs with a first-line indent, the signature on the right, then the attachment on a
new page with the form's header fields, the table (style "Table Grid": every cell ruled)
and its note. The package is rewritten with fixed timestamps and properties taken from the
report, so the same report gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile

import docx
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Inches, Pt

from gaibao_pipeline.synth import legacy_render
from gaibao_pipeline.synth.docx_builder import core_xml, write_package
from gaibao_pipeline.synth.legacy import signature_date
from gaibao_pipeline.synth.values import SECTION_NUMBERS, SynthReport

_BODY = Pt(12)  # 小四
# Column shares of the text width (6.5 in): the label column takes most, as forms print it
_NARROW = {"unit": 0.09, "code": 0.07, "value": 0.17}  # the label column takes the rest


def _paragraph(
    document: Document,
    text: str,
    *,
    bold: bool = False,
    align: WD_ALIGN_PARAGRAPH | None = None,
    indent: bool = False,
) -> None:
    paragraph = document.add_paragraph()
    run = paragraph.add_run(text)
    run.bold = bold
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = _BODY * 2


def build_legacy_docx(report: SynthReport) -> bytes:
    """The legacy report as DOCX bytes: same report, same bytes."""
    table = legacy_render.legacy_table(report)
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.size = _BODY
    # CJK text takes the East Asian font slot; without it a converter guesses one
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")

    _paragraph(document, report.title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for n, (number, title) in enumerate(zip(SECTION_NUMBERS, report.section_titles, strict=True)):
        _paragraph(document, f"{number}、{title}", bold=True, indent=True)
        for line in report.sections[n].split("\n"):
            _paragraph(document, line, indent=True)
    _paragraph(document, report.agency, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(document, signature_date(report, table.cn_date), align=WD_ALIGN_PARAGRAPH.RIGHT)

    document.add_page_break()
    above = legacy_render.above_table(report)
    _paragraph(document, above[0], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for line in above[1:]:
        _paragraph(document, line)
    rows = legacy_render.rows(report)
    grid = document.add_table(rows=len(rows), cols=len(rows[0]))
    grid.style = "Table Grid"
    grid.autofit = False
    narrow = [_NARROW["unit"], *([_NARROW["code"]] if table.form.coded else [])]
    narrow += [_NARROW["value"]] * len(table.form.cols)
    for column, share in zip(grid.columns, (1 - sum(narrow), *narrow), strict=True):
        column.width = Inches(6.5 * share)  # the grid, which LibreOffice reads
        for cell in column.cells:
            cell.width = Inches(6.5 * share)  # each cell's own, which Word reads
    for r, (row, cells) in enumerate(zip(grid.rows, rows, strict=True)):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
            if r == 0:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
    for line in legacy_render.below_table(report):
        _paragraph(document, line)

    out = io.BytesIO()
    document.save(out)
    with zipfile.ZipFile(out) as saved:
        parts = {info.filename: saved.read(info) for info in saved.infolist()}
    parts["docProps/core.xml"] = core_xml(report)
    return write_package(parts)
