"""A parsed report's checks, built in one place: every single-report invariant of spec §4.

The parser hands over what it found (the cells, the identities of the report's template or
legacy form, the narrative's statements, the rows each table lacked); the invariants
(`invariants`) judge them. A check that could not be evaluated is no failure, but the
reviewer is told where (`not_evaluable_warnings`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from gaibao_pipeline.contracts.identities import Identity
from gaibao_pipeline.contracts.invariants import (
    Statement,
    completeness,
    identity_checks,
    narrative_agreement,
    timeliness,
    value_domain,
)
from gaibao_pipeline.report import CheckResult, Report


def check_report(
    report: Report,
    identities: Sequence[Identity],
    said: Sequence[Statement],
    missing_rows: Mapping[str, Sequence[str]],
    tables_found: Sequence[str],
) -> list[CheckResult]:
    """Identities, value domains, completeness, narrative agreement and timeliness of one report."""
    cells = report.cell_map()
    checks = identity_checks(cells, identities)
    checks += value_domain(report.cells)
    checks.append(completeness(report.report, missing_rows, tables_found))
    checks += narrative_agreement(said, cells)
    checks.append(timeliness(report.report))
    return checks


def not_evaluable_warnings(checks: Sequence[CheckResult]) -> list[str]:
    """One warning per identity that could not be evaluated, naming where."""
    scopes: dict[tuple[str, bool], list[str]] = defaultdict(list)
    for check in checks:
        if check.passed is None and check.id.startswith(("t3.", "t4.", "legacy.")):
            unknown = str(check.detail.get("reason", "")).startswith("a cell the text does not determine")
            scopes[(check.id, unknown)].append(
                " ".join(str(check.detail[k]) for k in ("row", "col") if k in check.detail)
            )
    why = {
        False: "total left blank, derived from its parts",
        True: "a cell the text does not determine (left blank)",
    }
    return [
        f"{check_id} not evaluable for {', '.join(where)}: {why[unknown]}"
        for (check_id, unknown), where in scopes.items()
    ]
