"""Readers: bytes of any supported format in, one `Document` (paragraphs + grids) out.

`read_document` picks the reader by content, not by extension, and turns every failure
into a `DocumentError` with a per-file status. A format we recognise but do not read says
which it is (`unsupported_format: xlsb: …`). Images met on the way (scanned pages, pasted
pictures, image files) are read through one OCR session per document; given a
`SuspectFinder` (the parser's view of which OCR'd values break the identities), the session
reads those values again before the document is returned.
"""

from __future__ import annotations

import time
from pathlib import Path

from gaibao_pipeline.documents.detect import ARCHIVE_KINDS, SPREADSHEET_KINDS, detect_format
from gaibao_pipeline.documents.ocr.session import OcrSession, SuspectFinder
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.model import Document

__all__ = ["SuspectFinder", "detect_format", "read_document"]

# Formats recognised from their bytes but not read, with what to do about them.
_NOT_READ = {
    "xlsb": "Excel binary workbook (.xlsb); save it as .xlsx",
    "pptx": "PowerPoint presentation, not a report",
    "ppt": "PowerPoint presentation, not a report",
    "odp": "ODF presentation, not a report",
    "gzip": "gzip-compressed file; unpack it into the landing folder",
    "bzip2": "bzip2-compressed file; unpack it into the landing folder",
    "xz": "xz-compressed file; unpack it into the landing folder",
    "zstd": "zstd-compressed file; unpack it into the landing folder",
    "tar": "tar archive; unpack it into the landing folder",
}


def read_document(
    data: bytes,
    name: str = "",
    limits: Limits | None = None,
    *,
    suspects: SuspectFinder | None = None,
    folder: Path | None = None,
) -> Document:
    """Read one file's bytes into a `Document`, or raise `DocumentError` saying why not.

    `folder` is where the file lies: an HTML page's pictures are read from there (and only
    there), never fetched.
    """
    limits = limits or Limits()
    session = OcrSession(time.monotonic() + limits.timeout_seconds)
    document = _read(data, name, limits, session, folder)
    if suspects is not None and session.has_pictures:
        session.recheck(document, suspects)
    return document


def _read(data: bytes, name: str, limits: Limits, session: OcrSession, folder: Path | None) -> Document:
    if len(data) > limits.max_file_bytes:
        raise DocumentError(
            Status.TOO_LARGE, f"file is {len(data):,} bytes; the limit is {limits.max_file_bytes:,}"
        )
    kind = detect_format(data, name)
    if kind == "empty":
        raise DocumentError(Status.UNREADABLE, "file is empty")
    if kind == "pdf":
        from gaibao_pipeline.documents.pdf.reader import read_pdf

        return read_pdf(data, limits, session=session)
    if kind == "docx":
        from gaibao_pipeline.documents.docx.reader import read_docx

        return read_docx(data, limits, session=session)
    if kind in ("doc", "rtf", "odt"):
        from gaibao_pipeline.documents.office.convert import read_legacy_office

        return read_legacy_office(data, name, kind, limits)
    if kind == "html":
        from gaibao_pipeline.documents.html.reader import read_html

        return read_html(data, limits, session=session, folder=folder)
    if kind == "text":
        from gaibao_pipeline.documents.text.reader import read_text

        return read_text(data, limits)
    if kind == "image":
        from gaibao_pipeline.documents.ocr.pictures import read_image

        return read_image(data, limits, session)
    if kind == "unreadable":
        raise DocumentError(Status.UNREADABLE, "file looks like a zip container but cannot be opened")
    if kind == "ofd":
        from gaibao_pipeline.documents.ofd.reader import read_ofd

        return read_ofd(data, limits)
    if kind in SPREADSHEET_KINDS:
        from gaibao_pipeline.documents.sheets.reader import read_workbook

        return read_workbook(data, kind, name, limits)
    if kind in ARCHIVE_KINDS:
        from gaibao_pipeline.documents.archive.reader import read_archive

        return read_archive(data, kind, limits)
    if kind in _NOT_READ:
        raise DocumentError(Status.UNSUPPORTED_FORMAT, f"{kind}: {_NOT_READ[kind]}")
    raise DocumentError(Status.UNREADABLE, "file is binary data of no known document format")
