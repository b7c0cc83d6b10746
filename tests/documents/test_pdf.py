"""The PDF reader: the hongze2023 sample's grids (t2/t3 joined across pages, the vertical label
三、本年度办理结果 as one spanning cell, t4's 15 values), reading order, page furniture, metadata
decoding; tables continued across pages in generated PDFs (repeated headers, split rows,
different column counts); frames around text; and hostile or unusable files (encrypted,
truncated, image-only, broken fonts, over the limits), plus the tesseract fallback of OCR
(RapidOCR itself is tested in tests/documents/ocr)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest

from gaibao_pipeline.documents import read_document
from gaibao_pipeline.documents.ocr import engine as ocr_engine
from gaibao_pipeline.documents.ocr import tesseract as pdf_ocr
from gaibao_pipeline.documents.pdf import reader as pdf_reader
from gaibao_pipeline.documents.pdf.glyphs import glyphs_from_pdfium, glyphs_from_plumber
from gaibao_pipeline.documents.pdf.meta import decode_pdf_text, pdf_date_to_iso
from gaibao_pipeline.documents.pdf.reader import read_pdf
from gaibao_pipeline.documents.pdf.text import build_lines, is_page_number
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.model import Cell, Document, Grid

from .test_pdf_fixtures import Page, build_pdf, scanned_copy

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "gaibao_pipeline" / "sample_corpus" / "hongze2023.pdf"
GOLDEN = ROOT / "tests" / "data" / "golden" / "hongze2023.json"
LIMITS = Limits()
TESSERACT = pdf_ocr.find_tesseract()
needs_tesseract = pytest.mark.skipif(
    TESSERACT is None,
    reason="tesseract with chi_sim is not installed (apt-get install tesseract-ocr-chi-sim)",
)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def row_texts(grid: Grid) -> list[list[str]]:
    """Each row's origin cells' text, whitespace removed."""
    return [[squash(c.text) for c in row] for row in grid.rows()]


def find_cell(grid: Grid, text: str) -> Cell:
    matches = [c for c in grid.cells if squash(c.text) == text]
    assert len(matches) == 1, f"{text!r} found {len(matches)} times"
    return matches[0]


def value_rows(grid: Grid, width: int) -> list[list[str]]:
    """The last `width` cells of every row whose last `width` cells are all numbers."""
    rows = []
    for row in row_texts(grid):
        tail = row[-width:]
        if len(tail) == width and all(re.fullmatch(r"\d+(\.\d+)?", t) for t in tail):
            rows.append(tail)
    return rows


@pytest.fixture(scope="module")
def sample() -> Document:
    return read_pdf(SAMPLE.read_bytes(), LIMITS)


@pytest.fixture(scope="module")
def golden() -> dict[str, list[float]]:
    """Golden values per (table, row) in the template's row order."""
    cells = json.loads(GOLDEN.read_text(encoding="utf-8"))["cells"]
    rows: dict[str, list[float]] = {}
    for cell in cells:
        rows.setdefault(f"{cell['table']}:{cell['row']}", []).append(cell["value"])
    return rows


# --- the real sample ---------------------------------------------------------------------


def test_sample_metadata_is_decoded_from_utf16le(sample: Document) -> None:
    assert sample.format == "pdf"
    assert sample.page_count == 5
    assert sample.metadata.title == "洪泽区人民政府2023年政府信息公开工作年度报告"
    assert sample.metadata.author == "王守强"
    assert sample.metadata.created_at == "2024-02-26T14:41:23+06:41"
    assert sample.warnings == []


def test_sample_has_three_grids_and_no_narrative_boxes(sample: Document) -> None:
    # WPS paints a white box behind every line of body text; those are not tables
    assert [g.index for g in sample.grids] == [0, 1, 2]
    assert not any("本报告由" in c.text for g in sample.grids for c in g.cells)
    assert any(p.text.startswith("本报告由淮安市洪泽区人民政府办公室") for p in sample.paragraphs)


