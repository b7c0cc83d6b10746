"""An index on failed check outcomes: which reports failed which checks, without a table scan.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

`check_results` holds every outcome (about 45 rows per report) and few of them fail.
Reviewers ask for the failures (`WHERE NOT passed`), and the summary asset counts them after
every run: a scan of the whole table, 0.4 s per run at 10,000 reports and growing with the
database (bench/RESULTS.md, round 5). With the index those queries read only failed rows.
"""

from __future__ import annotations

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index("ix_check_results_failed", "check_results", ["passed", "severity", "report_id"])


def downgrade() -> None:
    op.drop_index("ix_check_results_failed", table_name="check_results")
