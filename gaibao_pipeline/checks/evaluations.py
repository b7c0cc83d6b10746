"""A report's invariants as ONE Dagster check evaluation on its partition, whatever their number.

Each evaluation is an event, a row and an update in the instance's storage: one per invariant
and report made a kept instance store ~9 per report, most of a bulk run's cost. One evaluation
per report and check keeps the report's outcome visible on its own partition (passed, or
failed with ERROR when an error-severity invariant failed, else WARN) and carries every
invariant's outcome in its metadata: a compact table (passed, failed, not evaluable, not
applicable), the failed instances (expected against found, the cells involved with their raw
text and where they are) and the full detail as JSON. The database's `check_results` keeps
every invariant's result per report, and the review app shows them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg

from gaibao_pipeline.checks.markdown import md_table
from gaibao_pipeline.contracts.catalog import Invariant
from gaibao_pipeline.contracts.cross_year import YearReport
from gaibao_pipeline.contracts.explain import shown_cells, where_text
from gaibao_pipeline.contracts.schemas import SchemaFailure
from gaibao_pipeline.report import CheckResult, Report, Severity

MAX_ROWS = 30  # failed instances listed in a metadata table; all are in the JSON
TABLE_CONTRACTS = "table_contracts"
PASSED, FAILED, NOT_EVALUABLE, NOT_APPLICABLE = "passed", "failed", "not evaluable", "not applicable"


@dataclass(frozen=True, slots=True)
class Outcome:
    """One invariant's outcome on one report, as the metadata table shows it."""

    name: str  # the invariant id (spec §4), or `table_contracts`
    severity: Severity
    state: str  # PASSED, FAILED, NOT_EVALUABLE or NOT_APPLICABLE
    instances: int = 0  # rows, columns or blocks the invariant was evaluated on
    failed: int = 0
    note: str = ""


@dataclass(frozen=True, slots=True)
class Contracts:
    """The pandera contracts the loader validated the report's rows against (`LoadResult`)."""

    failures: Sequence[SchemaFailure]
    loaded: bool = True  # False: the file is gone, no rows were checked
    refused: str | None = None  # why the loader recorded the report `invalid` instead of loading it

    def outcome(self) -> Outcome:
        blocking = self.refused is not None or any(f.blocking for f in self.failures)
        if not self.loaded:
            return Outcome(TABLE_CONTRACTS, "error", NOT_APPLICABLE, note="not loaded: no rows")
        state = FAILED if self.failures or self.refused else PASSED
        note = f"refused: {self.refused}" if self.refused else ""
        return Outcome(
            TABLE_CONTRACTS, "error" if blocking else "warning", state, 1, len(self.failures), note
        )


def invariant_outcome(invariant: Invariant, found: Sequence[CheckResult]) -> Outcome:
    if not found:  # does not apply: a legacy report has no table 三, a report no narrative count
        return Outcome(invariant.id, invariant.severity, NOT_APPLICABLE)
    evaluable = [r for r in found if r.passed is not None]
    failed = sum(1 for r in evaluable if r.passed is False)
    if not evaluable:
        reason = str(found[0].detail.get("reason", ""))
        return Outcome(invariant.id, invariant.severity, NOT_EVALUABLE, len(found), note=reason)
    return Outcome(invariant.id, invariant.severity, FAILED if failed else PASSED, len(found), failed)