def test_sample_reading_order(sample: Document) -> None:
    order: list[tuple[str, int | str]] = [
        ("grid", b.index) if isinstance(b, Grid) else ("text", squash(b.text)) for b in sample.blocks
    ]
    assert order[:2] == [("text", "洪泽区人民政府"), ("text", "2023年政府信息公开工作年度报告")]
    landmarks: list[tuple[str, int | str]] = [
        ("text", "二、主动公开政府信息情况"),
        ("grid", 0),
        ("text", "三、收到和处理政府信息公开申请情况"),
        ("grid", 1),
        ("text", "四、政府信息公开行政复议、行政诉讼情况"),
        ("grid", 2),
        ("text", "五、存在的主要问题及改进情况"),
        ("text", "六、其他需要报告的事项"),
    ]
    positions = [order.index(mark) for mark in landmarks]
    assert positions == sorted(positions)
    pages = [b.where.page or 0 for b in sample.paragraphs]
    assert pages == sorted(pages) and pages[0] == 1


def test_sample_page_numbers_are_dropped(sample: Document) -> None:
    assert not [p.text for p in sample.paragraphs if re.fullmatch(r"-?\s*\d\s*-?", p.text.strip())]


def test_sample_keeps_cjk_words_whole(sample: Document) -> None:
    texts = [p.text for p in sample.paragraphs]
    assert "号，邮编：223100，电话：0517-87222589，电子邮箱：" in texts
    assert "健康发展。" in texts
    assert find_cell(sample.grids[1], "4.无正当理由大量反复申请").text == "4.无正当理由大量反复申请"


def test_sample_t2_joined_across_pages_2_and_3(sample: Document, golden: dict[str, list[float]]) -> None:
    t2 = sample.grids[0]
    assert {c.where.page for c in t2.cells} == {2, 3}
    rows = row_texts(t2)
    assert ["规章", "0", "0", "0"] in rows
    assert ["行政规范性文件", "0", "5", "5"] in rows
    assert ["行政许可", "550"] in rows
    assert ["行政处罚", "4119"] in rows
    assert ["行政事业性收费", "7730.28"] in rows
    assert find_cell(t2, "行政处罚").where.page == 3
    assert golden["t2:fees"] == [7730.28]


def test_sample_t3_is_one_grid_over_pages_3_and_4(sample: Document, golden: dict[str, list[float]]) -> None:
    t3 = sample.grids[1]
    assert {c.where.page for c in t3.cells} == {3, 4}
    rows = row_texts(t3)
    assert ["（三）不予公开", "1.属于国家秘密", "1", "0", "0", "0", "0", "0", "1"] in rows
    assert ["3.补正后申请内容仍不明确", "0", "0", "0", "0", "0", "0", "0"] in rows
    assert find_cell(t3, "3.补正后申请内容仍不明确").where.page == 4
    # every data row, in order, carries the golden values of the template's rows
    t3_rows = [key for key in golden if key.startswith("t3:")]
    assert len(t3_rows) == 23
    assert value_rows(t3, 7) == [[f"{v:g}" for v in golden[key]] for key in t3_rows]


def test_sample_vertical_label_is_one_spanning_cell(sample: Document) -> None:
    t3 = sample.grids[1]
    label = find_cell(t3, "三、本年度办理结果")
    total = find_cell(t3, "（七）总计")
    assert label.rowspan > 1
    assert label.row + label.rowspan == total.row + 1  # it spans the page break down to 总计
    assert not [c for c in t3.cells if squash(c.text) in ("本", "年", "度", "办", "理", "结", "果")]
    # the group cell broken by the page is one cell covering all three of its rows
    group = find_cell(t3, "（四）无法提供")
    last_item = find_cell(t3, "3.补正后申请内容仍不明确")
    assert group.rowspan == 3 and group.row + 2 == last_item.row


