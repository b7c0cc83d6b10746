"""Fill the official blank 2021 report template (DOCX) with a `SynthReport`'s values.

The template's tables keep their real merges (`w:gridSpan`, `w:vMerge`): value cells are
found on the table grid with the same layout code the reader uses and filled in place, so
a merged value cell (行政许可's one cell spanning three columns) is written once. The zip
is rewritten member by member with fixed timestamps so that output bytes depend only on
the report. There is no blank template of the pre-2019 forms: a legacy report is written
as a document of its own (`legacy_docx.py`).
"""

from __future__ import annotations

import copy
import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from lxml import etree

from gaibao_pipeline.codes import SECTION_TITLES, T2_ROWS, T3_COL_CODES, T4_COL_CODES, T4_ROWS, t3_rows
from gaibao_pipeline.documents.docx.package import W, safe_xml_parser
from gaibao_pipeline.documents.docx.reader import cell_text, paragraph_text
from gaibao_pipeline.documents.docx.tables import TableSlot, layout_table
from gaibao_pipeline.synth.layout import T3_LABEL_COLS
from gaibao_pipeline.synth.values import SECTION_NUMBERS, SynthReport, format_value

_FIXED_TIME = (2020, 1, 1, 0, 0, 0)
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"  # w14:paraId, w14:textId
_PARA_MARK_ONLY = {W + "ins", W + "del", W + "moveFrom", W + "moveTo", W + "rPrChange"}
_PLACEHOLDER = "（文字描述"
_TEMPLATE_TITLE = "政府信息公开工作年度报告格式模板"


def _set_text(p: etree._Element, text: str) -> None:
    """Replace a `w:p`'s runs with one run of `text`, keeping paragraph and run formatting."""
    run_props = p.find(f"{W}r/{W}rPr")
    if run_props is None:
        run_props = p.find(f"{W}pPr/{W}rPr")
    for child in list(p):
        if child.tag != W + "pPr":
            p.remove(child)
    if not text:
        return
    run = etree.SubElement(p, W + "r")
    if run_props is not None:
        props = copy.deepcopy(run_props)
        for el in [e for e in props if e.tag in _PARA_MARK_ONLY]:
            props.remove(el)  # a paragraph mark's revision marks are not valid on a run
        run.append(props)
    t = etree.SubElement(run, W + "t")
    t.text = text
    t.set(_XML_SPACE, "preserve")


def _set_cell(slot: TableSlot, value: str) -> None:
    paragraphs = [el for el in slot.tc if el.tag == W + "p"]
    for extra in paragraphs[1:]:
        slot.tc.remove(extra)
    if paragraphs:
        _set_text(paragraphs[0], value)
    else:
        _set_text(etree.SubElement(slot.tc, W + "p"), value)


def _rows(tbl: etree._Element) -> dict[int, list[TableSlot]]:
    rows: dict[int, list[TableSlot]] = {}
    for slot in layout_table(tbl):
        rows.setdefault(slot.row, []).append(slot)
    return rows


def _label(slot: TableSlot) -> str:
    return "".join(cell_text([slot.tc], []).split())


def _fill_t2(tbl: etree._Element, report: SynthReport) -> None:
    by_label = {_label(row[0]): row[1:] for row in _rows(tbl).values() if row}
    for spec in T2_ROWS[report.template]:
        values = by_label.get(spec.label)
        if values is None or len(values) != len(spec.cols):
            raise ValueError(f"template table 二 has no row {spec.label} with {len(spec.cols)} value cells")
        for slot, col in zip(values, spec.cols, strict=True):
            _set_cell(slot, format_value(report.value("t2", spec.code, col)))


def _fill_t3(tbl: etree._Element, report: SynthReport) -> None:
    rows = _rows(tbl)
    first = next(r for r, slots in sorted(rows.items()) if _label(slots[0]).startswith("一、"))
    data = [[s for s in slots if s.col >= T3_LABEL_COLS] for r, slots in sorted(rows.items()) if r >= first]
    specs = t3_rows(report.split_other)
    if len(data) != len(specs) or any(len(values) != len(T3_COL_CODES) for values in data):
        raise ValueError("template table 三 does not have the rows and columns of the 2021 form")
    for spec, values in zip(specs, data, strict=True):
        for slot, col in zip(values, T3_COL_CODES, strict=True):
            _set_cell(slot, format_value(report.value("t3", spec.code, col)))


def _fill_t4(tbl: etree._Element, report: SynthReport) -> None:
    values = _rows(tbl)[max(_rows(tbl))]
    keys = [(row.code, col) for row in T4_ROWS for col in T4_COL_CODES]
    if len(values) != len(keys):
        raise ValueError("template table 四 does not have 15 value cells in its last row")
    for slot, (row, col) in zip(values, keys, strict=True):
        _set_cell(slot, format_value(report.value("t4", row, col)))


