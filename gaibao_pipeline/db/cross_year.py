"""Store the cross-year check outcomes: recomputed over every report, replaced in one go."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gaibao_pipeline.db.engine import jsonable, write_transaction
from gaibao_pipeline.db.rows import utc
from gaibao_pipeline.db.schema import cross_year_results, reports
from gaibao_pipeline.report import CheckResult


def store_cross_year_results(
    engine: Engine,
    results: Mapping[str, Sequence[CheckResult]],
    *,
    run_id: str | None = None,
    computed_at: datetime | None = None,
) -> int:
    """Replace the table's contents with these results; returns the rows written.

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
        conn.execute(sa.delete(cross_year_results))
        if rows:
            conn.execute(sa.insert(cross_year_results), rows)
    return len(rows)