def test_sample_t4_data_row_has_15_values(sample: Document, golden: dict[str, list[float]]) -> None:
    t4 = sample.grids[2]
    assert t4.n_cols == 15
    last = row_texts(t4)[-1]
    assert last == ["10", "1", "0", "0", "0", "0", "0", "0", "0", "0", "5", "0", "0", "0", "0"]
    expected = golden["t4:review"] + golden["t4:litigation_direct"] + golden["t4:litigation_after_review"]
    assert [float(v) for v in last] == expected
    assert find_cell(t4, "行政复议").colspan == 5
    assert find_cell(t4, "行政诉讼").colspan == 10


def test_sample_cells_carry_provenance(sample: Document) -> None:
    for grid in sample.grids:
        slots: set[tuple[int, int]] = set()
        for cell in grid.cells:
            where = cell.where
            assert (where.table_index, where.row, where.col) == (grid.index, cell.row, cell.col)
            assert where.page in (2, 3, 4) and where.bbox is not None
            x0, top, x1, bottom = where.bbox
            assert 0 <= x0 < x1 <= 595 and 0 <= top < bottom <= 842
            covered = {
                (r, c)
                for r in range(cell.row, cell.row + cell.rowspan)
                for c in range(cell.col, cell.col + cell.colspan)
            }
            assert not covered & slots, "a slot is covered by two cells"
            slots |= covered
    for paragraph in sample.paragraphs:
        assert paragraph.where.page is not None and paragraph.where.bbox is not None


def test_pdfium_and_pdfplumber_read_the_same_lines() -> None:
    # pages without rules are read with pdfium, pages with rules with pdfminer: same text
    data = SAMPLE.read_bytes()
    document = pdfium.PdfDocument(data)
    with pdfplumber.open(SAMPLE) as plumber:
        for index in (0, 1, 3, 4):
            page = document[index]
            left, _, _, top = page.get_mediabox()
            fast = build_lines(glyphs_from_pdfium(page.get_textpage(), left, top).glyphs)
            slow = build_lines(glyphs_from_plumber(plumber.pages[index].chars).glyphs)
            assert [line.text for line in fast] == [line.text for line in slow]


def test_read_document_dispatches_pdf() -> None:
    document = read_document(SAMPLE.read_bytes(), "hongze2023.pdf")
    assert document.format == "pdf" and len(document.grids) == 3


TEMPLATE_DOCX = ROOT / "tests" / "data" / "documents" / "template-2021-blank.docx"


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_blank_template_exported_by_libreoffice(tmp_path: Path) -> None:
    # a second producer: LibreOffice breaks t3 over pages 2 and 3 and leaves every value blank
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(TEMPLATE_DOCX)],
        capture_output=True,
        timeout=180,
        check=True,
    )
    document = read_pdf((tmp_path / "template-2021-blank.pdf").read_bytes(), LIMITS)
    t2, t3, t4 = document.grids
    assert {c.where.page for c in t3.cells} == {2, 3}
    assert find_cell(t3, "三、本年度办理结果").rowspan == 22
    assert [len(row) for row in row_texts(t3)[3:]][-1] == 8  # 四、结转下年度继续办理 and 7 blanks
    values = [c for c in t3.cells if c.col >= 3 and c.row >= 3]
    assert len(values) == 25 * 7 and all(c.text == "" for c in values)
    assert row_texts(t4)[-1] == [""] * 15
    assert ["行政许可", ""] in row_texts(t2)


# --- tables over page breaks, in generated PDFs -----------------------------------------

XS = [60.0, 260.0, 360.0, 460.0]


def rows_at(top: float, count: int, height: float = 20.0) -> list[float]:
    return [top + i * height for i in range(count + 1)]


