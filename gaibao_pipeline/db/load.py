"""Load parsed reports: replace every row of their report_ids, in one transaction.

Loading is idempotent (the same report twice gives the same table contents) and atomic (a
failure half-way leaves the previous load as it was). The first statement upserts the
`source_files` rows (in report_id order), which locks those report_ids on PostgreSQL, so
two processes loading the same file take turns instead of interleaving their deletes and
inserts. A batch is written `WRITE_CHUNK` reports per transaction: one statement per table
for all of them instead of one per table and report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from gaibao_pipeline.contracts.renditions import Choice
from gaibao_pipeline.contracts.schemas import SchemaFailure
from gaibao_pipeline.db.engine import write_transaction
from gaibao_pipeline.db.reviews import refresh_staleness
from gaibao_pipeline.db.rows import ReportRows, Row, report_rows, source_file_row, utc
from gaibao_pipeline.db.schema import (
    CELL_TABLES,
    REPORT_CHILD_TABLES,
    check_results,
    renditions,
    reports,
    sections,
)
from gaibao_pipeline.db.schema import source_files as source_files_table
from gaibao_pipeline.db.validate import contract_failures, describe
from gaibao_pipeline.errors import Status
from gaibao_pipeline.report import Report, SourceInfo


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What `load_report` wrote for one report."""

    report_id: str
    status: str
    n_cells: dict[str, int]  # rows per cell table, keyed "t2", "t3", "t4", "legacy"
    n_checks: int
    n_failed: int  # checks with passed = False, any severity (not-evaluable ones are not failed)
    replaced_previous: bool  # a reports row for this report_id existed before
    # Every table-contract failure of the report's rows (blocking or not), as validated here.
    contract_failures: tuple[SchemaFailure, ...] = ()
    refused: str | None = None  # why the report was recorded `invalid` instead of loaded

    @property
    def total_cells(self) -> int:
        return sum(self.n_cells.values())


# Reports written per transaction by `load_reports`: a few statements for the whole chunk
# instead of ~15 per report (a round trip each on PostgreSQL), while a transaction still
# holds the SQLite write lock for well under a second.
WRITE_CHUNK = 100


def _upsert(conn: Connection, table: sa.Table, rows: list[Row], keep: tuple[str, ...] = ()) -> None:
    """Insert `rows`, or update existing rows with the same primary key (except `keep` columns)."""
    keys = [c.name for c in table.primary_key.columns]
    update = [name for name in rows[0] if name not in keys and name not in keep]
    dialect = conn.dialect.name
    if dialect in ("postgresql", "sqlite"):
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(table)
        conn.execute(
            stmt.on_conflict_do_update(index_elements=keys, set_={n: stmt.excluded[n] for n in update}), rows
        )
        return
    # Other backends: no native upsert; the surrounding transaction keeps this consistent.
    for row in rows:
        where = sa.and_(*(table.c[k] == row[k] for k in keys))
        if conn.execute(sa.update(table).where(where).values({n: row[n] for n in update})).rowcount == 0:
            conn.execute(sa.insert(table).values(row))


def _delete_report_rows(conn: Connection, report_ids: list[str]) -> set[str]:
    """Delete the reports' rows (children first); the ids that had a reports row."""
    had = set(
        conn.execute(sa.select(reports.c.report_id).where(reports.c.report_id.in_(report_ids))).scalars()
    )
    for table in REPORT_CHILD_TABLES:
        conn.execute(sa.delete(table).where(table.c.report_id.in_(report_ids)))
    conn.execute(sa.delete(reports).where(reports.c.report_id.in_(report_ids)))
    return had


def _insert_many(conn: Connection, table: sa.Table, rows: list[Row]) -> None:
    # executemany (batched into multi-row INSERTs by SQLAlchemy where the driver allows).
    if rows:
        conn.execute(sa.insert(table), rows)


def write_report_rows(conn: Connection, rows: ReportRows) -> bool:
    """Replace the report's rows with `rows` inside the caller's transaction; True if replacing."""
    return bool(write_many_report_rows(conn, [rows]))


