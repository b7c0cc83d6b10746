"""Recognise a file's format from its bytes; the extension is only a tie-breaker.

Zip containers are told apart by their members (DOCX, XLSX, ODF, OFD, or a plain archive),
OLE compound files by their streams (a Word/WPS document or an Excel/WPS workbook), other
archives and compressed files by their magic numbers.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile

from gaibao_pipeline.documents.encoding import reads_cleanly, utf16_byte_order
from gaibao_pipeline.documents.office.ole import OLE_MAGIC, OleError, inspect_ole

RAR_MAGIC = (b"Rar!\x1a\x07\x00", b"Rar!\x1a\x07\x01\x00")  # RAR 1.5-4.x, RAR 5
SEVEN_ZIP_MAGIC = b"7z\xbc\xaf\x27\x1c"
ARCHIVE_KINDS = frozenset({"zip", "rar", "7z"})  # containers whose members are files of their own
SPREADSHEET_KINDS = frozenset({"xlsx", "xls", "ods"})
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")
_COMPRESSED_MAGIC = (  # single compressed streams: not archives we open
    (re.compile(rb"\x1f\x8b\x08"), "gzip"),
    (re.compile(rb"BZh[1-9]1AY&SY"), "bzip2"),  # a text starting "BZh" is no bzip2 stream
    (re.compile(rb"\xfd7zXZ\x00"), "xz"),
    (re.compile(rb"\x28\xb5\x2f\xfd"), "zstd"),
)
_HTML_HINT = re.compile(
    rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta\s|<table[\s>]|<div[\s>]|<p[\s>]", re.I
)
_ODF_KINDS = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
_MIMETYPE_MAX = 200  # bytes: an ODF `mimetype` member is one short line


def _odf_kind(archive: zipfile.ZipFile) -> str | None:
    info = archive.NameToInfo.get("mimetype")
    if info is None or info.file_size > _MIMETYPE_MAX:
        return None
    try:
        declared = archive.read(info).decode("ascii", errors="replace").strip()
    except (RuntimeError, zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return None
    for prefix, kind in _ODF_KINDS.items():
        if declared.startswith(prefix):  # "…text-template" and the like are the same kind
            return kind
    return None


def zip_kind(archive: zipfile.ZipFile) -> str:
    """What a zip container holds: docx, xlsx, xlsb, pptx, ofd, odt, ods, odp or (any other) zip."""
    names = set(archive.namelist())
    if "word/document.xml" in names:
        return "docx"
    if any(n.lower() == "ofd.xml" for n in names):
        return "ofd"  # GB/T 33190: OFD.xml at the package root
    if "xl/workbook.bin" in names:
        return "xlsb"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.startswith("ppt/") for n in names):
        return "pptx"
    odf = _odf_kind(archive)
    if odf is not None:
        return odf
    if "content.xml" in names:
        return "odt"  # an ODF package without its mimetype member: LibreOffice tells
    return "zip"


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return zip_kind(archive)
    except (zipfile.BadZipFile, ValueError, OSError):
        return "unreadable"


def _ole_kind(data: bytes) -> str:
    """doc for Word/WPS documents (and what cannot be told), xls for Excel/WPS (.et) workbooks."""
    try:
        info = inspect_ole(data)
    except OleError:
        return "doc"  # LibreOffice reads some damaged files
    if info.has("WordDocument"):
        return "doc"
    if info.has("Workbook") or info.has("Book"):
        return "xls"
    if info.has("PowerPoint Document"):
        return "ppt"
    return "doc"  # an encrypted OOXML package, or a WPS text file: the converter tells


def magic_kind(head: bytes) -> str | None:
    """The kind its first bytes prove (archives, compressed streams), or None."""
    if head.startswith(RAR_MAGIC):
        return "rar"
    if head.startswith(SEVEN_ZIP_MAGIC):
        return "7z"
    for magic, kind in _COMPRESSED_MAGIC:
        if magic.match(head):
            return kind
    if head[257:262] == b"ustar":
        return "tar"
    return None


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
    """One of pdf, docx, doc, odt, rtf, html, text, image, ofd, xlsx, xls, ods, zip, rar, 7z,
    binary, empty, unreadable, or a kind we name but do not read (xlsb, pptx, ppt, odp, gzip,
    bzip2, xz, zstd, tar)."""
    if not data.strip():
        return "empty"
    head = data[:2048]
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):  # a zip, or an empty one
        return _zip_kind(data)
    if head.startswith(OLE_MAGIC):
        return _ole_kind(data)  # Word 97-2003, WPS and Excel/WPS workbooks are all OLE files
    if (magic := magic_kind(head[:512])) is not None:
        return magic
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
