"""Initial schema: source files, reports, sections, the four cell tables, check results, two views.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

The tables are written out here rather than imported from `schema.py`, so this migration
keeps creating what it created when it was written. The views use only SQL that SQLite and
PostgreSQL both read (CASE pivots, no FILTER, no JSON functions); counts that would need
JSON functions (warnings) are stored as columns by the loader instead.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
VALUE = sa.Numeric(20, 6)
TIMESTAMP = sa.DateTime(timezone=True)
REPORT_ID = sa.String(64)  # ASCII keys (keys.report_key); every other text column is TEXT

CELL_TABLES = ("cells_t2", "cells_t3", "cells_t4", "cells_legacy")
T3_COLS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other", "total")


def _report_fk() -> sa.ForeignKey:
    return sa.ForeignKey("reports.report_id", ondelete="CASCADE")


def _pivot(column: str, key_column: str, key: str, alias: str) -> str:
    return f"MAX(CASE WHEN {key_column} = '{key}' THEN {column} END) AS {alias}"


T3_WIDE = f"""
CREATE VIEW t3_wide AS
SELECT
    c.report_id AS report_id,
    r.agency AS agency,
    r.agency_normalized AS agency_normalized,
    r.year AS year,
    r.template AS template,
    c.row_code AS row_code,
    {", ".join(_pivot("c.value", "c.col_code", col, col) for col in T3_COLS)},
    SUM(CASE WHEN c.inferred THEN 1 ELSE 0 END) AS n_inferred
FROM cells_t3 AS c
JOIN reports AS r ON r.report_id = c.report_id
GROUP BY c.report_id, r.agency, r.agency_normalized, r.year, r.template, c.row_code
"""

# One row per loaded report (status ok). Two reports of one agency and year (the same
# report as PDF and as a web page, say) stay two rows, flagged by n_reports_agency_year,
# rather than being summed into double counts or silently dropped.
AGENCY_YEAR_SUMMARY = f"""
CREATE VIEW agency_year_summary AS
SELECT
    r.report_id AS report_id,
    r.agency AS agency,
    r.agency_normalized AS agency_normalized,
    r.year AS year,
    r.template AS template,
    t3.received AS received,
    t3.carried_over AS carried_over,
    t3.processed AS processed,
    t3.carried_forward AS carried_forward,
    t4.review_total AS review_total,
    t4.litigation_direct_total AS litigation_direct_total,
    t4.litigation_after_review_total AS litigation_after_review_total,
    COALESCE(chk.n_error_checks_failed, 0) AS n_error_checks_failed,
    COALESCE(chk.n_warning_checks_failed, 0) AS n_warning_checks_failed,
    r.n_warnings AS n_warnings,
    (
        SELECT COUNT(*) FROM reports AS same
        WHERE same.status = 'ok'
          AND same.agency_normalized = r.agency_normalized
          AND same.year = r.year
    ) AS n_reports_agency_year
FROM reports AS r
LEFT JOIN (
    SELECT
        report_id,
        {_pivot("value", "row_code", "1", "received")},
        {_pivot("value", "row_code", "2", "carried_over")},
        {_pivot("value", "row_code", "3.7", "processed")},
        {_pivot("value", "row_code", "4", "carried_forward")}
    FROM cells_t3
    WHERE col_code = 'total'
    GROUP BY report_id
) AS t3 ON t3.report_id = r.report_id
LEFT JOIN (
    SELECT
        report_id,
        {_pivot("value", "row_code", "review", "review_total")},
        {_pivot("value", "row_code", "litigation_direct", "litigation_direct_total")},
        {_pivot("value", "row_code", "litigation_after_review", "litigation_after_review_total")}
    FROM cells_t4
    WHERE col_code = 'total'
    GROUP BY report_id
) AS t4 ON t4.report_id = r.report_id
LEFT JOIN (
    SELECT
        report_id,
        SUM(CASE WHEN severity = 'error' AND NOT passed THEN 1 ELSE 0 END) AS n_error_checks_failed,
        SUM(CASE WHEN severity = 'warning' AND NOT passed THEN 1 ELSE 0 END) AS n_warning_checks_failed
    FROM check_results
    GROUP BY report_id
) AS chk ON chk.report_id = r.report_id
WHERE r.status = 'ok'
"""


def upgrade() -> None:
    op.create_table(
        "source_files",
        sa.Column("report_id", REPORT_ID, primary_key=True),
        sa.Column("source_path", sa.Text, nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("sha256", sa.Text),
        sa.Column("size_bytes", sa.BigInteger),
        sa.Column("format", sa.Text),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("error_message", sa.Text),
        sa.Column("first_seen_at", TIMESTAMP, nullable=False),
        sa.Column("loaded_at", TIMESTAMP, nullable=False),
        sa.Column("run_id", sa.Text),
    )
    op.create_table(
        "reports",
        sa.Column(
            "report_id",
            REPORT_ID,
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
        sa.Column("loaded_at", TIMESTAMP, nullable=False),
        sa.Column("n_cells", sa.Integer, nullable=False),
        sa.Column("n_checks", sa.Integer, nullable=False),
        sa.Column("n_checks_failed", sa.Integer, nullable=False),
        sa.Column("n_warnings", sa.Integer, nullable=False),
        sa.Column("warnings", JSON, nullable=False),
    )
    op.create_index("ix_reports_agency_normalized_year", "reports", ["agency_normalized", "year"])
    op.create_index("ix_reports_year", "reports", ["year"])
    op.create_index("ix_reports_status", "reports", ["status"])

    op.create_table(
        "sections",
        sa.Column("report_id", REPORT_ID, _report_fk(), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("no", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("printed_no", sa.Text),
    )
    for name in CELL_TABLES:
        op.create_table(
            name,
            sa.Column("report_id", REPORT_ID, _report_fk(), primary_key=True),
            sa.Column("row_code", sa.Text, primary_key=True),
            sa.Column("col_code", sa.Text, primary_key=True),
            sa.Column("value", VALUE),
            sa.Column("raw_text", sa.Text),
            sa.Column("inferred", sa.Boolean, nullable=False),
            sa.Column("note", sa.Text),
            sa.Column("page", sa.Integer),
            sa.Column("table_index", sa.Integer),
            sa.Column("grid_row", sa.Integer),
            sa.Column("grid_col", sa.Integer),
            sa.Column("line", sa.Integer),
            sa.Column("bbox", JSON),
            sa.Column("source_sha256", sa.Text),
            sa.Column("run_id", sa.Text),
        )
    op.create_table(
        "check_results",
        sa.Column("report_id", REPORT_ID, _report_fk(), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("check_id", sa.Text, nullable=False),
        sa.Column("passed", sa.Boolean),
        sa.Column("severity", sa.Text, nullable=False),
        sa.Column("detail", JSON, nullable=False),
        sa.Column("cells", JSON, nullable=False),
        sa.Column("run_id", sa.Text),
    )
    op.create_index("ix_check_results_check_id_passed", "check_results", ["check_id", "passed"])

    op.execute(T3_WIDE)
    op.execute(AGENCY_YEAR_SUMMARY)


def downgrade() -> None:
    op.execute("DROP VIEW agency_year_summary")
    op.execute("DROP VIEW t3_wide")
    op.drop_table("check_results")
    for name in reversed(CELL_TABLES):
        op.drop_table(name)
    op.drop_table("sections")
    op.drop_table("reports")
    op.drop_table("source_files")
