"""Cells read by OCR are marked in the database: `ocr` and `ocr_confidence` on every cell table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gaibao_pipeline.db import load_report
from gaibao_pipeline.db.schema import cells_t2, cells_t3, cells_t4
from tests.conftest import parsed_golden


@pytest.mark.slow
def test_a_scanned_report_loads_every_cell_marked_ocr_with_its_confidence(db: Engine) -> None:
    report = parsed_golden("hongze2023-scan")  # read by OCR once per session
    load_report(
        db,
        report,
        report_id="r00000000000scan0",
        source_path="hongze2023-scan.pdf",
        run_id="run-1",
        loaded_at=datetime(2024, 3, 1, tzinfo=UTC),
    )
    with db.connect() as conn:
        for table in (cells_t2, cells_t3, cells_t4):
            rows = conn.execute(sa.select(table.c.ocr, table.c.ocr_confidence, table.c.raw_text)).all()
            read = [r for r in rows if r.raw_text is not None]
            assert read and all(r.ocr for r in read), table.name
            assert all(r.ocr_confidence is not None and 0 <= r.ocr_confidence <= 1 for r in read), table.name
        weakest = conn.execute(
            sa.select(sa.func.min(cells_t3.c.ocr_confidence)).where(cells_t3.c.ocr)
        ).scalar_one()
        assert weakest is not None
