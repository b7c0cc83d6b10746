"""A report split into members of an archive, put together when a member is read.

Agencies publish the text as a document and the statistics
tables as a workbook beside it. When a document is the only one in its folder of the
archive, its own tables are missing, and a workbook beside it names no agency and year
(`workbooks.names_report`), the workbook's grids are read as part of the document's report;
the workbook's own entry then gets `not_a_report`, saying where its tables went.

This runs where files are read (a worker process), after the member itself is read: it is
kept apart from `archives` (listing and expanding), which the landing scan imports without
the parser.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from gaibao_pipeline.documents.archive.tree import SEPARATOR, Entry
from gaibao_pipeline.documents.detect import SPREADSHEET_KINDS
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.model import Document, Grid
from gaibao_pipeline.parsing import parse_document
from gaibao_pipeline.runner import workbooks
from gaibao_pipeline.runner.archives import DOCUMENT_KINDS, MemberPath, entry_in, listing_of, member_bytes

if TYPE_CHECKING:
    from gaibao_pipeline.runner.stages import ExtractedDocument

    Extract = Callable[[bytes, str, Limits], ExtractedDocument]

_MAX_SIBLINGS = 20  # a folder with more files is a bundle of reports, not one report in parts


def with_companions(
    member: MemberPath, extracted: ExtractedDocument, limits: Limits, extract: Extract
) -> ExtractedDocument:
    """A member's read document with the tables of the workbooks beside it, where they are its own.

    For a workbook beside a document it belongs to, the status saying so instead.
    """
    document = extracted.document
    listing = listing_of(member, limits)
    entry = entry_in(listing, member.inner)
    if document is None or listing is None or entry is None:
        return extracted
    siblings = [e for e in listing.entries if e.folder == entry.folder and e.problem is None]
    documents = [e for e in siblings if e.kind in DOCUMENT_KINDS]
    sheets = [e for e in siblings if e.kind in SPREADSHEET_KINDS and e is not entry]
    if len(siblings) > _MAX_SIBLINGS or len(documents) != 1:
        return extracted
    (text,) = documents
    if workbooks.is_workbook(document):
        if workbooks.names_report(document, extracted.source.file) or not _lacks_tables(
            member, text, limits, extract
        ):
            return extracted  # a report of its own, or tables no document takes: the parse stage says
        message = f"{workbooks.UNNAMED}; its tables are read with {text.inner_path}, the report beside it"
        return replace(extracted, document=None, status=Status.NOT_A_REPORT, message=message)
    if entry != text or not sheets or _has_tables(extracted):
        return extracted
    grids = len(document.grids)
    for sheet in sheets:
        companion = _companion(member, sheet, limits, extract)
        if companion is None:
            continue
        for grid in companion.grids:
            document.blocks.append(_renumbered(grid, grids))
            grids += 1
        document.warnings.append(
            f"tables read from {sheet.inner_path} beside it (which names no agency and year); "
            "their page is the sheet's number, their line the sheet's row"
        )
    return extracted


def _renumbered(grid: Grid, index: int) -> Grid:
    cells = [replace(c, where=replace(c.where, table_index=index)) for c in grid.cells]
    return Grid(cells, index=index, run_together=grid.run_together)


def _has_tables(extracted: ExtractedDocument) -> bool:
    """Whether the document's own tables give any cell (parsed as the parse stage will)."""
    if extracted.document is None:
        return False
    try:
        report = parse_document(extracted.document, extracted.source)
    except Exception:  # the parse stage reports a parser failure; here it only means "no tables"
        return False
    return any(cell.raw is not None for cell in report.cells)


def _lacks_tables(member: MemberPath, text: Entry, limits: Limits, extract: Extract) -> bool:
    """Whether the document beside a workbook reads without tables of its own (so takes the workbook's)."""
    try:
        data = member_bytes(MemberPath(member.archive, text.inner_path), limits)
    except DocumentError:
        return False
    read = extract(data, f"{member.archive.name}{SEPARATOR}{text.inner_path}", limits)
    return read.document is not None and not _has_tables(read)


def _companion(member: MemberPath, sheet: Entry, limits: Limits, extract: Extract) -> Document | None:
    try:
        data = member_bytes(MemberPath(member.archive, sheet.inner_path), limits)
    except DocumentError:
        return None
    read = extract(data, f"{member.archive.name}{SEPARATOR}{sheet.inner_path}", limits).document
    if read is None or workbooks.names_report(read, sheet.inner_path):
        return None
    return read
