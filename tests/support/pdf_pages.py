"""A PDF's pages as the reader walks them: each page with its text page and its top-left origin."""

from __future__ import annotations

from collections.abc import Iterator

import pypdfium2 as pdfium


def text_pages(data: bytes) -> Iterator[tuple[pdfium.PdfPage, pdfium.PdfTextPage, float, float]]:
    """Each page, its text page and the mediabox's left and top; all closed once the caller moves on."""
    document = pdfium.PdfDocument(data)
    try:
        for index in range(len(document)):
            page = document[index]
            left, _, _, top = page.get_mediabox()
            textpage = page.get_textpage()
            try:
                yield page, textpage, left, top
            finally:
                textpage.close()
                page.close()
    finally:
        document.close()
