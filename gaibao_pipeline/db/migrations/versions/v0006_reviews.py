"""Reviewers' decisions: verdicts on failed checks, corrections of cell values, views applying them.

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-20

- `reviews`: one row per verdict a reviewer gave on a failed (or not evaluable) check of a
  report, with a note; `corrections`: one row per corrected cell value, with a reason. Both
  are keyed by report id and check or cell codes, never by the row ids of a load, and have
  no foreign key to `reports`: loading a report deletes and re-inserts its rows, and a
  reviewer's work must survive that. A new decision on the same key supersedes the old one
  (`current`), which stays as history. `stale` is set by the loader when a reload changes
  what the decision was taken on.
- partial indexes on the cells that were inferred or read by OCR, so the review queue finds
  them without reading every cell;
- views `cells_<t>_reviewed`: the cell tables with the current corrections applied and a
  `corrected` flag; `t3_wide` is re-created over `cells_t3_reviewed` and counts corrections.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
VALUE = sa.Numeric(20, 6)
TIMESTAMP = sa.DateTime(timezone=True)
REPORT_ID = sa.String(64)
VERDICTS = ("source_error", "parse_error", "confirmed", "dismissed")
CELL_TABLES = {"t2": "cells_t2", "t3": "cells_t3", "t4": "cells_t4", "legacy": "cells_legacy"}
CELL_COLUMNS = (
    "raw_text",
    "inferred",
    "note",
    "page",
    "table_index",
    "grid_row",
    "grid_col",
    "line",
    "bbox",
    "source_sha256",
    "run_id",
    "ocr",
    "ocr_confidence",
)
T3_COLS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other", "total")


def _reviewed_view(code: str, table: str) -> str:
    extra = ", c.raw_label AS raw_label, c.raw_code AS raw_code" if code == "legacy" else ""
    kept = ", ".join(f"c.{name} AS {name}" for name in CELL_COLUMNS)
    return f"""
CREATE VIEW {table}_reviewed AS
SELECT
    c.report_id AS report_id,
    c.row_code AS row_code,
    c.col_code AS col_code,
    CASE WHEN k.correction_id IS NULL THEN c.value ELSE k.value END AS value,
    c.value AS parsed_value,
    {kept}{extra},
    (k.correction_id IS NOT NULL) AS corrected,
    k.correction_id AS correction_id,
    k.reviewer AS corrected_by,
    k.reason AS correction_reason,
    k.created_at AS corrected_at
FROM {table} AS c
LEFT JOIN corrections AS k
    ON k.is_current
   AND k.report_id = c.report_id
   AND k.table_code = '{code}'
   AND k.row_code = c.row_code
   AND k.col_code = c.col_code
"""


def _pivot(column: str, key_column: str, key: str, alias: str) -> str:
    return f"MAX(CASE WHEN {key_column} = '{key}' THEN {column} END) AS {alias}"


def _t3_wide(source: str, count_corrected: bool) -> str:
    corrected = (
        ",\n    SUM(CASE WHEN c.corrected THEN 1 ELSE 0 END) AS n_corrected" if count_corrected else ""
    )
    return f"""
CREATE VIEW t3_wide AS
SELECT
    c.report_id AS report_id,
    r.agency AS agency,
    r.agency_normalized AS agency_normalized,
    r.year AS year,
    r.template AS template,
    c.row_code AS row_code,
    {", ".join(_pivot("c.value", "c.col_code", col, col) for col in T3_COLS)},
    SUM(CASE WHEN c.inferred THEN 1 ELSE 0 END) AS n_inferred{corrected}
FROM {source} AS c
JOIN reports AS r ON r.report_id = c.report_id
GROUP BY c.report_id, r.agency, r.agency_normalized, r.year, r.template, c.row_code
"""


def _decision_columns() -> list[sa.Column[object]]:
    """Who decided when, whether a later decision replaced it, and whether a reload outdated it."""
    return [
        sa.Column("reviewer", sa.Text, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("basis", JSON, nullable=False),
        sa.Column("is_current", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("stale", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("stale_detail", sa.Text),
    ]


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("review_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("report_id", REPORT_ID, nullable=False),
        sa.Column("check_id", sa.Text, nullable=False),
        sa.Column("row_code", sa.Text),
        sa.Column("col_code", sa.Text),
        sa.Column("verdict", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
        *_decision_columns(),
        sa.CheckConstraint(f"verdict IN {VERDICTS!r}", name="ck_reviews_verdict"),
    )
    op.create_index("ix_reviews_report_id", "reviews", ["report_id", "check_id"])
    op.create_index("ix_reviews_current_verdict", "reviews", ["is_current", "verdict", "report_id"])
    op.create_index("ix_reviews_stale", "reviews", ["stale", "is_current", "report_id"])
    op.create_table(
        "corrections",
        sa.Column("correction_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("report_id", REPORT_ID, nullable=False),
        sa.Column("table_code", sa.Text, nullable=False),
        sa.Column("row_code", sa.Text, nullable=False),
        sa.Column("col_code", sa.Text, nullable=False),
        sa.Column("value", VALUE),
        sa.Column("reason", sa.Text, nullable=False),
        *_decision_columns(),
    )
    op.create_index(
        "ix_corrections_cell",
        "corrections",
        ["report_id", "table_code", "row_code", "col_code", "is_current"],
    )
    op.create_index("ix_corrections_stale", "corrections", ["stale", "is_current", "report_id"])
    for table in CELL_TABLES.values():
        for flag in ("inferred", "ocr"):
            op.create_index(
                f"ix_{table}_{flag}",
                table,
                ["report_id"],
                sqlite_where=sa.text(flag),
                postgresql_where=sa.text(flag),
            )
    for code, table in CELL_TABLES.items():
        op.execute(_reviewed_view(code, table))
    op.execute("DROP VIEW t3_wide")
    op.execute(_t3_wide("cells_t3_reviewed", count_corrected=True))


def downgrade() -> None:
    op.execute("DROP VIEW t3_wide")
    op.execute(_t3_wide("cells_t3", count_corrected=False))
    for table in CELL_TABLES.values():
        op.execute(f"DROP VIEW {table}_reviewed")
        for flag in ("inferred", "ocr"):
            op.drop_index(f"ix_{table}_{flag}", table_name=table)
    op.drop_table("corrections")
    op.drop_table("reviews")