def _clone(p: etree._Element) -> etree._Element:
    """A copy of a paragraph without the ids Word expects to be unique in a document."""
    clone = copy.deepcopy(p)
    for attr in [a for a in clone.attrib if a.startswith(_W14)]:
        del clone.attrib[attr]
    return clone


def _insert_lines(p: etree._Element, lines: list[str]) -> None:
    """Write the first line into `p` and the rest into copies of it that follow."""
    _set_text(p, lines[0] if lines else "")
    anchor = p
    for line in lines[1:]:
        clone = _clone(p)
        _set_text(clone, line)
        anchor.addnext(clone)
        anchor = clone


def _fill_text(body: etree._Element, report: SynthReport) -> None:
    paragraphs = [el for el in body if el.tag == W + "p"]
    texts = [paragraph_text(p)[0].strip() for p in paragraphs]
    placeholders = iter((0, 4, 5))  # the template leaves 一, 五 and 六 to write
    template_para: etree._Element | None = None
    for i, (p, text) in enumerate(zip(paragraphs, texts, strict=True)):
        if text == _TEMPLATE_TITLE:
            _set_text(p, report.title)
        elif text.startswith(_PLACEHOLDER):
            template_para = p
            section = next(placeholders, None)
            if section is not None:
                _insert_lines(p, report.sections[section].split("\n"))
        elif text in {f"{n}、{t}" for n, t in zip(SECTION_NUMBERS[1:4], SECTION_TITLES[1:4], strict=True)}:
            number = SECTION_NUMBERS.index(text[0])
            # the empty paragraph under headings 二–四 takes that section's narrative
            if i + 1 < len(paragraphs) and not texts[i + 1]:
                _insert_lines(paragraphs[i + 1], report.sections[number].split("\n"))
    if template_para is None:
        raise ValueError("template has no （文字描述） placeholder to copy formatting from")
    signature = [
        report.agency,
        f"{report.report_date.year}年{report.report_date.month}月{report.report_date.day}日",
    ]
    anchor = body.find(W + "sectPr")
    for line in signature:
        p = _clone(template_para)
        _set_text(p, line)
        p_pr = p.find(W + "pPr")
        if p_pr is not None:
            for el in p_pr.findall(W + "ind") + p_pr.findall(W + "jc"):
                p_pr.remove(el)
            jc = etree.Element(W + "jc")
            jc.set(W + "val", "right")
            run_props = p_pr.find(W + "rPr")
            # CT_PPr is a sequence: Word rejects a w:jc after the paragraph mark's w:rPr
            if run_props is not None:
                run_props.addprevious(jc)
            else:
                p_pr.append(jc)
        if anchor is not None:
            anchor.addprevious(p)
        else:
            body.append(p)


def core_xml(report: SynthReport) -> bytes:
    """The document properties (title, author, dates) from the report, not from the clock."""
    created = f"{report.report_date.isoformat()}T09:00:00Z"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        "<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(report.title)}</dc:title><dc:creator>{escape(report.agency)}</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{created}</dcterms:modified>'
        "</cp:coreProperties>"
    ).encode()


def write_package(parts: dict[str, bytes]) -> bytes:
    """A DOCX (zip) of `parts` with fixed timestamps: the bytes depend only on the parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_STORED if name.endswith("/") else zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    return out.getvalue()


def build_docx(report: SynthReport, template_path: Path) -> bytes:
    """The 2021 template filled with `report`: same bytes for the same report and template.

    A legacy report is built without the template, as `legacy_docx.build_legacy_docx` does.
    """
    if report.template == "legacy":
        from gaibao_pipeline.synth.legacy_docx import build_legacy_docx  # it builds on this module

        return build_legacy_docx(report)
    if report.template != "2021":
        raise ValueError("the blank template is the 2021 form; build 2019-template reports as HTML")
    with zipfile.ZipFile(template_path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    root = etree.fromstring(parts["word/document.xml"], safe_xml_parser())
    body = root.find(W + "body")
    if body is None:
        raise ValueError("template has no w:body")
    tables = [el for el in body if el.tag == W + "tbl"]
    if len(tables) != 3:
        raise ValueError(f"template should hold tables 二, 三, 四; it holds {len(tables)} tables")
    _fill_t2(tables[0], report)
    _fill_t3(tables[1], report)
    _fill_t4(tables[2], report)
    _fill_text(body, report)
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    parts["docProps/core.xml"] = core_xml(report)
    return write_package(parts)
