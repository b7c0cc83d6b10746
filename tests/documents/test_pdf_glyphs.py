"""The page's characters read with locally bound pdfium calls equal the old per-call reader's.

`glyphs_from_pdfium` was rewritten for speed (functions and out-parameters bound once, the
box computed inline); `_reference_glyphs` below is the reader as it was, kept to compare the
two on a real report, a LibreOffice export, and drawn pages with broken fonts, half-width
Latin, characters beyond the BMP and scaled text.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from gaibao_pipeline.documents.pdf.glyphs import Glyph, PageGlyphs, glyphs_from_pdfium, is_unreadable_char
from tests.support.pdf_pages import text_pages

from .test_pdf_fixtures import Page, build_pdf

ROOT = Path(__file__).parents[2]
PDFS = [
    ROOT / "gaibao_pipeline" / "sample_corpus" / "hongze2023.pdf",
    ROOT / "tests" / "data" / "documents" / "synth-2021-libreoffice.pdf",
]


def _reference_box(handle: object, index: int) -> tuple[float, float, float, float] | None:
    loose, matrix = pdfium_c.FS_RECTF(), pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFText_GetLooseCharBox(handle, index, ctypes.byref(loose)):
        return None
    size = pdfium_c.FPDFText_GetFontSize(handle, index)
    if pdfium_c.FPDFText_GetMatrix(handle, index, ctypes.byref(matrix)):
        size *= abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
    width, height = loose.right - loose.left, loose.top - loose.bottom
    if size <= 0:
        return loose.left, loose.bottom, loose.right, loose.top
    if width <= 1.5 * size + 1 and height <= 2 * size + 1:
        return loose.left, loose.bottom, loose.right, loose.bottom + size
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    if not pdfium_c.FPDFText_GetCharBox(
        handle, index, ctypes.byref(left), ctypes.byref(right), ctypes.byref(bottom), ctypes.byref(top)
    ):
        return None
    cx, cy = (left.value + right.value) / 2, (bottom.value + top.value) / 2
    return cx - size / 2, cy - size / 2, cx + size / 2, cy + size / 2


def _reference_glyphs(textpage: pdfium.PdfTextPage, page_left: float, page_top: float) -> PageGlyphs:
    """The reader before the rewrite: one method call and attribute look-up per pdfium call."""
    handle = textpage.raw
    glyphs: list[Glyph] = []
    unreadable = 0
    pending_high: int | None = None
    for index in range(max(pdfium_c.FPDFText_CountChars(handle), 0)):
        if pdfium_c.FPDFText_IsGenerated(handle, index):
            continue
        code = pdfium_c.FPDFText_GetUnicode(handle, index)
        if 0xD800 <= code <= 0xDBFF:
            pending_high = code
            continue
        if 0xDC00 <= code <= 0xDFFF and pending_high is not None:
            code = 0x10000 + ((pending_high - 0xD800) << 10) + (code - 0xDC00)
        pending_high = None
        if code == 0 or pdfium_c.FPDFText_HasUnicodeMapError(handle, index) == 1:
            unreadable += 1
            continue
        ch = chr(code)
        if ch.isspace():
            continue
        if is_unreadable_char(ch):
            unreadable += 1
            continue
        box = _reference_box(handle, index)
        if box is None:
            continue
        x0, y0, x1, y1 = box
        glyphs.append(Glyph(ch, x0 - page_left, page_top - y1, x1 - page_left, page_top - y0))
    return PageGlyphs(glyphs, unreadable)


def both(data: bytes) -> list[tuple[PageGlyphs, PageGlyphs]]:
    return [
        (glyphs_from_pdfium(textpage, left, top), _reference_glyphs(textpage, left, top))
        for _, textpage, left, top in text_pages(data)
    ]


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_same_glyphs_as_the_reference_reader_on_real_files(path: Path) -> None:
    pages = both(path.read_bytes())
    assert sum(len(new.glyphs) for new, _ in pages) > 500
    for new, old in pages:
        assert new == old


def test_same_glyphs_on_drawn_pages_with_odd_fonts() -> None:
    page = (
        Page()
        .text(60, 60, "政府信息公开工作年度报告")
        .text(60, 90, "Page 3 of 5, 2023", font="F2")
        .text(60, 120, "乱码乱码乱码乱码乱码乱码", font="F3")  # no Unicode mapping
        .text(60, 150, "𠀀𪚥字", size=20)  # beyond the BMP: two halves each in pdfium
        .table([60.0, 200.0, 300.0], [200.0, 230.0, 260.0], [(0, 0, 1, 1, "一"), (1, 1, 1, 1, "12")])
    )
    scaled = Page()
    scaled.ops.append(b"q 0.5 0 0 2 30 40 cm")
    scaled.text(60, 60, "缩放的文字 12")
    scaled.ops.append(b"Q")
    pages = both(build_pdf([page, scaled]))
    assert any(new.unreadable for new, _ in pages)
    assert any(len(g.text) == 1 and ord(g.text) > 0xFFFF for new, _ in pages for g in new.glyphs)
    for new, old in pages:
        assert new == old


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_pdfium_generates_only_spaces_and_line_breaks(path: Path) -> None:
    # the reader asks only whitespace characters whether pdfium generated them: a pdfium that
    # generated anything else (a hyphen, say) would put it into the text, and must fail here
    document = pdfium.PdfDocument(path.read_bytes())
    generated: set[int] = set()
    try:
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            handle = textpage.raw
            for i in range(pdfium_c.FPDFText_CountChars(handle)):
                if pdfium_c.FPDFText_IsGenerated(handle, i):
                    generated.add(pdfium_c.FPDFText_GetUnicode(handle, i))
            textpage.close()
            page.close()
    finally:
        document.close()
    assert generated == {0x20, 0x0D, 0x0A}


def test_char_codes_beyond_unicode_count_as_unreadable_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    # an unmapped font's char code can exceed U+10FFFF; pdfium flags it as a mapping error
    data = build_pdf([Page().text(60, 60, "政府信息公开").text(60, 90, "乱码乱码", font="F3")])
    real_unicode, real_error = pdfium_c.FPDFText_GetUnicode, pdfium_c.FPDFText_HasUnicodeMapError

    def unicode(handle: object, index: int) -> int:
        code = real_unicode(handle, index)
        return 0x110000 + index if real_error(handle, index) == 1 else code

    monkeypatch.setattr(pdfium_c, "FPDFText_GetUnicode", unicode)
    pages = both(data)
    assert pages[0][0].unreadable == 4
    for new, old in pages:
        assert new == old
