"""Synthetic reports: random values satisfy the spec's identities; the DOCX and HTML builders
are deterministic, keep the template's merges, fill every value cell and write the narrative,
title, signature and declared encoding."""

from __future__ import annotations

import io
import random
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from gaibao_pipeline.codes import T3_APPLICANT_COLS, T4_ROWS, cell_codes, t3_leaf_codes
from gaibao_pipeline.synth import SynthReport, build_docx, build_html, random_report
from gaibao_pipeline.synth.layout import cell_positions
from gaibao_pipeline.synth.values import format_value

TEMPLATE = Path(__file__).parents[1] / "data" / "documents" / "template-2021-blank.docx"
SEEDS = range(40)


def _n(report: SynthReport, row: str, col: str, table: str = "t3") -> int | float:
    value = report.cells[(table, row, col)]
    return 0 if value is None else value  # blank counts as 0 in sums (spec §4)


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_random_report_is_consistent(template: str) -> None:
    for seed in SEEDS:
        report = random_report(random.Random(seed), template, int(template), "某某市统计局")
        assert list(report.cells) == cell_codes(template, split_other=template == "2021")
        leaves = t3_leaf_codes(report.split_other)
        for col in (*T3_APPLICANT_COLS, "total"):
            # t3.balance and t3.results_sum
            assert _n(report, "1", col) + _n(report, "2", col) == _n(report, "3.7", col) + _n(
                report, "4", col
            )
            assert _n(report, "3.7", col) == sum(_n(report, leaf, col) for leaf in leaves)
        for row in ("1", "2", *leaves, "3.7", "4"):  # t3.row_total
            assert _n(report, row, "total") == sum(_n(report, row, c) for c in T3_APPLICANT_COLS)
        for t4 in T4_ROWS:  # t4.block_total
            parts = sum(_n(report, t4.code, c, "t4") for c in ("upheld", "corrected", "other", "pending"))
            assert _n(report, t4.code, "total", "t4") == parts
        for (table, _row, col), value in report.cells.items():  # values.domain
            if value is None or col == "change":
                continue
            assert value >= 0
            if col not in ("fee_amount", "procurement_amount"):
                assert isinstance(value, int), (table, col)


def test_random_report_is_deterministic_and_varied() -> None:
    def make(seed: int) -> SynthReport:
        return random_report(random.Random(seed), "2021", 2021, "某某局")

    assert make(1) == make(1)
    assert make(1).cells != make(2).cells
    totals = [make(s).cells[("t3", "1", "natural_person")] for s in SEEDS]
    assert max(t for t in totals if t is not None) >= 20  # plausible magnitudes, not all tiny


def test_blanks_only_in_2019_style() -> None:
    def blank(template: str) -> int:
        reports = [random_report(random.Random(s), template, int(template), "局") for s in SEEDS]
        return sum(v is None for r in reports for v in r.cells.values())

    assert blank("2019") > 0
    assert blank("2021") == 0


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_cell_positions_cover_every_code(template: str) -> None:
    positions = cell_positions(template)
    assert set(positions) == set(cell_codes(template, split_other=template == "2021"))
    slots = [(p.table_index, p.row, p.col) for p in positions.values()]
    assert len(slots) == len(set(slots))


@pytest.fixture(scope="module")
def report() -> SynthReport:
    return random_report(random.Random(99), "2021", 2023, "某某市某某区市场监督管理局")


def _document_xml(docx: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return archive.read("word/document.xml").decode()


def test_docx_is_deterministic(report: SynthReport) -> None:
    first = build_docx(report, TEMPLATE)
    assert first == build_docx(report, TEMPLATE)
    other = replace(report, cells={**report.cells, ("t3", "4", "research"): 987654})
    assert build_docx(other, TEMPLATE) != first


def test_docx_keeps_merges_and_fills_text(report: SynthReport) -> None:
    xml = _document_xml(build_docx(report, TEMPLATE))
    blank = _document_xml(TEMPLATE.read_bytes())
    for tag in ("<w:gridSpan ", "<w:vMerge ", "<w:vMerge/>", "<w:tc>", "<w:tr "):
        assert xml.count(tag) == blank.count(tag), tag
    text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))
    assert "文字描述" not in text and "格式模板" not in text
    assert report.title in text
    assert f"本年度共收到政府信息公开申请{report.cells[('t3', '1', 'total')]}件" in text
    date = report.report_date
    assert text.endswith(f"{report.agency}{date.year}年{date.month}月{date.day}日")


def test_docx_opens_in_python_docx(report: SynthReport) -> None:
    import docx

    document = docx.Document(io.BytesIO(build_docx(report, TEMPLATE)))
    assert document.core_properties.title == report.title
    assert document.tables[0].cell(6, 1).text == format_value(report.cells[("t2", "licensing", "decisions")])


def test_docx_refuses_2019_template() -> None:
    with pytest.raises(ValueError, match="2021"):
        build_docx(random_report(random.Random(1), "2019", 2019, "某局"), TEMPLATE)


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_html_page_structure(template: str) -> None:
    report = random_report(random.Random(4), template, int(template), "某某县财政局")
    page = build_html(report).decode("utf-8")
    assert page == build_html(report).decode("utf-8")
    assert '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">' in page
    assert f'rowspan="{22 if template == "2021" else 20}">三、本年度办理结果' in page
    assert 'rowspan="8">（三）不予公开' in page
    assert "<script>" in page and 'class="nav"' in page and "发布时间：" in page
    assert "结果<br>维持" in page
    if template == "2019":
        assert "&nbsp;" in page and "第二十条第（九）项" in page
        assert "（六）其他处理</td>" in page and "3.其他" not in page


def test_html_gb2312_is_gb18030_bytes(report: SynthReport) -> None:
    special = replace(report, agency="㛃𠀀街道办事处")
    data = build_html(special, encoding="gb2312")
    assert b"charset=gb2312" in data
    assert "㛃𠀀街道办事处".encode("gb18030") in data
    assert data.decode("gb18030").count("㛃𠀀街道办事处") >= 3


def test_docx_paragraph_ids_stay_unique(report: SynthReport) -> None:
    ids = re.findall(r'w14:paraId="([0-9A-F]+)"', _document_xml(build_docx(report, TEMPLATE)))
    assert ids and len(ids) == len(set(ids))
