"""Recognise a file's format from its bytes; the extension is only a tie-breaker."""

from __future__ import annotations

import codecs
import io
import re
import zipfile

from gaibao_pipeline.documents.encoding import reads_cleanly, utf16_byte_order

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")
_HTML_HINT = re.compile(
    rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta\s|<table[\s>]|<div[\s>]|<p[\s>]", re.I
)


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return "unreadable"
    if "word/document.xml" in names:
        return "docx"
    if "content.xml" in names:
        return "odt"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    return "zip"


def _is_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True  # UTF-16 text, which has NULs, is recognised before this
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) * 0.05


def _utf16_codec(data: bytes) -> str | None:
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        head = data[:4096]
        head = head[: len(head) - len(head) % 2]
        return "utf-16" if reads_cleanly(head.decode("utf-16", errors="replace")) else None
    return utf16_byte_order(data)


def _starts_as_html(head: bytes) -> bool:
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return stripped[:1] == b"<" and _HTML_HINT.search(stripped[:1024]) is not None


def _has_html(head: bytes, data: bytes) -> bool:
    return _HTML_HINT.search(head) is not None and b"</" in data[:65536]


def detect_format(data: bytes, name: str = "") -> str:
    """One of pdf, docx, doc, odt, rtf, html, text, image, xlsx, zip, binary, empty, unreadable."""
    if not data.strip():
        return "empty"
    head = data[:2048]
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if head.startswith(OLE_MAGIC):
        return "doc"  # Word 97-2003 and WPS both use OLE compound files; LibreOffice reads both
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(_IMAGE_MAGIC):
        return "image"
    if b"<w:wordDocument" in head or b'<?mso-application progid="Word.Document"?>' in head:
        return "doc"  # Word 2003 XML: LibreOffice reads it
    if (
        re.match(rb"(?i)\s*(mime-version:|from:|content-type:\s*multipart/related)", head)
        and b"multipart/related" in head.lower()
    ):
        return "html"  # a single-file web page (MHT): the HTML reader unwraps it
    utf16 = _utf16_codec(data)
    if utf16:
        # the HTML rules below read UTF-16 text re-encoded, so that their byte patterns apply
        data = data[:65536].decode(utf16, errors="replace").encode("utf-8")
        head = data[:2048]
    elif _is_binary(head):
        return "binary"  # before the HTML rules: random bytes hold '<p ' and '</' now and then
    return "html" if _starts_as_html(head) or _has_html(head, data) else "text"