def write_many_report_rows(conn: Connection, batch: Sequence[ReportRows]) -> set[str]:
    """Replace the rows of each report (distinct ids) inside the caller's transaction; the ids replaced."""
    ordered = sorted(batch, key=lambda rows: str(rows.report["report_id"]))  # one lock order for all
    ids = [rows.report["report_id"] for rows in ordered]
    if len(set(ids)) != len(ids):
        raise ValueError("a batch cannot hold the same report_id twice")
    _upsert(conn, source_files_table, [rows.source_file for rows in ordered], keep=("first_seen_at",))
    conn.execute(sa.delete(renditions).where(renditions.c.report_id.in_(ids)))
    replaced = _delete_report_rows(conn, ids)
    _insert_many(conn, reports, [rows.report for rows in ordered])
    _insert_many(conn, sections, [row for rows in ordered for row in rows.sections])
    for code, table in CELL_TABLES.items():
        _insert_many(conn, table, [row for rows in ordered for row in rows.cells.get(code, [])])
    _insert_many(conn, check_results, [row for rows in ordered for row in rows.checks])
    # reviewers' decisions are keyed by report and cell, not by these rows: they stay, and
    # those whose basis the new rows changed are marked stale
    refresh_staleness(conn, ordered)
    _insert_many(conn, renditions, [rows.rendition for rows in ordered if rows.rendition is not None])
    return replaced


def load_report(
    engine: Engine,
    report: Report,
    *,
    report_id: str,
    source_path: str,
    run_id: str | None = None,
    loaded_at: datetime | None = None,
) -> LoadResult:
    """Replace all rows of `report_id` with this report, in one transaction.

    A report whose status is not ok keeps only its `source_files` and `reports` rows (with
    the status and message); cells, sections and checks of an earlier load are removed.
    A report whose rows break a blocking table contract is recorded as `invalid` instead of
    loaded. Raises ValueError for a malformed report before touching the database.
    """
    item = ReportToLoad(report, report_id, source_path)
    return load_reports(engine, [item], run_id=run_id, loaded_at=loaded_at, strict=True)[0]


@dataclass(frozen=True, slots=True)
class ReportToLoad:
    report: Report
    report_id: str
    source_path: str
    source_url: str | None = None  # a fetched file's URL (`gaibao fetch`)
    article_url: str | None = None  # the article page that linked a fetched attachment
    rendition: Choice | None = None  # where it stands among its report's renditions, if it has others


def load_reports(
    engine: Engine,
    items: Sequence[ReportToLoad],
    *,
    run_id: str | None = None,
    loaded_at: datetime | None = None,
    strict: bool = False,
) -> list[LoadResult]:
    """Load a batch: contracts validated for all at once, then `WRITE_CHUNK` reports per transaction.

    Per report, as `load_report`; a malformed report (ValueError while building its rows)
    is recorded as `invalid` unless `strict`, so the rest of the batch still loads, and so is
    a report whose rows the database refuses. Any other database error rolls back its
    transaction's reports (their previous loads stay) and is raised; reports of earlier
    transactions stay loaded.
    """
    at = utc(loaded_at)
    batch: dict[str, ReportRows] = {}
    refused: dict[str, str] = {}
    for item in items:
        try:
            batch[item.report_id] = report_rows(
                item.report,
                report_id=item.report_id,
                source_path=item.source_path,
                run_id=run_id,
                loaded_at=at,
                source_url=item.source_url,
                article_url=item.article_url,
                rendition=item.rendition,
            )
        except ValueError as exc:
            if strict:
                raise
            refused[item.report_id] = f"parsed report could not be loaded: {exc}"
    failures = contract_failures(batch, {i.report_id: i.report.report.template for i in items})
    for report_id, failed in failures.items():
        blocking = [f for f in failed if f.blocking]
        if blocking:
            refused[report_id] = describe(blocking)
    results: dict[int, LoadResult] = {}
    to_write: list[int] = []
    for i, item in enumerate(items):
        if item.report_id in refused:
            found = tuple(failures.get(item.report_id, ()))
            results[i] = _refuse(engine, item, refused[item.report_id], run_id, at, found)
        else:
            to_write.append(i)
    for start in range(0, len(to_write), WRITE_CHUNK):
        chunk = to_write[start : start + WRITE_CHUNK]
        ids = list(dict.fromkeys(items[i].report_id for i in chunk))  # a report listed twice: once
        replaced, rejected = _write_chunk(engine, [batch[report_id] for report_id in ids], strict)
        for i in chunk:
            item = items[i]
            found = tuple(failures.get(item.report_id, ()))
            if item.report_id in rejected:
                results[i] = _refuse(engine, item, rejected[item.report_id], run_id, at, found)
                continue
            rows = batch[item.report_id]
            results[i] = LoadResult(
                report_id=item.report_id,
                status=rows.report["status"],
                n_cells={code: len(cell_rows) for code, cell_rows in rows.cells.items()},
                n_checks=len(rows.checks),
                n_failed=rows.report["n_checks_failed"],
                replaced_previous=item.report_id in replaced,
                contract_failures=found,
            )
    return [results[i] for i in range(len(items))]


