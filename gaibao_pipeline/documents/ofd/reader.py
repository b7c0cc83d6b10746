"""OFD reader: the bytes of an OFD package in, one `Document` of text lines and ruled tables out.

No OFD library on the package index was sound enough to build on (checked: `ofdreader` is an
empty placeholder; `easyofd` depends on PyMuPDF and reportlab, finds elements by their
`ofd:` prefix and sets no limits; `ofdkit` is careful but gives text runs only, without the
paths that rule a table). So the package is read with lxml here (`package`, `content`,
`paths`) into what the PDF reader's page reading produces, characters as `Glyph`s and rules as
edges in points, and from there the PDF reader's own steps take over: `pdf.tables.find_tables`
finds the ruled tables and fills their cells, `pdf.text.build_lines` builds the lines outside
them, and `pdf.blocks.assemble_blocks` drops page furniture and joins tables continued on the
next page. Provenance is the PDF reader's: page number and box in points.

Pages that are images with (almost) no text are scans: when most pages are, the file is
`needs_ocr` (OCR of OFD pages is not implemented); otherwise they are reported as missing.
"""

from __future__ import annotations

import time

from lxml import etree

from gaibao_pipeline.documents.ofd.content import MM, PageDrawing, PageWalker
from gaibao_pipeline.documents.ofd.package import OfdPackage, PageRef, children, parse_box
from gaibao_pipeline.documents.ofd.package import child as first_child
from gaibao_pipeline.documents.pdf.blocks import PageContent, PageKind, assemble_blocks
from gaibao_pipeline.documents.pdf.tables import find_tables
from gaibao_pipeline.documents.pdf.text import build_lines
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.model import Document

__all__ = ["read_ofd"]

SCAN_SHARE = 0.5  # image cover of the page above which a page with hardly any text is a scan
FEW_GLYPHS = 20  # a page with fewer characters than this may be a scan with a stamped page number


class _Resources:
    """Composite graphic units and parsed templates, loaded once per document."""

    def __init__(self, package: OfdPackage) -> None:
        self.package = package
        self._units: dict[str, dict[str, etree._Element]] = {}
        self._templates: dict[str, etree._Element | None] = {}

    def units(self, parts: list[str]) -> dict[str, etree._Element]:
        found: dict[str, etree._Element] = {}
        for part in parts:
            if part not in self._units:
                self._units[part] = self._read_units(part)
            for unit_id, unit in self._units[part].items():
                found.setdefault(unit_id, unit)
        return found

    def _read_units(self, part: str) -> dict[str, etree._Element]:
        try:
            root = self.package.xml(part)
        except DocumentError as exc:
            self.package.warnings.append(f"OFD resources {part} not read ({exc.message})")
            return {}
        units: dict[str, etree._Element] = {}
        for holder in children(root, "CompositeGraphicUnits"):
            for unit in children(holder, "CompositeGraphicUnit"):
                if unit_id := (unit.get("ID") or "").strip():
                    units.setdefault(unit_id, unit)
        return units

    def template(self, part: str) -> etree._Element | None:
        if part not in self._templates:
            try:
                self._templates[part] = self.package.xml(part)
            except DocumentError as exc:
                self.package.warnings.append(f"OFD template {part} not read ({exc.message})")
                self._templates[part] = None
        return self._templates[part]


def _draw(
    resources: _Resources, ref: PageRef, root: etree._Element, origin: tuple[float, float]
) -> PageDrawing:
    body = ref.body
    own = [
        found
        for element in children(root, "PageRes")
        if (found := resources.package.resolve(ref.location, element.text)) is not None
    ]
    walker = PageWalker(resources.units([*own, *body.resources]), origin)
    named = [
        body.templates[template_id]
        for element in children(root, "Template")
        if (template_id := (element.get("TemplateID") or "").strip()) in body.templates
    ]
    # templates under the page's content (ZOrder Background, the default), the page, those over it
    over = [part for part, order in named if order.lower() == "foreground"]
    under = [part for part, order in named if order.lower() != "foreground"]
    for part in under:
        if (template := resources.template(part)) is not None:
            walker.content(template)
    walker.content(root)
    for part in over:
        if (template := resources.template(part)) is not None:
            walker.content(template)
    return walker.drawing


