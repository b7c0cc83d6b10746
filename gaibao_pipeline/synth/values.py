"""Synthetic report values that satisfy the spec's invariants (§4), for builders and tests.

A `SynthReport` is what a parser should recover from any document built from it: the
agency, year, template, narrative and every canonical cell. `random_report` draws values
with realistic magnitudes (most applications from natural persons, most outcomes 予以公开
or 本机关不掌握) and makes every printed identity hold.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from gaibao_pipeline.codes import SECTION_TITLES, T2_ROWS, T3_APPLICANT_COLS, T4_ROWS, t3_leaf_codes
from gaibao_pipeline.synth.legacy_form import LegacyTable

CellKey = tuple[str, str, str]
Value = int | float | None

SECTION_NUMBERS = ("一", "二", "三", "四", "五", "六")

# How outcomes of applications are distributed in real reports (weights, not shares).
_OUTCOME_WEIGHTS = {
    "3.1": 40,
    "3.2": 8,
    "3.4.1": 15,
    "3.4.2": 3,
    "3.4.3": 2,
    "3.5.1": 3,
    "3.5.2": 4,
    "3.6": 3,
    "3.6.3": 2,
}
_APPLICANT_MAX = {
    "natural_person": 400,
    "commercial": 40,
    "research": 3,
    "social_welfare": 3,
    "legal_service": 8,
    "other": 5,
}


@dataclass(frozen=True, slots=True)
class SynthReport:
    """One report's content: metadata, narrative per section, and every canonical cell."""

    agency: str
    year: int
    template: str  # "2021", "2019" or "legacy"
    report_date: date
    sections: tuple[str, ...]  # narrative of sections 一..六 (may hold several lines)
    cells: dict[CellKey, Value]
    published_at: datetime | None = None
    legacy: LegacyTable | None = None  # a legacy report's 统计表: its form and how it is printed
    headings: tuple[str, ...] = ()  # section titles as printed, where not the template's own

    @property
    def section_titles(self) -> tuple[str, ...]:
        """The titles of sections 一..六: legacy reports word them their own way."""
        return self.headings or SECTION_TITLES

    @property
    def split_other(self) -> bool:
        """Whether table 三 has rows 3.6.1–3.6.3 (2021) instead of one 3.6 row (2019)."""
        return self.template == "2021"

    @property
    def title(self) -> str:
        """The report's headline as printed."""
        return f"{self.agency}{self.year}年政府信息公开工作年度报告"

    def value(self, table: str, row: str, col: str) -> Value:
        """One cell's value (None = blank)."""
        return self.cells[(table, row, col)]