def evaluation(
    check: dg.AssetCheckSpec,
    invariants: Sequence[Invariant],
    partition: str,
    report: Report,
    results: Sequence[CheckResult],
    *,
    contracts: Contracts | None = None,
    review_page: Path | None = None,
    review_url: str | None = None,
) -> dg.AssetCheckEvaluation:
    """`check`'s one evaluation of `report`: passed iff none of `invariants` (nor a contract) failed."""
    by_id: dict[str, list[CheckResult]] = defaultdict(list)
    for result in results:
        by_id[result.id].append(result)
    outcomes = [invariant_outcome(i, by_id.get(i.id, [])) for i in invariants]
    if contracts is not None:
        outcomes.append(contracts.outcome())
    failed = [o for o in outcomes if o.state == FAILED]
    failed_results = [r for o in failed for r in by_id.get(o.name, []) if r.passed is False]
    metadata: dict[str, Any] = {
        "file": report.source.file,
        "agency": report.report.agency or "",
        "year": report.report.year or 0,
        "failed_invariants": ", ".join(o.name for o in failed),
        "invariants": dg.MetadataValue.md(_outcomes_table(outcomes)),
    }
    if failed_results:
        metadata["failures"] = dg.MetadataValue.md(_failures_table(failed_results, report))
    if contracts is not None and contracts.failures:
        metadata["contracts"] = dg.MetadataValue.md(_contracts_table(contracts.failures))
    if failed:
        detail = [_plain(r) for r in failed_results]
        detail += [{"id": TABLE_CONTRACTS, **f.to_dict()} for f in (contracts.failures if contracts else ())]
        metadata["detail"] = dg.MetadataValue.json(detail)
    if review_url is not None and any(o.state in (FAILED, NOT_EVALUABLE) for o in outcomes):
        metadata["review_app"] = dg.MetadataValue.url(review_url)  # the report in `gaibao serve`
    if review_page is not None:
        metadata["review_page"] = dg.MetadataValue.path(str(review_page))
    error = any(o.severity == "error" for o in failed)
    return dg.AssetCheckEvaluation(
        asset_key=check.asset_key,
        check_name=check.name,
        passed=not failed,
        metadata=metadata,
        severity=dg.AssetCheckSeverity.ERROR if error else dg.AssetCheckSeverity.WARN,
        description=check.description,
        partition=partition,
    )


def cross_year_evaluation(
    check: dg.AssetCheckSpec,
    invariants: Sequence[Invariant],
    checked: Sequence[str],
    reports: Iterable[YearReport],
    results: Mapping[str, Sequence[CheckResult]],
    report_url: Callable[[str], str],
) -> dg.AssetCheckResult:
    """`check`'s one evaluation of a run's reports (`checked`) against their years before.

    Passed iff no checked report fails one of `invariants`. The metadata counts each
    invariant's outcomes over the reports (a report with no year before: not applicable) and
    lists every failing report: agency, year, expected against found, the report it was
    compared with, and its page in the review app.
    """
    by_id = {r.report_id: r for r in reports}
    states: dict[str, Counter[str]] = {i.id: Counter() for i in invariants}
    failing: dict[str, list[CheckResult]] = {}
    for report_id in checked:
        found = results.get(report_id, [])
        for invariant in invariants:
            own = [r for r in found if r.id == invariant.id]
            states[invariant.id][invariant_outcome(invariant, own).state] += 1
        failed = [r for r in found if r.passed is False]
        if failed:
            failing[report_id] = failed
    failed_ids = [i.id for i in invariants if states[i.id][FAILED]]
    counts_rows: list[list[object]] = [
        [i.id, i.severity, *(states[i.id][s] for s in (PASSED, FAILED, NOT_EVALUABLE, NOT_APPLICABLE))]
        for i in invariants
    ]
    header = ["invariant", "severity", PASSED, FAILED, NOT_EVALUABLE, NOT_APPLICABLE]
    metadata: dict[str, Any] = {
        "reports_checked": len(checked),
        "reports_with_year_before": sum(1 for k in checked if results.get(k)),
        "reports_failed": len(failing),
        "failed_invariants": ", ".join(failed_ids),
        "invariants": dg.MetadataValue.md(md_table(header, counts_rows)),
    }
    if failing:
        metadata["failures"] = dg.MetadataValue.md(_cross_year_failures(failing, by_id, report_url))
        metadata["detail"] = dg.MetadataValue.json(
            [
                {"report_id": k, "review_app": report_url(k), **_plain(r)}
                for k, failed in failing.items()
                for r in failed
            ]
        )
    error = any(i.severity == "error" for i in invariants if i.id in failed_ids)
    return dg.AssetCheckResult(
        asset_key=check.asset_key,
        check_name=check.name,
        passed=not failing,
        metadata=metadata,
        severity=dg.AssetCheckSeverity.ERROR if error else dg.AssetCheckSeverity.WARN,
        description=check.description,
    )


