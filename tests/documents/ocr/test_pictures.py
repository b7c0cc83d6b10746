"""Tables pasted as pictures: an image file, a picture in a DOCX, in an HTML page (data: URI or
a file beside the page, never fetched), and on a PDF page of text; the OCR budget; workers.

One picture serves them all: table 四 of hongze2023, cut from a rendered, slightly turned page.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import docx
import pypdfium2 as pdfium
import pytest
from PIL import Image

from gaibao_pipeline.documents import read_document
from gaibao_pipeline.documents.html import pictures as html_pictures
from gaibao_pipeline.documents.ocr.session import OcrSession
from gaibao_pipeline.documents.ocr.settings import OcrSettings
from gaibao_pipeline.documents.pdf.reader import read_pdf
from gaibao_pipeline.errors import Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.model import Document, Grid
from gaibao_pipeline.runner.parse import parse_files
from tests.documents.ocr.conftest import source_pdf
from tests.documents.test_pdf_fixtures import Page, build_pdf

pytestmark = pytest.mark.slow

T4_VALUES = ["10", "1", "0", "0", "0", "0", "0", "0", "0", "0", "5", "0", "0", "0", "0"]


def t4_row(document: Document) -> list[str]:
    """The values of the last row of the document's last grid, as read."""
    grid = document.grids[-1]
    last = grid.rows()[-1]
    return [re.sub(r"\s+", "", c.text) for c in last][-15:]


def test_image_file_of_a_table_is_read(t4_picture: bytes) -> None:
    document = read_document(t4_picture, "t4.png")
    assert document.format == "image" and document.page_count == 1
    assert t4_row(document) == T4_VALUES
    cells = document.grids[-1].cells
    assert all(c.where.ocr is not None and c.where.page == 1 and c.where.bbox for c in cells)


def test_docx_with_a_pasted_picture_reads_it_in_place(t4_picture: bytes) -> None:
    made = docx.Document()
    made.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    made.add_picture(io.BytesIO(t4_picture))
    made.add_paragraph("五、存在的主要问题及改进情况")
    out = io.BytesIO()
    made.save(out)
    document = read_document(out.getvalue(), "pasted.docx")
    texts = [b.text if not isinstance(b, Grid) else "<grid>" for b in document.blocks]
    assert texts[0].startswith("四、") and texts[-1].startswith("五、")
    assert t4_row(document) == T4_VALUES
    assert texts.index("<grid>") < len(texts) - 1  # the table stands where the picture was


def test_html_picture_as_data_uri_is_read(t4_picture: bytes) -> None:
    uri = "data:image/png;base64," + base64.b64encode(t4_picture).decode("ascii")
    page = f"<html><body><p>四、行政复议、行政诉讼情况</p><img src='{uri}'><p>五、问题</p></body></html>"
    document = read_document(page.encode("utf-8"), "page.html")
    assert t4_row(document) == T4_VALUES


def test_html_picture_beside_the_page_is_read_and_nothing_is_fetched(
    t4_picture_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = (
        "<html><body><p>四、行政复议、行政诉讼情况</p><img src='t4.png'>"
        "<img src='http://example.invalid/t.png'><img src='../../etc/passwd.png'>"
        "<p>五、问题</p></body></html>"
    )
    document = read_document(page.encode("utf-8"), "page.html", folder=t4_picture_file.parent)
    assert t4_row(document) == T4_VALUES
    assert html_pictures.picture_bytes("http://example.invalid/t.png", t4_picture_file.parent, 10**6) is None
    assert html_pictures.picture_bytes("../outside.png", t4_picture_file.parent, 10**6) is None
    assert html_pictures.picture_bytes("t4.png", None, 10**6) is None


def test_pdf_page_of_text_with_a_picture_of_a_table(t4_picture: bytes) -> None:
    """The narrative keeps its text layer; the pasted table is read by OCR."""
    original = pdfium.PdfDocument(source_pdf())
    mixed = pdfium.PdfDocument.new()
    mixed.import_pages(original, [4])  # the last page: a few lines of text, room below
    page = mixed[0]
    width, _ = page.get_size()
    image = pdfium.PdfImage.new(mixed)
    pixels = Image.open(io.BytesIO(t4_picture))
    jpeg = io.BytesIO()
    pixels.convert("L").save(jpeg, format="JPEG", quality=90)
    image.load_jpeg(io.BytesIO(jpeg.getvalue()), inline=False)
    shown_width = width - 150
    shown_height = shown_width * pixels.height / pixels.width
    image.set_matrix(pdfium.PdfMatrix().scale(shown_width, shown_height).translate(75, 120))
    page.insert_obj(image)
    page.gen_content()
    out = io.BytesIO()
    mixed.save(out)
    document = read_pdf(out.getvalue(), Limits())
    assert t4_row(document) == T4_VALUES
    assert any(p.where.ocr is None and len(p.text) > 10 for p in document.paragraphs)  # the text layer
    assert any("read by OCR" in w for w in document.warnings)


def test_ocr_budget_lists_the_pages_it_did_not_read() -> None:
    session = OcrSession(deadline=1e12, settings=OcrSettings(max_pages=1))
    text = [Page().text(60, 100, f"第{n}部分正文内容，共计二十个字以上的一行文字。") for n in range(3)]
    document = read_pdf(build_pdf([*text, Page().image(), Page().image()]), Limits(), session=session)
    assert any("page 5 not read by OCR" in w and "GAIBAO_OCR_MAX_PAGES" in w for w in document.warnings)


def test_ocr_runs_in_a_worker_under_its_memory_cap(t4_picture_file: Path) -> None:
    """Files are read in worker processes capped by RLIMIT_AS (4 GB): onnxruntime fits."""
    (report,) = list(parse_files([t4_picture_file], Limits(), workers=1))
    assert report.status in (Status.OK, Status.NOT_A_REPORT), report.message
    assert "memory" not in (report.message or "")
