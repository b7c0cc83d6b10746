"""Workbooks: every visible sheet into grids with merged cells as spans, formulas as their values,
title rows as paragraphs; hostile workbooks end with a status. XLS, WPS .et and ODS come from
LibreOffice Calc converting the generator's XLSX (once per session); whole reports round-trip in
tests/test_formats_roundtrip.py.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from gaibao_pipeline.documents import detect_format, read_document
from gaibao_pipeline.documents.sheets.layout import cell_text
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.model import Document, Grid, Paragraph
from gaibao_pipeline.runner.parse import parse_bytes
from gaibao_pipeline.synth.xlsx_builder import build_xlsx
from tests.support.workbooks import anonymous_workbook
from tests.test_formats_roundtrip import make_report, mismatches


def _t3(document: Document) -> Grid:
    return next(g for g in document.grids if any("自然人" in c.text for c in g.cells))


def _check_t3_header(document: Document) -> None:
    """The official table 三's merged header: 申请人情况 over seven columns, 法人 over five."""
    grid = _t3(document)
    by_text = {c.text.replace("\n", ""): c for c in grid.cells}
    assert (by_text["申请人情况"].colspan, by_text["申请人情况"].rowspan) == (7, 1)
    assert by_text["法人或其他组织"].colspan == 5
    assert by_text["自然人"].rowspan == 2 and by_text["总计"].rowspan == 2
    corner = grid.cells[0]
    assert (corner.row, corner.col, corner.rowspan, corner.colspan) == (0, 0, 3, 3)


def test_xlsx_merged_headers_values_and_formulas() -> None:
    built = make_report(0, "2021")
    document = read_document(build_xlsx(built, "one_sheet"), "tables.xlsx")
    assert document.format == "xlsx" and document.page_count == 1
    title = document.blocks[0]
    assert isinstance(title, Paragraph) and title.text == f"{built.title}统计表"
    assert (title.where.page, title.where.line) == (1, 1)
    assert len(document.grids) == 3
    _check_t3_header(document)
    # the 总计 column is a SUM formula: its saved value is read
    row1 = next(r for r in _t3(document).rows() if r[0].text.startswith("一、"))
    assert row1[-1].text == str(built.value("t3", "1", "total"))
    paragraphs = [b.text for b in document.blocks if isinstance(b, Paragraph)]
    day = built.report_date
    assert paragraphs[-2:] == [f"填报单位：{built.agency}", f"填报日期：{day.year}年{day.month}月{day.day}日"]


def test_a_sheet_per_table() -> None:
    document = read_document(build_xlsx(make_report(1, "2019"), "sheets"), "tables.xlsx")
    assert document.page_count == 3
    assert [g.cells[0].where.page for g in document.grids] == [1, 2, 3]
    assert [g.index for g in document.grids] == [0, 1, 2]


def test_blank_cells_are_cells() -> None:
    built = make_report(1, "2019")
    blank = next(k for k, v in built.cells.items() if v is None and k[0] == "t3")
    grid = _t3(read_document(build_xlsx(built), "t.xlsx"))
    assert len({(c.row, c.col) for c in grid.cells}) == len(grid.cells)
    slots = sum(c.rowspan * c.colspan for c in grid.cells)
    assert slots == grid.n_rows * grid.n_cols, f"every slot is one cell ({blank} is blank)"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (12.0, "12"),
        (2192.315913, "2192.315913"),
        (0.1 + 0.2, "0.3"),
        (-16, "-16"),
        ("增16", "增16"),
        (True, "TRUE"),
        (dt.datetime(2024, 1, 20), "2024-01-20"),
        (dt.datetime(2024, 1, 20, 9, 30), "2024-01-20 09:30:00"),
        (dt.date(2024, 1, 20), "2024-01-20"),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text  # type: ignore[arg-type]


