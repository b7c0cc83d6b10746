"""Opening a PDF with pdfium: encryption, corruption, truncation and size limits.

pdfium keeps every font and image a page loads until the document is closed, which on a long
file of merged reports grows with every page; the document is therefore reopened every few
pages (opening costs a parse of the cross-reference table, about a millisecond).
"""

from __future__ import annotations

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from gaibao_pipeline.documents.pdf.repair import looks_truncated, rebuild_xref
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import Limits

REOPEN_EVERY = 20  # pages read before pdfium's caches are dropped by reopening the document


def _load(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise DocumentError(
                Status.ENCRYPTED, "PDF is protected by a password that we do not have"
            ) from exc
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise DocumentError(
                Status.ENCRYPTED, "PDF is encrypted with an unsupported security handler"
            ) from exc
        raise DocumentError(Status.UNREADABLE, f"PDF is corrupt or truncated ({exc})") from exc


class PdfiumFile:
    """A PDF opened with pdfium (repaired first if it was cut short), handing out pages by index."""

    def __init__(self, data: bytes) -> None:
        self.repaired = False
        try:
            self.document = _load(data)
        except DocumentError as error:
            fixed = (
                rebuild_xref(data) if error.status is Status.UNREADABLE and looks_truncated(data) else None
            )
            if fixed is None:
                raise
            try:
                self.document = _load(fixed)
            except DocumentError:
                raise error from None
            data, self.repaired = fixed, True
        self.data = data  # the bytes pdfium reads: pdfplumber must read the same
        self.page_count = len(self.document)
        self._chunk = 0

    def page(self, index: int) -> pdfium.PdfPage:
        """Load a page (the caller closes it); raises PdfiumError for a page that cannot load."""
        chunk = index // REOPEN_EVERY
        if chunk != self._chunk:
            self.document.close()
            self.document = _load(self.data)
            self._chunk = chunk
        return self.document[index]

    def close(self) -> None:
        """Release pdfium's document."""
        self.document.close()

    def check_limits(self, limits: Limits) -> None:
        """Raise TOO_LARGE for too many pages or an oversized page, UNREADABLE for no pages."""
        count = self.page_count
        if count <= 0:
            raise DocumentError(Status.UNREADABLE, "PDF has no pages (it may be truncated)")
        if count > limits.max_pages:
            raise DocumentError(
                Status.TOO_LARGE, f"PDF has {count:,} pages; the limit is {limits.max_pages:,}"
            )
        for index in range(count):
            try:
                width, height = self.document.get_page_size(index)
            except pdfium.PdfiumError:
                continue  # a missing page is reported when it is read
            if width * height > limits.max_page_area:
                raise DocumentError(
                    Status.TOO_LARGE,
                    f"page {index + 1} is {width:,.0f} × {height:,.0f} points; "
                    f"the limit is {limits.max_page_area:,.0f} points²",
                )
