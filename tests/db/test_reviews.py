"""Reviewers' decisions in the database, on SQLite and PostgreSQL: verdicts and corrections are
stored with reviewer and time, refused with nothing written when wrong, applied by the reviewed
views and `t3_wide` without touching the parsed cells, exported, kept across reloads and marked
stale when a reload changes what they were taken on; the review queue and the agency panel.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gaibao_pipeline.db import export_tables, load_report
from gaibao_pipeline.db.panel import agency_panel
from gaibao_pipeline.db.review_queue import QueueFilter, review_queue
from gaibao_pipeline.db.reviews import ReviewError, record_correction, record_verdict, report_decisions
from gaibao_pipeline.errors import Status
from gaibao_pipeline.report import ReportCell

RID = "rhongze2023"


def _rows(engine: Engine, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql), params)]


@pytest.fixture
def loaded(db: Engine, helpers: Any) -> Engine:
    load_report(db, helpers.hongze(), report_id=RID, source_path="hongze2023.pdf")
    load_report(db, helpers.legacy(), report_id="rpingtan2011", source_path="pingtan-county2011.txt")
    return db


def _reload(engine: Engine, helpers: Any, **values: float) -> None:
    """Load the hongze report again, with t4 review cells changed as if the parser had read them so."""
    report = helpers.hongze()
    for cell in report.cells:
        if cell.table == "t4" and cell.row == "review" and cell.col in values:
            cell.value = values[cell.col]
            cell.raw = str(values[cell.col])
    load_report(engine, report, report_id=RID, source_path="hongze2023.pdf")


def test_verdict_is_stored_with_reviewer_time_and_basis(loaded: Engine) -> None:
    written = record_verdict(
        loaded, RID, check_id="t4.block_total", row="review", verdict="source_error", reviewer=" 王审 ",
        note="the report prints 总计 0 beside 10 + 1",
    )  # fmt: skip
    verdicts, _ = report_decisions(loaded, RID)
    assert [v["review_id"] for v in verdicts] == [written.id]
    stored = verdicts[0]
    assert (stored["reviewer"], stored["verdict"], stored["row_code"], stored["col_code"]) == (
        "王审",
        "source_error",
        "review",
        None,
    )
    assert stored["created_at"].tzinfo is not None and stored["is_current"] and not stored["stale"]
    # what the verdict was taken on: the failed outcome and its cells as loaded
    assert stored["basis"]["outcomes"] == [["review/", False, 11.0, 0.0]]
    assert stored["basis"]["cells"]["t4 review total"] == 0.0


def test_a_new_verdict_supersedes_the_old_one_which_stays_as_history(loaded: Engine) -> None:
    record_verdict(loaded, RID, check_id="t4.block_total", row="review", verdict="parse_error", reviewer="a")
    second = record_verdict(
        loaded, RID, check_id="t4.block_total", row="review", verdict="source_error", reviewer="b"
    )
    assert second.superseded == 1
    rows = _rows(loaded, "SELECT verdict, is_current FROM reviews ORDER BY review_id")
    assert [(v, bool(c)) for v, c in rows] == [("parse_error", False), ("source_error", True)]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        # no reviewer name
        ({"check_id": "t4.block_total", "verdict": "confirmed", "reviewer": "  "}, "reviewer is required"),
        # a verdict the app does not know
        ({"check_id": "t4.block_total", "verdict": "ok", "reviewer": "a"}, "verdict must be one of"),
        # a check that passed: nothing to decide
        ({"check_id": "t3.balance", "verdict": "confirmed", "reviewer": "a"}, "no failed or not evaluable"),
        # a row the check did not fail on
        (
            {
                "check_id": "t4.block_total",
                "row": "litigation_direct",
                "verdict": "confirmed",
                "reviewer": "a",
            },
            "row litigation_direct",
        ),
    ],
)
def test_refused_verdicts_write_nothing(loaded: Engine, fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ReviewError, match=message):
        record_verdict(loaded, RID, **fields)
    assert _rows(loaded, "SELECT COUNT(*) FROM reviews") == [(0,)]


def test_decisions_on_a_report_that_is_not_there_are_refused_as_not_found(loaded: Engine) -> None:
    with pytest.raises(ReviewError, match="no report") as refused:
        record_verdict(loaded, "rmissing", check_id="t4.block_total", verdict="confirmed", reviewer="a")
    assert refused.value.not_found
    with pytest.raises(ReviewError, match="no report"):
        record_correction(
            loaded, "rmissing", table="t4", row="review", col="total", value=1, reason="r", reviewer="a"
        )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        # a cell the report does not have
        ({"table": "t3", "row": "9.9", "col": "total", "value": 1}, "has no cell t3 9.9 total"),
        # a table code that does not exist
        ({"table": "t9", "row": "1", "col": "total", "value": 1}, "table must be one of"),
        # not a number
        ({"table": "t4", "row": "review", "col": "total", "value": "eleven"}, "must be a number"),
        # no reason given
        ({"table": "t4", "row": "review", "col": "total", "value": 11, "reason": ""}, "reason is required"),
        # no reviewer
        ({"table": "t4", "row": "review", "col": "total", "value": 11, "reviewer": None}, "reviewer"),
    ],
)
def test_refused_corrections_write_nothing(loaded: Engine, fields: dict[str, Any], message: str) -> None:
    arguments = {"reason": "the parts add up to 11", "reviewer": "a", **fields}
    with pytest.raises(ReviewError, match=message):
        record_correction(loaded, RID, **arguments)
    assert _rows(loaded, "SELECT COUNT(*) FROM corrections") == [(0,)]


def test_correction_is_applied_by_the_reviewed_views_and_never_overwrites_the_parsed_cell(
    loaded: Engine,
) -> None:
    record_correction(
        loaded, RID, table="t4", row="review", col="total", value="１１", reason="10 + 1", reviewer="a"
    )
    record_correction(loaded, RID, table="t3", row="1", col="total", value=22, reason="typo", reviewer="a")
    assert _rows(loaded, "SELECT value FROM cells_t4 WHERE report_id = :r AND row_code = 'review' "
                 "AND col_code = 'total'", r=RID) == [(0,)]  # fmt: skip
    reviewed = _rows(
        loaded,
        "SELECT row_code, value, parsed_value, corrected, corrected_by, correction_reason"
        " FROM cells_t4_reviewed WHERE report_id = :r AND col_code = 'total' ORDER BY row_code",
        r=RID,
    )
    assert [(r[0], r[1], r[2], bool(r[3]), r[4], r[5]) for r in reviewed] == [
        ("litigation_after_review", 0, 0, False, None, None),
        ("litigation_direct", 0, 0, False, None, None),
        ("review", 11, 0, True, "a", "10 + 1"),
    ]
    # the consumer view uses the reviewed value and says so
    wide = _rows(
        loaded, "SELECT total, n_corrected FROM t3_wide WHERE report_id = :r AND row_code = '1'", r=RID
    )
    assert wide == [(22, 1)]
    # a correction to blank
    record_correction(loaded, RID, table="t4", row="review", col="other", value="", reason="not printed",
                      reviewer="a")  # fmt: skip
    assert _rows(loaded, "SELECT value FROM cells_t4_reviewed WHERE report_id = :r AND row_code = 'review' "
                 "AND col_code = 'other'", r=RID) == [(None,)]  # fmt: skip


def test_decisions_survive_reloads_and_become_stale_when_their_basis_changes(
    loaded: Engine, helpers: Any
) -> None:
    record_verdict(loaded, RID, check_id="t4.block_total", row="review", verdict="source_error", reviewer="a")
    record_correction(loaded, RID, table="t4", row="review", col="total", value=11, reason="r", reviewer="a")
    _reload(loaded, helpers)  # the same report again: nothing changed under the decisions
    assert _rows(loaded, "SELECT COUNT(*) FROM reviews WHERE is_current AND NOT stale") == [(1,)]
    assert _rows(loaded, "SELECT COUNT(*) FROM corrections WHERE is_current AND NOT stale") == [(1,)]
    _reload(loaded, helpers, total=12)  # a new parse reads another total
    assert _rows(loaded, "SELECT stale_detail FROM reviews WHERE stale") == [("t4 review total: 0 → 12",)]
    assert _rows(loaded, "SELECT stale_detail FROM corrections WHERE stale") == [
        ("parsed value 0 → 12; raw text '0' → '12'",)
    ]
    assert review_queue(loaded, QueueFilter(status="stale")).total == 1
    # the correction still applies, over the new parse
    assert _rows(loaded, "SELECT value, parsed_value FROM cells_t4_reviewed WHERE report_id = :r "
                 "AND row_code = 'review' AND col_code = 'total'", r=RID) == [(11, 12)]  # fmt: skip
    _reload(loaded, helpers)  # back as it was: no longer stale
    assert _rows(loaded, "SELECT COUNT(*) FROM reviews WHERE stale") == [(0,)]


def test_a_report_that_no_longer_reads_keeps_its_decisions_marked_stale(loaded: Engine, helpers: Any) -> None:
    record_verdict(loaded, RID, check_id="t4.block_total", verdict="confirmed", reviewer="a")
    record_correction(loaded, RID, table="t4", row="review", col="total", value=11, reason="r", reviewer="a")
    load_report(loaded, helpers.failed(Status.NEEDS_OCR), report_id=RID, source_path="hongze2023.pdf")
    assert _rows(loaded, "SELECT stale_detail FROM reviews") == [("the check no longer fails",)]
    assert _rows(loaded, "SELECT stale_detail FROM corrections") == [("the cell is no longer in the report",)]


def test_export_includes_decisions_and_reviewed_views(loaded: Engine, tmp_path: Path) -> None:
    record_verdict(loaded, RID, check_id="t4.block_total", row="review", verdict="source_error", reviewer="a")
    record_correction(loaded, RID, table="t4", row="review", col="total", value=11, reason="r", reviewer="a")
    written = {p.name for p in export_tables(loaded, tmp_path, formats=["csv"])}
    assert {"reviews.csv", "corrections.csv", "cells_t4_reviewed.csv", "cells_legacy_reviewed.csv"} <= written
    reviewed = (tmp_path / "cells_t4_reviewed.csv").read_text(encoding="utf-8-sig")
    assert f"{RID},review,total,11,0," in reviewed
    assert "source_error" in (tmp_path / "reviews.csv").read_text(encoding="utf-8-sig")


def test_queue_filters_counts_and_verdict_status(loaded: Engine) -> None:
    everything = review_queue(loaded, QueueFilter())
    # hongze: two failed instances, a not evaluable one, an inferred cell; the legacy report: none
    assert [r.report_id for r in everything.reports] == [RID]
    assert everything.counts == {
        "all": 1, "failed": 1, "not_evaluable": 1, "inferred": 1, "ocr": 0, "open": 1, "stale": 0
    }  # fmt: skip
    row = everything.reports[0]
    assert row.failed_checks == ["t4.block_total", "report.timely"] and row.n_open == 3
    assert row.not_evaluable_checks == ["t3.row_total"] and row.n_inferred == 1
    assert review_queue(loaded, QueueFilter(check="t3.balance")).total == 0
    assert review_queue(loaded, QueueFilter(agency="洪泽", year=2023, template="2021")).total == 1
    assert review_queue(loaded, QueueFilter(agency="100%_")).total == 0  # LIKE wildcards are text
    record_verdict(loaded, RID, check_id="t4.block_total", verdict="source_error", reviewer="a")
    assert review_queue(loaded, QueueFilter(check="t4.block_total", status="decided")).total == 1
    assert review_queue(loaded, QueueFilter(status="open")).reports[0].n_open == 1  # report.timely
    record_verdict(loaded, RID, check_id="report.timely", verdict="dismissed", reviewer="a")
    assert review_queue(loaded, QueueFilter(status="open")).total == 0
    assert review_queue(loaded, QueueFilter(status="dismissed")).total == 1
    with pytest.raises(ValueError, match="status must be one of"):
        QueueFilter(status="nonsense")


def test_queue_pages_are_cut_in_the_database(db: Engine, helpers: Any) -> None:
    for i in range(7):
        report = helpers.hongze(agency=f"机关{i}", year=2020 + i % 3)
        load_report(db, report, report_id=f"r{i:03d}", source_path=f"{i}.pdf")
    pages = [review_queue(db, QueueFilter(), page=n, per_page=3) for n in (1, 2, 3)]
    assert [p.total for p in pages] == [7, 7, 7] and pages[0].pages == 3
    ids = [r.report_id for p in pages for r in p.reports]
    assert len(ids) == len(set(ids)) == 7
    years = [r.year or 0 for p in pages for r in p.reports]
    assert years == sorted(years, reverse=True)


def test_agency_panel_uses_reviewed_values_and_legacy_indicators(loaded: Engine, helpers: Any) -> None:
    record_correction(loaded, RID, table="t4", row="review", col="total", value=11, reason="r", reviewer="a")
    legacy = helpers.legacy()
    legacy.report.agency, legacy.report.year = "淮安市洪泽区人民政府", 2012
    legacy.cells = [
        ReportCell("legacy", code, col, value, str(value))
        for code, period, cumulative in (
            ("requests_total", 9, 40),
            ("replies_granted", 7, 30),
            ("lawsuits", 1, 2),
        )
        for col, value in (("period", period), ("cumulative", cumulative))
    ]
    load_report(loaded, legacy, report_id="rhongze2012", source_path="hongze2012.txt")
    old, new = agency_panel(loaded, "淮安市洪泽区人民政府")
    # legacy: the year's (本年度) indicators; what the form does not print stays unknown
    assert (old.year, old.template) == (2012, "legacy")
    assert old.values == {
        "received": 9, "granted": 7, "partly_granted": None, "admin_reviews": None, "lawsuits": 1
    }  # fmt: skip
    assert new.values == {
        "received": 21, "granted": 0, "partly_granted": 4, "admin_reviews": 11, "lawsuits": 0
    }  # fmt: skip
    assert new.corrected == {"admin_reviews"} and not old.corrected
    assert agency_panel(loaded, "nobody") == []
