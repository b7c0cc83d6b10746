"""Renditions: the fetched files of one article that are the same report, and which one is loaded.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

- `renditions`: one row per file that is a rendition of a report with another rendition (an
  article page and its PDF attachment): the report id loaded for the report, this file's rank
  (1 = loaded) and the rule's inputs that ranked it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "renditions",
        sa.Column("report_id", sa.String(64), primary_key=True),
        sa.Column("loaded_report_id", sa.String(64), nullable=False),
        sa.Column("rank", sa.Integer, nullable=False),
        sa.Column("article_url", sa.Text),
        sa.Column("format", sa.Text),
        sa.Column("cells_read", sa.Integer, nullable=False),
        sa.Column("errors_failed", sa.Integer, nullable=False),
        sa.Column("basis", sa.Text, nullable=False),
        sa.Column("run_id", sa.Text),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["source_files.report_id"], ondelete="CASCADE"),
    )
    op.create_index("ix_renditions_loaded_report_id", "renditions", ["loaded_report_id"])


def downgrade() -> None:
    op.drop_index("ix_renditions_loaded_report_id", table_name="renditions")
    op.drop_table("renditions")
