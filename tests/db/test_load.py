"""Loading reports on SQLite and PostgreSQL: counts and values as written, idempotent reloads,
atomic replacement (a failure half-way keeps the previous load), failed reports clearing
stale rows, blank (NULL) kept apart from 0, record_source_file, concurrent loads, and the
numbers the t3_wide and agency_year_summary views return.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from gaibao_pipeline.db import load_report, record_source_file
from gaibao_pipeline.db.engine import write_transaction
from gaibao_pipeline.db.load import write_report_rows
from gaibao_pipeline.db.rows import report_rows
from gaibao_pipeline.db.schema import (
    agency_year_panel,
    agency_year_summary,
    cells_t2,
    cells_t3,
    check_results,
    reports,
    source_files,
    t3_wide,
)
from gaibao_pipeline.db.summary import row_count
from gaibao_pipeline.errors import Status
from gaibao_pipeline.report import ReportCell

RID = "r0123456789abcdef"
PATH = "jiangsu/huaian/hongze2023.pdf"


def _load(db: Engine, report: Any, report_id: str = RID, **kwargs: Any) -> Any:
    kwargs.setdefault("loaded_at", datetime(2024, 3, 1, 8, 30, tzinfo=UTC))
    return load_report(db, report, report_id=report_id, source_path=PATH, run_id="run-1", **kwargs)


def _one(db: Engine, stmt: Any) -> Any:
    with db.connect() as conn:
        return conn.execute(stmt).one()


def test_load_counts(db: Engine, helpers: Any) -> None:
    result = _load(db, helpers.hongze())
    assert result.report_id == RID
    assert result.status == "ok"
    assert result.n_cells == {"t2": 10, "t3": 23 * 7, "t4": 15, "legacy": 0}
    assert result.total_cells == 186
    assert result.n_checks == 6
    assert result.n_failed == 3  # two t4.block_total errors and one warning; None is not a failure
    assert result.replaced_previous is False
    for table, n in (
        ("cells_t2", 10),
        ("cells_t3", 161),
        ("cells_t4", 15),
        ("sections", 5),
        ("check_results", 6),
    ):
        assert helpers.count(db, table, RID) == n
    row = _one(db, sa.select(reports).where(reports.c.report_id == RID))
    assert (row.n_cells, row.n_checks, row.n_checks_failed, row.n_warnings) == (186, 6, 3, 2)
    assert row.agency_normalized == "淮安市洪泽区人民政府"
    assert row.report_date == date(2024, 1, 20)
    assert row.page_count == 7


def test_legacy_report_loads_canonical_rows_with_printed_labels(db: Engine, helpers: Any) -> None:
    result = _load(db, helpers.legacy(), report_id="rlegacy")
    assert result.n_cells == {"t2": 0, "t3": 0, "t4": 0, "legacy": 16}
    with db.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT value, raw_label FROM cells_legacy WHERE row_code = :r AND col_code = 'cumulative'"
            ),
            {"r": "proactive_gov_site"},
        ).one()
        label_row = conn.execute(
            sa.text("SELECT value FROM cells_legacy WHERE row_code = :r AND col_code = 'period'"),
            {"r": "政务微博发布信息数"},  # an indicator no code names keeps its label as its row
        ).scalar_one()
    assert (row.value, row.raw_label) == (1509, "其中：1.网站公开")
    assert label_row == 12


def test_reload_is_idempotent(db: Engine, helpers: Any) -> None:
    first = _load(db, helpers.hongze())
    before = helpers.snapshot(db)
    second = _load(db, helpers.hongze())
    assert helpers.snapshot(db) == before
    assert first.replaced_previous is False and second.replaced_previous is True
    assert sum(len(rows) for rows in before.values()) == 1 + 1 + 5 + 186 + 6


def test_reload_keeps_first_seen_and_updates_the_rest(db: Engine, helpers: Any) -> None:
    _load(db, helpers.hongze(), loaded_at=datetime(2024, 3, 1, tzinfo=UTC))
    changed = helpers.hongze()
    changed.cells = [c for c in changed.cells if c.table != "t2"]
    changed.checks = changed.checks[:1]
    _load(db, changed, loaded_at=datetime(2024, 4, 1, tzinfo=UTC))
    assert helpers.count(db, "cells_t2", RID) == 0
    assert helpers.count(db, "check_results", RID) == 1
    row = _one(db, sa.select(source_files))
    assert row.first_seen_at == datetime(2024, 3, 1, tzinfo=UTC)
    assert row.loaded_at == datetime(2024, 4, 1, tzinfo=UTC)


def test_failure_half_way_keeps_previous_load(db: Engine, helpers: Any) -> None:
    """The check_results insert comes after the deletes and the other inserts; failing it
    must roll all of them back."""
    _load(db, helpers.hongze())
    before = helpers.snapshot(db)
    changed = helpers.hongze(agency="别的机关")

    def fail_on_checks(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO CHECK_RESULTS"):
            raise RuntimeError("disk full (simulated)")

    event.listen(db, "before_cursor_execute", fail_on_checks)
    try:
        with pytest.raises(RuntimeError, match="simulated"):
            _load(db, changed, loaded_at=datetime(2025, 1, 1, tzinfo=UTC))
    finally:
        event.remove(db, "before_cursor_execute", fail_on_checks)
    assert helpers.snapshot(db) == before


def test_database_error_half_way_keeps_previous_load(db: Engine, helpers: Any) -> None:
    """A constraint violation raised by the database itself (a NULL title) rolls back too.

    The table contracts refuse such rows before loading; this writes them past the
    contracts, as a bug there would, to show the database's own guarantee."""
    _load(db, helpers.hongze())
    before = helpers.snapshot(db)
    broken = helpers.hongze()
    broken.sections = [dataclasses.replace(broken.sections[0], title=None)]
    rows = report_rows(
        broken, report_id=RID, source_path="hongze2023.pdf", run_id=None, loaded_at=datetime.now(UTC)
    )
    with pytest.raises(sa.exc.IntegrityError), write_transaction(db) as conn:
        write_report_rows(conn, rows)
    assert helpers.snapshot(db) == before


