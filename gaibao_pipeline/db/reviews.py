"""Reviewers' decisions: verdicts on failed checks and corrections of cell values.

Pure SQLAlchemy (no Dagster, no web framework): the review app and its JSON API write
through `record_verdict` and `record_correction`, and the loader calls `refresh_staleness`
inside every load transaction.

A decision is keyed by report id and the check instance (check id, row, column) or the cell
(table, row, column), never by the row ids of a load, so it survives re-parsing and
reloading. Each decision stores its `basis`: what it was taken on (the check's outcomes
with their expected and found values and the values of the cells involved; the corrected
cell's parsed value and raw text). A reload that changes the basis marks the decision
`stale` and says what changed; the decision itself is kept.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gaibao_pipeline.db.engine import write_transaction
from gaibao_pipeline.db.rows import ReportRows, Row, utc
from gaibao_pipeline.db.schema import (
    CELL_TABLES,
    VERDICTS,
    check_results,
    corrections,
    reports,
    reviews,
    source_files,
)

MAX_NAME = 200  # characters of a reviewer's name
MAX_TEXT = 4000  # characters of a note or reason

VERDICT_MEANINGS = {
    "source_error": "the report is inconsistent as published; the parser read it right",
    "parse_error": "the parser misread the report; the values loaded are wrong",
    "confirmed": "the failure is real and still to be resolved (e.g. asked of the agency)",
    "dismissed": "the check does not apply to this report; nothing to do",
}


class ReviewError(ValueError):
    """A decision refused before anything was written; `message` says why, for the reviewer."""

    def __init__(self, message: str, *, not_found: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.not_found = not_found  # the report itself does not exist (HTTP 404 rather than 422)


CellKey = tuple[str, str, str]
Scope = tuple[str | None, str | None]


def instance_scope(detail: Mapping[str, Any]) -> Scope:
    """The row and column a check outcome is about: `detail.row/col`, else its one cell's codes."""
    cell = detail.get("cell")
    one_cell = cell if isinstance(cell, list | tuple) and len(cell) == 3 else None
    row = detail.get("row", one_cell[1] if one_cell else None)
    col = detail.get("col", one_cell[2] if one_cell else None)
    return (None if row is None else str(row), None if col is None else str(col))


def scope_sql(detail: sa.ColumnElement[Any]) -> tuple[sa.ColumnElement[Any], sa.ColumnElement[Any]]:
    """`instance_scope` in SQL, for queries over `check_results.detail` (SQLite and PostgreSQL)."""
    row = sa.func.coalesce(detail["row"].as_string(), detail[("cell", 1)].as_string())
    col = sa.func.coalesce(detail["col"].as_string(), detail[("cell", 2)].as_string())
    return row, col


def covers(verdict_scope: Scope, scope: Scope) -> bool:
    """Whether a verdict given for `verdict_scope` (None: any) applies to an outcome's `scope`."""
    return all(want is None or want == have for want, have in zip(verdict_scope, scope, strict=True))


def _number(value: Any) -> float | None:
    return None if value is None else round(float(value), 6)


def _cell_name(key: Sequence[str]) -> str:
    return " ".join(key)


# --- bases: what a decision was taken on ----------------------------------------------------


def verdict_basis(
    check_rows: Iterable[Mapping[str, Any]], check_id: str, scope: Scope, values: Mapping[CellKey, Any]
) -> dict[str, Any]:
    """The outcomes of the check instances a verdict covers, and the values of their cells."""
    outcomes = []
    keys: set[CellKey] = set()
    for row in check_rows:
        detail = row["detail"] or {}
        if row["check_id"] != check_id or row["passed"] is True:
            continue
        if not covers(scope, instance_scope(detail)):
            continue
        outcomes.append(
            [
                "/".join(s or "" for s in instance_scope(detail)),
                row["passed"],
                _number(detail.get("expected")) if _numeric(detail.get("expected")) else None,
                _number(detail.get("actual")) if _numeric(detail.get("actual")) else None,
            ]
        )
        keys.update((key[0], key[1], key[2]) for key in row["cells"] or ())
    return {
        "outcomes": sorted(outcomes, key=lambda o: str(o[0])),
        "cells": {_cell_name(key): _number(values.get(key)) for key in sorted(keys)},
    }