def test_repeated_header_is_dropped_and_pages_kept() -> None:
    header = [(0, 0, 1, 1, "项目"), (0, 1, 1, 1, "数量甲"), (0, 2, 1, 1, "数量乙")]
    first = (
        Page()
        .text(60, 600, "二、主动公开政府信息情况")
        .table(
            XS,
            rows_at(700, 3),
            [
                *header,
                (1, 0, 1, 1, "规章"),
                (1, 1, 1, 1, "1"),
                (1, 2, 1, 1, "2"),
                (2, 0, 1, 1, "规范性文件"),
                (2, 1, 1, 1, "3"),
                (2, 2, 1, 1, "4"),
            ],
        )
        .text(290, 800, "- 1 -")
    )
    second = (
        Page()
        .table(
            XS,
            rows_at(60, 3),
            [
                *header,
                (1, 0, 1, 1, "行政许可"),
                (1, 1, 1, 1, "5"),
                (1, 2, 1, 1, "6"),
                (2, 0, 1, 1, "行政处罚"),
                (2, 1, 1, 1, "7"),
                (2, 2, 1, 1, "8"),
            ],
        )
        .text(290, 800, "- 2 -")
        .text(60, 200, "三、收到和处理政府信息公开申请情况")
    )
    document = read_pdf(build_pdf([first, second]), LIMITS)
    (grid,) = document.grids
    assert row_texts(grid) == [
        ["项目", "数量甲", "数量乙"], ["规章", "1", "2"], ["规范性文件", "3", "4"],
        ["行政许可", "5", "6"], ["行政处罚", "7", "8"],
    ]  # fmt: skip
    assert find_cell(grid, "行政处罚").where.page == 2 and find_cell(grid, "规章").where.page == 1
    assert [squash(p.text) for p in document.paragraphs] == [
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
    ]


def test_row_split_with_values_on_the_next_page_is_rejoined() -> None:
    first = Page().table(XS, rows_at(740, 2), [
        (0, 0, 1, 1, "（五）其他"), (0, 1, 1, 1, "1"), (0, 2, 1, 1, "2"),
        (1, 0, 1, 1, "（六）其他处理"), (1, 1, 1, 1, ""), (1, 2, 1, 1, ""),
    ], open_bottom=True)  # fmt: skip
    second = Page().table(XS, rows_at(60, 2), [
        (0, 0, 1, 1, ""), (0, 1, 1, 1, "7"), (0, 2, 1, 1, "8"),
        (1, 0, 1, 1, "（七）总计"), (1, 1, 1, 1, "9"), (1, 2, 1, 1, "10"),
    ], open_top=True)  # fmt: skip
    (grid,) = read_pdf(build_pdf([first, second]), LIMITS).grids
    assert row_texts(grid) == [
        ["（五）其他", "1", "2"],
        ["（六）其他处理", "7", "8"],
        ["（七）总计", "9", "10"],
    ]
    assert find_cell(grid, "（六）其他处理").where.page == 1
    assert find_cell(grid, "7").where.page == 2 and find_cell(grid, "7").row == 1


def test_label_split_over_two_pages_is_rejoined() -> None:
    first = Page().table(XS, rows_at(760, 1), [
        (0, 0, 1, 1, "5.要求行政机关确认或重新出具"), (0, 1, 1, 1, "0"), (0, 2, 1, 1, "3"),
    ], open_bottom=True)  # fmt: skip
    second = Page().table(XS, rows_at(60, 2), [
        (0, 0, 1, 1, "已获取信息"), (0, 1, 1, 1, ""), (0, 2, 1, 1, ""),
        (1, 0, 1, 1, "（六）其他处理"), (1, 1, 1, 1, "0"), (1, 2, 1, 1, "0"),
    ], open_top=True)  # fmt: skip
    (grid,) = read_pdf(build_pdf([first, second]), LIMITS).grids
    assert [[c.text for c in row] for row in grid.rows()] == [
        ["5.要求行政机关确认或重新出具\n已获取信息", "0", "3"],
        ["（六）其他处理", "0", "0"],
    ]


def test_blank_row_after_the_break_stays_a_row_of_blank_cells() -> None:
    # a total left blank is not the second half of the row above it
    first = Page().table(
        XS, rows_at(760, 1), [(0, 0, 1, 1, "（六）其他处理"), (0, 1, 1, 1, "0"), (0, 2, 1, 1, "0")]
    )
    second = Page().table(
        XS, rows_at(60, 1), [(0, 0, 1, 1, "（七）总计"), (0, 1, 1, 1, ""), (0, 2, 1, 1, "")]
    )
    (grid,) = read_pdf(build_pdf([first, second]), LIMITS).grids
    assert [[c.text for c in row] for row in grid.rows()] == [
        ["（六）其他处理", "0", "0"],
        ["（七）总计", "", ""],
    ]


