"""Loading one batch when a report cannot be written: a malformed report (a parser bug)
becomes that file's `invalid` status in `source_files`, text with a NUL character (which
PostgreSQL refuses) loads without it, and the rest of the batch loads; on both backends.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gaibao_pipeline.db import ReportToLoad, load_reports, upgrade_schema
from gaibao_pipeline.db.schema import source_files
from gaibao_pipeline.report import ReportCell
from tests.db.conftest import hongze_report

AT = datetime(2025, 4, 1, tzinfo=UTC)


def test_unloadable_report_is_recorded_as_its_status(engine: Engine) -> None:
    upgrade_schema(engine)
    good = hongze_report()
    duplicate = hongze_report()
    duplicate.cells.append(dataclasses.replace(duplicate.cells[0]))  # the same cell twice
    with_nul = hongze_report()
    with_nul.cells[0] = ReportCell("t2", "rules", "issued", 0, "0\x00")  # PostgreSQL refuses NUL in text
    names = ("good", "duplicate", "nul")
    items = [
        ReportToLoad(report, f"r{i:016x}", f"{name}.pdf")
        for i, (name, report) in enumerate(zip(names, (good, duplicate, with_nul), strict=True))
    ]
    results = dict(zip(names, load_reports(engine, items, run_id="run-1", loaded_at=AT), strict=True))
    assert results["good"].status == "ok" and results["good"].refused is None
    assert results["duplicate"].status == "invalid"
    assert (results["duplicate"].refused or "").startswith("parsed report could not be loaded")
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.select(source_files.c.source_path, source_files.c.status)).all())
        message = conn.execute(
            sa.select(source_files.c.error_message).where(source_files.c.source_path == "duplicate.pdf")
        ).scalar_one()
    assert rows["good.pdf"] == "ok" and rows["duplicate.pdf"] == "invalid"
    assert message.startswith("parsed report could not be loaded")
    assert rows["nul.pdf"] == "ok"  # the NUL is dropped on both backends


def test_absurd_counts_and_amounts_are_invalid_with_the_cell_named_on_both_backends(engine: Engine) -> None:
    # issue 24: 1e30 loaded as REAL on SQLite (status ok) and overflowed NUMERIC on PostgreSQL
    upgrade_schema(engine)
    huge_count = hongze_report()
    huge_count.cells[10] = dataclasses.replace(huge_count.cells[10], value=1e30, raw="1" + "0" * 30)
    int64ish = hongze_report()
    int64ish.cells[10] = dataclasses.replace(int64ish.cells[10], value=9.2e18, raw="9200000000000000000")
    huge_amount = hongze_report()
    fee = next(i for i, c in enumerate(huge_amount.cells) if c.col == "fee_amount")
    huge_amount.cells[fee] = dataclasses.replace(huge_amount.cells[fee], value=5e15, raw="5e15万元")
    large_but_real = hongze_report()
    large_but_real.cells[fee] = dataclasses.replace(large_but_real.cells[fee], value=2.5e8)
    names = ("count", "int64", "amount", "real")
    items = [
        ReportToLoad(report, f"r{i:016x}", f"{name}.pdf")
        for i, (name, report) in enumerate(
            zip(names, (huge_count, int64ish, huge_amount, large_but_real), strict=True)
        )
    ]
    results = dict(zip(names, load_reports(engine, items, run_id="run-1", loaded_at=AT), strict=True))
    cell = huge_count.cells[10]
    for name in ("count", "int64", "amount"):
        assert results[name].status == "invalid", name
    assert f"at {cell.row}/{cell.col}" in (results["count"].refused or "")
    assert "a count at most 1e+09" in (results["count"].refused or "")
    assert "fees/fee_amount" in (results["amount"].refused or "")
    assert results["real"].status == "ok"  # 2.5 × 10^8 万元 is large, not absurd
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.select(source_files.c.source_path, source_files.c.status)).all())
    assert rows == {"count.pdf": "invalid", "int64.pdf": "invalid", "amount.pdf": "invalid", "real.pdf": "ok"}


def test_an_agency_too_long_for_the_index_is_invalid_not_a_failed_run(engine: Engine) -> None:
    # PostgreSQL refused the index row (over 8 KB) and the error failed the whole load
    upgrade_schema(engine)
    rng = random.Random(1)
    misread = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(20_000))
    items = [
        ReportToLoad(hongze_report(), "r0000000000000001", "good.pdf"),
        ReportToLoad(hongze_report(agency=misread), "r0000000000000002", "long.pdf"),
    ]
    good, long = load_reports(engine, items, run_id="run-1", loaded_at=AT)
    assert good.status == "ok"
    assert long.status == "invalid" and "reports.agency str_length" in (long.refused or "")


def test_a_size_limit_of_the_database_refuses_the_rows_not_the_run() -> None:
    from gaibao_pipeline.db.load import _refuses_the_data

    class Answer(Exception):
        def __init__(self, pgcode: str | None) -> None:
            super().__init__("refused")
            self.pgcode = pgcode

    def error(pgcode: str | None) -> sa.exc.DBAPIError:
        return sa.exc.OperationalError("INSERT …", {}, Answer(pgcode))

    assert _refuses_the_data(error("54000"))  # program_limit_exceeded: index row too large
    assert _refuses_the_data(error("22003"))  # numeric_value_out_of_range
    assert not _refuses_the_data(error("08006"))  # connection failure: the run must fail
    assert not _refuses_the_data(error(None))