def format_value(value: Value) -> str:
    """A value as a report prints it: '' for blank, no trailing zeros for amounts."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def _magnitude(rng: random.Random, high: int, zero: float = 0.33) -> int:
    """A count spread over orders of magnitude up to `high`, zero with probability `zero`."""
    if high <= 0 or rng.random() < zero:
        return 0
    return round(math.pow(high, rng.random())) - (1 if rng.random() < 0.5 else 0)


def _t2(rng: random.Random, template: str) -> dict[CellKey, Value]:
    cells: dict[CellKey, Value] = {}
    may_make_rules = rng.random() < 0.3  # most agencies have no rule-making power
    for row in T2_ROWS[template]:
        for col in row.cols:
            value: Value
            if col in ("fee_amount", "procurement_amount"):
                value = round(rng.uniform(0, 3000), 4) if rng.random() < 0.6 else 0
            elif col == "change":
                value = rng.randint(-20, 30)
            elif row.code == "rules":
                value = (
                    _magnitude(rng, 40 if col in ("in_force", "total_published") else 5)
                    if may_make_rules
                    else 0
                )
            elif col in ("in_force", "total_published", "prev_count"):
                value = _magnitude(rng, 300)
            elif col == "decisions":
                value = _magnitude(rng, {"licensing": 20000, "penalty": 3000}.get(row.code, 300))
            else:
                value = _magnitude(rng, 40)
            if col in ("in_force", "total_published"):
                # what is in force includes what was issued this year
                value = max(value, *(v or 0 for k, v in cells.items() if k[1] == row.code))
            if template == "2019" and rng.random() < 0.15:
                value = None  # 2019-style forms leave inapplicable cells empty
            cells[("t2", row.code, col)] = value
    return cells


def _t3(rng: random.Random, template: str) -> dict[CellKey, Value]:
    split_other = template == "2021"
    leaves = t3_leaf_codes(split_other)
    weights = [_OUTCOME_WEIGHTS.get(code, 1) for code in leaves]
    cells: dict[CellKey, Value] = {}
    counts: dict[str, dict[str, int]] = {}
    for col in T3_APPLICANT_COLS:
        done = _magnitude(rng, _APPLICANT_MAX[col], zero=0.1 if col == "natural_person" else 0.5)
        outcome = Counter(rng.choices(leaves, weights, k=done))
        carry_in = rng.randint(0, max(done // 10, 1)) if done else 0
        carry_out = rng.randint(0, max(done // 10, 1)) if done else 0
        received = done + carry_out - carry_in  # row1 + row2 = row3.7 + row4
        col_counts = {code: outcome.get(code, 0) for code in leaves}
        col_counts.update({"1": received, "2": carry_in, "3.7": done, "4": carry_out})
        counts[col] = col_counts
    for code in ("1", "2", *leaves, "3.7", "4"):
        for col in T3_APPLICANT_COLS:
            cells[("t3", code, col)] = counts[col][code]
        cells[("t3", code, "total")] = sum(counts[col][code] for col in T3_APPLICANT_COLS)
    if template == "2019":
        # blank is not 0, but counts as 0 in sums: blank some zero leaves, keep totals printed
        for code in leaves:
            for col in (*T3_APPLICANT_COLS, "total"):
                if cells[("t3", code, col)] == 0 and rng.random() < 0.3:
                    cells[("t3", code, col)] = None
    return cells


def _t4(rng: random.Random) -> dict[CellKey, Value]:
    cells: dict[CellKey, Value] = {}
    for row in T4_ROWS:
        parts = [_magnitude(rng, 6) for _ in range(4)]
        for col, value in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
            cells[("t4", row.code, col)] = value
        cells[("t4", row.code, "total")] = sum(parts)
    return cells


def _sections(agency: str, year: int, cells: dict[CellKey, Value], published: int) -> tuple[str, ...]:
    def n(row: str, col: str = "total", table: str = "t3") -> int:
        value = cells[(table, row, col)]
        return int(value) if isinstance(value, int | float) else 0

    received, carried, done, left = n("1"), n("2"), n("3.7"), n("4")
    review = n("review", "total", "t4")
    litigation = n("litigation_direct", "total", "t4") + n("litigation_after_review", "total", "t4")
    return (
        f"{year}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、"
        f"不公开为例外，全年主动公开政府信息{published}条。\n"
        f"本年度共收到政府信息公开申请{received}件，上年结转{carried}件，办结{done}件，"
        f"结转下年度继续办理{left}件。",
        f"{agency}通过门户网站、政务新媒体等渠道主动公开政府信息，具体情况见下表。",
        f"本年度共收到政府信息公开申请{received}件，均在法定期限内予以答复。",
        f"本年度因政府信息公开被申请行政复议{review}件，被提起行政诉讼{litigation}件。",
        f"{year}年{agency}政府信息公开工作仍存在公开内容不够全面、解读形式较为单一等问题。"
        f"下一步将加强培训，提升公开质量。",
        "本年度未收取信息处理费。",
    )


def random_report(rng: random.Random, template: str, year: int, agency: str) -> SynthReport:
    """A report whose values satisfy t3.balance, t3.results_sum, t3.row_total and t4.block_total.

    A "legacy" report (2008–2018) has a 统计表 instead, drawn by `legacy.random_legacy_report`.
    """
    if template == "legacy":
        from gaibao_pipeline.synth.legacy import random_legacy_report  # it builds on this module

        return random_legacy_report(rng, year, agency)
    if template not in ("2019", "2021"):
        raise ValueError(f"template must be '2019', '2021' or 'legacy', not {template!r}")
    cells = {**_t2(rng, template), **_t3(rng, template), **_t4(rng)}
    published = rng.randint(50, 5000)
    report_date = date(year + 1, 1, rng.randint(10, 31))
    moment = datetime(
        report_date.year, report_date.month, report_date.day, rng.randint(8, 18), rng.randint(0, 59)
    )
    return SynthReport(
        agency=agency,
        year=year,
        template=template,
        report_date=report_date,
        sections=_sections(agency, year, cells, published),
        cells=cells,
        published_at=moment,
    )
