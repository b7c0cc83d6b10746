"""Read a DOCX (Office Open XML) report into paragraphs and grids, in body order.

The XML is read with lxml directly rather than through python-docx: python-docx repeats a
merged cell once per covered grid slot, hides text inside content controls, and parses
with its own module-level parser. Here every part goes through `package`'s size
checks and entity-free parser, and tables through `tables.layout_table`. Pictures in the
body (tables pasted as images) are read by OCR in place (`documents.ocr.pictures`).
"""

from __future__ import annotations

import time
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from gaibao_pipeline.documents.docx.numbering import Numbering
from gaibao_pipeline.documents.docx.package import MC, W_NS, W, open_zip, parse_xml, read_member
from gaibao_pipeline.documents.docx.tables import layout_table, unwrap
from gaibao_pipeline.documents.ocr.session import OcrSession
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.model import Cell, Document, DocumentMetadata, Grid, Paragraph, Provenance

_STRICT_W_NS = b"http://purl.oclc.org/ooxml/wordprocessingml/main"
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_R_EMBED = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"
_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_VML_IMAGE = "{urn:schemas-microsoft-com:vml}imagedata"
_IMAGE_REL = "/image"
_OFFICE_DOCUMENT = "/officeDocument"

# Subtrees whose text is not part of what the page shows: deleted revisions, field codes,
# the duplicate of a text box kept for old readers, run and paragraph properties.
_SKIP = frozenset(
    {
        W + "del",
        W + "delText",
        W + "instrText",
        W + "moveFrom",
        W + "rPr",
        W + "pPr",
        W + "fldData",
        MC + "Fallback",
    }
)


@dataclass(slots=True)
class _Context:
    limits: Limits
    blocks: list[Paragraph | Grid] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    paragraphs_seen: int = 0
    tables_seen: int = 0
    chars: int = 0
    alt_chunks: dict[str, bytes] = field(default_factory=dict)  # r:id → embedded HTML part
    numbering: Numbering = field(default_factory=Numbering)
    pictures: dict[str, bytes] = field(default_factory=dict)  # r:id → image part (a pasted table)
    session: OcrSession | None = None

    def count(self, text: str) -> None:
        self.chars += len(text)
        if self.chars > self.limits.max_text_chars:
            raise DocumentError(
                Status.TOO_LARGE, f"document text exceeds {self.limits.max_text_chars:,} characters"
            )


def _inline_text(el: etree._Element, out: list[str], boxes: list[etree._Element]) -> None:
    """Append a paragraph's visible text to `out`; text boxes go to `boxes` to be read as blocks."""
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == W + "t":
            out.append(child.text or "")
        elif tag == W + "tab" or tag == W + "ptab":
            out.append("\t")
        elif tag in (W + "br", W + "cr"):
            out.append("\n")
        elif tag == W + "noBreakHyphen":
            out.append("-")
        elif tag == W + "txbxContent":
            boxes.append(child)
        else:
            _inline_text(child, out, boxes)


def paragraph_text(p: etree._Element) -> tuple[str, list[etree._Element]]:
    """A `w:p`'s text, and the text boxes anchored in it."""
    out: list[str] = []
    boxes: list[etree._Element] = []
    _inline_text(p, out, boxes)
    return "".join(out), boxes


def _cell_lines(
    container: etree._Element, nested: list[etree._Element], out: list[str], numbering: Numbering | None
) -> None:
    """A cell's own text lines; tables inside it are collected in `nested` instead."""
    for child in unwrap(container):
        if child.tag == W + "p":
            text, boxes = paragraph_text(child)
            label = numbering.label(child) if numbering is not None else ""
            out.extend((label + text).split("\n"))
            for box in boxes:
                _cell_lines(box, nested, out, numbering)
        elif child.tag == W + "tbl":
            nested.append(child)


def cell_text(
    tcs: list[etree._Element], nested: list[etree._Element], numbering: Numbering | None = None
) -> str:
    """Text of a merged cell's `w:tc` elements; blank lines and ideographic padding dropped."""
    lines: list[str] = []
    for tc in tcs:
        _cell_lines(tc, nested, lines, numbering)
    # str.strip() removes U+3000 and U+00A0 too: a cell of ideographic spaces is blank
    return "\n".join(line.strip() for line in lines if line.strip())


def _emit_table(tbl: etree._Element, ctx: _Context) -> None:
    slots = layout_table(tbl)
    if not slots:
        return
    index = ctx.tables_seen
    ctx.tables_seen += 1
    nested: list[etree._Element] = []
    cells: list[Cell] = []
    for slot in slots:
        text = cell_text([slot.tc, *slot.continued], nested, ctx.numbering)
        ctx.count(text)
        where = Provenance(table_index=index, row=slot.row, col=slot.col)
        cells.append(Cell(slot.row, slot.col, text, slot.rowspan, slot.colspan, where))
    ctx.blocks.append(Grid(cells=cells, index=index))
    for inner in nested:  # nested tables follow the table that holds them
        _emit_table(inner, ctx)


def _emit_blocks(container: etree._Element, ctx: _Context) -> None:
    for child in unwrap(container):
        tag = child.tag
        if tag == W + "p":
            ctx.paragraphs_seen += 1
            text, boxes = paragraph_text(child)
            text = (ctx.numbering.label(child) + text).strip()
            if text:
                ctx.count(text)
                ctx.blocks.append(Paragraph(text, Provenance(line=ctx.paragraphs_seen)))
            for box in boxes:
                _emit_blocks(box, ctx)
            if ctx.pictures:
                _emit_pictures(child, ctx)
        elif tag == W + "tbl":
            _emit_table(child, ctx)
        elif tag == W + "altChunk":
            _emit_alt_chunk(child, ctx)


