"""Archives through the Dagster asset graph: each file inside an archive is a partition of its own,
loaded with its path inside the archive, its status and its source hash; a second run gives
identical tables.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gaibao_pipeline.db.schema import cells_t3, reports, source_files
from gaibao_pipeline.orchestration.partitions import REPORTS
from gaibao_pipeline.runner.landing import scan
from gaibao_pipeline.synth import build_docx
from gaibao_pipeline.synth.pdf_builder import build_report_pdf
from tests.support.archives import zip_of
from tests.test_formats_roundtrip import TEMPLATE_DOCX, make_report

from .conftest import contents, materialize_all


def test_an_archive_loads_one_report_per_file_inside(
    instance: dg.DagsterInstance, tmp_path: Path, db_url: str, engine: Engine
) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    pdf, docx = make_report(1, "2021"), make_report(2, "2021")
    (landing / "bundle.zip").write_bytes(
        zip_of(
            {
                "2023/报告.pdf": build_report_pdf(pdf),
                "2023/report.docx": build_docx(docx, TEMPLATE_DOCX),
                "../escape.txt": b"x",
            }
        )
    )
    assert materialize_all(instance, landing, db_url).success
    assert set(instance.get_dynamic_partitions(REPORTS.name)) == {f.key for f in scan(landing)}
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.select(source_files.c.source_path, source_files.c.status)).all())
        agencies = dict(
            conn.execute(
                sa.select(source_files.c.source_path, reports.c.agency).join(
                    reports, reports.c.report_id == source_files.c.report_id
                )
            ).all()
        )
        n_cells = conn.execute(sa.select(sa.func.count()).select_from(cells_t3)).scalar_one()
    assert rows == {
        "bundle.zip!2023/报告.pdf": "ok",
        "bundle.zip!2023/report.docx": "ok",
        "bundle.zip!escape.txt": "unreadable",
    }
    assert agencies["bundle.zip!2023/报告.pdf"] == pdf.agency
    assert agencies["bundle.zip!2023/report.docx"] == docx.agency
    assert n_cells > 0
    first = contents(engine)
    assert materialize_all(instance, landing, db_url).success
    assert contents(engine) == first