def test_group_label_spanning_the_break_becomes_one_cell() -> None:
    xs = [60.0, 160.0, 300.0, 400.0]
    first = Page().table(xs, rows_at(740, 2), [
        (0, 0, 2, 1, "（四）无法提供"), (0, 1, 1, 1, "1.本机关不掌握"), (0, 2, 1, 1, "10"),
        (1, 1, 1, 1, "2.没有现成信息"), (1, 2, 1, 1, "3"),
    ], open_bottom=True)  # fmt: skip
    second = Page().table(xs, rows_at(60, 2), [
        (0, 0, 1, 1, ""), (0, 1, 1, 1, "3.补正后仍不明确"), (0, 2, 1, 1, "0"),
        (1, 0, 1, 2, "（五）不予处理"), (1, 2, 1, 1, "1"),
    ], open_top=True)  # fmt: skip
    (grid,) = read_pdf(build_pdf([first, second]), LIMITS).grids
    group = find_cell(grid, "（四）无法提供")
    assert (group.row, group.rowspan) == (0, 3)
    assert row_texts(grid)[2] == ["3.补正后仍不明确", "0"]
    assert not [c for c in grid.cells if c.text == "" and c.col == 0]


def test_halves_with_different_columns_are_aligned_by_position() -> None:
    first = Page().table(XS, rows_at(760, 1), [(0, 0, 1, 1, "规章"), (0, 1, 1, 1, "1"), (0, 2, 1, 1, "2")])
    second = Page().table(
        [60.0, 260.0, 460.0], rows_at(60, 1), [(0, 0, 1, 1, "行政许可"), (0, 1, 1, 1, "550")]
    )
    (grid,) = read_pdf(build_pdf([first, second]), LIMITS).grids
    assert grid.n_cols == 3
    value = find_cell(grid, "550")
    assert (value.row, value.col, value.colspan) == (1, 1, 2)


def test_heading_between_tables_keeps_them_apart() -> None:
    first = Page().table(XS, rows_at(760, 1), [(0, 0, 1, 1, "规章"), (0, 1, 1, 1, "1"), (0, 2, 1, 1, "2")])
    second = (
        Page()
        .text(60, 60, "三、收到和处理政府信息公开申请情况")
        .table(XS, rows_at(90, 1), [(0, 0, 1, 1, "自然人"), (0, 1, 1, 1, "3"), (0, 2, 1, 1, "4")])
    )
    document = read_pdf(build_pdf([first, second]), LIMITS)
    assert len(document.grids) == 2
    assert [b.where.page for b in document.grids[1].cells] == [2, 2, 2]


def test_frames_and_white_boxes_around_text_are_paragraphs() -> None:
    page = (
        Page()
        .box(60, 100, 530, 124)  # WPS's white box behind a line of text
        .box(60, 124, 530, 148)
        .text(64, 106, "本报告由办公室编制。")
        .text(64, 130, "数据统计期限自1月1日起。")
        .table([60.0, 530.0], rows_at(300, 2), [(0, 0, 1, 1, "框内第一行"), (1, 0, 1, 1, "框内第二行")])
    )
    document = read_pdf(build_pdf([page]), LIMITS)
    assert document.grids == []
    assert [p.text for p in document.paragraphs] == [
        "本报告由办公室编制。",
        "数据统计期限自1月1日起。",
        "框内第一行",
        "框内第二行",
    ]


