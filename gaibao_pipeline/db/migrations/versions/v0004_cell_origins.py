"""Where a value came from, beyond its page and cell: OCR, the printed legacy label, the file's URL.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06

- every cell table: `ocr` (the raw text was read from an image) and `ocr_confidence`, so
  reviewers can filter on values no text layer vouches for;
- `cells_legacy`: `raw_label` and `raw_code`, the indicator as the province's form printed it,
  beside the canonical row code it was normalised to;
- `source_files`: `source_url` and `article_url`, where a fetched file was downloaded from.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

CELL_TABLES = ("cells_t2", "cells_t3", "cells_t4", "cells_legacy")


def upgrade() -> None:
    for table in CELL_TABLES:
        op.add_column(table, sa.Column("ocr", sa.Boolean, nullable=False, server_default=sa.false()))
        op.add_column(table, sa.Column("ocr_confidence", sa.Float))
    op.add_column("cells_legacy", sa.Column("raw_label", sa.Text))
    op.add_column("cells_legacy", sa.Column("raw_code", sa.Text))
    op.add_column("source_files", sa.Column("source_url", sa.Text))
    op.add_column("source_files", sa.Column("article_url", sa.Text))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite >= 3.35): a batch rebuild would rename the tables under the views.
    op.drop_column("source_files", "article_url")
    op.drop_column("source_files", "source_url")
    op.drop_column("cells_legacy", "raw_code")
    op.drop_column("cells_legacy", "raw_label")
    for table in CELL_TABLES:
        op.drop_column(table, "ocr_confidence")
        op.drop_column(table, "ocr")