def _xlsx(sheet_xml: str, hidden: bool = False) -> bytes:
    """A minimal XLSX around one sheet's XML (plus a hidden second sheet when asked)."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheets = '<sheet name="表" sheetId="1" r:id="rId1"/>'
    sheets += '<sheet name="隐藏" sheetId="2" state="hidden" r:id="rId2"/>' if hidden else ""
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{rel}/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in (1, 2)
    )
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>{sheets}</sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
        f'2006/relationships">{rels}</Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData>{sheet_xml}</sheetData>'
        "</worksheet>",
        "xl/worksheets/sheet2.xml": f'<worksheet xmlns="{main}"><sheetData><row r="1">'
        '<c r="A1" t="inlineStr"><is><t>秘密</t></is></c></row></sheetData></worksheet>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def test_hidden_sheets_are_not_read() -> None:
    data = _xlsx(f'<row r="1">{_inline("A1", "一")}{_inline("B1", "二")}</row>', hidden=True)
    document = read_document(data, "x.xlsx")
    assert "秘密" not in document.text() and document.warnings == ["hidden sheets not read: 隐藏"]


def test_a_sheet_spanning_the_whole_grid_is_too_large_before_it_is_loaded() -> None:
    # 5 KB that calamine would turn into a 17·10⁹-cell rectangle (and abort the process)
    data = _xlsx(f'<row r="1">{_inline("A1", "a")}</row><row r="1048576">{_inline("XFD1048576", "z")}</row>')
    with pytest.raises(DocumentError) as caught:
        read_document(data, "sparse.xlsx")
    assert caught.value.status is Status.TOO_LARGE and "17,179,869,184" in caught.value.message
    # styled cells without a value are no part of it
    far = '<row r="900000"><c r="XFD900000" s="1"/></row>'
    styled = _xlsx(f'<row r="1">{_inline("A1", "a")}{_inline("B1", "b")}</row>{far}')
    assert read_document(styled, "styled.xlsx").grids


def test_hostile_ods_repeats_are_too_large() -> None:
    content = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
        '<table:table table:name="S"><table:table-row table:number-rows-repeated="1048576">'
        '<table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/>'
        "</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    assert detect_format(out.getvalue()) == "ods"
    with pytest.raises(DocumentError) as caught:
        read_document(out.getvalue(), "bomb.ods")
    assert caught.value.status is Status.TOO_LARGE


def test_a_workbook_naming_no_agency_and_year_is_not_a_report() -> None:
    built = make_report(2, "2021")
    data = anonymous_workbook(built)  # the same tables, the title and filer saying nothing of whose
    report = parse_bytes(data, "tables.xlsx")
    assert report.status is Status.NOT_A_REPORT and "names no agency and year" in (report.message or "")
    named = parse_bytes(data, f"{built.agency}{built.year}年政府信息公开工作年度报告.xlsx")
    assert named.ok and not mismatches(built, named)  # the file's name names them: a report


@pytest.fixture(scope="session")
def calc_conversions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The generator's XLSX of two reports converted by LibreOffice Calc to XLS and ODS, once."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("calc")
    sources = []
    for seed, template, variant in ((0, "2021", "sheets"), (1, "2019", "one_sheet")):
        path = folder / f"r{seed}_{template}.xlsx"
        path.write_bytes(build_xlsx(make_report(seed, template), variant))
        sources.append(path)
    made: dict[str, Path] = {}
    for target in ("xls", "ods"):
        subprocess.run(
            [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{folder / 'profile'}",
             "--convert-to", target, "--outdir", str(folder / target), *map(str, sources)],
            capture_output=True, timeout=300, check=False,
        )  # fmt: skip
        for source in sources:
            out = folder / target / f"{source.stem}.{target}"
            if out.is_file():
                made[f"{source.stem}.{target}"] = out
    if len(made) < 4:
        pytest.skip("LibreOffice Calc could not convert XLSX (apt-get install libreoffice-calc-nogui)")
    return made


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_xls_and_ods_keep_merges_and_values(calc_conversions: dict[str, Path], kind: str) -> None:
    data = calc_conversions[f"r0_2021.{kind}"].read_bytes()
    assert detect_format(data, "no-extension") == kind
    document = read_document(data, f"tables.{kind}")
    assert document.format == kind and document.page_count == 3
    _check_t3_header(document)


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["r0_2021.xls", "r0_2021.ods", "r1_2019.xls", "r1_2019.ods"])
def test_xls_and_ods_parse_to_the_values_built(calc_conversions: dict[str, Path], name: str) -> None:
    seed, template = int(name[1]), name[3:7]
    report = parse_bytes(calc_conversions[name].read_bytes(), name)
    assert report.ok and not mismatches(make_report(seed, template), report)


@pytest.mark.libreoffice
def test_a_wps_et_workbook_is_an_xls_by_content(calc_conversions: dict[str, Path]) -> None:
    data = calc_conversions["r1_2019.xls"].read_bytes()
    document = read_document(data, "统计表.et")
    assert document.format == "et"
    _check_t3_header(document)
    report = parse_bytes(data, "统计表.et")
    assert report.source.format == "xls" and not mismatches(make_report(1, "2019"), report)
