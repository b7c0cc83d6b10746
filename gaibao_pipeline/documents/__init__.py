"""Readers: bytes of any supported format in, one `Document` (paragraphs + grids) out.

`read_document` picks the reader by content, not by extension, and turns every failure
into a `DocumentError` with a per-file status. A format we recognise but do not read says
which it is (`unsupported_format: xlsb: …`).
"""

from __future__ import annotations

from gaibao_pipeline.documents.detect import ARCHIVE_KINDS, SPREADSHEET_KINDS, detect_format
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.model import Document

__all__ = ["detect_format", "read_document"]

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


def read_document(data: bytes, name: str = "", limits: Limits | None = None) -> Document:
    """Read one file's bytes into a `Document`, or raise `DocumentError` saying why not."""
    limits = limits or Limits()
    if len(data) > limits.max_file_bytes:
        raise DocumentError(
            Status.TOO_LARGE, f"file is {len(data):,} bytes; the limit is {limits.max_file_bytes:,}"
        )
    kind = detect_format(data, name)
    if kind == "empty":
        raise DocumentError(Status.UNREADABLE, "file is empty")
    if kind == "pdf":
        from gaibao_pipeline.documents.pdf.reader import read_pdf

        return read_pdf(data, limits)
    if kind == "docx":
        from gaibao_pipeline.documents.docx.reader import read_docx

        return read_docx(data, limits)
    if kind in ("doc", "rtf", "odt"):
        from gaibao_pipeline.documents.office.convert import read_legacy_office

        return read_legacy_office(data, name, kind, limits)
    if kind == "html":
        from gaibao_pipeline.documents.html.reader import read_html

        return read_html(data, limits)
    if kind == "text":
        from gaibao_pipeline.documents.text.reader import read_text

        return read_text(data, limits)
    if kind == "image":
        raise DocumentError(Status.NEEDS_OCR, "file is an image; it has no text layer to read")
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
