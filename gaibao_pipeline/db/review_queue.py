"""The review queue: reports a reviewer should look at, filtered, counted and paginated in SQL.

A report is in the queue when it has a failed or a not evaluable check, or a cell that was
inferred from the identities or read by OCR. Each of those is found through an index
(`ix_check_results_failed`, `ix_check_results_check_id_passed`, the partial indexes
`ix_cells_*_inferred` / `ix_cells_*_ocr`), the page is cut by LIMIT/OFFSET in the database,
and only the page's reports are then described: nothing loads the whole queue, at 10^5
reports either.

Verdict status of a report: `open` (a failed check instance no current verdict covers),
`decided` (every failed instance covered), `stale` (a reload changed what a current verdict
or correction was taken on), `corrected` (has a correction), or a verdict (has one).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gaibao_pipeline.db.reviews import covers, instance_scope, scope_sql
from gaibao_pipeline.db.schema import CELL_TABLES, VERDICTS, check_results, corrections, reports, reviews

KINDS = ("failed", "not_evaluable", "inferred", "ocr")
STATUSES = ("open", "decided", "stale", "corrected", *VERDICTS)
MAX_PER_PAGE = 200


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What the reviewer asked for; every field is optional."""

    agency: str | None = None  # part of the agency's name, as printed or normalised
    year: int | None = None
    template: str | None = None
    check: str | None = None  # a check id: reports where it failed or was not evaluable
    kind: str | None = None  # one of KINDS
    status: str | None = None  # one of STATUSES

    def __post_init__(self) -> None:
        if self.kind is not None and self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {self.kind!r}")
        if self.status is not None and self.status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}; got {self.status!r}")


@dataclass(slots=True)
class QueueReport:
    """One report of a queue page."""

    report_id: str
    agency: str | None
    agency_normalized: str | None
    year: int | None
    template: str | None
    failed_checks: list[str] = field(default_factory=list)  # check ids with a failed instance
    not_evaluable_checks: list[str] = field(default_factory=list)
    n_failed: int = 0  # failed check instances
    n_open: int = 0  # failed instances no current verdict covers
    n_inferred: int = 0
    n_ocr: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)  # current verdicts by kind
    n_corrections: int = 0
    stale: bool = False


@dataclass(frozen=True, slots=True)
class QueuePage:
    reports: list[QueueReport]
    total: int  # reports matching the filter
    page: int
    per_page: int
    counts: dict[str, int]  # reports per kind and status, under the filter's agency/year/template/check

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _failed_rows(passed: bool | None, check: str | None) -> sa.Select[Any]:
    c = check_results
    # `= false`, not `IS false`: PostgreSQL uses the index only for `=`
    condition = c.c.passed.is_(None) if passed is None else c.c.passed == sa.false()
    return sa.select(c.c.report_id).where(condition, *([c.c.check_id == check] if check else []))


def _flagged_cells(flag: str) -> list[sa.Select[Any]]:
    # the predicate is written as the partial indexes' (`WHERE inferred`), so both backends use them
    return [sa.select(t.c.report_id).where(sa.text(f"{t.name}.{flag}")) for t in CELL_TABLES.values()]


def _kind_ids(kind: str, check: str | None) -> list[sa.Select[Any]]:
    if kind == "failed":
        return [_failed_rows(False, check)]
    if kind == "not_evaluable":
        return [_failed_rows(None, check)]
    return _flagged_cells(kind)


def _queue_ids(kind: str | None, check: str | None) -> sa.CompoundSelect[Any] | sa.Select[Any]:
    kinds = [kind] if kind else (["failed", "not_evaluable"] if check else list(KINDS))
    # one flat UNION: SQLite does not take parenthesised compound selects
    parts = [part for k in kinds for part in _kind_ids(k, check)]
    return parts[0] if len(parts) == 1 else sa.union(*parts)


def _open_ids(check: str | None) -> sa.Select[Any]:
    """Reports with a failed check instance that no current verdict covers."""
    c, v = check_results, reviews
    row, col = scope_sql(c.c.detail)
    covered = sa.exists().where(
        v.c.report_id == c.c.report_id,
        v.c.check_id == c.c.check_id,
        v.c.is_current == sa.true(),
        sa.or_(v.c.row_code.is_(None), v.c.row_code == row),
        sa.or_(v.c.col_code.is_(None), v.c.col_code == col),
    )
    return _failed_rows(False, check).where(~covered)


def _status_condition(status: str, check: str | None) -> sa.ColumnElement[bool]:
    r = reports.c.report_id
    if status == "open":
        return r.in_(_open_ids(check))
    if status == "decided":
        return sa.and_(r.in_(_failed_rows(False, check)), r.not_in(_open_ids(check)))
    if status == "stale":
        stale_reviews = sa.select(reviews.c.report_id).where(
            reviews.c.stale == sa.true(), reviews.c.is_current == sa.true()
        )
        stale_fixes = sa.select(corrections.c.report_id).where(
            corrections.c.stale == sa.true(), corrections.c.is_current == sa.true()
        )
        return sa.or_(r.in_(stale_reviews), r.in_(stale_fixes))
    if status == "corrected":
        return r.in_(sa.select(corrections.c.report_id).where(corrections.c.is_current == sa.true()))
    return r.in_(
        sa.select(reviews.c.report_id).where(reviews.c.is_current == sa.true(), reviews.c.verdict == status)
    )