def test_rows_breaking_a_table_contract_are_refused_not_loaded(db: Engine, helpers: Any) -> None:
    """A report whose rows would corrupt the tables (a NULL section title, an unknown code)
    is recorded as invalid with the reason; none of its rows, and none of an earlier load's,
    remain."""
    _load(db, helpers.hongze())
    broken = helpers.hongze()
    broken.sections = [dataclasses.replace(broken.sections[0], title=None)]
    broken.cells.append(ReportCell("t3", "9.9", "total", 1, "1"))
    result = _load(db, broken)
    assert result.status == Status.INVALID.value
    with db.connect() as conn:
        status, message = conn.execute(
            sa.select(source_files.c.status, source_files.c.error_message).where(
                source_files.c.report_id == RID
            )
        ).one()
        assert status == "invalid" and "sections.title" in message and "9.9" in message
        assert conn.execute(sa.select(sa.func.count()).select_from(cells_t3)).scalar() == 0


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        # a table code outside t2/t3/t4/legacy
        (lambda r: r.cells.append(ReportCell("t9", "1", "total", 1, "1")), "unknown table code"),
        # the same cell twice
        (lambda r: r.cells.append(dataclasses.replace(r.cells[0])), "appears twice"),
        # a bool where a number belongs (bool is an int subclass)
        (lambda r: r.cells.append(ReportCell("t3", "9", "total", True, "1")), "non-numeric"),
        # NaN is not a value
        (lambda r: r.cells.append(ReportCell("t3", "9", "total", float("nan"), "?")), "non-finite"),
    ],
)
def test_malformed_report_is_refused_before_writing(
    db: Engine, helpers: Any, mutate: Any, message: str
) -> None:
    _load(db, helpers.hongze())
    before = helpers.snapshot(db)
    bad = helpers.hongze()
    mutate(bad)
    with pytest.raises(ValueError, match=message):
        _load(db, bad)
    assert helpers.snapshot(db) == before


@pytest.mark.parametrize("report_id", ["", "r中文", "x" * 65])
def test_report_id_must_be_short_ascii(db: Engine, helpers: Any, report_id: str) -> None:
    with pytest.raises(ValueError, match="report_id"):
        _load(db, helpers.hongze(), report_id=report_id)


