"""Loading one batch when a report cannot be written: a malformed report (a parser bug) or
text PostgreSQL refuses (a NUL character) becomes that file's status in `source_files`,
and the rest of the batch loads; on both database backends.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gaibao_pipeline.assets.load import _load
from gaibao_pipeline.db import upgrade_schema
from gaibao_pipeline.db.schema import source_files
from gaibao_pipeline.report import ReportCell
from gaibao_pipeline.resources import DatabaseResource
from gaibao_pipeline.stages import SourceFile
from tests.db.conftest import hongze_report

AT = datetime(2025, 4, 1, tzinfo=UTC)


def test_unloadable_report_is_recorded_as_its_status(db_url: str, engine: Engine) -> None:
    upgrade_schema(engine)
    database = DatabaseResource(url=db_url)
    good = hongze_report()
    duplicate = hongze_report()
    duplicate.cells.append(dataclasses.replace(duplicate.cells[0]))  # the same cell twice
    with_nul = hongze_report()
    with_nul.cells[0] = ReportCell("t2", "rules", "issued", 0, "0\x00")  # PostgreSQL refuses NUL in text
    sources = {
        name: SourceFile(f"r{i:016x}", f"{name}.pdf", f"/landing/{name}.pdf", 1, "ab" * 32)
        for i, name in enumerate(("good", "duplicate", "nul"))
    }
    results = {
        name: _load(database, sources[name], report, "run-1", AT)
        for name, report in (("good", good), ("duplicate", duplicate), ("nul", with_nul))
    }
    database.teardown_after_execution(None)  # type: ignore[arg-type]
    assert results["good"].status == "ok"
    assert results["duplicate"].status == "unreadable"
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.select(source_files.c.source_path, source_files.c.status)).all())
        message = conn.execute(
            sa.select(source_files.c.error_message).where(source_files.c.source_path == "duplicate.pdf")
        ).scalar_one()
    assert rows["good.pdf"] == "ok" and rows["duplicate.pdf"] == "unreadable"
    assert message.startswith("parsed report could not be loaded")
    # SQLite stores a NUL character; PostgreSQL refuses it, which costs that one file only.
    assert rows["nul.pdf"] == ("ok" if db_url.startswith("sqlite") else "unreadable")
