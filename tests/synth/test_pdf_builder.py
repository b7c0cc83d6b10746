"""The pure-Python report PDF: deterministic bytes, official tables with ruling lines split
across pages, a cut merged label printed once, and a round trip through the PDF reader and
parser back to the values it was drawn from, for both templates and both kinds of page break."""

from __future__ import annotations

import random

import pypdfium2 as pdfium
import pytest

from gaibao_pipeline.limits import Limits
from gaibao_pipeline.model import Grid
from gaibao_pipeline.runner.parse import parse_bytes
from gaibao_pipeline.synth import random_report
from gaibao_pipeline.synth.expected import expected_record, score
from gaibao_pipeline.synth.pdf_builder import build_report_pdf, text_width, wrap
from gaibao_pipeline.synth.values import SynthReport


def _report(seed: int, template: str) -> SynthReport:
    year = 2022 if template == "2021" else 2020
    return random_report(random.Random(seed), template, year, "某某市某某区市场监督管理局")


def _text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        return "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


@pytest.mark.parametrize(
    ("text", "width", "size", "lines"),
    [
        ("一二三四五", 30.0, 10.0, ["一二三", "四五"]),  # CJK: one em each
        ("2023年", 30.0, 10.0, ["2023年"]),  # digits half an em: 4 x 5 + 10 = 30 fits
        ("甲\n乙丙", 100.0, 10.0, ["甲", "乙丙"]),  # a newline always breaks
        ("", 10.0, 10.0, [""]),  # an empty cell is one empty line
    ],
)
def test_wrap(text: str, width: float, size: float, lines: list[str]) -> None:
    assert wrap(text, width, size) == lines
    assert all(text_width(line, size) <= width for line in lines if len(line) > 1)


def test_same_report_same_bytes() -> None:
    report = _report(1, "2021")
    assert build_report_pdf(report) == build_report_pdf(report)
    assert build_report_pdf(report) != build_report_pdf(_report(2, "2021"))


def test_tables_cross_pages_and_a_cut_label_is_printed_once() -> None:
    report = _report(0, "2021")
    pdf = build_report_pdf(report)
    text = "".join(_text(pdf).split())  # labels are wrapped over lines in their cells
    assert len(pdfium.PdfDocument(pdf)) >= 2
    for label in ("三、本年度办理结果", "（三）不予公开", "（四）无法提供", "（五）不予处理", "（七）总计"):
        assert text.count(label) == 1, label  # merged labels cut by a break are printed once
    parsed = parse_bytes(pdf, "report.pdf", Limits())
    assert parsed.ok
    pages = {c.where.page for c in parsed.cells if c.table == "t3" and c.where}
    assert len(pages) >= 2  # table 三 really is split by a page break


@pytest.mark.parametrize("open_breaks", [True, False])
@pytest.mark.parametrize("template", ["2021", "2019"])
@pytest.mark.parametrize("seed", range(3))
def test_round_trip(seed: int, template: str, open_breaks: bool) -> None:
    report = _report(seed, template)
    parsed = parse_bytes(build_report_pdf(report, open_breaks=open_breaks), "report.pdf", Limits())
    record = expected_record(
        report, file="report.pdf", format="pdf", variant="drawn", shows_published_at=False
    )
    result = score(record, parsed)
    assert parsed.ok and parsed.source.format == "pdf"
    assert result.perfect, result.wrong


def test_reader_sees_three_official_tables() -> None:
    from gaibao_pipeline.documents import read_document

    document = read_document(build_report_pdf(_report(5, "2021")), "report.pdf", Limits())
    grids = [b for b in document.blocks if isinstance(b, Grid)]
    assert len(grids) == 3  # each table is one grid, whatever the page breaks
    assert [g.n_cols for g in grids] == [4, 10, 15]
