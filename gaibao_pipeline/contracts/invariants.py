"""The single-report checks of spec §4, as pure functions over a parsed report.

Every result names the cells it involved, with their raw text and where they came from,
so a reviewer can see expected against found without opening the document.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from gaibao_pipeline.codes import column_kind
from gaibao_pipeline.contracts.identities import Evaluation, Identity, evaluate, t3_identities, t4_identities
from gaibao_pipeline.report import CellKey, CheckResult, Number, ReportCell, ReportMeta, Severity


@dataclass(frozen=True, slots=True)
class Statement:
    """A number the narrative gives for a table cell ("共收到申请7件")."""

    cell: CellKey
    value: int
    sentence: str
    what: str  # a short description for reviewers


GOVERNMENT_SUFFIXES = (
    "人民政府",
    "政府",
    "管委会",
    "管理委员会",
    "实验区",
    "开发区",
    "新区",
    "示范区",
    "街道办事处",
)


def identity_checks(cells: Mapping[CellKey, ReportCell], identities: Sequence[Identity]) -> list[CheckResult]:
    """One result per identity: expected (the parts) against actual (the printed total).

    An identity over a cell the text does not determine (inferred, yet left blank: a cell
    lost in extraction, or placed by a crawler's damage where the identities do not pin it)
    is not evaluable: its blank is unknown, not 0.
    """
    values = {key: cell.value for key, cell in cells.items()}
    results = []
    details: dict[CellKey, dict[str, Any]] = {}  # a cell is in several identities: described once
    for evaluation in evaluate(values, identities):
        unknown = [
            k for k in evaluation.identity.cells if (c := cells.get(k)) and c.inferred and c.value is None
        ]
        if unknown and evaluation.passed is not None:
            evaluation = replace(evaluation, passed=None)
        result = _identity_result(evaluation, cells, details)
        if unknown:
            result.detail["reason"] = "a cell the text does not determine: " + ", ".join(
                ".".join(k[1:]) for k in unknown
            )
        results.append(result)
    return results


def _identity_result(
    evaluation: Evaluation, cells: Mapping[CellKey, ReportCell], details: dict[CellKey, dict[str, Any]]
) -> CheckResult:
    identity = evaluation.identity
    detail: dict[str, Any] = dict(identity.scope)
    detail["expected"] = _tidy(evaluation.expected)
    detail["actual"] = _tidy(evaluation.actual)
    if evaluation.passed is None:
        detail["reason"] = "the total was left blank; it is derived from its parts for the other checks"
    elif evaluation.derived:
        detail["note"] = "uses totals derived from their parts where the report left them blank"
    detail["involved"] = [_described(key, cells, details) for key in identity.cells]
    severity: Severity = "warning" if identity.check == "legacy.sums" else "error"
    return CheckResult(identity.check, evaluation.passed, severity, detail, identity.cells)


def _described(
    key: CellKey, cells: Mapping[CellKey, ReportCell], details: dict[CellKey, dict[str, Any]]
) -> dict[str, Any]:
    """The cell's detail, made once per report and copied (each check owns its own dicts)."""
    made = details.get(key)
    if made is None:
        made = details[key] = _cell_detail(key, cells.get(key))
    out = dict(made)
    out["cell"] = list(made["cell"])
    if "where" in made:
        out["where"] = _copy_where(made["where"])
    return out


def _copy_where(where: dict[str, Any]) -> dict[str, Any]:
    out = dict(where)
    if "bbox" in out:
        out["bbox"] = list(out["bbox"])
    return out


def _cell_detail(key: CellKey, cell: ReportCell | None) -> dict[str, Any]:
    out: dict[str, Any] = {"cell": list(key)}
    if cell is None:
        return out
    out["value"] = cell.value
    out["raw"] = cell.raw
    if cell.inferred:
        out["inferred"] = True
    if cell.ocr:  # read from an image: reviewers check the least confident first
        out["ocr_confidence"] = cell.confidence
    if cell.where is not None:
        out["where"] = cell.where.to_dict()
    return out


def _tidy(value: Number) -> Number:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def template_identities(template: str | None, split_other: bool) -> list[Identity]:
    if template in ("2019", "2021"):
        return t3_identities(split_other) + t4_identities()
    return []


def value_domain(cells: Sequence[ReportCell]) -> list[CheckResult]:
    """Counts are whole numbers ≥ 0, changes may be negative, amounts are ≥ 0."""
    failures = []
    for cell in cells:
        if cell.value is None:
            continue
        kind = "count" if cell.table in ("t3", "t4", "legacy") else column_kind(cell.table, cell.col)
        problem = None
        if kind == "count" and (cell.value < 0 or not float(cell.value).is_integer()):
            problem = "a count must be a whole number ≥ 0"
        elif kind == "change" and not float(cell.value).is_integer():
            problem = "a change in the number of items must be a whole number"
        elif kind == "amount" and cell.value < 0:
            problem = "an amount must be ≥ 0"
        if cell.table == "legacy" and kind == "count" and cell.value >= 0:
            problem = None  # legacy forms also hold amounts (元, 万元) with decimals
        if problem:
            detail = {"rule": problem, **_cell_detail(cell.key, cell)}
            failures.append(CheckResult("values.domain", False, "error", detail, (cell.key,)))
    if failures:
        return failures
    return [
        CheckResult(
            "values.domain", True, "error", {"cells_checked": sum(1 for c in cells if c.value is not None)}
        )
    ]


def completeness(
    meta: ReportMeta, missing_rows: Mapping[str, Sequence[str]], tables_found: Sequence[str]
) -> CheckResult:
    """Agency, year and template known; every table found with every row."""
    problems = []
    for field in ("agency", "year", "template"):
        if getattr(meta, field) in (None, ""):
            problems.append(f"{field} unknown")
    expected_tables = ("t2", "t3", "t4") if meta.template in ("2019", "2021") else ("legacy",)
    for table in expected_tables:
        if table not in tables_found:
            if meta.template != "legacy":
                problems.append(f"table {table} not found")
        elif missing_rows.get(table):
            problems.append(f"table {table} rows not found: {', '.join(missing_rows[table])}")
    detail: dict[str, Any] = {"problems": problems, "tables_found": list(tables_found)}
    return CheckResult("report.complete", not problems, "warning", detail)


def narrative_agreement(
    statements: Sequence[Statement], cells: Mapping[CellKey, ReportCell]
) -> list[CheckResult]:
    """Counts stated in the text agree with the tables: one result per cell the text speaks of.

    The narrative also gives parts ("县直各单位主动公开303条"), so a cell passes when any
    statement about it agrees; it fails when the text states it and none agrees.
    """
    by_cell: dict[CellKey, list[Statement]] = {}
    for statement in statements:
        by_cell.setdefault(statement.cell, []).append(statement)
    results = []
    for key, said in by_cell.items():
        cell = cells.get(key)
        if cell is None or cell.value is None:
            continue
        accepted = [cell.value]
        if key == ("t3", "1", "total"):
            carried = cells.get(("t3", "2", "total"))
            if carried is not None and carried.value:
                accepted.append(cell.value + carried.value)  # "受理" often counts carried-over ones
        passed = any(math.isclose(s.value, v) for s in said for v in accepted)
        detail = {
            "what": said[0].what,
            "stated": [{"value": s.value, "sentence": s.sentence} for s in said],
            "table": _tidy(cell.value),
            **_cell_detail(key, cell),
        }
        results.append(CheckResult("text.matches_tables", passed, "warning", detail, (key,)))
    return results


def timeliness(meta: ReportMeta) -> CheckResult:
    """Published by 31 Jan (departments) or 31 Mar (governments) of the next year."""
    published = meta.published_at or meta.report_date
    if meta.year is None or not published or not re.match(r"\d{4}-\d{2}-\d{2}", published):
        return CheckResult(
            "report.timely", None, "warning", {"reason": "no publication or report date known"}
        )
    government = bool(meta.agency) and (meta.agency or "").endswith(GOVERNMENT_SUFFIXES)
    if meta.year >= 2019 and not government:
        deadline = dt.date(meta.year + 1, 1, 31)
        who = "departments"
    else:
        deadline = dt.date(meta.year + 1, 3, 31)
        who = "local governments" if meta.year >= 2019 else "all agencies (before the 2019 revision)"
    date = dt.date.fromisoformat(published[:10])
    detail = {
        "date": published[:10],
        "deadline": deadline.isoformat(),
        "rule": f"{who} publish by {deadline:%d %b}",
    }
    detail["source"] = "published_at" if meta.published_at else "report_date"
    return CheckResult("report.timely", date <= deadline, "warning", detail)
