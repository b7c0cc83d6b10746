"""Shared fixtures for the database tests: one database per test on SQLite and on PostgreSQL,
and `Report` objects built by hand with realistic codes (no parser involved).

PostgreSQL tests get a fresh schema (`gaibao_test_<hex>`, via `search_path`) that is dropped
afterwards, so concurrent runs do not collide. They are skipped, with the reason, only when
the server (`GAIBAO_TEST_POSTGRES_URL`, default 127.0.0.1:5432/test) cannot be reached.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gaibao_pipeline.db import make_engine, upgrade_schema
from gaibao_pipeline.db.schema import TABLES
from gaibao_pipeline.errors import Status
from gaibao_pipeline.model import Provenance
from gaibao_pipeline.report import CheckResult, Report, ReportCell, ReportMeta, Section, SourceInfo

DEFAULT_POSTGRES_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
LOADED_AT = datetime(2024, 3, 1, 8, 30, tzinfo=UTC)


def postgres_url() -> str:
    return os.environ.get("GAIBAO_TEST_POSTGRES_URL", "").strip() or DEFAULT_POSTGRES_URL


@cache
def postgres_unreachable() -> str | None:
    """Why the PostgreSQL server cannot be used, or None when it can."""
    url = sa.make_url(postgres_url()).update_query_dict({"connect_timeout": "3"})
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:  # any failure to connect means: skip, and say why
        return f"PostgreSQL at {url.render_as_string()} unreachable: {type(exc).__name__}: {exc}".strip()
    finally:
        engine.dispose()
    return None


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database: a SQLite file in tmp_path, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{(tmp_path / 'db' / 'gaibao.sqlite').as_posix()}"
        return
    with fresh_postgres_schema("gaibao_test") as url:
        yield url


@contextmanager
def fresh_postgres_schema(prefix: str) -> Iterator[str]:
    """The URL of a new schema on the test server (dropped afterwards); skips if unreachable."""
    reason = postgres_unreachable()
    if reason:
        if os.environ.get("GAIBAO_REQUIRE_POSTGRES"):
            pytest.fail(f"{reason} (GAIBAO_REQUIRE_POSTGRES is set: CI must exercise PostgreSQL)")
        pytest.skip(reason)
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = make_engine(postgres_url())
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = sa.make_url(postgres_url()).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on the empty database (not migrated)."""
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def db(engine: Engine) -> Engine:
    """An engine on a database migrated to head."""
    upgrade_schema(engine)
    return engine


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, ordered by primary key: compares whole database contents."""
    with engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(sa.select(t).order_by(*t.primary_key.columns))]
            for t in TABLES
        }


def count(engine: Engine, table: str, report_id: str | None = None) -> int:
    query = f"SELECT COUNT(*) FROM {table}" + (" WHERE report_id = :rid" if report_id else "")
    with engine.connect() as conn:
        return int(conn.execute(sa.text(query), {"rid": report_id}).scalar_one())


# --- reports ---------------------------------------------------------------------------------
# Numbers of the 2023 洪泽区 report (tests/data/golden/hongze2023.json), including its real
# defect: 行政复议 总计 0 beside 维持 10 and 纠正 1.

T3_COLS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other", "total")
T3_NATURAL_PERSON = {
    "1": 21, "2": 0, "3.1": 0, "3.2": 4, "3.3.1": 1, "3.3.2": 0, "3.3.3": 0, "3.3.4": 0,
    "3.3.5": 0, "3.3.6": 1, "3.3.7": 1, "3.3.8": 0, "3.4.1": 10, "3.4.2": 3, "3.4.3": 0,
    "3.5.1": 1, "3.5.2": 0, "3.5.3": 0, "3.5.4": 0, "3.5.5": 0, "3.6": 0, "3.7": 21, "4": 0,
}  # fmt: skip
T4_ROWS = {
    "review": (10, 1, 0, 0, 0),
    "litigation_direct": (0, 0, 0, 0, 0),
    "litigation_after_review": (5, 0, 0, 0, 0),
}
T4_COLS = ("upheld", "corrected", "other", "pending", "total")
T2_2021 = [
    ("rules", "issued", 0), ("rules", "repealed", 0), ("rules", "in_force", 0),
    ("normative_docs", "issued", 0), ("normative_docs", "repealed", 5), ("normative_docs", "in_force", 5),
    ("licensing", "decisions", 550), ("penalty", "decisions", 4119), ("enforcement", "decisions", 195),
    ("fees", "fee_amount", 7730.28),
]  # fmt: skip
SHA = "9f" * 32


def _where(page: int, row: int, col: int) -> Provenance:
    return Provenance(
        page=page, table_index=1, row=row, col=col, bbox=(72.0 + col, 100.5 + row, 90.25, 112.0)
    )


def hongze_report(*, agency: str = "淮安市洪泽区人民政府", year: int = 2023) -> Report:
    """A complete 2021-template report: t2, t3 (one blank cell, one inferred), t4, checks."""
    cells: list[ReportCell] = []
    for i, (row, col, value) in enumerate(T2_2021):
        raw = "7730.28万元" if col == "fee_amount" else str(value)
        cells.append(ReportCell("t2", row, col, value, raw, where=_where(2, i, 1)))
    for r, (row, person) in enumerate(T3_NATURAL_PERSON.items()):
        for c, col in enumerate(T3_COLS):
            value: int | None = person if col in ("natural_person", "total") else 0
            raw: str | None = str(value)
            inferred = False
            if (row, col) == ("3.3.8", "other"):
                value, raw = None, ""  # printed blank: must load as NULL, not 0
            if (row, col) == ("3.5.5", "research"):
                raw, inferred = None, True  # lost at a page break, filled from the identities
            cells.append(ReportCell("t3", row, col, value, raw, inferred=inferred, where=_where(3, r, c)))
    for r, (row, values) in enumerate(T4_ROWS.items()):
        for c, (col, value) in enumerate(zip(T4_COLS, values, strict=True)):
            cells.append(ReportCell("t4", row, col, value, str(value), where=_where(4, r, c)))
    checks = [
        CheckResult(
            "t3.balance", True, "error", {"col": "total"}, (("t3", "1", "total"), ("t3", "3.7", "total"))
        ),
        CheckResult("t3.results_sum", True, "error", {"col": "total"}),
        CheckResult(
            "t4.block_total",
            False,
            "error",
            {"row": "review", "expected": 11, "actual": 0},
            tuple(("t4", "review", col) for col in T4_COLS),
        ),
        CheckResult(
            "t4.block_total",
            False,
            "error",
            {"row": "litigation_after_review", "expected": 5, "actual": 0},
            (("t4", "litigation_after_review", "total"),),
        ),
        CheckResult("report.timely", False, "warning", {"published": "2024-02-02", "deadline": "2024-03-31"}),
        CheckResult("t3.row_total", None, "error", {"row": "3.3.8", "reason": "总计 left blank"}),
    ]
    sections = [
        Section(1, "总体情况"),
        Section(2, "主动公开政府信息情况"),
        Section(3, "收到和处理政府信息公开申请情况"),
        Section(4, "政府信息公开行政复议、行政诉讼情况"),
        Section(5, "存在的主要问题及改进情况", printed_no="四"),
    ]
    return Report(
        source=SourceInfo(file="hongze2023.pdf", sha256=SHA, format="pdf", size=412_345),
        report=ReportMeta(agency=agency, year=year, template="2021", report_date="2024-01-20"),
        sections=sections,
        cells=cells,
        checks=checks,
        warnings=["t3 3.5.5 research inferred from the identities", "section 六 missing"],
        page_count=7,
    )


def legacy_report(*, agency: str = "平潭县人民政府", year: int = 2011) -> Report:
    """A 2011 统计表 report: canonical row codes (one row no code names keeps its label), with
    the printed label beside each value, period and cumulative columns."""
    rows = [
        ("proactive_total", "主动公开信息数", 425, 1516),
        ("proactive_gov_site", "其中：1.网站公开", 418, 1509),
        ("政务微博发布信息数", "政务微博发布信息数", 12, 30),
        ("requests_total", "受理依申请公开信息总数", 9, 40),
        ("replies_granted", "其中：1.同意公开答复数", 6, 31),
        ("replies_partial", "2.同意部分公开答复数", 2, 5),
        ("admin_reviews", "行政复议数", 1, 2),
        ("lawsuits", "行政诉讼数", 0, 1),
    ]
    cells = [
        ReportCell("legacy", row, col, value, str(value), where=Provenance(line=40 + i), raw_label=label)
        for i, (row, label, period, cumulative) in enumerate(rows)
        for col, value in (("period", period), ("cumulative", cumulative))
    ]
    return Report(
        source=SourceInfo(file="pingtan-county2011.txt", sha256="1a" * 32, format="text", size=9_000),
        report=ReportMeta(agency=agency, year=year, template="legacy", report_date="2012-02-20"),
        sections=[Section(1, "概述")],
        cells=cells,
    )


def failed_report(status: Status = Status.NEEDS_OCR) -> Report:
    source = SourceInfo(file="hongze2023.pdf", sha256=SHA, format="pdf", size=412_345)
    return Report.failed(source, status, "every page is an image; no text layer")


class Helpers:
    """Report builders and database probes, handed to tests as the `helpers` fixture.

    A fixture rather than an importable module: test directories without `__init__.py`
    share one module namespace, where a `helpers.py` in another directory would collide.
    """

    LOADED_AT = LOADED_AT
    SHA = SHA
    T3_COLS = T3_COLS
    T4_COLS = T4_COLS
    hongze = staticmethod(hongze_report)
    legacy = staticmethod(legacy_report)
    failed = staticmethod(failed_report)
    snapshot = staticmethod(snapshot)
    count = staticmethod(count)


@pytest.fixture
def helpers() -> type[Helpers]:
    return Helpers
