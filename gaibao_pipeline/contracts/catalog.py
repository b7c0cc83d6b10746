"""Every invariant of spec §4, once: its id, severity and what it means to a reviewer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gaibao_pipeline.report import Severity


@dataclass(frozen=True, slots=True)
class Invariant:
    id: str
    severity: Severity
    # one report alone, a report and its other renditions (judged when loaded), a report and the year before
    scope: Literal["report", "renditions", "cross_year"]
    description: str


INVARIANTS: tuple[Invariant, ...] = (
    Invariant(
        "t3.balance",
        "error",
        "report",
        "Table 三 per column: row 1 + row 2 = row 3.7 + row 4 (the printed 勾稽关系).",
    ),
    Invariant(
        "t3.results_sum",
        "error",
        "report",
        "Table 三 per column: row 3.7 (总计) = the sum of the outcome rows 3.1 … 3.6.x.",
    ),
    Invariant(
        "t3.row_total", "error", "report", "Table 三 per row: the 总计 column = the six applicant columns."
    ),
    Invariant(
        "t4.block_total", "error", "report", "Table 四 per block: 总计 = 维持 + 纠正 + 其他 + 尚未审结."
    ),
    Invariant(
        "values.domain",
        "error",
        "report",
        "Counts are whole numbers ≥ 0; changes may be negative; amounts ≥ 0.",
    ),
    Invariant(
        "report.complete",
        "warning",
        "report",
        "Agency, year and template known; tables 二–四 found with every row.",
    ),
    Invariant(
        "report.timely",
        "warning",
        "report",
        "Published by 31 Jan (departments) / 31 Mar (governments) of the next year.",
    ),
    Invariant(
        "text.matches_tables", "warning", "report", "Counts stated in the narrative agree with the tables."
    ),
    Invariant("legacy.sums", "warning", "report", "Pre-2019 forms: totals equal their 其中 parts."),
    Invariant(
        "renditions.agree",
        "warning",
        "renditions",
        "The loaded rendition of a report (web page or attachment) and each other one read the same values.",
    ),
    Invariant(
        "cross_year.carry",
        "warning",
        "cross_year",
        "Row 2 (carried over) of year Y = row 4 (carried forward) of year Y−1.",
    ),
    Invariant(
        "cross_year.in_force",
        "warning",
        "cross_year",
        "2021 template: in force(Y) = in force(Y−1) + issued(Y) − repealed(Y).",
    ),
)
BY_ID = {invariant.id: invariant for invariant in INVARIANTS}