def test_diagonal_line_in_the_corner_cell_adds_no_column() -> None:
    cells = [(0, 0, 1, 1, "项目"), (0, 1, 1, 1, "数量"), (1, 0, 1, 1, "规章"), (1, 1, 1, 1, "3")]
    # a three-way corner cell: slashes from the corner, one ending mid-way along the bottom
    page = Page().table([60.0, 260.0, 360.0], rows_at(100, 2), cells).line(60, 100, 260, 110)
    page.line(160, 120, 60, 100).line(160, 120, 260, 100)
    (grid,) = read_pdf(build_pdf([page]), LIMITS).grids
    assert row_texts(grid) == [["项目", "数量"], ["规章", "3"]]


def test_running_headers_and_page_numbers_are_dropped() -> None:
    pages = [
        Page()
        .text(60, 30, "某某局2023年政府信息公开工作年度报告")
        .text(60, 100 + n, f"正文第{n}页")
        .text(260, 810, f"第 {n} 页 共 3 页")
        for n in (1, 2, 3)
    ]
    document = read_pdf(build_pdf(pages), LIMITS)
    assert [squash(p.text) for p in document.paragraphs] == [
        "某某局2023年政府信息公开工作年度报告", "正文第1页", "正文第2页", "正文第3页",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- 3 -", True),  # WPS's centred page number
        ("第 3 页", True),
        ("第3页 共5页", True),
        ("3/5", True),
        ("—12—", True),
        ("2023", False),  # a year alone is not a page number
        ("三、本年度办理结果", False),
    ],
)
def test_is_page_number(text: str, expected: bool) -> None:
    assert is_page_number(text) is expected


# --- metadata ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # what pdfplumber returns for the sample's UTF-16LE title read as PDFDocEncoding
        (
            "ÿþ*mýl:SºN\x11l?eœ^2\x000\x002\x003\x00t^?eœ^áOo`lQ\x00_å]\\Ot^¦^¥bJT",
            "洪泽区人民政府2023年政府信息公开工作年度报告",
        ),
        ("洪泽区".encode("gbk").decode("latin-1"), "洪泽区"),  # GBK bytes read as Latin-1
        (b"\xfe\xff" + "政府".encode("utf-16-be"), "政府"),  # the standard UTF-16BE form, as bytes
        ("Annual report", "Annual report"),
    ],
)
def test_decode_pdf_text(raw: str | bytes, expected: str) -> None:
    assert decode_pdf_text(raw) == expected


def test_generated_title_in_utf16le_and_creation_date() -> None:
    title = b"\xff\xfe" + "洪泽区人民政府".encode("utf-16-le")
    metadata = read_pdf(build_pdf([Page().text(60, 60, "正文")], title=title), LIMITS).metadata
    assert metadata.title == "洪泽区人民政府"
    assert metadata.created_at == "2024-01-20T09:30:00+08:00"
    assert pdf_date_to_iso("D:2024") == "2024-01-01T00:00:00"
    assert pdf_date_to_iso("yesterday") is None


# --- files that cannot be read ----------------------------------------------------------


def read_status(data: bytes, limits: Limits = LIMITS, ocr: bool | None = None) -> DocumentError:
    with pytest.raises(DocumentError) as caught:
        read_pdf(data, limits, ocr=ocr)
    return caught.value


def test_encrypted_pdf() -> None:
    error = read_status(build_pdf([Page().text(60, 60, "机密")], encrypted=True))
    assert error.status is Status.ENCRYPTED and "password" in error.message


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n" + bytes(range(256)) * 8,  # a header and then noise
        b"%PDF-",  # nothing after the header
        SAMPLE.read_bytes()[:1000],  # cut before the first page: no page survives
        SAMPLE.read_bytes()[:4000],  # cut inside the first page: it survives, but empty
    ],
)
def test_corrupt_or_truncated_pdf_is_unreadable(data: bytes) -> None:
    assert read_status(data).status is Status.UNREADABLE


def test_truncated_tail_is_repaired_with_a_warning() -> None:
    data = SAMPLE.read_bytes()
    document = read_pdf(data[: len(data) - 200], LIMITS)  # the cross-reference stream is lost
    assert len(document.grids) == 3
    assert any("truncated" in w for w in document.warnings)