def _cross_year_failures(
    failing: Mapping[str, Sequence[CheckResult]],
    reports: Mapping[str, YearReport],
    report_url: Callable[[str], str],
) -> str:
    rows: list[list[object]] = []
    for report_id, failed in failing.items():
        report = reports.get(report_id)
        for result in failed:
            detail = result.detail
            where = _where(detail)
            previous = f"{detail.get('previous_report_id', '')} ({detail.get('previous_year', '')})"
            rows.append(
                [
                    report_id,
                    report.agency if report else "",
                    report.year if report else "",
                    result.id,
                    where or "-",
                    detail.get("expected", ""),
                    detail.get("actual", ""),
                    previous,
                    report_url(report_id),
                ]
            )
    shown = rows[:MAX_ROWS]
    note = f"\n\n{len(rows) - MAX_ROWS} more in `detail`" if len(rows) > MAX_ROWS else ""
    header = [
        *("report", "agency", "year", "invariant", "where"),
        *("expected", "found", "compared with", "review"),
    ]
    return md_table(header, shown, limits=(20, 40, 6, 20, 40, 20, 20, 40, 120)) + note


def _outcomes_table(outcomes: Sequence[Outcome]) -> str:
    rows: list[list[object]] = [
        [
            o.name,
            o.severity,
            f"{o.state} ({o.failed} of {o.instances})" if o.state == FAILED else o.state,
            o.note or "",
        ]
        for o in outcomes
    ]
    return md_table(["invariant", "severity", "outcome", "note"], rows, limits=(40, 10, 40, 120))


def _failures_table(failed: Sequence[CheckResult], report: Report) -> str:
    cells = report.cell_map()
    rows: list[list[object]] = []
    for result in failed[:MAX_ROWS]:
        detail = result.detail
        scope = _where(detail)
        involved = "; ".join(
            f"{' '.join(c.key[1:])}={c.value} (raw {c.raw!r}, {where_text(c)})"
            for c in shown_cells(result, cells)
        )
        other = "; ".join(f"{k}: {v}" for k, v in detail.items() if k not in _SHOWN_APART)
        rows.append(
            [result.id, scope or "-", detail.get("expected", ""), detail.get("actual", ""), involved or other]
        )
    note = f"\n\n{len(failed) - MAX_ROWS} more in `detail`" if len(failed) > MAX_ROWS else ""
    # the cells column is long: cut it at 600 characters, not 80, so the explaining cell stays
    header = ["invariant", "where", "expected", "found", "cells (raw text, origin) or details"]
    return md_table(header, rows, limits=(40, 80, 40, 40, 600)) + note


def _contracts_table(failures: Sequence[SchemaFailure]) -> str:
    rows: list[list[object]] = [
        [f.table, f.column or "*", f.check, f.failure_case, "yes" if f.blocking else "no"]
        for f in failures[:MAX_ROWS]
    ]
    return md_table(["table", "column", "contract", "value", "blocks loading"], rows)


def _where(detail: Mapping[str, Any]) -> str:
    """The row and column a failed instance is about, as `row 3 col natural_person`."""
    return " ".join(f"{k} {detail[k]}" for k in ("row", "col") if k in detail)


_SHOWN_APART = {"row", "col", "expected", "actual", "involved", "cells"}


def _plain(result: CheckResult) -> dict[str, Any]:
    detail = {k: v for k, v in result.detail.items() if k != "involved"}
    return {"id": result.id, "severity": result.severity, **detail, "cells": [list(k) for k in result.cells]}