def test_failed_report_clears_stale_rows(db: Engine, helpers: Any) -> None:
    _load(db, helpers.hongze())
    result = _load(db, helpers.failed(Status.NEEDS_OCR))
    assert result.status == "needs_ocr"
    assert result.total_cells == 0 and result.n_checks == 0 and result.replaced_previous is True
    for table in ("cells_t2", "cells_t3", "cells_t4", "cells_legacy", "sections", "check_results"):
        assert helpers.count(db, table) == 0, table
    report = _one(db, sa.select(reports))
    assert (report.status, report.message, report.n_cells, report.agency) == (
        "needs_ocr",
        "every page is an image; no text layer",
        0,
        None,
    )
    source = _one(db, sa.select(source_files))
    assert (source.status, source.error_message, source.file_name) == (
        "needs_ocr",
        "every page is an image; no text layer",
        "hongze2023.pdf",
    )


def test_blank_stays_null_and_zero_stays_zero(db: Engine, helpers: Any) -> None:
    _load(db, helpers.hongze())
    with db.connect() as conn:
        rows = {
            (r.row_code, r.col_code): r
            for r in conn.execute(sa.select(cells_t3).where(cells_t3.c.row_code.in_(["3.3.8", "3.5.5"])))
        }
    blank = rows[("3.3.8", "other")]
    assert blank.value is None and blank.raw_text == ""
    zero = rows[("3.3.8", "natural_person")]
    assert zero.value == 0 and zero.value is not None and zero.raw_text == "0"
    inferred = rows[("3.5.5", "research")]
    assert inferred.inferred is True and inferred.raw_text is None and inferred.value == 0
    with db.connect() as conn:
        nulls = conn.execute(sa.text("SELECT COUNT(*) FROM cells_t3 WHERE value IS NULL")).scalar_one()
        zeros = conn.execute(sa.text("SELECT COUNT(*) FROM cells_t3 WHERE value = 0")).scalar_one()
    assert (nulls, zeros) == (1, 161 - 1 - 18)  # 9 rows have non-zero natural_person and total


def test_values_provenance_and_json_round_trip(db: Engine, helpers: Any) -> None:
    report = helpers.hongze()
    # a 2019-template column beside the 2021 ones: only a report of unknown template may mix them
    report.report.template = None
    report.cells.append(
        ReportCell(
            "t2", "licensing", "change", -11, "减11(划至市行政审批管理局)", note="划至市行政审批管理局"
        )
    )
    _load(db, report)
    with db.connect() as conn:
        fee = conn.execute(sa.select(cells_t2).where(cells_t2.c.col_code == "fee_amount")).one()
        change = conn.execute(sa.select(cells_t2).where(cells_t2.c.col_code == "change")).one()
        check = conn.execute(sa.select(check_results).where(check_results.c.seq == 3)).one()
        warnings = conn.execute(sa.select(reports.c.warnings)).scalar_one()
    assert fee.value == pytest.approx(7730.28) and fee.raw_text == "7730.28万元"
    assert (fee.page, fee.table_index, fee.grid_row, fee.grid_col) == (2, 1, 9, 1)
    assert (
        fee.bbox == [73.0, 109.5, 90.25, 112.0] and fee.source_sha256 == helpers.SHA and fee.run_id == "run-1"
    )
    assert (change.value, change.note) == (-11, "划至市行政审批管理局")
    assert (check.check_id, check.passed, check.severity) == ("t4.block_total", False, "error")
    assert check.detail == {"row": "review", "expected": 11, "actual": 0}
    assert check.cells == [["t4", "review", col] for col in helpers.T4_COLS]
    assert warnings == ["t3 3.5.5 research inferred from the identities", "section 六 missing"]
    with db.connect() as conn:
        not_evaluable = conn.execute(sa.select(check_results).where(check_results.c.passed.is_(None))).one()
    assert not_evaluable.check_id == "t3.row_total"


def test_record_source_file(db: Engine, helpers: Any) -> None:
    # ok: only the source_files row, first seen now
    seen = datetime(2024, 2, 1, tzinfo=UTC)
    record_source_file(
        db, report_id="rscan", source_path="a/b/scan.pdf", sha256="ee" * 32, size=10,
        format="pdf", status="ok", error=None, run_id="run-0", recorded_at=seen,
    )  # fmt: skip
    assert helpers.count(db, "reports") == 0
    # a later failure writes the status row and keeps first_seen_at
    record_source_file(
        db, report_id="rscan", source_path="a/b/scan.pdf", sha256="ee" * 32, size=None,
        format="pdf", status=Status.TIMEOUT, error="over 120 s", run_id="run-1",
        recorded_at=datetime(2024, 2, 2, tzinfo=UTC),
    )  # fmt: skip
    source = _one(db, sa.select(source_files))
    assert (source.status, source.error_message, source.file_name, source.size_bytes) == (
        "timeout",
        "over 120 s",
        "scan.pdf",
        None,
    )
    assert source.first_seen_at == seen  # timezone-aware on both backends
    report = _one(db, sa.select(reports))
    assert (report.status, report.message, report.run_id) == ("timeout", "over 120 s", "run-1")


