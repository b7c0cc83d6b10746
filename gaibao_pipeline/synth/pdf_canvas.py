"""Small PDFs written byte by byte: Chinese text, ruled tables, images, broken fonts, encryption.

Pure Python (no PDF library): pages are lists of content-stream operators in top-left
coordinates like the readers' output. Text uses Adobe's predefined CJK font STSong-Light with
the UniGB-UCS2-H CMap, which every PDF reader maps to Unicode without an embedded font. The
reader tests draw hostile and edge-case pages with it; `pdf_builder` draws whole reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH, HEIGHT = 595.0, 842.0  # A4 in points

# Adobe's predefined CJK font and CMap: every PDF reader maps UniGB-UCS2-H codes to Unicode
_SONG = (
    b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
    b"/DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
    b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /DW 1000 "
    b"/FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
    b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 "
    b"/StemV 93 >> >>] >>"
)
# The same font with Latin letters and digits half an em wide (CIDs 1-95 of Adobe-GB1 are the
# proportional Latin set UniGB-UCS2-H maps ASCII to), as a word processor sets them.
_SONG_HALF = _SONG.replace(b"/DW 1000 ", b"/DW 1000 /W [1 95 500] ")
# Identity-H codes with neither a ToUnicode map nor a known character collection: no reader
# can tell which characters they are
_UNMAPPED = (
    b"<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+SimSun /Encoding /Identity-H "
    b"/DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+SimSun "
    b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 "
    b"/FontDescriptor << /Type /FontDescriptor /FontName /ABCDEF+SimSun /Flags 4 "
    b"/FontBBox [0 -141 1000 859] /ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 859 "
    b"/StemV 80 >> >>] >>"
)

Cell = tuple[int, int, int, int, str]  # row, col, rowspan, colspan, text


@dataclass(frozen=True, slots=True)
class TextRun:
    """A line of text as drawn: its left edge and glyph-box top in points, size and font."""

    x: float
    top: float
    text: str
    size: float
    font: str


@dataclass(frozen=True, slots=True)
class Rule:
    """A stroked line as drawn, in points from the page's top-left corner."""

    x0: float
    top0: float
    x1: float
    top1: float
    width: float


@dataclass
class Page:
    """Drawing operations for one page, in top-left coordinates like the reader's output.

    Besides the PDF operators, the text runs and lines drawn are kept, so that another
    writer (`ofd_builder`) can put the same page into another format.
    """

    ops: list[bytes] = field(default_factory=list)
    size: tuple[float, float] = (WIDTH, HEIGHT)
    texts: list[TextRun] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)

    def _y(self, top: float) -> float:
        return self.size[1] - top

    def text(self, x: float, top: float, text: str, size: float = 10.5, font: str = "F1") -> Page:
        """One line of text whose glyph boxes start at `top` (F1 full-width, F2 half-width Latin)."""
        baseline = self._y(top) - 0.88 * size
        self.texts.append(TextRun(x, top, text, size, font))
        code = text.encode("utf-16-be").hex()
        self.ops.append(f"BT /{font} {size} Tf {x:.2f} {baseline:.2f} Td <{code}> Tj ET".encode())
        return self

    def line(self, x0: float, top0: float, x1: float, top1: float, width: float = 0.5) -> Page:
        """A stroked black line."""
        y0, y1 = self._y(top0), self._y(top1)
        self.rules.append(Rule(x0, top0, x1, top1, width))
        self.ops.append(f"{width} w 0 G {x0:.2f} {y0:.2f} m {x1:.2f} {y1:.2f} l S".encode())
        return self

    def box(
        self, x0: float, top: float, x1: float, bottom: float, fill: float = 1.0, stroke: bool = False
    ) -> Page:
        """A rectangle filled with a grey level (1 = white), stroked in black if asked."""
        paint = "B" if stroke else "f"
        y = self._y(bottom)
        self.ops.append(
            f"{fill} g 0 G {x0:.2f} {y:.2f} {x1 - x0:.2f} {bottom - top:.2f} re {paint} 0 g".encode()
        )
        return self

    def table(
        self,
        xs: list[float],
        ys: list[float],
        cells: list[Cell],
        *,
        open_top: bool = False,
        open_bottom: bool = False,
        size: float = 9,
        font: str = "F1",
    ) -> Page:
        """A ruled table; an open end has no rule, as where Word breaks a table across pages."""
        for row, col, rowspan, colspan, text in cells:
            x0, x1 = xs[col], xs[col + colspan]
            top, bottom = ys[row], ys[row + rowspan]
            if not (open_top and row == 0):
                self.line(x0, top, x1, top)
            if not (open_bottom and row + rowspan == len(ys) - 1):
                self.line(x0, bottom, x1, bottom)
            self.line(x0, top, x0, bottom)
            self.line(x1, top, x1, bottom)
            for n, part in enumerate(text.split("\n")):
                if part:
                    self.text(x0 + 3, top + 3 + n * size * 1.3, part, size=size, font=font)
        return self

    def image(self) -> Page:
        """The test image scaled over the whole page, as a scanner draws a scanned page."""
        self.ops.append(f"q {self.size[0]:.2f} 0 0 {self.size[1]:.2f} 0 0 cm /Im1 Do Q".encode())
        return self


def build_pdf(
    pages: list[Page],
    *,
    title: bytes | None = None,
    encrypted: bool = False,
    count: int | None = None,
) -> bytes:
    """A PDF of the given pages; `title` is written raw (any encoding); `count` overrides /Count."""
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: _SONG,
        4: _UNMAPPED,
        8: _SONG_HALF,
        5: b"<< /Type /XObject /Subtype /Image /Width 16 /Height 16 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Length 256 >>\nstream\n" + bytes(range(0, 256)) + b"\nendstream",
    }
    kids = []
    for number, page in enumerate(pages):
        page_id, content_id = 10 + 2 * number, 11 + 2 * number
        kids.append(f"{page_id} 0 R")
        width, height = page.size
        objects[page_id] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width:.0f} {height:.0f}] "
            "/Resources << /Font << /F1 3 0 R /F2 8 0 R /F3 4 0 R >> /XObject << /Im1 5 0 R >> >> "
            f"/Contents {content_id} 0 R >>"
        ).encode()
        stream = b"\n".join(page.ops)
        objects[content_id] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
    listed = len(pages) if count is None else count
    objects[2] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {listed} >>".encode()
    trailer = b"/Root 1 0 R"
    if title is not None:
        objects[6] = (
            b"<< /Title <"
            + title.hex().encode()
            + b"> /Author (Test) /CreationDate (D:20240120093000+08'00') >>"
        )
        trailer += b" /Info 6 0 R"
    if encrypted:
        # a standard security handler whose user password is not empty: nothing can open it
        objects[7] = (
            b"<< /Filter /Standard /V 1 /R 2 /O <" + b"ab" * 32 + b"> /U <" + b"cd" * 32 + b"> /P -44 >>"
        )
        trailer += b" /Encrypt 7 0 R /ID [<" + b"01" * 16 + b"> <" + b"01" * 16 + b">]"

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n" % (size, trailer, xref)
    return bytes(out)