def test_pdf_without_pages_is_unreadable() -> None:
    assert read_status(build_pdf([])).status is Status.UNREADABLE


def test_too_many_pages_and_too_large_pages() -> None:
    three = build_pdf([Page().text(60, 60, "页")] * 3)
    error = read_status(three, Limits(max_pages=2))
    assert error.status is Status.TOO_LARGE and "3 pages" in error.message
    assert read_status(three, Limits(max_page_area=1000.0)).status is Status.TOO_LARGE
    assert read_status(SAMPLE.read_bytes(), Limits(max_text_chars=500)).status is Status.TOO_LARGE
    assert read_status(SAMPLE.read_bytes(), Limits(timeout_seconds=-1)).status is Status.TIMEOUT


def test_image_only_pdf_needs_ocr_when_ocr_is_off() -> None:
    error = read_status(build_pdf([Page().image(), Page().image()]), ocr=False)
    assert error.status is Status.NEEDS_OCR
    assert "pages 1, 2 of 2" in error.message and "GAIBAO_OCR" in error.message


def test_needs_ocr_says_how_to_install_an_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    missing = (
        "the OCR engine could not be loaded (no module; install it with `pip install rapidocr-onnxruntime`)"
    )
    monkeypatch.setattr(ocr_engine, "missing_reason", lambda: missing)  # read when first needed
    monkeypatch.setattr(pdf_ocr, "find_tesseract", lambda: None)
    monkeypatch.setattr(shutil, "which", lambda name: None)  # no tesseract on the PATH
    error = read_status(build_pdf([Page().image()]), ocr=True)
    assert error.status is Status.NEEDS_OCR
    assert "pip install rapidocr-onnxruntime" in error.message
    monkeypatch.setenv("GAIBAO_OCR", "tesseract")
    error = read_status(build_pdf([Page().image()]))
    assert "apt-get install tesseract-ocr tesseract-ocr-chi-sim" in error.message


def unmapped_text_page(with_rules: bool) -> Page:
    page = Page()
    for n in range(5):
        page.ops.append(b"BT /F3 12 Tf 72 %d Td <0102030405060708090a0b0c0d0e0f10> Tj ET" % (700 - 20 * n))
    if with_rules:
        page.table(XS, rows_at(300, 2), [(r, c, 1, 1, "") for r in range(2) for c in range(3)])
    return page


@pytest.mark.parametrize("with_rules", [False, True], ids=["text-page", "table-page"])
def test_fonts_without_unicode_need_ocr(with_rules: bool) -> None:
    error = read_status(build_pdf([unmapped_text_page(with_rules)]), ocr=False)
    assert error.status is Status.NEEDS_OCR and "Unicode" in error.message


def test_one_scanned_page_among_text_pages_is_a_warning() -> None:
    pages = [Page().text(60, 100, f"第{n}部分正文内容，共计二十个字以上的一行文字。") for n in range(3)]
    document = read_pdf(build_pdf([*pages, Page().image()]), LIMITS, ocr=False)
    assert len(document.paragraphs) == 3
    assert any("page 4 of 4" in w for w in document.warnings)


def raising(message: str) -> Callable[..., None]:
    """A stand-in for a library call that fails with `message`."""

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError(message)

    return fail


