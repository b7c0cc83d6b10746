"""Recognise a file's format from its bytes; the extension is only a tie-breaker."""

from __future__ import annotations

import io
import re
import zipfile

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
    if not head:
        return False
    if b"\x00" in head and not (
        head[:2] in (b"\xff\xfe", b"\xfe\xff") or head.count(b"\x00") > len(head) // 4
    ):
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) * 0.05


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
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if _HTML_HINT.search(stripped[:1024]) and stripped[:1].startswith(b"<"):
        return "html"
    if _HTML_HINT.search(head) and b"</" in data[:65536]:
        return "html"
    if _is_binary(head):
        # UTF-16 text has many NULs; a decoder decides later
        if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return "text"
        return "binary"
    return "text"
