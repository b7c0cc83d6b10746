"""The panel view: one row per agency and year, the measures every template reports.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

`agency_year_panel` gives, for each agency (its normalised name) and year, the measures
comparable across templates (spec §2): applications received, granted, partly granted,
administrative reviews and lawsuits, taken from the pre-2019 form's canonical indicators
(`requests_total`, `replies_granted`, `replies_partial`, `admin_reviews`, `lawsuits`,
period column) or from tables 三 and 四 of the 2019/2021 templates (row totals), with the
report and template each year came from. Where one agency has two reports of a year (the
same report as PDF and web page), the one with the most measures printed is taken (then
the smallest report id) and `n_reports_agency_year` says so. Values are the reviewed ones
(`cells_*_reviewed`, revision 0006): a reviewer's correction wins, and `n_corrected` counts the
measures' cells a correction changed. Plain SQL that SQLite (3.25+, window functions) and
PostgreSQL both run.
"""

from __future__ import annotations

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def _pivot(key: str, alias: str) -> str:
    return f"MAX(CASE WHEN row_code = '{key}' THEN value END) AS {alias}"


def _corrected(keys: tuple[str, ...]) -> str:
    """How many of the rows' cells a reviewer corrected."""
    listed = ", ".join(f"'{k}'" for k in keys)
    return f"SUM(CASE WHEN row_code IN ({listed}) AND corrected THEN 1 ELSE 0 END) AS n_corrected"


LEGACY_MEASURES = ("requests_total", "replies_granted", "replies_partial", "admin_reviews", "lawsuits")
MEASURES = ("applications_received", "granted", "partly_granted", "admin_reviews", "lawsuits")

AGENCY_YEAR_PANEL = f"""
CREATE VIEW agency_year_panel AS
WITH measures AS (
    SELECT
        r.report_id AS report_id,
        r.agency AS agency,
        r.agency_normalized AS agency_normalized,
        r.year AS year,
        r.template AS template,
        CASE WHEN r.template = 'legacy' THEN lg.requests_total ELSE t3.received END
            AS applications_received,
        CASE WHEN r.template = 'legacy' THEN lg.replies_granted ELSE t3.granted END AS granted,
        CASE WHEN r.template = 'legacy' THEN lg.replies_partial ELSE t3.partly_granted END
            AS partly_granted,
        CASE WHEN r.template = 'legacy' THEN lg.admin_reviews ELSE t4.review_total END AS admin_reviews,
        CASE
            WHEN r.template = 'legacy' THEN lg.lawsuits
            WHEN t4.direct_total IS NULL AND t4.after_review_total IS NULL THEN NULL
            ELSE COALESCE(t4.direct_total, 0) + COALESCE(t4.after_review_total, 0)
        END AS lawsuits,
        CASE WHEN r.template = 'legacy' THEN COALESCE(lg.n_corrected, 0)
            ELSE COALESCE(t3.n_corrected, 0) + COALESCE(t4.n_corrected, 0) END AS n_corrected
    FROM reports AS r
    LEFT JOIN (
        SELECT
            report_id,
            {_pivot("1", "received")},
            {_pivot("3.1", "granted")},
            {_pivot("3.2", "partly_granted")},
            {_corrected(("1", "3.1", "3.2"))}
        FROM cells_t3_reviewed
        WHERE col_code = 'total'
        GROUP BY report_id
    ) AS t3 ON t3.report_id = r.report_id
    LEFT JOIN (
        SELECT
            report_id,
            {_pivot("review", "review_total")},
            {_pivot("litigation_direct", "direct_total")},
            {_pivot("litigation_after_review", "after_review_total")},
            {_corrected(("review", "litigation_direct", "litigation_after_review"))}
        FROM cells_t4_reviewed
        WHERE col_code = 'total'
        GROUP BY report_id
    ) AS t4 ON t4.report_id = r.report_id
    LEFT JOIN (
        SELECT
            report_id,
            {_pivot("requests_total", "requests_total")},
            {_pivot("replies_granted", "replies_granted")},
            {_pivot("replies_partial", "replies_partial")},
            {_pivot("admin_reviews", "admin_reviews")},
            {_pivot("lawsuits", "lawsuits")},
            {_corrected(LEGACY_MEASURES)}
        FROM cells_legacy_reviewed
        WHERE col_code = 'period'
        GROUP BY report_id
    ) AS lg ON lg.report_id = r.report_id
    WHERE r.status = 'ok' AND r.agency_normalized IS NOT NULL AND r.year IS NOT NULL
),
ranked AS (
    SELECT
        m.*,
        ROW_NUMBER() OVER (
            PARTITION BY m.agency_normalized, m.year
            ORDER BY {" + ".join(f"(CASE WHEN m.{c} IS NULL THEN 0 ELSE 1 END)" for c in MEASURES)} DESC,
                m.report_id
        ) AS pick,
        COUNT(*) OVER (PARTITION BY m.agency_normalized, m.year) AS n_reports_agency_year
    FROM measures AS m
)
SELECT
    agency_normalized,
    year,
    agency,
    report_id,
    template,
    {", ".join(MEASURES)},
    n_corrected,
    n_reports_agency_year
FROM ranked
WHERE pick = 1
"""


def upgrade() -> None:
    op.execute(AGENCY_YEAR_PANEL)


def downgrade() -> None:
    op.execute("DROP VIEW agency_year_panel")
