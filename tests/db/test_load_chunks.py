"""Batch loading writes several reports per transaction: the tables end up exactly as when
loading one report at a time, `replaced_previous` is per report, a report listed twice is
written once, and a database error rolls back only its own chunk (earlier chunks stay)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from gaibao_pipeline.db import ReportToLoad, load_report, load_reports
from gaibao_pipeline.db import load as load_module
from gaibao_pipeline.db.schema import reports

AT = datetime(2024, 3, 1, 8, 30, tzinfo=UTC)


def _items(helpers: Any, n: int) -> list[ReportToLoad]:
    return [
        ReportToLoad(helpers.hongze(agency=f"某某县第{i}局", year=2020 + i % 4), f"r{i:016x}", f"dir/{i}.pdf")
        for i in range(n)
    ]


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load_module, "WRITE_CHUNK", 2)  # 5 reports: chunks of 2, 2 and 1


def test_chunks_give_the_same_tables_as_one_at_a_time(db: Engine, helpers: Any, small_chunks: None) -> None:
    items = _items(helpers, 5)
    load_reports(db, items[:2], run_id="run-1", loaded_at=AT)  # two of them were loaded before
    results = load_reports(db, items, run_id="run-1", loaded_at=AT)
    assert [r.replaced_previous for r in results] == [True, True, False, False, False]
    assert [r.report_id for r in results] == [i.report_id for i in items]
    chunked = helpers.snapshot(db)
    for item in items:  # reloading is idempotent, so one at a time must give the same tables
        load_report(
            db, item.report, report_id=item.report_id, source_path=item.source_path, run_id="run-1",
            loaded_at=AT,
        )  # fmt: skip
    assert helpers.snapshot(db) == chunked


def test_a_report_listed_twice_is_written_once(db: Engine, helpers: Any, small_chunks: None) -> None:
    item = _items(helpers, 1)[0]
    results = load_reports(db, [item, item, item], run_id="run-1", loaded_at=AT)
    assert len(results) == 3 and {r.status for r in results} == {"ok"}
    assert helpers.count(db, "reports") == 1 and helpers.count(db, "cells_t3") == results[0].n_cells["t3"]


def test_database_error_rolls_back_only_its_chunk(db: Engine, helpers: Any, small_chunks: None) -> None:
    items = _items(helpers, 5)
    calls = {"n": 0}

    def fail_in_second_chunk(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO CHECK_RESULTS"):
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("disk full (simulated)")

    event.listen(db, "before_cursor_execute", fail_in_second_chunk)
    try:
        with pytest.raises(RuntimeError, match="simulated"):
            load_reports(db, items, run_id="run-1", loaded_at=AT)
    finally:
        event.remove(db, "before_cursor_execute", fail_in_second_chunk)
    with db.connect() as conn:
        loaded = set(conn.execute(sa.select(reports.c.report_id)).scalars())
    assert loaded == {items[0].report_id, items[1].report_id}  # the first chunk stayed


def test_a_report_the_database_refuses_is_recorded_invalid_and_its_chunk_still_loads(
    db: Engine, helpers: Any, small_chunks: None
) -> None:
    items = _items(helpers, 5)
    bad = items[2].report_id  # shares its chunk with items[3]

    def refuse_one_report(conn: Any, cursor: Any, statement: str, params: Any, *args: Any) -> None:
        # cursor parameters are tuples or dicts, one per row: look for the id among the values
        if statement.lstrip().upper().startswith("INSERT INTO CELLS_T3") and bad in repr(params):
            raise sa.exc.IntegrityError(statement, params, Exception("value out of range (simulated)"))

    event.listen(db, "before_cursor_execute", refuse_one_report)
    try:
        results = load_reports(db, items, run_id="run-1", loaded_at=AT)
    finally:
        event.remove(db, "before_cursor_execute", refuse_one_report)
    assert [r.status for r in results] == ["ok", "ok", "invalid", "ok", "ok"]
    with db.connect() as conn:
        status = dict(conn.execute(sa.select(reports.c.report_id, reports.c.status)).all())
        message = conn.execute(sa.select(reports.c.message).where(reports.c.report_id == bad)).scalar()
        bad_cells = conn.execute(
            sa.select(sa.func.count()).select_from(sa.table("cells_t3", sa.column("report_id")))
            .where(sa.column("report_id") == bad)
        ).scalar()  # fmt: skip
    assert status == {i.report_id: ("invalid" if i.report_id == bad else "ok") for i in items}
    assert "database refused" in message and "simulated" in message
    assert bad_cells == 0
