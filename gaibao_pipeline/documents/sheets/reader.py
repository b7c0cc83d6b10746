"""Workbooks (.xlsx, .xls, WPS .et, .ods) into paragraphs and grids, every visible sheet in order.

calamine (`python-calamine`, Rust) reads all four formats, formulas as the values the
spreadsheet last computed (what the form showed when it was filed), and gives merged ranges
for XLSX and XLS; ODS merges come from `extents.ods_sheets`. A WPS .et file is an XLS
(BIFF8) workbook under another name; it is recorded as `et`. Before calamine sees a zip
container it passes the same zip-bomb and XML checks as a DOCX, and every sheet's used range
is measured (`extents`), since calamine allocates it densely.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import python_calamine as calamine

from gaibao_pipeline.documents.docx.package import open_zip, read_member
from gaibao_pipeline.documents.sheets.extents import Merge, check_xlsx_sheets, ods_sheets
from gaibao_pipeline.documents.sheets.layout import Value, sheet_blocks
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.model import Block, Document, DocumentMetadata, Grid

WORKBOOK_FORMATS = frozenset({"xlsx", "xls", "et", "ods"})


def workbook_format(kind: str, name: str) -> str:
    """The format recorded on the Document: `et` for a WPS workbook (an XLS by content)."""
    return "et" if kind == "xls" and name.lower().endswith(".et") else kind


def _ods_merges(data: bytes, limits: Limits) -> list[list[Merge]]:
    with open_zip(data, limits, what="ODS") as archive:
        manifest = read_member(archive, "META-INF/manifest.xml") or b""
        if b"encryption-data" in manifest:
            raise DocumentError(Status.ENCRYPTED, "ODS workbook is password-protected")
        content = read_member(archive, "content.xml")
    if content is None:
        raise DocumentError(Status.UNREADABLE, "ODS workbook has no content.xml")
    return [sheet.merges for sheet in ods_sheets(content)]


def _check_xlsx(data: bytes, limits: Limits) -> None:
    with open_zip(data, limits, what="XLSX") as archive:
        check_xlsx_sheets(archive)


def _open(data: bytes) -> calamine.CalamineWorkbook:
    try:
        return calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError as exc:
        raise DocumentError(Status.ENCRYPTED, "workbook is password-protected") from exc
    except (calamine.CalamineError, ValueError, OSError) as exc:
        raise DocumentError(
            Status.UNREADABLE, f"workbook cannot be opened ({type(exc).__name__}: {exc})"
        ) from exc


def read_workbook(data: bytes, kind: str, name: str, limits: Limits) -> Document:
    """Read a workbook's visible sheets into one `Document`, or raise DocumentError saying why not."""
    ods_merges: list[list[Merge]] | None = None
    if kind == "ods":
        ods_merges = _ods_merges(data, limits)
    elif kind == "xlsx":
        _check_xlsx(data, limits)
    workbook = _open(data)
    warnings: list[str] = []
    blocks: list[Block] = []
    chars = 0
    sheets_read = 0
    try:
        metadata = workbook.sheets_metadata
        if not metadata:
            raise DocumentError(Status.UNREADABLE, "workbook holds no sheets")
        if len(metadata) > limits.max_pages:
            raise DocumentError(
                Status.TOO_LARGE, f"workbook has {len(metadata):,} sheets; the limit is {limits.max_pages:,}"
            )
        hidden = [m.name for m in metadata if m.visible != calamine.SheetVisibleEnum.Visible]
        if hidden:
            warnings.append(f"hidden sheets not read: {', '.join(hidden)}")
        for number, meta in enumerate(metadata, start=1):
            if (
                meta.visible != calamine.SheetVisibleEnum.Visible
                or meta.typ != calamine.SheetTypeEnum.WorkSheet
            ):
                continue
            rows, merges = _sheet(workbook, number - 1, ods_merges)
            chars += sum(len(str(v)) for row in rows for v in row)
            if chars > limits.max_text_chars:
                raise DocumentError(
                    Status.TOO_LARGE, f"workbook holds more than {limits.max_text_chars:,} characters of text"
                )
            grids = sum(1 for b in blocks if isinstance(b, Grid))
            sheet = sheet_blocks(rows, merges, number, grids)
            if sheet:
                sheets_read += 1
                blocks += sheet
    finally:
        workbook.close()
    if not blocks:
        raise DocumentError(Status.NOT_A_REPORT, "workbook has no visible sheet with any value")
    return Document(
        format=workbook_format(kind, name),
        blocks=blocks,
        page_count=sheets_read,
        metadata=DocumentMetadata(),
        warnings=warnings,
    )


def _sheet(
    workbook: calamine.CalamineWorkbook, index: int, ods_merges: Sequence[list[Merge]] | None
) -> tuple[list[list[Value]], list[Merge]]:
    try:
        sheet = workbook.get_sheet_by_index(index)
        rows: list[list[Value]] = sheet.to_python(skip_empty_area=False)
        found = sheet.merged_cell_ranges
    except calamine.PasswordError as exc:
        raise DocumentError(Status.ENCRYPTED, "workbook is password-protected") from exc
    except (calamine.CalamineError, ValueError, OSError) as exc:
        raise DocumentError(Status.UNREADABLE, f"sheet {index + 1} cannot be read ({exc})") from exc
    if ods_merges is not None:
        merges = ods_merges[index] if index < len(ods_merges) else []
    else:
        merges = list(found or [])
    return rows, merges