def test_record_failure_clears_an_earlier_successful_load(db: Engine, helpers: Any) -> None:
    _load(db, helpers.hongze())
    record_source_file(
        db, report_id=RID, source_path=PATH, sha256=helpers.SHA, size=1,
        format="pdf", status="unreadable", error="truncated",
    )  # fmt: skip
    assert helpers.count(db, "cells_t3") == 0
    assert _one(db, sa.select(reports.c.status)).status == "unreadable"


def test_record_source_file_rejects_unknown_status(db: Engine) -> None:
    with pytest.raises(ValueError):
        record_source_file(
            db, report_id="r1", source_path="x.pdf", sha256=None, size=None,
            format=None, status="exploded", error=None,
        )  # fmt: skip


def test_concurrent_loads(db: Engine, helpers: Any) -> None:
    """Threads loading different reports, and the same report, all succeed and do not mix."""
    jobs = [f"r{i:016x}" for i in range(6)] + [RID] * 4

    def run(report_id: str) -> None:
        _load(db, helpers.hongze(), report_id=report_id)

    with ThreadPoolExecutor(max_workers=5) as pool:
        list(pool.map(run, jobs))
    assert helpers.count(db, "reports") == 7
    assert helpers.count(db, "cells_t3") == 7 * 161
    assert helpers.count(db, "check_results", RID) == 6


# --- views -----------------------------------------------------------------------------------


def test_t3_wide(db: Engine, helpers: Any) -> None:
    _load(db, helpers.hongze())
    _load(db, helpers.legacy(), report_id="rlegacy")  # no t3 cells: no rows
    with db.connect() as conn:
        rows = {r.row_code: r for r in conn.execute(sa.select(t3_wide))}
    assert len(rows) == 23
    assert (rows["1"].natural_person, rows["1"].commercial, rows["1"].total) == (21, 0, 21)
    assert (rows["3.4.1"].total, rows["3.7"].total, rows["4"].total) == (10, 21, 0)
    assert rows["3.3.8"].other is None  # blank stays blank through the pivot
    assert (rows["3.5.5"].n_inferred, rows["1"].n_inferred) == (1, 0)
    assert (rows["1"].agency, rows["1"].year, rows["1"].template) == ("淮安市洪泽区人民政府", 2023, "2021")


def test_view_row_counts_equal_counting_the_views(db: Engine, helpers: Any) -> None:
    # the view assets count rows after every run from the tables' indexes, not the views
    _load(db, helpers.hongze())
    _load(db, helpers.hongze(agency="淮安市洪澤區 人民政府（转载）"), report_id="rmirror")
    _load(db, helpers.legacy(), report_id="rlegacy")  # ok, but no table 三
    _load(db, helpers.failed(), report_id="rfailed")  # not ok
    with db.connect() as conn:
        for view, expected in ((t3_wide, 46), (agency_year_summary, 3), (agency_year_panel, 2)):
            assert conn.execute(sa.select(sa.func.count()).select_from(view)).scalar_one() == expected
            assert row_count(db, view) == expected, view.name


def test_agency_year_summary(db: Engine, helpers: Any) -> None:
    _load(db, helpers.hongze())
    # The same report in traditional characters from another source: same agency key.
    _load(db, helpers.hongze(agency="淮安市洪澤區 人民政府（转载）"), report_id="rmirror")
    _load(db, helpers.failed(), report_id="rfailed")  # not ok: not summarised
    with db.connect() as conn:
        rows = {r.report_id: r for r in conn.execute(sa.select(agency_year_summary))}
    assert set(rows) == {RID, "rmirror"}
    row = rows[RID]
    assert (row.agency_normalized, row.year, row.template) == ("淮安市洪泽区人民政府", 2023, "2021")
    assert (row.received, row.carried_over, row.processed, row.carried_forward) == (21, 0, 21, 0)
    assert (row.review_total, row.litigation_direct_total, row.litigation_after_review_total) == (0, 0, 0)
    assert (row.n_error_checks_failed, row.n_warning_checks_failed, row.n_warnings) == (2, 1, 2)
    assert row.n_reports_agency_year == 2
