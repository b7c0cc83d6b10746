"""Checks across reports: the same agency in consecutive years (spec §4, cross_year.*).

`cross_year.carry`: what year Y says it carried over (row 2) is what year Y−1 said it
carried forward (row 4), per column. `cross_year.in_force`: 2021 template, for 规章 and
行政规范性文件, in force at the end of Y = in force at the end of Y−1 + issued in Y −
repealed in Y. Reports are linked by a normalised agency name; an alias table links
agencies renamed between the years (环境保护局 → 生态环境局 in the 2018–2019 reform).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gaibao_pipeline.chinese import normalize_agency
from gaibao_pipeline.codes import T3_COL_CODES
from gaibao_pipeline.report import CellKey, CheckResult, Number

# Renames of the 2018–2019 institutional reform and common short forms: old suffix → new.
# Applied to the end of a normalised name, so 某某市环境保护局 and 某某市生态环境局 meet.
BUILTIN_RENAMES: tuple[tuple[str, str], ...] = (
    ("环境保护局", "生态环境局"),
    ("环境保护厅", "生态环境厅"),
    ("环保局", "生态环境局"),
    ("国土资源局", "自然资源局"),
    ("国土资源厅", "自然资源厅"),
    ("自然资源和规划局", "自然资源局"),
    ("卫生和计划生育委员会", "卫生健康委员会"),
    ("卫生计生委", "卫生健康委员会"),
    ("卫生健康委", "卫生健康委员会"),
    ("安全生产监督管理局", "应急管理局"),
    ("安监局", "应急管理局"),
    ("工商行政管理局", "市场监督管理局"),
    ("食品药品监督管理局", "市场监督管理局"),
    ("质量技术监督局", "市场监督管理局"),
    ("市场监管局", "市场监督管理局"),
    ("林业局", "林业和草原局"),
    ("农业局", "农业农村局"),
    ("法制办公室", "司法局"),
)


@dataclass(frozen=True, slots=True)
class YearReport:
    """What the cross-year checks need of one loaded report."""

    report_id: str
    agency: str | None
    year: int | None
    template: str | None
    values: Mapping[CellKey, Number | None]
    n_values: int = 0  # non-null cells: the fuller of two reports of one agency-year is used


def load_aliases(path: Path) -> dict[str, str]:
    """An alias table (CSV: old name, new name; a header row is optional) as a mapping."""
    aliases: dict[str, str] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) >= 2 and row[0].strip() and row[0].strip() not in ("old", "旧名称"):
                aliases[normalize_agency(row[0]) or row[0]] = normalize_agency(row[1]) or row[1]
    return aliases


def agency_key(name: str | None, aliases: Mapping[str, str] | None = None) -> str | None:
    """The key that links an agency across years: normalised, aliased, renames applied."""
    key = normalize_agency(name)
    if key is None:
        return None
    seen = set()
    while aliases and key in aliases and key not in seen:
        seen.add(key)
        key = aliases[key]
    for old, new in BUILTIN_RENAMES:
        if key.endswith(old) and not key.endswith(new):
            return re.sub(f"{re.escape(old)}$", new, key)
    return key


def cross_year_checks(
    reports: Iterable[YearReport], aliases: Mapping[str, str] | None = None
) -> dict[str, list[CheckResult]]:
    """Results per report id (the later year of each linked pair)."""
    by_agency: dict[tuple[str, int], YearReport] = {}
    for report in sorted(reports, key=lambda r: (-r.n_values, r.report_id)):
        key = agency_key(report.agency, aliases)
        if key is None or report.year is None or report.template not in ("2019", "2021"):
            continue
        by_agency.setdefault((key, report.year), report)  # the fullest report of the agency-year
    results: dict[str, list[CheckResult]] = {}
    for (key, year), current in by_agency.items():
        previous = by_agency.get((key, year - 1))
        if previous is None:
            continue
        checks = _carry(current, previous)
        if current.template == "2021" and previous.template == "2021":
            checks += _in_force(current, previous)
        results[current.report_id] = checks
    return results


def _get(report: YearReport, table: str, row: str, col: str) -> Number | None:
    return report.values.get((table, row, col))


def _link(current: YearReport, previous: YearReport) -> dict[str, Any]:
    return {
        "previous_report_id": previous.report_id,
        "previous_year": previous.year,
        "previous_agency": previous.agency,
    }


def _carry(current: YearReport, previous: YearReport) -> list[CheckResult]:
    out = []
    if all(_get(current, "t3", "2", c) is None for c in T3_COL_CODES) and all(
        _get(previous, "t3", "4", c) is None for c in T3_COL_CODES
    ):
        return []  # neither report has the rows: nothing to compare
    for col in T3_COL_CODES:
        actual = _get(current, "t3", "2", col) or 0
        expected = _get(previous, "t3", "4", col) or 0
        detail = {"col": col, "expected": expected, "actual": actual, **_link(current, previous)}
        detail["rule"] = f"row 2 of {current.year} = row 4 of {previous.year}"
        out.append(
            CheckResult(
                "cross_year.carry", abs(actual - expected) < 1e-6, "warning", detail, (("t3", "2", col),)
            )
        )
    return out


def _in_force(current: YearReport, previous: YearReport) -> list[CheckResult]:
    out = []
    for row in ("rules", "normative_docs"):
        now = _get(current, "t2", row, "in_force")
        before = _get(previous, "t2", row, "in_force")
        if now is None or before is None:
            continue  # a blank count of documents in force cannot be carried forward
        issued = _get(current, "t2", row, "issued") or 0
        repealed = _get(current, "t2", row, "repealed") or 0
        expected = before + issued - repealed
        detail = {"row": row, "expected": expected, "actual": now, **_link(current, previous)}
        detail["rule"] = f"in force {current.year} = in force {previous.year} + issued − repealed"
        cells: Sequence[CellKey] = (("t2", row, "in_force"), ("t2", row, "issued"), ("t2", row, "repealed"))
        out.append(
            CheckResult("cross_year.in_force", abs(now - expected) < 1e-6, "warning", detail, tuple(cells))
        )
    return out
