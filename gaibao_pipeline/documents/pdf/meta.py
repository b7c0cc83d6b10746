"""PDF document information (title, author, dates) decoded the way the author's tool meant it.

PDF text strings are PDFDocEncoding or UTF-16BE with a BOM, but WPS writes UTF-16LE with a
BOM and some Chinese tools write GBK bytes. A reader that applies PDFDocEncoding to those
produces `ÿþ*mýl:SºN…` for 洪泽区人民政府…; `decode_pdf_text` undoes that.
"""

from __future__ import annotations

import re

import pypdfium2 as pdfium

from gaibao_pipeline.model import DocumentMetadata

# PDFDocEncoding differs from Latin-1 only in these code points
_PDFDOC_SPECIAL = {
    0x18: "\u02d8", 0x19: "\u02c7", 0x1A: "\u02c6", 0x1B: "\u02d9",
    0x1C: "\u02dd", 0x1D: "\u02db", 0x1E: "\u02da", 0x1F: "\u02dc",
    0x80: "\u2022", 0x81: "\u2020", 0x82: "\u2021", 0x83: "\u2026",
    0x84: "\u2014", 0x85: "\u2013", 0x86: "\u0192", 0x87: "\u2044",
    0x88: "\u2039", 0x89: "\u203a", 0x8A: "\u2212", 0x8B: "\u2030",
    0x8C: "\u201e", 0x8D: "\u201c", 0x8E: "\u201d", 0x8F: "\u2018",
    0x90: "\u2019", 0x91: "\u201a", 0x92: "\u2122", 0x93: "\ufb01",
    0x94: "\ufb02", 0x95: "\u0141", 0x96: "\u0152", 0x97: "\u0160",
    0x98: "\u0178", 0x99: "\u017d", 0x9A: "\u0131", 0x9B: "\u0142",
    0x9C: "\u0153", 0x9D: "\u0161", 0x9E: "\u017e", 0xA0: "\u20ac",
}  # fmt: skip
_PDFDOC_BYTE = {ch: code for code, ch in _PDFDOC_SPECIAL.items()}
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_PDF_DATE = re.compile(
    r"(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?\s*(Z|[+-]\d{2}'?\d{2}'?|[+-]\d{2})?"
)


def _to_pdfdoc_bytes(text: str) -> bytes | None:
    out = bytearray()
    for ch in text:
        code = _PDFDOC_BYTE.get(ch, ord(ch))
        if code > 0xFF:
            return None
        out.append(code)
    return bytes(out)


def _decode_pdfdoc(raw: bytes) -> str:
    return "".join(_PDFDOC_SPECIAL.get(b, chr(b)) for b in raw)


def _decode_bytes(raw: bytes) -> str:
    if raw[:2] in (b"\xfe\xff", b"\xff\xfe"):
        codec = "utf-16-be" if raw[:2] == b"\xfe\xff" else "utf-16-le"
        body = raw[2:]
        return body[: len(body) - len(body) % 2].decode(codec, errors="replace")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if any(b >= 0x80 for b in raw):
        for codec in ("utf-8", "gb18030"):
            try:
                decoded = raw.decode(codec)
            except UnicodeDecodeError:
                continue
            if _CJK.search(decoded) or codec == "utf-8":
                return decoded
    return _decode_pdfdoc(raw)


def _looks_misdecoded(text: str) -> bool:
    if text[:2] in ("þÿ", "ÿþ", "ï»"):
        return True
    if _CJK.search(text):
        return False
    high = sum(1 for ch in text if 0x80 <= ord(ch) <= 0xFF or ch in _PDFDOC_BYTE)
    return high >= 2 and high >= len(text) // 4


def decode_pdf_text(value: str | bytes) -> str:
    """A PDF text string as the author wrote it, repairing UTF-16LE/GBK read as PDFDocEncoding."""
    if isinstance(value, bytes):
        text = _decode_bytes(value)
    elif _looks_misdecoded(value) and (raw := _to_pdfdoc_bytes(value)) is not None:
        text = _decode_bytes(raw)
    else:
        text = value
    return text.replace("\x00", "").strip()


def pdf_date_to_iso(value: str) -> str | None:
    """`D:20240226144123+08'00'` as `2024-02-26T14:41:23+08:00`; None when it is not a PDF date."""
    match = _PDF_DATE.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        parts = [
            int(year),
            int(month or 1),
            int(day or 1),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
        ]
    except ValueError:
        return None
    if not (
        1 <= parts[1] <= 12 and 1 <= parts[2] <= 31 and parts[3] < 24 and parts[4] < 60 and parts[5] < 61
    ):
        return None
    stamp = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}".format(*parts)
    if zone == "Z":
        return stamp + "Z"
    if zone:
        digits = zone[1:].replace("'", "")
        return f"{stamp}{zone[0]}{digits[:2]}:{(digits[2:4] or '00')}"
    return stamp


def read_metadata(pdf: pdfium.PdfDocument) -> DocumentMetadata:
    """Title, author and creation time from the document information dictionary."""
    try:
        info = pdf.get_metadata_dict(skip_empty=True)
    except Exception:  # a damaged info dictionary must not cost the document
        return DocumentMetadata()
    title = decode_pdf_text(info.get("Title", "")) or None
    author = decode_pdf_text(info.get("Author", "")) or None
    created = pdf_date_to_iso(info.get("CreationDate", ""))
    return DocumentMetadata(title=title, author=author, created_at=created)
