"""Reports read back from the database: for reviewers, and for checks across reports."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gaibao_pipeline.contracts.cross_year import YearReport
from gaibao_pipeline.db.engine import id_chunks
from gaibao_pipeline.db.schema import CELL_TABLES, check_results, reports, sections, source_files
from gaibao_pipeline.errors import Status
from gaibao_pipeline.model import Provenance
from gaibao_pipeline.report import (
    CellKey,
    CheckResult,
    Number,
    Report,
    ReportCell,
    ReportMeta,
    Section,
    SourceInfo,
)

# The cells the cross-year checks compare: t3 rows 2 and 4, t2 documents in force.
_CROSS_YEAR_CELLS = (
    ("t3", ("2", "4")),
    ("t2", ("rules", "normative_docs")),
)


def read_report(engine: Engine, report_id: str) -> Report | None:
    """The report as loaded (cells with raw text and provenance, checks), or None if absent."""
    with engine.connect() as conn:
        joined = sa.select(
            reports, source_files.c.file_name, source_files.c.size_bytes, source_files.c.format
        )
        head = (
            conn.execute(
                joined.join_from(
                    reports, source_files, reports.c.report_id == source_files.c.report_id
                ).where(reports.c.report_id == report_id)
            )
            .mappings()
            .first()
        )
        if head is None:
            return None
        source = SourceInfo(
            head["file_name"], head["source_sha256"] or "", head["format"] or "", head["size_bytes"] or 0
        )
        meta = ReportMeta(
            head["agency"],
            head["year"],
            head["template"],
            head["report_date"].isoformat() if head["report_date"] else None,
            head["published_at"],
        )
        report = Report(source, Status(head["status"]), head["message"], meta, page_count=head["page_count"])
        report.warnings = list(head["warnings"] or [])
        report.sections = [
            Section(r.no, r.title, r.printed_no)
            for r in conn.execute(
                sa.select(sections).where(sections.c.report_id == report_id).order_by(sections.c.seq)
            )
        ]
        for code, table in CELL_TABLES.items():
            for r in conn.execute(sa.select(table).where(table.c.report_id == report_id)).mappings():
                report.cells.append(_cell(code, r))
        report.checks = [
            CheckResult(
                r.check_id, r.passed, r.severity, dict(r.detail or {}), tuple(tuple(c) for c in r.cells)
            )
            for r in conn.execute(
                sa.select(check_results)
                .where(check_results.c.report_id == report_id)
                .order_by(check_results.c.seq)
            )
        ]
    return report


def _cell(table: str, r: Any) -> ReportCell:
    bbox = tuple(r["bbox"]) if r["bbox"] else None
    where = Provenance(r["page"], r["table_index"], r["grid_row"], r["grid_col"], bbox, r["line"])
    legacy = table == "legacy"
    return ReportCell(
        table,
        r["row_code"],
        r["col_code"],
        r["value"],
        r["raw_text"],
        bool(r["inferred"]),
        where,
        r["note"],
        raw_label=r["raw_label"] if legacy else None,
        raw_code=r["raw_code"] if legacy else None,
        ocr=bool(r["ocr"]),
        confidence=r["ocr_confidence"],
    )


def read_year_reports(engine: Engine, report_ids: Collection[str] | None = None) -> list[YearReport]:
    """Every loaded ok report (or those of `report_ids`) with the cells the cross-year checks compare."""
    values: dict[str, dict[CellKey, Number | None]] = defaultdict(dict)
    counts: dict[str, int] = defaultdict(int)
    chunks: list[list[str] | None] = [None] if report_ids is None else list(id_chunks(report_ids))
    heads: list[Any] = []
    with engine.connect() as conn:
        for chunk in chunks:
            for code, rows in _CROSS_YEAR_CELLS:
                table = CELL_TABLES[code]
                query = sa.select(table.c.report_id, table.c.row_code, table.c.col_code, table.c.value).where(
                    table.c.row_code.in_(rows), *([] if chunk is None else [table.c.report_id.in_(chunk)])
                )
                for report_id, row, col, value in conn.execute(query):
                    values[report_id][(code, row, col)] = value
                    counts[report_id] += value is not None
            heads += conn.execute(
                sa.select(reports.c.report_id, reports.c.agency, reports.c.year, reports.c.template).where(
                    reports.c.status == Status.OK.value,
                    *([] if chunk is None else [reports.c.report_id.in_(chunk)]),
                )
            ).all()
    return [
        YearReport(report_id, agency, year, template, values.get(report_id, {}), counts.get(report_id, 0))
        for report_id, agency, year, template in heads
    ]


def ok_report_agencies(engine: Engine) -> list[tuple[str, str | None]]:
    """(report_id, agency_normalized) of every ok report: a narrow read, to find an agency's reports."""
    query = sa.select(reports.c.report_id, reports.c.agency_normalized).where(
        reports.c.status == Status.OK.value
    )
    with engine.connect() as conn:
        return [(report_id, agency) for report_id, agency in conn.execute(query)]


# Outcomes that depend only on a file's bytes: the same bytes give them again. Others
# (timeout, too_large, needs_ocr, needs_converter, invalid) depend on limits, installed
# tools or the parser, so a file that ended with one of them is worth another try.
SETTLED_STATUSES = frozenset(
    {
        Status.OK,
        Status.UNREADABLE,
        Status.ENCRYPTED,
        Status.NOT_A_REPORT,
        Status.UNSUPPORTED_FORMAT,
        Status.MULTIPLE_REPORTS,
        Status.RENDITION,  # its article's files are read again together whenever one of them changes
    }
)


def settled_sources(engine: Engine) -> dict[str, str]:
    """report_id → sha256 of the files whose last load settled their outcome (see SETTLED_STATUSES)."""
    if not sa.inspect(engine).has_table(source_files.name):
        return {}
    query = sa.select(source_files.c.report_id, source_files.c.sha256).where(
        source_files.c.status.in_([s.value for s in SETTLED_STATUSES]), source_files.c.sha256.is_not(None)
    )
    with engine.connect() as conn:
        return {report_id: sha for report_id, sha in conn.execute(query)}
