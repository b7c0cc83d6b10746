"""Compare a `gaibao.report/1` dict with a hand-checked golden file, field by field."""

from __future__ import annotations

import math
from typing import Any


def same_value(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)


def differences(golden: dict[str, Any], out: dict[str, Any]) -> list[str]:
    """Every way `out` departs from `golden` on the fields golden files fix."""
    problems: list[str] = []
    got = {(c["table"], str(c["row"]), c["col"]): c for c in out.get("cells", [])}
    for cell in golden["cells"]:
        key = (cell["table"], cell["row"], cell["col"])
        if key not in got:
            problems.append(f"cell {key} missing")
        elif not same_value(got[key]["value"], cell["value"]):
            problems.append(
                f"cell {key}: want {cell['value']!r}, got {got[key]['value']!r} (raw {got[key]['raw']!r})"
            )
    extra = set(got) - {(c["table"], c["row"], c["col"]) for c in golden["cells"]}
    if extra:
        problems.append(f"cells not in the template: {sorted(extra)[:5]}")
    for field, want in golden["report"].items():
        if out["report"].get(field) != want:
            problems.append(f"report.{field}: want {want!r}, got {out['report'].get(field)!r}")
    if "sections" in golden:
        want_sections = [s["no"] for s in golden["sections"]]
        got_sections = [s["no"] for s in out.get("sections", [])]
        if want_sections != got_sections:
            problems.append(f"sections: want {want_sections}, got {got_sections}")
    outcomes: dict[str, list[bool]] = {}
    for check in out.get("checks", []):
        outcomes.setdefault(check["id"], []).append(bool(check["passed"]))
    for check in golden.get("checks", []):
        if check["id"] not in outcomes:
            problems.append(f"check {check['id']}: want passed={check['passed']}, not reported")
        elif all(outcomes[check["id"]]) != check["passed"]:
            problems.append(
                f"check {check['id']}: want passed={check['passed']}, got {all(outcomes[check['id']])}"
            )
    return problems