def _write_chunk(engine: Engine, chunk: list[ReportRows], strict: bool) -> tuple[set[str], dict[str, str]]:
    """Write `chunk` in one transaction: (ids replaced, {id: why} for reports the database refused).

    When the database refuses a value (a constraint or a type), the chunk's transaction is
    rolled back and each report is written alone, so one bad report is recorded as invalid
    instead of taking a hundred good ones with it. Other errors (connection, disk) are raised.
    """
    try:
        with write_transaction(engine) as conn:
            return write_many_report_rows(conn, chunk), {}
    except sa.exc.DBAPIError as exc:
        if not _refuses_the_data(exc):
            raise
        if len(chunk) == 1:
            if strict:
                raise
            report_id = str(chunk[0].report["report_id"])
            return set(), {report_id: f"the database refused the report's rows: {_first_line(exc)}"}
    replaced: set[str] = set()
    rejected: dict[str, str] = {}
    for rows in chunk:
        done, refused = _write_chunk(engine, [rows], strict)
        replaced |= done
        rejected |= refused
    return replaced, rejected


# SQLSTATE classes of an answer about the rows, not the database: data exception (22),
# integrity constraint (23), program limit exceeded (54: an index row over its size limit)
_DATA_SQLSTATE_CLASSES = ("22", "23", "54")


def _refuses_the_data(exc: sa.exc.DBAPIError) -> bool:
    """Whether the database refused these rows (a value, a constraint, a size), not failed itself."""
    if isinstance(exc, sa.exc.IntegrityError | sa.exc.DataError):
        return True
    code = getattr(exc.orig, "pgcode", None)
    return isinstance(code, str) and code[:2] in _DATA_SQLSTATE_CLASSES


def _first_line(exc: Exception) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0][:300] if str(orig).strip() else type(orig).__name__


def _refuse(
    engine: Engine,
    item: ReportToLoad,
    message: str,
    run_id: str | None,
    at: datetime,
    found: tuple[SchemaFailure, ...] = (),
) -> LoadResult:
    """Record a report whose rows would corrupt the tables as `invalid`, with why; load none of it."""
    source = item.report.source
    record_source_file(
        engine,
        report_id=item.report_id,
        source_path=item.source_path,
        sha256=source.sha256 or None,
        size=source.size or None,
        format=source.format or None,
        status=Status.INVALID,
        error=message,
        run_id=run_id,
        recorded_at=at,
        source_url=item.source_url,
        article_url=item.article_url,
    )
    return LoadResult(
        item.report_id,
        Status.INVALID.value,
        {},
        0,
        0,
        replaced_previous=True,
        contract_failures=found,
        refused=message,
    )


def record_source_file(
    engine: Engine,
    *,
    report_id: str,
    source_path: str,
    sha256: str | None,
    size: int | None,
    format: str | None,
    status: Status | str,
    error: str | None,
    run_id: str | None = None,
    recorded_at: datetime | None = None,
    source_url: str | None = None,
    article_url: str | None = None,
) -> None:
    """Record a file's outcome without a parsed report (a file that failed before parsing).

    With status ok only the `source_files` row is written (the report follows through
    `load_report`). Any other status also replaces the report's rows exactly as loading a
    failed report would: a `reports` row with the status and `error` as its message, and
    no cells, sections or checks, so nothing of an earlier successful load survives.
    """
    checked = Status(status)  # ValueError for a status the contract does not know
    at = utc(recorded_at)
    if checked is Status.OK:
        row = source_file_row(
            report_id=report_id,
            source_path=source_path,
            file_name=None,
            sha256=sha256,
            size=size,
            format=format,
            status=checked,
            error=error,
            run_id=run_id,
            at=at,
            source_url=source_url,
            article_url=article_url,
        )
        with write_transaction(engine) as conn:
            _upsert(conn, source_files_table, [row], keep=("first_seen_at",))
        return
    name = source_path.rsplit("/", 1)[-1]  # relative paths are "/"-separated; "\\" is part of a name
    source = SourceInfo(file=name, sha256=sha256 or "", format=format or "", size=size or 0)
    failed = Report.failed(source, checked, error or checked.value)
    rows = report_rows(
        failed,
        report_id=report_id,
        source_path=source_path,
        run_id=run_id,
        loaded_at=at,
        source_url=source_url,
        article_url=article_url,
    )
    rows.source_file["size_bytes"] = size  # unknown stays NULL, not 0
    rows.source_file["error_message"] = error
    with write_transaction(engine) as conn:
        write_report_rows(conn, rows)