def _numeric(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def correction_basis(cell_row: Mapping[str, Any] | None) -> dict[str, Any]:
    """The corrected cell as the parser left it; `{"missing": true}` once a reload dropped it."""
    if cell_row is None:
        return {"missing": True}
    return {"value": _number(cell_row["value"]), "raw": cell_row["raw_text"]}


def describe_change(old: Mapping[str, Any], new: Mapping[str, Any]) -> str | None:
    """What changed between two bases, in words; None when nothing did."""
    if dict(old) == dict(new):
        return None
    changes: list[str] = []
    if "outcomes" in old or "outcomes" in new:
        if not new.get("outcomes"):
            return "the check no longer fails"
        old_cells, new_cells = old.get("cells", {}), new.get("cells", {})
        for name in sorted(set(old_cells) | set(new_cells)):
            if old_cells.get(name) != new_cells.get(name):
                changes.append(f"{name}: {_shown(old_cells.get(name))} → {_shown(new_cells.get(name))}")
        if old.get("outcomes") != new.get("outcomes"):
            changes.append("the check's expected or found value changed")
    else:
        if new.get("missing"):
            return "the cell is no longer in the report"
        if old.get("value") != new.get("value"):
            changes.append(f"parsed value {_shown(old.get('value'))} → {_shown(new.get('value'))}")
        if old.get("raw") != new.get("raw"):
            changes.append(f"raw text {old.get('raw')!r} → {new.get('raw')!r}")
    return "; ".join(changes) or "the report changed"


def _shown(value: Any) -> str:
    if value is None:
        return "blank"
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


# --- writing decisions ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Written:
    """A decision stored: its id, the row as written, and how many earlier decisions it replaced."""

    id: int
    row: dict[str, Any]
    superseded: int


def _text(value: Any, field: str, *, required: bool, limit: int) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ReviewError(f"{field} is required")
        return None
    if not isinstance(value, str):
        raise ReviewError(f"{field} must be text")
    text = value.strip()
    if len(text) > limit:
        raise ReviewError(f"{field} is longer than {limit} characters")
    return text


def _lock_report(conn: Connection, report_id: str) -> None:
    """The report must exist and be ok; its source_files row is locked as loading locks it."""
    locked = conn.execute(
        sa.select(source_files.c.report_id).where(source_files.c.report_id == report_id).with_for_update()
    ).first()
    status = conn.execute(sa.select(reports.c.status).where(reports.c.report_id == report_id)).scalar()
    if locked is None or status is None:
        raise ReviewError(f"no report {report_id!r} in the database", not_found=True)
    if status != "ok":
        raise ReviewError(f"report {report_id} has no parsed values to review (status {status})")


def _cell_values(conn: Connection, report_id: str, keys: Iterable[Sequence[str]]) -> dict[CellKey, Any]:
    wanted: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for code, row, col in keys:
        wanted[code].add((row, col))
    values: dict[CellKey, Any] = {}
    for code, pairs in wanted.items():
        cells = CELL_TABLES.get(code)
        if cells is None:
            continue
        query = sa.select(cells.c.row_code, cells.c.col_code, cells.c.value).where(
            cells.c.report_id == report_id, cells.c.row_code.in_(sorted({r for r, _ in pairs}))
        )
        for row, col, value in conn.execute(query):
            if (row, col) in pairs:
                values[(code, row, col)] = value
    return values


def record_verdict(
    engine: Engine,
    report_id: str,
    *,
    check_id: Any,
    verdict: Any,
    reviewer: Any,
    note: Any = None,
    row: Any = None,
    col: Any = None,
    at: datetime | None = None,
) -> Written:
    """Store a verdict on the report's failed (or not evaluable) check `check_id`, for `row`/`col`.

    Without row and column the verdict covers every failed instance of the check. Raises
    ReviewError, with nothing written, for a missing reviewer, an unknown verdict, or a check
    instance the report does not have.
    """
    reviewer_name = _text(reviewer, "reviewer", required=True, limit=MAX_NAME)
    check = _text(check_id, "check_id", required=True, limit=MAX_NAME) or ""
    if verdict not in VERDICTS:
        raise ReviewError(f"verdict must be one of {', '.join(VERDICTS)}; got {verdict!r}")
    scope = (
        _text(row, "row", required=False, limit=MAX_NAME),
        _text(col, "col", required=False, limit=MAX_NAME),
    )
    note_text = _text(note, "note", required=False, limit=MAX_TEXT)
    with write_transaction(engine) as conn:
        _lock_report(conn, report_id)
        rows = [
            dict(r)
            for r in conn.execute(
                sa.select(check_results).where(
                    check_results.c.report_id == report_id, check_results.c.check_id == check
                )
            ).mappings()
        ]
        if not any(
            r["passed"] is not True and covers(scope, instance_scope(r["detail"] or {})) for r in rows
        ):
            where = " ".join(f"{k} {v}" for k, v in zip(("row", "col"), scope, strict=True) if v)
            raise ReviewError(
                f"report {report_id} has no failed or not evaluable check {check}"
                + (f" ({where})" if where else "")
            )
        keys = [tuple(k) for r in rows for k in (r["cells"] or ())]
        basis = verdict_basis(rows, check, scope, _cell_values(conn, report_id, keys))
        same = sa.and_(
            reviews.c.report_id == report_id,
            reviews.c.check_id == check,
            _same(reviews.c.row_code, scope[0]),
            _same(reviews.c.col_code, scope[1]),
            reviews.c.is_current == sa.true(),
        )
        superseded = conn.execute(sa.update(reviews).where(same).values(is_current=False)).rowcount
        written = {
            "report_id": report_id,
            "check_id": check,
            "row_code": scope[0],
            "col_code": scope[1],
            "verdict": verdict,
            "note": note_text,
            "reviewer": reviewer_name,
            "created_at": utc(at),
            "basis": basis,
            "is_current": True,
            "stale": False,
            "stale_detail": None,
        }
        review_id = conn.execute(
            sa.insert(reviews).values(written).returning(reviews.c.review_id)
        ).scalar_one()
    return Written(int(review_id), written, int(superseded or 0))


def _same(column: sa.ColumnElement[Any], value: str | None) -> sa.ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


def parse_value(value: Any) -> float | None:
    """A corrected value: a finite number, numeric text ("12", "１２", "2192.3"), or blank (None)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ReviewError("value must be a number or blank")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().translate(_FULL_WIDTH))
        except ValueError:
            raise ReviewError(f"value must be a number or blank; got {value!r}") from None
    else:
        raise ReviewError("value must be a number or blank")
    if not math.isfinite(number) or abs(number) >= 1e14:
        raise ReviewError(f"value {value!r} is not a number the tables can hold")
    return number


_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－＋", "0123456789.-+")


def record_correction(
    engine: Engine,
    report_id: str,
    *,
    table: Any,
    row: Any,
    col: Any,
    value: Any,
    reason: Any,
    reviewer: Any,
    at: datetime | None = None,
) -> Written:
    """Store the right value of one of the report's cells (blank: None), with the reason.

    The parsed value stays in the cell table; the `*_reviewed` views apply the correction.
    Raises ReviewError, with nothing written, for a missing reviewer or reason, a value that
    is no number, or a cell the report does not have.
    """
    reviewer_name = _text(reviewer, "reviewer", required=True, limit=MAX_NAME)
    reason_text = _text(reason, "reason", required=True, limit=MAX_TEXT)
    if table not in CELL_TABLES:
        raise ReviewError(f"table must be one of {', '.join(CELL_TABLES)}; got {table!r}")
    row_code = _text(row, "row", required=True, limit=MAX_NAME)
    col_code = _text(col, "col", required=True, limit=MAX_NAME)
    number = parse_value(value)
    cells = CELL_TABLES[table]
    with write_transaction(engine) as conn:
        _lock_report(conn, report_id)
        cell = (
            conn.execute(
                sa.select(cells.c.value, cells.c.raw_text).where(
                    cells.c.report_id == report_id, cells.c.row_code == row_code, cells.c.col_code == col_code
                )
            )
            .mappings()
            .first()
        )
        if cell is None:
            raise ReviewError(f"report {report_id} has no cell {table} {row_code} {col_code}")
        same = sa.and_(
            corrections.c.report_id == report_id,
            corrections.c.table_code == table,
            corrections.c.row_code == row_code,
            corrections.c.col_code == col_code,
            corrections.c.is_current == sa.true(),
        )
        superseded = conn.execute(sa.update(corrections).where(same).values(is_current=False)).rowcount
        written = {
            "report_id": report_id,
            "table_code": table,
            "row_code": row_code,
            "col_code": col_code,
            "value": number,
            "reason": reason_text,
            "reviewer": reviewer_name,
            "created_at": utc(at),
            "basis": correction_basis(dict(cell)),
            "is_current": True,
            "stale": False,
            "stale_detail": None,
        }
        correction_id = conn.execute(
            sa.insert(corrections).values(written).returning(corrections.c.correction_id)
        ).scalar_one()
    return Written(int(correction_id), written, int(superseded or 0))


# --- reading decisions ---------------------------------------------------------------------


def report_decisions(engine: Engine, report_id: str) -> tuple[list[Row], list[Row]]:
    """The report's verdicts and corrections, newest first (current and superseded)."""
    with engine.connect() as conn:
        verdicts = [
            dict(r)
            for r in conn.execute(
                sa.select(reviews)
                .where(reviews.c.report_id == report_id)
                .order_by(reviews.c.created_at.desc(), reviews.c.review_id.desc())
            ).mappings()
        ]
        fixes = [
            dict(r)
            for r in conn.execute(
                sa.select(corrections)
                .where(corrections.c.report_id == report_id)
                .order_by(corrections.c.created_at.desc(), corrections.c.correction_id.desc())
            ).mappings()
        ]
    return verdicts, fixes


# --- staleness, at every load --------------------------------------------------------------


def refresh_staleness(conn: Connection, batch: Sequence[ReportRows]) -> int:
    """Mark the current decisions on `batch`'s reports stale where the new rows changed their basis.

    Runs inside the load's transaction, after the new rows are written; one indexed query per
    table finds the (usually no) decisions on these reports. Returns the decisions whose
    stale flag changed. A decision whose basis is the same again is no longer stale.
    """
    by_id = {str(rows.report["report_id"]): rows for rows in batch}
    if not by_id:
        return 0
    ids = sorted(by_id)
    changed = 0
    found = conn.execute(
        sa.select(reviews).where(reviews.c.report_id.in_(ids), reviews.c.is_current == sa.true())
    ).mappings()
    for decision in [dict(d) for d in found]:
        rows = by_id[decision["report_id"]]
        values = {
            (code, cell["row_code"], cell["col_code"]): cell["value"]
            for code, cell_rows in rows.cells.items()
            for cell in cell_rows
        }
        scope = (decision["row_code"], decision["col_code"])
        basis = verdict_basis(rows.checks, decision["check_id"], scope, values)
        changed += _set_stale(conn, reviews, reviews.c.review_id, decision, basis)
    found = conn.execute(
        sa.select(corrections).where(corrections.c.report_id.in_(ids), corrections.c.is_current == sa.true())
    ).mappings()
    for decision in [dict(d) for d in found]:
        rows = by_id[decision["report_id"]]
        cell = next(
            (
                c
                for c in rows.cells.get(decision["table_code"], [])
                if c["row_code"] == decision["row_code"] and c["col_code"] == decision["col_code"]
            ),
            None,
        )
        changed += _set_stale(
            conn, corrections, corrections.c.correction_id, decision, correction_basis(cell)
        )
    return changed


def _set_stale(
    conn: Connection,
    table: sa.Table,
    key: sa.Column[Any],
    decision: Mapping[str, Any],
    basis: Mapping[str, Any],
) -> int:
    detail = describe_change(decision["basis"] or {}, basis)
    stale = detail is not None
    if stale == bool(decision["stale"]) and detail == decision["stale_detail"]:
        return 0
    conn.execute(sa.update(table).where(key == decision[key.name]).values(stale=stale, stale_detail=detail))
    return 1