def _where(f: QueueFilter) -> list[sa.ColumnElement[bool]]:
    r = reports.c
    conditions: list[sa.ColumnElement[bool]] = [r.report_id.in_(_queue_ids(f.kind, f.check))]
    if f.agency:
        conditions.append(
            sa.or_(
                r.agency.contains(f.agency, autoescape=True),
                r.agency_normalized.contains(f.agency, autoescape=True),
            )
        )
    if f.year is not None:
        conditions.append(r.year == f.year)
    if f.template:
        conditions.append(r.template == f.template)
    if f.status:
        conditions.append(_status_condition(f.status, f.check))
    return conditions


def _count(conn: Connection, f: QueueFilter) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(reports).where(*_where(f))).scalar_one())


def review_queue(engine: Engine, f: QueueFilter, page: int = 1, per_page: int = 50) -> QueuePage:
    """One page of the queue under `f`, with the total and the counts per kind and status."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    r = reports.c
    with engine.connect() as conn, conn.begin():
        total = _count(conn, f)
        heads = conn.execute(
            sa.select(r.report_id, r.agency, r.agency_normalized, r.year, r.template)
            .where(*_where(f))
            .order_by(r.year.desc().nulls_last(), r.agency_normalized, r.report_id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
        rows = [QueueReport(*head) for head in heads]
        _describe(conn, rows)
        base = replace(f, kind=None, status=None)
        counts = {"all": _count(conn, base)}
        counts |= {kind: _count(conn, replace(base, kind=kind)) for kind in KINDS}
        counts |= {status: _count(conn, replace(base, status=status)) for status in ("open", "stale")}
    return QueuePage(rows, total, page, per_page, counts)


def _describe(conn: Connection, rows: Sequence[QueueReport]) -> None:
    """Fill in each report's failed checks, flagged cells and decisions: a few queries per page."""
    if not rows:
        return
    by_id = {row.report_id: row for row in rows}
    ids = sorted(by_id)
    c = check_results
    outcomes = conn.execute(
        sa.select(c.c.report_id, c.c.check_id, c.c.passed, c.c.detail)
        .where(c.c.report_id.in_(ids), sa.or_(c.c.passed == sa.false(), c.c.passed.is_(None)))
        .order_by(c.c.report_id, c.c.seq)
    ).all()
    verdict_scopes: dict[str, list[tuple[str, tuple[str | None, str | None]]]] = defaultdict(list)
    for report_id, check_id, row_code, col_code, verdict in conn.execute(
        sa.select(
            reviews.c.report_id, reviews.c.check_id, reviews.c.row_code, reviews.c.col_code, reviews.c.verdict
        ).where(reviews.c.report_id.in_(ids), reviews.c.is_current == sa.true())
    ):
        verdict_scopes[report_id].append((check_id, (row_code, col_code)))
        counts = by_id[report_id].verdicts
        counts[verdict] = counts.get(verdict, 0) + 1
    for report_id, check_id, passed, detail in outcomes:
        row = by_id[report_id]
        if passed is None:
            if check_id not in row.not_evaluable_checks:
                row.not_evaluable_checks.append(check_id)
            continue
        if check_id not in row.failed_checks:
            row.failed_checks.append(check_id)
        row.n_failed += 1
        scope = instance_scope(detail or {})
        if not any(v == check_id and covers(s, scope) for v, s in verdict_scopes[report_id]):
            row.n_open += 1
    for flag in ("inferred", "ocr"):
        for table in CELL_TABLES.values():
            query = (
                sa.select(table.c.report_id, sa.func.count())
                .where(table.c.report_id.in_(ids), sa.text(f"{table.name}.{flag}"))
                .group_by(table.c.report_id)
            )
            for report_id, n in conn.execute(query):
                row = by_id[report_id]
                setattr(row, f"n_{flag}", getattr(row, f"n_{flag}") + int(n))
    for table in (reviews, corrections):
        query = (
            sa.select(table.c.report_id, table.c.stale, sa.func.count())
            .where(table.c.report_id.in_(ids), table.c.is_current == sa.true())
            .group_by(table.c.report_id, table.c.stale)
        )
        for report_id, stale, n in conn.execute(query):
            row = by_id[report_id]
            row.stale = row.stale or bool(stale)
            if table is corrections:
                row.n_corrections += int(n)


def failed_reports(engine: Engine, check: str | None = None, limit: int = 100) -> list[QueueReport]:
    """Reports with an open failure (a failed check instance without a current verdict), for operators."""
    return review_queue(engine, QueueFilter(check=check, kind="failed", status="open"), 1, limit).reports
