"""The database tables (SQLAlchemy Core) and the column layout of the views.

The Alembic migrations in `migrations/versions/` create these; they spell the DDL out
rather than importing this module, so an old migration keeps meaning what it meant.
`tests/db/test_migrations.py` checks that the two agree. Columns are described in
`README.md` next to this file.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect

# JSON on SQLite (text) and JSONB on PostgreSQL: JSONB compares by value, so SELECT DISTINCT
# and equality work on check details. Python None is stored as SQL NULL, not JSON 'null'.
JsonType = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
# Counts are whole numbers and amounts are 万元 with up to 6 decimals (one 分); NUMERIC keeps
# both exact on PostgreSQL. Python sees floats on both backends, as the Report holds them.
ValueType = sa.Numeric(20, 6, asdecimal=False)


class UtcDateTime(sa.TypeDecorator[datetime]):
    """A point in time, stored in UTC and read back timezone-aware on both backends.

    PostgreSQL keeps the zone (timestamptz); SQLite stores text without one, so a naive value
    read back is UTC by construction. Naive values written are taken to be UTC.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Timestamp = UtcDateTime()
# Report ids are short ASCII keys (keys.report_key) and checked before loading. Every other
# text column is TEXT: a length limit would fail a load on PostgreSQL that SQLite (which
# ignores lengths) accepts, for text that comes from documents and the parser.
ReportId = sa.String(64)

metadata = sa.MetaData()

source_files = sa.Table(
    "source_files",
    metadata,
    sa.Column("report_id", ReportId, primary_key=True),
    sa.Column("source_path", sa.Text, nullable=False),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("sha256", sa.Text),
    sa.Column("size_bytes", sa.BigInteger),
    sa.Column("format", sa.Text),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("error_message", sa.Text),
    sa.Column("first_seen_at", Timestamp, nullable=False),
    sa.Column("loaded_at", Timestamp, nullable=False),
    sa.Column("run_id", sa.Text),
    # where a fetched file came from (`gaibao fetch`): the file's URL, and the article page
    # that linked it when the file is an attachment; revision 0004
    sa.Column("source_url", sa.Text),
    sa.Column("article_url", sa.Text),
)