def _classify(drawing: PageDrawing, area: float) -> PageKind:
    usable = len(drawing.glyphs)
    total = usable + drawing.unreadable
    if total >= 10 and drawing.unreadable > 0.3 * total:
        return PageKind.BROKEN
    if usable < FEW_GLYPHS and drawing.image_area >= SCAN_SHARE * area:
        return PageKind.SCANNED
    return PageKind.TEXT if usable else PageKind.BLANK


def _read_page(
    resources: _Resources, ref: PageRef, number: int, limits: Limits, warnings: list[str]
) -> PageContent:
    if ref.location is None:
        return PageContent(number, 0.0, PageKind.FAILED)
    try:
        root = resources.package.xml(ref.location)
    except DocumentError as exc:
        warnings.append(f"page {number} could not be read ({exc.message})")
        return PageContent(number, 0.0, PageKind.FAILED)
    box = parse_box(_physical_box(root)) or ref.body.page_box
    width, height = box[2] * MM, box[3] * MM
    if width * height > limits.max_page_area:
        raise DocumentError(Status.TOO_LARGE, f"page {number} is {width:,.0f} × {height:,.0f} points")
    drawing = _draw(resources, ref, root, (box[0], box[1]))
    try:
        tables, left_over = find_tables(drawing.edges, drawing.glyphs, number)
    except Exception as exc:  # damaged drawing objects must not cost the page's text
        warnings.append(f"page {number}: tables could not be read ({exc!r:.120}); its text was kept")
        tables, left_over = [], drawing.glyphs
    return PageContent(number, height, _classify(drawing, width * height), build_lines(left_over), tables)


def _physical_box(root: etree._Element) -> str | None:
    area = first_child(root, "Area")
    box = first_child(area, "PhysicalBox")
    return box.text if box is not None else None


def _pages(pages: list[PageContent]) -> str:
    numbers = [str(p.number) for p in pages]
    listed = ", ".join(numbers[:12]) + (f" and {len(numbers) - 12} more" if len(numbers) > 12 else "")
    return f"page {listed}" if len(numbers) == 1 else f"pages {listed}"


def _textless(pages: list[PageContent], warnings: list[str]) -> None:
    lacking = [p for p in pages if p.kind.lacks_text]
    if not lacking:
        return
    with_content = [p for p in pages if p.kind not in (PageKind.BLANK, PageKind.FAILED)]
    what = f"no usable text on {_pages(lacking)} of {len(pages)} (scanned images or unmapped characters)"
    if 2 * len(lacking) > len(with_content):
        raise DocumentError(Status.NEEDS_OCR, f"{what}; OCR of OFD pages is not available")
    warnings.append(f"{what}; that text is missing")


def _chars(page: PageContent) -> int:
    return sum(len(line.text) for line in page.lines) + sum(
        len(cell.text) for table in page.tables for cell in table.cells
    )


def read_ofd(data: bytes, limits: Limits) -> Document:
    """Read an OFD package into paragraphs and grids, or raise DocumentError saying why it cannot be."""
    deadline = time.monotonic() + limits.timeout_seconds
    package = OfdPackage(data, limits)
    warnings = package.warnings
    try:
        refs = package.pages()
        if not refs:
            raise DocumentError(Status.UNREADABLE, "OFD document has no pages")
        if len(refs) > limits.max_pages:
            raise DocumentError(
                Status.TOO_LARGE, f"OFD has {len(refs):,} pages; the limit is {limits.max_pages:,}"
            )
        resources = _Resources(package)
        pages: list[PageContent] = []
        kept = 0
        for number, ref in enumerate(refs, start=1):
            if time.monotonic() > deadline:
                raise DocumentError(Status.TIMEOUT, "reading the OFD took longer than the time limit")
            page = _read_page(resources, ref, number, limits, warnings)
            kept += _chars(page)
            if kept > limits.max_text_chars:
                raise DocumentError(
                    Status.TOO_LARGE, f"OFD holds more than {limits.max_text_chars:,} characters"
                )
            pages.append(page)
        if all(p.kind is PageKind.FAILED for p in pages):
            raise DocumentError(Status.UNREADABLE, "no page of the OFD could be read")
        _textless(pages, warnings)
        blocks = assemble_blocks(pages)
    except (DocumentError, RecursionError):
        raise
    except Exception as exc:  # a damaged file must end as a status, not a crash
        raise DocumentError(
            Status.UNREADABLE, f"OFD could not be read ({type(exc).__name__}: {exc})"
        ) from exc
    finally:
        package.close()
    return Document(
        format="ofd", blocks=blocks, page_count=len(refs), metadata=package.metadata, warnings=warnings
    )
