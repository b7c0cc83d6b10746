"""Blocks of a DOCX `w:altChunk` part: HTML, MHT or text embedded whole in a Word file.

Web editors export "Word" files that are a thin DOCX around one embedded HTML page; their
text lives only in that part. It is read with the HTML reader and its grids renumbered to
follow the tables of the surrounding document.
"""

from __future__ import annotations

from dataclasses import replace

from gaibao_pipeline.documents.detect import detect_format
from gaibao_pipeline.documents.encoding import decode_text
from gaibao_pipeline.documents.html.mht import html_of_mht, is_mht
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.model import Block, Grid, Paragraph, Provenance


def chunk_blocks(part: bytes, limits: Limits, first_table_index: int) -> list[Block]:
    """The part's paragraphs and grids; grids numbered from `first_table_index` on."""
    from gaibao_pipeline.documents.html.reader import read_html

    kind = detect_format(part)
    if kind == "text" and not is_mht(part):
        # a text/plain chunk: its line breaks are its paragraphs, which HTML would collapse
        lines = decode_text(part).text.splitlines()
        return [Paragraph(line.strip(), Provenance()) for line in lines if line.strip()]
    html = html_of_mht(part) if is_mht(part) else part if kind == "html" else None
    if html is None:
        return []
    blocks: list[Block] = []
    index = first_table_index
    for block in read_html(html, limits).blocks:
        if isinstance(block, Grid):
            cells = [replace(c, where=replace(c.where, table_index=index)) for c in block.cells]
            block = Grid(cells=cells, index=index, run_together=block.run_together)
            index += 1
        blocks.append(block)
    return blocks
