"""pdfplumber over the same bytes, for rotated pages, which pdfminer turns as they are displayed.

pdfminer keeps what it parses: fonts in the resource manager, objects in the document's cache,
decoded content streams on each page. On a long file that grows with every page, so each page
drops its content once read and the caches are emptied every few pages.
"""

from __future__ import annotations

import io
from types import TracebackType

import pdfplumber
from pdfminer.pdfinterp import PDFResourceManager
from pdfplumber.page import Page
from pdfplumber.pdf import PDF

from gaibao_pipeline.documents.pdf.glyphs import Glyph, PageGlyphs, glyphs_from_plumber
from gaibao_pipeline.documents.pdf.tables import PageTable, find_tables, rule_edges

PageRead = tuple[PageGlyphs, list[PageTable], list[Glyph]]  # glyphs, tables, glyphs outside them

RESET_EVERY = 10  # pages read between emptying pdfminer's font and object caches


class PlumberPages:
    """Opened only when a rotated page needs it; a context manager that closes it."""

    def __init__(self, data: bytes, page_count: int, warnings: list[str]) -> None:
        self._data = data
        self._page_count = page_count
        self._warnings = warnings
        self._pdf: PDF | None = None
        self._unusable = False
        self._pages_read = 0

    def __enter__(self) -> PlumberPages:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._pdf is not None:
            self._pdf.close()

    def _document(self) -> PDF | None:
        if self._pdf is None and not self._unusable:
            try:
                pdf = pdfplumber.open(io.BytesIO(self._data))
                pages = len(pdf.pages)
            except Exception as exc:  # pdfminer raises many types; pdfium still reads the text
                self._unusable = True
                self._warnings.append(
                    f"tables could not be read: pdfminer cannot parse this PDF ({exc!r:.120})"
                )
                return None
            if pages != self._page_count:
                pdf.close()
                self._unusable = True
                self._warnings.append(
                    f"tables could not be read: pdfminer sees {pages} pages, pdfium {self._page_count}"
                )
                return None
            self._pdf = pdf
        return self._pdf

    def _release(self, pdf: PDF, page: Page) -> None:
        page.close()
        page.page_obj.contents = []  # the decoded content streams; the page is not read again
        self._pages_read += 1
        if self._pages_read % RESET_EVERY == 0:
            pdf.rsrcmgr = PDFResourceManager()
            for cache in ("_cached_objs", "_parsed_objs"):
                held = getattr(pdf.doc, cache, None)
                if isinstance(held, dict):
                    held.clear()

    def read(self, index: int) -> PageRead | None:
        """The page's glyphs, its tables, and the glyphs outside them; None if pdfplumber failed."""
        pdf = self._document()
        if pdf is None:
            return None
        page = pdf.pages[index]
        try:
            glyphs = glyphs_from_plumber(page.chars)
            edges = rule_edges(page.lines, page.rects, page.curves)
            tables, left_over = find_tables(edges, glyphs.glyphs, index + 1)
        except Exception as exc:  # one damaged page must not cost the document
            self._warnings.append(
                f"page {index + 1}: tables could not be read ({exc!r:.120}); its text was kept"
            )
            return None
        finally:
            self._release(pdf, page)
        return glyphs, tables, left_over
