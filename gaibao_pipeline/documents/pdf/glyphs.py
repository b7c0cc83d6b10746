"""The characters of one PDF page in one shape, whichever library read them, and their quality.

Pages are read with pdfium (fast); rotated pages with pdfplumber, since pdfminer turns a page
as it is displayed. Both end up as `Glyph`s in pdfplumber's coordinates (points, origin at
the page's top-left corner), so everything downstream is shared.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c


class Glyph(NamedTuple):
    """One character (or one OCR word) with its box on the page."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def center_x(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def center_y(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True, slots=True)
class PageGlyphs:
    """A page's usable glyphs plus the count of characters whose text could not be recovered."""

    glyphs: list[Glyph]
    unreadable: int  # unmapped CIDs, private-use and control characters

    @property
    def total(self) -> int:
        return len(self.glyphs) + self.unreadable

    @property
    def text_layer_broken(self) -> bool:
        """True when too much of the page's text is garbage for the rest to be trusted."""
        return self.total >= 10 and self.unreadable > 0.3 * self.total


def is_unreadable_char(ch: str) -> bool:
    """True for characters a broken font mapping produces: replacement, private-use, control."""
    code = ord(ch)
    if code < 0x20:
        return ch not in "\t\n\r"
    return (
        code in (0xFFFD, 0xFFFE, 0xFFFF) or 0x7F <= code < 0xA0 or 0xE000 <= code <= 0xF8FF or code >= 0xF0000
    )


def _text_object_address() -> Any:
    """FPDFText_GetTextObject returning the object's address as an int (a dict key), not a pointer."""
    address = ctypes.cast(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p).value
    if address is None:
        raise ImportError("pdfium lacks FPDFText_GetTextObject")
    return ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(address)


_TEXT_OBJECT_ADDRESS = _text_object_address()


def glyphs_from_pdfium(textpage: pdfium.PdfTextPage, page_left: float, page_top: float) -> PageGlyphs:
    """Read a pdfium text page char by char, skipping generated spaces and line breaks.

    pdfium calls, one per character and property, are most of the cost of reading a page: the
    functions and their out-parameters are bound once here, and the font size and matrix are
    read once per text object.
    """
    handle = textpage.raw
    is_generated = pdfium_c.FPDFText_IsGenerated
    get_unicode = pdfium_c.FPDFText_GetUnicode
    map_error = pdfium_c.FPDFText_HasUnicodeMapError
    get_loose = pdfium_c.FPDFText_GetLooseCharBox
    get_size = pdfium_c.FPDFText_GetFontSize
    get_matrix = pdfium_c.FPDFText_GetMatrix
    get_text_object = _TEXT_OBJECT_ADDRESS
    sizes: dict[int, float] = {}  # em size in page space by text object address
    new_tuple = tuple.__new__  # Glyph(...) without NamedTuple's argument-parsing wrapper
    loose, matrix = pdfium_c.FS_RECTF(), pdfium_c.FS_MATRIX()
    loose_ref, matrix_ref = ctypes.byref(loose), ctypes.byref(matrix)
    count = pdfium_c.FPDFText_CountChars(handle)
    glyphs: list[Glyph] = []
    append = glyphs.append
    unreadable = 0
    pending_high: int | None = None
    for index in range(max(count, 0)):
        code = get_unicode(handle, index)
        # pdfium generates only spaces and line breaks (CPDF_TextPage::ProcessGenerateCharacter;
        # `test_pdf_glyphs` pins it), so only whitespace (none above U+3000) is asked whether it
        # was generated. A code beyond Unicode (an unmapped font's char code) is no whitespace.
        if (code <= 0x20 or (0x85 <= code <= 0x3000 and chr(code).isspace())) and is_generated(handle, index):
            continue
        if 0xD800 <= code <= 0xDBFF:
            # pdfium reports characters beyond the BMP (rare place-name characters) as two halves
            pending_high = code
            continue
        if 0xDC00 <= code <= 0xDFFF and pending_high is not None:
            code = 0x10000 + ((pending_high - 0xD800) << 10) + (code - 0xDC00)
        pending_high = None
        if code == 0 or map_error(handle, index) == 1:
            unreadable += 1
            continue
        ch = chr(code)
        if ch.isspace():
            continue
        if not (0x20 <= code < 0x7F or 0xA0 <= code < 0xE000) and is_unreadable_char(ch):
            unreadable += 1
            continue
        if not get_loose(handle, index, loose_ref):
            continue
        # shaped like pdfminer's box: one em tall from the descent. pdfium gives every character
        # its text object's font size and matrix, so they are asked once per text object
        text_object = get_text_object(handle, index)
        size = sizes.get(text_object) if text_object else None
        if size is None:
            size = get_size(handle, index)
            if get_matrix(handle, index, matrix_ref):
                size *= abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
            if text_object:
                sizes[text_object] = size
        left, bottom, right, top = loose.left, loose.bottom, loose.right, loose.top
        box: tuple[float, float, float, float] | None
        if size <= 0:
            box = (left, bottom, right, top)
        elif right - left <= 1.5 * size + 1 and top - bottom <= 2 * size + 1:
            # pdfium's loose box rises to the font's ascent; pdfminer's is one em tall
            box = (left, bottom, right, bottom + size)
        else:
            box = _centred_em_box(handle, index, size)
        if box is None:
            continue
        x0, y0, x1, y1 = box
        append(new_tuple(Glyph, (ch, x0 - page_left, page_top - y1, x1 - page_left, page_top - y0)))
    return PageGlyphs(glyphs, unreadable)


def _centred_em_box(
    handle: pdfium_c.FPDF_TEXTPAGE, index: int, size: float
) -> tuple[float, float, float, float] | None:
    """An em box centred on the tight box: vertical-writing fonts get a loose box many ems wide."""
    left, right, bottom, top = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    if not pdfium_c.FPDFText_GetCharBox(
        handle, index, ctypes.byref(left), ctypes.byref(right), ctypes.byref(bottom), ctypes.byref(top)
    ):
        return None
    cx, cy = (left.value + right.value) / 2, (bottom.value + top.value) / 2
    half = size / 2
    return cx - half, cy - half, cx + half, cy + half


def glyphs_from_plumber(chars: Iterable[Mapping[str, Any]]) -> PageGlyphs:
    """Convert pdfplumber char dicts, counting `(cid:N)` and garbage characters as unreadable."""
    glyphs: list[Glyph] = []
    unreadable = 0
    for char in chars:
        text = str(char.get("text", ""))
        if not text or text.isspace():
            continue
        if text.startswith("(cid:") or any(is_unreadable_char(ch) for ch in text):
            unreadable += 1
            continue
        glyphs.append(
            Glyph(text, float(char["x0"]), float(char["top"]), float(char["x1"]), float(char["bottom"]))
        )
    return PageGlyphs(glyphs, unreadable)
