"""What the database holds, in a few numbers: for `gaibao run`'s closing lines and the summary asset.

Pure SQLAlchemy over `db.schema` (no Dagster); cheap aggregate queries, safe on a large database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gaibao_pipeline.db import schema as db


@dataclass(frozen=True, slots=True)
class DatabaseSummary:
    files_by_status: dict[str, int]  # source_files.status → files
    reports_by_year: dict[int, int]  # ok reports per report year (unknown year left out)
    cells: int  # cell rows of all four cell tables
    errors_failed: int  # check results with passed = false, severity error
    warnings_failed: int  # check results with passed = false, severity warning
    reports_with_errors: int  # ok reports with at least one failed error-severity check

    @property
    def files(self) -> int:
        return sum(self.files_by_status.values())

    @property
    def reports_ok(self) -> int:
        return self.files_by_status.get("ok", 0)


def summarize(engine: Engine, run_ids: Sequence[str] | None = None) -> DatabaseSummary:
    """Counts over the database (or the rows last written by `run_ids`), read in one transaction."""
    f, r, c = db.source_files, db.reports, db.check_results

    def scope(table: sa.Table) -> list[sa.ColumnElement[bool]]:
        return [] if run_ids is None else [table.c.run_id.in_(list(run_ids))]

    with engine.connect() as conn, conn.begin():
        by_status = conn.execute(
            sa.select(f.c.status, sa.func.count()).where(*scope(f)).group_by(f.c.status)
        ).all()
        by_year = conn.execute(
            sa.select(r.c.year, sa.func.count())
            .where(r.c.status == "ok", r.c.year.is_not(None), *scope(r))
            .group_by(r.c.year)
            .order_by(r.c.year)
        ).all()
        cells = conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(r.c.n_cells), 0)).where(*scope(r))
        ).scalar_one()
        failed = conn.execute(
            sa.select(c.c.severity, sa.func.count())
            .where(c.c.passed == sa.false(), *scope(c))  # `=`, not `IS`: PostgreSQL's index needs it
            .group_by(c.c.severity)
        ).all()
        with_errors = conn.execute(
            sa.select(sa.func.count(sa.distinct(c.c.report_id))).where(
                c.c.passed == sa.false(), c.c.severity == "error", *scope(c)
            )
        ).scalar_one()
    failed_by = {severity: int(n) for severity, n in failed}
    return DatabaseSummary(
        files_by_status={str(status): int(n) for status, n in by_status},
        reports_by_year={int(year): int(n) for year, n in by_year},
        cells=int(cells),
        errors_failed=failed_by.get("error", 0),
        warnings_failed=failed_by.get("warning", 0),
        reports_with_errors=int(with_errors),
    )


def _counting(table: sa.Table) -> sa.Select[int]:
    """A query counting the rows of `table`; a view's rows are counted on the tables it reads.

    Counting a view computes all of its rows (t3_wide pivots every table 三 cell), and the
    view assets count after every run, so a run would cost more as the database grows. Their
    row keys are in indexes. tests/db/test_load.py checks that each count equals the view's own.
    """
    if table is db.t3_wide:  # one row per report and row code of table 三 (every cell has its report)
        cells = db.cells_t3
        keys = sa.select(cells.c.report_id, cells.c.row_code).group_by(cells.c.report_id, cells.c.row_code)
        return sa.select(sa.func.count()).select_from(keys.subquery())
    if table is db.agency_year_summary:  # one row per report with status ok
        return sa.select(sa.func.count()).select_from(db.reports).where(db.reports.c.status == "ok")
    if table is db.agency_year_panel:  # one row per agency and year among ok reports (an index)
        r = db.reports
        keys = (
            sa.select(r.c.agency_normalized, r.c.year)
            .where(r.c.status == "ok", r.c.agency_normalized.is_not(None), r.c.year.is_not(None))
            .group_by(r.c.agency_normalized, r.c.year)
        )
        return sa.select(sa.func.count()).select_from(keys.subquery())
    return sa.select(sa.func.count()).select_from(table)


def row_count(engine: Engine, table: sa.Table) -> int:
    """Rows in a table or view."""
    with engine.connect() as conn:
        return conn.execute(_counting(table)).scalar_one()