reports = sa.Table(
    "reports",
    metadata,
    sa.Column(
        "report_id",
        ReportId,
        sa.ForeignKey("source_files.report_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("agency", sa.Text),
    sa.Column("agency_normalized", sa.Text),
    sa.Column("year", sa.Integer),
    sa.Column("template", sa.Text),
    sa.Column("report_date", sa.Date),
    sa.Column("published_at", sa.Text),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("message", sa.Text),
    sa.Column("page_count", sa.Integer),
    sa.Column("source_sha256", sa.Text),
    sa.Column("run_id", sa.Text),
    sa.Column("loaded_at", Timestamp, nullable=False),
    sa.Column("n_cells", sa.Integer, nullable=False),
    sa.Column("n_checks", sa.Integer, nullable=False),
    sa.Column("n_checks_failed", sa.Integer, nullable=False),
    sa.Column("n_warnings", sa.Integer, nullable=False),
    sa.Column("warnings", JsonType, nullable=False),
    sa.Index("ix_reports_agency_normalized_year", "agency_normalized", "year"),
    sa.Index("ix_reports_year", "year"),
    sa.Index("ix_reports_status", "status"),
)


def _report_fk() -> sa.ForeignKey:
    return sa.ForeignKey("reports.report_id", ondelete="CASCADE")


sections = sa.Table(
    "sections",
    metadata,
    sa.Column("report_id", ReportId, _report_fk(), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("no", sa.Integer, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("printed_no", sa.Text),
)


def _cell_table(name: str, *extra: sa.Column[Any] | sa.Index) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        sa.Column("report_id", ReportId, _report_fk(), primary_key=True),
        sa.Column("row_code", sa.Text, primary_key=True),
        sa.Column("col_code", sa.Text, primary_key=True),
        sa.Column("value", ValueType),
        sa.Column("raw_text", sa.Text),
        sa.Column("inferred", sa.Boolean, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("page", sa.Integer),
        sa.Column("table_index", sa.Integer),
        sa.Column("grid_row", sa.Integer),
        sa.Column("grid_col", sa.Integer),
        sa.Column("line", sa.Integer),
        sa.Column("bbox", JsonType),
        sa.Column("source_sha256", sa.Text),
        sa.Column("run_id", sa.Text),
        # read from an image by OCR, with the engine's confidence (0..1); revision 0004
        sa.Column("ocr", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("ocr_confidence", sa.Float),
        *extra,
    )


def _flag_indexes(name: str) -> list[sa.Index]:
    """Partial indexes on the cells a reviewer looks at (inferred, read by OCR); revision 0006."""
    return [
        sa.Index(f"ix_{name}_{flag}", "report_id", sqlite_where=sa.text(flag), postgresql_where=sa.text(flag))
        for flag in ("inferred", "ocr")
    ]


cells_t2 = _cell_table("cells_t2", *_flag_indexes("cells_t2"))
cells_t3 = _cell_table("cells_t3", *_flag_indexes("cells_t3"))
cells_t4 = _cell_table("cells_t4", *_flag_indexes("cells_t4"))
# legacy forms vary by province and year: the printed label and code stay beside the canonical row
cells_legacy = _cell_table(
    "cells_legacy",
    sa.Column("raw_label", sa.Text),
    sa.Column("raw_code", sa.Text),
    *_flag_indexes("cells_legacy"),
)

# Canonical table code of a cell (spec §2) → the table its rows go to.
CELL_TABLES: dict[str, sa.Table] = {
    "t2": cells_t2,
    "t3": cells_t3,
    "t4": cells_t4,
    "legacy": cells_legacy,
}

check_results = sa.Table(
    "check_results",
    metadata,
    sa.Column("report_id", ReportId, _report_fk(), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("check_id", sa.Text, nullable=False),
    sa.Column("passed", sa.Boolean),
    sa.Column("severity", sa.Text, nullable=False),
    sa.Column("detail", JsonType, nullable=False),
    sa.Column("cells", JsonType, nullable=False),
    sa.Column("run_id", sa.Text),
    sa.Index("ix_check_results_check_id_passed", "check_id", "passed"),
    # the failures of the whole database (summary asset, reviewers) without a scan: revision 0003
    sa.Index("ix_check_results_failed", "passed", "severity", "report_id"),
)

cross_year_results = sa.Table(
    "cross_year_results",
    metadata,
    sa.Column("report_id", ReportId, _report_fk(), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("check_id", sa.Text, nullable=False),
    sa.Column("passed", sa.Boolean),
    sa.Column("severity", sa.Text, nullable=False),
    sa.Column("previous_report_id", ReportId),
    sa.Column("detail", JsonType, nullable=False),
    sa.Column("cells", JsonType, nullable=False),
    sa.Column("run_id", sa.Text),
    sa.Column("computed_at", Timestamp, nullable=False),
    sa.Index("ix_cross_year_results_check_id_passed", "check_id", "passed"),
)

# --- reviewers' decisions (revision 0006) ----------------------------------------------------
# Keyed by report id and check or cell codes, with no foreign key to `reports`: a reload
# deletes and re-inserts a report's rows, and a reviewer's work must survive it. A new
# decision on the same key supersedes the old one (`is_current` false), which stays as
# history; `stale` is set by the loader when a reload changed what the decision was taken on.

VERDICTS = ("source_error", "parse_error", "confirmed", "dismissed")


def _decision_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("reviewer", sa.Text, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        # what the decision was taken on: the check's outcome and its cells' values, or the
        # parsed value and raw text of the corrected cell (compared again at every reload)
        sa.Column("basis", JsonType, nullable=False),
        sa.Column("is_current", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("stale", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("stale_detail", sa.Text),
    ]


reviews = sa.Table(
    "reviews",
    metadata,
    sa.Column("review_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("report_id", ReportId, nullable=False),
    sa.Column("check_id", sa.Text, nullable=False),
    # the check instance: its row and/or column (detail), NULL for every instance of the check
    sa.Column("row_code", sa.Text),
    sa.Column("col_code", sa.Text),
    sa.Column("verdict", sa.Text, nullable=False),
    sa.Column("note", sa.Text),
    *_decision_columns(),
    sa.CheckConstraint(f"verdict IN {VERDICTS!r}", name="ck_reviews_verdict"),
    sa.Index("ix_reviews_report_id", "report_id", "check_id"),
    sa.Index("ix_reviews_current_verdict", "is_current", "verdict", "report_id"),
    sa.Index("ix_reviews_stale", "stale", "is_current", "report_id"),
)

corrections = sa.Table(
    "corrections",
    metadata,
    sa.Column("correction_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("report_id", ReportId, nullable=False),
    sa.Column("table_code", sa.Text, nullable=False),
    sa.Column("row_code", sa.Text, nullable=False),
    sa.Column("col_code", sa.Text, nullable=False),
    sa.Column("value", ValueType),  # the right value; NULL: the cell should be blank
    sa.Column("reason", sa.Text, nullable=False),
    *_decision_columns(),
    sa.Index("ix_corrections_cell", "report_id", "table_code", "row_code", "col_code", "is_current"),
    sa.Index("ix_corrections_stale", "stale", "is_current", "report_id"),
)

# Fetched files of one article that parse as the same report: one is loaded, the others are
# recorded with status `rendition` (`contracts/renditions.py` has the rule); revision 0007.
renditions = sa.Table(
    "renditions",
    metadata,
    sa.Column(
        "report_id",
        ReportId,
        sa.ForeignKey("source_files.report_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("loaded_report_id", ReportId, nullable=False),
    sa.Column("rank", sa.Integer, nullable=False),
    sa.Column("article_url", sa.Text),
    sa.Column("format", sa.Text),
    sa.Column("cells_read", sa.Integer, nullable=False),
    sa.Column("errors_failed", sa.Integer, nullable=False),
    sa.Column("basis", sa.Text, nullable=False),
    sa.Column("run_id", sa.Text),
    sa.Column("loaded_at", Timestamp, nullable=False),
    sa.Index("ix_renditions_loaded_report_id", "loaded_report_id"),
)

# Children first: the order in which a report's rows are deleted before it is reloaded.
REPORT_CHILD_TABLES: tuple[sa.Table, ...] = (check_results, *CELL_TABLES.values(), sections)

# --- views ---------------------------------------------------------------------------------
# Created by the migrations with plain SQL. Declared here (in their own MetaData, so that
# nothing ever emits CREATE TABLE for them) to give exports and queries typed columns; the
# primary key marks the columns that identify a row and order exports.

view_metadata = sa.MetaData()

T3_WIDE_COLS = (
    "natural_person",
    "commercial",
    "research",
    "social_welfare",
    "legal_service",
    "other",
    "total",
)

t3_wide = sa.Table(
    "t3_wide",
    view_metadata,
    sa.Column("report_id", ReportId, primary_key=True),
    sa.Column("agency", sa.Text),
    sa.Column("agency_normalized", sa.Text),
    sa.Column("year", sa.Integer),
    sa.Column("template", sa.Text),
    sa.Column("row_code", sa.Text, primary_key=True),
    *(sa.Column(col, ValueType) for col in T3_WIDE_COLS),
    sa.Column("n_inferred", sa.Integer),
    sa.Column("n_corrected", sa.Integer),  # values of the row a reviewer corrected (revision 0006)
)

agency_year_summary = sa.Table(
    "agency_year_summary",
    view_metadata,
    sa.Column("report_id", ReportId, primary_key=True),
    sa.Column("agency", sa.Text),
    sa.Column("agency_normalized", sa.Text),
    sa.Column("year", sa.Integer),
    sa.Column("template", sa.Text),
    sa.Column("received", ValueType),
    sa.Column("carried_over", ValueType),
    sa.Column("processed", ValueType),
    sa.Column("carried_forward", ValueType),
    sa.Column("review_total", ValueType),
    sa.Column("litigation_direct_total", ValueType),
    sa.Column("litigation_after_review_total", ValueType),
    sa.Column("n_error_checks_failed", sa.Integer),
    sa.Column("n_warning_checks_failed", sa.Integer),
    sa.Column("n_warnings", sa.Integer),
    sa.Column("n_reports_agency_year", sa.Integer),
)


def _reviewed_view(table: sa.Table) -> sa.Table:
    """`cells_<t>_reviewed`: the cell table with current corrections applied (revision 0006)."""
    kept = [
        sa.Column(c.name, c.type, primary_key=c.primary_key)
        for c in table.columns
        if c.name not in ("value",)
    ]
    return sa.Table(
        f"{table.name}_reviewed",
        view_metadata,
        *kept[:3],
        sa.Column("value", ValueType),  # the corrected value where there is one, else the parsed one
        sa.Column("parsed_value", ValueType),  # the value as loaded
        *kept[3:],
        sa.Column("corrected", sa.Boolean),
        sa.Column("correction_id", sa.Integer),
        sa.Column("corrected_by", sa.Text),
        sa.Column("correction_reason", sa.Text),
        sa.Column("corrected_at", Timestamp),
    )


REVIEWED_CELL_VIEWS: dict[str, sa.Table] = {code: _reviewed_view(t) for code, t in CELL_TABLES.items()}
# One row per agency (normalised name) and year: the measures every template reports (spec §2,
# "Measures comparable across templates"), from the report and template of that year, reviewed
# values (corrections applied); revision 0008.
PANEL_MEASURES = ("applications_received", "granted", "partly_granted", "admin_reviews", "lawsuits")
agency_year_panel = sa.Table(
    "agency_year_panel",
    view_metadata,
    sa.Column("agency_normalized", sa.Text, primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("agency", sa.Text),
    sa.Column("report_id", ReportId),
    sa.Column("template", sa.Text),
    *(sa.Column(measure, ValueType) for measure in PANEL_MEASURES),
    sa.Column("n_corrected", sa.Integer),  # measures' cells a reviewer corrected (reviewed values)
    sa.Column("n_reports_agency_year", sa.Integer),
)

# Parents before children (the order tables are created, exported and listed in README.md).
TABLES: tuple[sa.Table, ...] = (
    source_files,
    reports,
    sections,
    *CELL_TABLES.values(),
    check_results,
    cross_year_results,
    reviews,
    corrections,
    renditions,
)
# Consumer views, each an `out_` asset; the reviewed cell views are exported beside them.
VIEWS: tuple[sa.Table, ...] = (t3_wide, agency_year_summary, agency_year_panel)
ALL_VIEWS: tuple[sa.Table, ...] = (*VIEWS, *REVIEWED_CELL_VIEWS.values())
