"""Cross-year check results: one row per check outcome linking a report to the year before.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02

Kept apart from `check_results`, which holds what one report says on its own and is
replaced when that report reloads: these outcomes depend on two reports and are
recomputed for every report whenever any of them loads.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "cross_year_results",
        sa.Column(
            "report_id",
            sa.String(64),
            sa.ForeignKey("reports.report_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("check_id", sa.Text, nullable=False),
        sa.Column("passed", sa.Boolean),
        sa.Column("severity", sa.Text, nullable=False),
        sa.Column("previous_report_id", sa.String(64)),
        sa.Column("detail", JSON, nullable=False),
        sa.Column("cells", JSON, nullable=False),
        sa.Column("run_id", sa.Text),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_cross_year_results_check_id_passed", "cross_year_results", ["check_id", "passed"])


def downgrade() -> None:
    op.drop_index("ix_cross_year_results_check_id_passed", table_name="cross_year_results")
    op.drop_table("cross_year_results")