@pytest.fixture
def pdfminer_forbidden(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the reader opens pdfplumber (pdfminer's parse of the whole page)."""

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("pdfplumber opened where pdfium alone should read the page")

    monkeypatch.setattr(pdfplumber, "open", forbidden)


def test_damaged_rules_keep_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_reader, "page_rule_edges", raising("path objects exploded"))
    document = read_pdf(SAMPLE.read_bytes(), LIMITS)
    assert document.grids == []
    assert any("tables could not be read" in w for w in document.warnings)
    assert any("6.属于四类过程性信息" in p.text for p in document.paragraphs)


def test_table_pages_never_start_pdfminer(pdfminer_forbidden: None) -> None:
    # pdfium's objects give the rules: pdfminer's parse of the page cost more than the floor
    document = read_pdf(SAMPLE.read_bytes(), LIMITS)
    assert len(document.grids) == 3
    assert not any("tables could not be read" in w for w in document.warnings)


def rotated_sample(page_index: int) -> bytes:
    document = pdfium.PdfDocument(SAMPLE.read_bytes())
    document[page_index].set_rotation(90)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_rotated_pages_are_read_by_pdfminer(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[object] = []
    real_open = pdfplumber.open

    def spy(*args: object, **kwargs: object) -> object:
        opened.append(args)
        return real_open(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pdfplumber, "open", spy)
    document = read_pdf(rotated_sample(0), LIMITS)
    assert len(opened) == 1
    assert document.paragraphs and not any("could not be read" in w for w in document.warnings)


def test_pdfminer_failure_on_a_rotated_page_keeps_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdfplumber, "open", raising("pdfminer exploded"))
    document = read_pdf(rotated_sample(2), LIMITS)  # page 3: part of table 三
    assert any("tables could not be read" in w for w in document.warnings)
    assert any("6.属于四类过程性信息" in p.text for p in document.paragraphs)


def test_pages_without_rules_never_start_pdfminer(pdfminer_forbidden: None) -> None:
    document = read_pdf(build_pdf([Page().text(60, 60, "只有正文")]), LIMITS)
    assert [p.text for p in document.paragraphs] == ["只有正文"]
    assert document.warnings == []


# --- scale ----------------------------------------------------------------------------


def repeated_sample(copies: int) -> bytes:
    source = pdfium.PdfDocument(SAMPLE.read_bytes())
    target = pdfium.PdfDocument.new()
    for _ in range(copies):
        target.import_pages(source)
    out = io.BytesIO()
    target.save(out)
    return out.getvalue()


PEAK_MEMORY = """
import resource, sys
from gaibao_pipeline.documents.pdf.reader import read_pdf
from gaibao_pipeline.limits import Limits
document = read_pdf(open(sys.argv[1], "rb").read(), Limits())
print(len(document.grids), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


@pytest.mark.slow
def test_memory_stays_flat_on_200_pages(tmp_path: Path) -> None:
    peaks = []
    for copies in (4, 40):  # 20 and 200 pages; every copy brings its own fonts and streams
        path = tmp_path / f"sample-x{copies}.pdf"
        path.write_bytes(repeated_sample(copies))
        # a fresh interpreter per size, so each peak is that file's alone
        done = subprocess.run(
            [sys.executable, "-c", PEAK_MEMORY, str(path)], capture_output=True, text=True, check=True
        )
        grids, peak_kib = (int(v) for v in done.stdout.split())
        assert grids == 3 * copies
        peaks.append(peak_kib)
    # the 200-page file itself is 9 MB larger; without releasing pages the peak grows by ~300 MB
    assert peaks[1] - peaks[0] < 60_000, f"peak RSS grew from {peaks[0]:,} KiB to {peaks[1]:,} KiB"


# --- OCR --------------------------------------------------------------------------------


@needs_tesseract
@pytest.mark.slow
def test_tesseract_reads_scanned_tables_cell_by_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fallback engine, chosen with GAIBAO_OCR=tesseract."""
    monkeypatch.setenv("GAIBAO_OCR", "tesseract")
    scan = scanned_copy(SAMPLE.read_bytes(), [2, 3])  # the pages of t3 and t4, as images
    document = read_pdf(scan, LIMITS, ocr=True)
    assert any("OCR" in w for w in document.warnings)
    t2_rest, t3, t4 = document.grids
    assert {c.where.page for c in t3.cells} == {1, 2}
    assert row_texts(t4)[-1] == ["10", "1", "0", "0", "0", "0", "0", "0", "0", "0", "5", "0", "0", "0", "0"]
    assert ["4119"] in [row[-1:] for row in row_texts(t2_rest)]
    assert any(squash(p.text) == "三、收到和处理政府信息公开申请情况" for p in document.paragraphs)
