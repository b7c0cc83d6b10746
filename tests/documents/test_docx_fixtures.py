"""Helpers, not tests: tiny hand-written DOCX packages and grid assertions for the reader tests.

Named test_docx_* so it lives beside the tests it serves; pytest collects nothing from it.
"""

from __future__ import annotations

import io
import zipfile
from html import escape

from gaibao_pipeline.model import Grid

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NAMESPACES = (
    f'xmlns:w="{W_NS}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Default Extension="html" ContentType="text/html"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)


def document_xml(body: str, prolog: str = "") -> bytes:
    """A word/document.xml whose w:body holds `body`."""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f"<w:document {NAMESPACES}><w:body>{body}</w:body></w:document>"
    ).encode()


def make_docx(
    body: str = "",
    *,
    xml: bytes | None = None,
    parts: dict[str, bytes] | None = None,
) -> bytes:
    """A DOCX package around `body` (or a whole document.xml), plus any extra parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", xml if xml is not None else document_xml(body))
        for name, data in (parts or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def p(text: str) -> str:
    """A paragraph of one run."""
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def tc(text: str = "", *, span: int = 1, vmerge: str | None = None, hmerge: str | None = None) -> str:
    """A table cell; vmerge/hmerge are 'restart', 'continue' or '' (no w:val = continue)."""
    props = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    for tag, state in (("vMerge", vmerge), ("hMerge", hmerge)):
        if state is not None:
            props += f'<w:{tag} w:val="{state}"/>' if state else f"<w:{tag}/>"
    inner = text if text.startswith("<w:") else p(text)
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{inner}</w:tc>"


def tr(*cells: str, before: int = 0, after: int = 0) -> str:
    """A table row, optionally shifted by w:gridBefore / padded by w:gridAfter."""
    props = (f'<w:gridBefore w:val="{before}"/>' if before else "") + (
        f'<w:gridAfter w:val="{after}"/>' if after else ""
    )
    return f"<w:tr><w:trPr>{props}</w:trPr>{''.join(cells)}</w:tr>"


def tbl(*rows: str) -> str:
    """A table."""
    return f"<w:tbl><w:tblPr/>{''.join(rows)}</w:tbl>"


def assert_slots_disjoint(grid: Grid) -> None:
    """Every grid slot is covered by at most one cell: nothing is counted twice."""
    seen: dict[tuple[int, int], str] = {}
    for cell in grid.cells:
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                assert (r, c) not in seen, f"slot {(r, c)} covered by {seen[(r, c)]!r} and {cell.text!r}"
                seen[(r, c)] = cell.text


def spans(grid: Grid) -> dict[str, tuple[int, int, int, int]]:
    """Cell text → (row, col, rowspan, colspan), for cells with text."""
    return {c.text: (c.row, c.col, c.rowspan, c.colspan) for c in grid.cells if c.text}
