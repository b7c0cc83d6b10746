"""Cross-year check outcomes: recomputed for the agencies a load touched, stored per report.

A load of 500 reports recomputes the checks of those reports' agencies only (every year of
each), not of the whole database: the cost of a run stays in proportion to the run, so
loading 10,000 reports in 20 runs costs 20 times one run, not 210.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gaibao_pipeline.contracts.cross_year import YearReport, agency_key, cross_year_checks
from gaibao_pipeline.db.engine import id_chunks, jsonable, write_transaction
from gaibao_pipeline.db.read import ok_report_agencies, read_year_reports
from gaibao_pipeline.db.rows import utc
from gaibao_pipeline.db.schema import cross_year_results, reports
from gaibao_pipeline.report import CheckResult


@dataclass(frozen=True, slots=True)
class CrossYearRefresh:
    """What `refresh_cross_year` recomputed: the reports it read, the results, the rows stored."""

    reports: list[YearReport]
    results: dict[str, list[CheckResult]]
    stored: int


def refresh_cross_year(
    engine: Engine,
    report_ids: Collection[str] | None,
    aliases: Mapping[str, str] | None = None,
    *,
    run_id: str | None = None,
    computed_at: datetime | None = None,
) -> CrossYearRefresh:
    """Recompute and store the cross-year checks of the agencies of `report_ids` (None: all).

    The scope is every ok report of the same agency (after aliases and renames) as one of
    `report_ids`, plus the reports whose stored predecessor is one of them (its agency may
    have changed with this load). Their stored results are replaced; others are untouched.
    """
    if report_ids is None:
        loaded = read_year_reports(engine)
        results = cross_year_checks(loaded, aliases)
        return CrossYearRefresh(
            loaded, results, store_cross_year_results(engine, results, run_id=run_id, computed_at=computed_at)
        )
    wanted = set(report_ids)
    heads = ok_report_agencies(engine)
    keys = {agency_key(agency, aliases) for rid, agency in heads if rid in wanted} - {None}
    scope = wanted | {rid for rid, agency in heads if agency_key(agency, aliases) in keys}
    with engine.connect() as conn:
        previous = cross_year_results.c.previous_report_id
        scope |= {
            rid
            for chunk in id_chunks(wanted)
            for (rid,) in conn.execute(sa.select(cross_year_results.c.report_id).where(previous.in_(chunk)))
        }
    loaded = read_year_reports(engine, scope)
    results = cross_year_checks(loaded, aliases)
    stored = store_cross_year_results(engine, results, run_id=run_id, computed_at=computed_at, scope=scope)
    return CrossYearRefresh(loaded, results, stored)


def store_cross_year_results(
    engine: Engine,
    results: Mapping[str, Sequence[CheckResult]],
    *,
    run_id: str | None = None,
    computed_at: datetime | None = None,
    scope: Collection[str] | None = None,
) -> int:
    """Replace the stored results of the reports in `scope` (None: the whole table) with these.

    Results of reports that are no longer loaded are dropped (the foreign key would refuse
    them), so the table always describes the reports the database holds.
    """
    at = utc(computed_at)
    with write_transaction(engine) as conn:
        present = {r for (r,) in conn.execute(sa.select(reports.c.report_id))}
        rows = [
            {
                "report_id": report_id,
                "seq": seq,
                "check_id": check.id,
                "passed": check.passed,
                "severity": check.severity,
                "previous_report_id": check.detail.get("previous_report_id"),
                "detail": jsonable(check.detail),
                "cells": [list(key) for key in check.cells],
                "run_id": run_id,
                "computed_at": at,
            }
            for report_id, checks in sorted(results.items())
            if report_id in present
            for seq, check in enumerate(checks, 1)
        ]
        if scope is None:
            conn.execute(sa.delete(cross_year_results))
        else:
            rows = [row for row in rows if row["report_id"] in scope]
            for chunk in id_chunks(scope):
                conn.execute(sa.delete(cross_year_results).where(cross_year_results.c.report_id.in_(chunk)))
        if rows:
            conn.execute(sa.insert(cross_year_results), rows)
    return len(rows)