def _emit_pictures(paragraph: etree._Element, ctx: _Context) -> None:
    """Read the pictures anchored in a paragraph by OCR: tables pasted as images."""
    for el in paragraph.iter(_BLIP, _VML_IMAGE):
        data = ctx.pictures.get(el.get(_R_EMBED) or el.get(_R_ID) or "")
        if data is None or ctx.session is None:
            continue
        from gaibao_pipeline.documents.ocr.pictures import picture_blocks

        what = f"the picture after paragraph {ctx.paragraphs_seen}"
        for block in picture_blocks(data, ctx.session, ctx.tables_seen, ctx.warnings, what):
            if isinstance(block, Grid):
                ctx.tables_seen += 1
            ctx.count(block.text if isinstance(block, Paragraph) else block.text())
            ctx.blocks.append(block)


def _emit_alt_chunk(el: etree._Element, ctx: _Context) -> None:
    """Splice in an embedded HTML/text part (`w:altChunk`), which some web CMS exports consist of."""
    from gaibao_pipeline.documents.docx.altchunk import chunk_blocks

    part = ctx.alt_chunks.get(el.get(_R_ID, ""))
    blocks = chunk_blocks(part, ctx.limits, first_table_index=ctx.tables_seen) if part else []
    if not blocks:
        ctx.warnings.append("an embedded w:altChunk part is missing or unreadable; its text is not read")
    for block in blocks:
        if isinstance(block, Grid):
            ctx.tables_seen += 1
        ctx.count(block.text if isinstance(block, Paragraph) else block.text())
        ctx.blocks.append(block)


def _relationships(data: bytes | None, name: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, target) of a `.rels` part."""
    if data is None:
        return {}
    root = parse_xml(data, name)
    return {
        rel.get("Id", ""): (rel.get("Type", ""), rel.get("Target", ""))
        for rel in root.iter(_REL_NS + "Relationship")
    }


def _part_path(base_dir: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = [p for p in base_dir.split("/") if p]
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _numbering(archive: zipfile.ZipFile, base: str) -> Numbering:
    """List definitions (numbering.xml) and styles that number their paragraphs."""
    parts: list[etree._Element | None] = []
    for name in ("numbering.xml", "styles.xml"):
        data = read_member(archive, _part_path(base, name))
        try:
            parts.append(parse_xml(data.replace(_STRICT_W_NS, W_NS.encode()), name) if data else None)
        except DocumentError:
            parts.append(None)  # without list definitions the text is still all there
    return Numbering.parse(parts[0], parts[1])


def _metadata(core: bytes | None) -> DocumentMetadata:
    meta = DocumentMetadata()
    if core is None:
        return meta
    try:
        root = parse_xml(core, "docProps/core.xml")
    except DocumentError:
        return meta  # broken metadata does not make the document unreadable

    def first(local: str) -> str | None:
        for el in root.iter():
            if isinstance(el.tag, str) and etree.QName(el).localname == local and (el.text or "").strip():
                return (el.text or "").strip()
        return None

    meta.title = first("title")
    meta.author = first("creator")
    meta.created_at = first("created")
    return meta


def read_docx(data: bytes, limits: Limits, *, session: OcrSession | None = None) -> Document:
    """Read DOCX bytes into a `Document` of paragraphs and grids in body order.

    Pictures in the body (a table pasted as an image) are read by OCR where they stand,
    through `session` (one is made when none is given).
    """
    with open_zip(data, limits) as archive:
        rels = _relationships(read_member(archive, "_rels/.rels"), "_rels/.rels")
        main = next(
            (_part_path("", t) for kind, t in rels.values() if kind.endswith(_OFFICE_DOCUMENT)),
            "word/document.xml",
        )
        xml = read_member(archive, main) or read_member(archive, "word/document.xml")
        if xml is None:
            raise DocumentError(Status.UNREADABLE, "DOCX has no main document part")
        # Strict OOXML differs only by namespace for everything read here
        xml = xml.replace(_STRICT_W_NS, W_NS.encode())
        root = parse_xml(xml, main)
        ctx = _Context(limits)
        chunks = root.find(f".//{W}altChunk") is not None
        pictures = root.find(f".//{_BLIP}") is not None or root.find(f".//{_VML_IMAGE}") is not None
        if chunks or pictures:
            base = main.rpartition("/")[0]
            rels_name = f"{base}/_rels/{main.rpartition('/')[2]}.rels"
            doc_rels = _relationships(read_member(archive, rels_name), rels_name)
            for rid, (kind, target) in doc_rels.items():
                is_picture = kind.endswith(_IMAGE_REL)
                if (is_picture and not pictures) or (not is_picture and not chunks):
                    continue
                try:
                    part = read_member(archive, _part_path(base, target))
                except DocumentError as exc:
                    if not is_picture:
                        raise
                    ctx.warnings.append(f"a picture could not be read ({exc.message})")
                    continue
                if part is not None:
                    (ctx.pictures if is_picture else ctx.alt_chunks)[rid] = part
        if ctx.pictures:
            ctx.session = session or OcrSession(time.monotonic() + limits.timeout_seconds)
        metadata = _metadata(read_member(archive, "docProps/core.xml"))
        ctx.numbering = _numbering(archive, main.rpartition("/")[0])
    body = root.find(W + "body")
    if body is None:
        raise DocumentError(Status.UNREADABLE, "DOCX main part has no w:body")
    _emit_blocks(body, ctx)
    return Document(format="docx", blocks=ctx.blocks, metadata=metadata, warnings=ctx.warnings)
