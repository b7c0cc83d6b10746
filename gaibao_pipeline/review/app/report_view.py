"""What the report page shows, built from the loaded report and its decisions (no web framework).

Tables are rebuilt as the template prints them (`review.pages.table_rows`), each cell marked
as failing, inferred, OCR or corrected; each failed or not evaluable check lists expected
against found, the cells that explain it and its current verdict. Text stays text here: the
templates escape it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from gaibao_pipeline.contracts.catalog import INVARIANTS
from gaibao_pipeline.contracts.explain import shown_cells, where_text
from gaibao_pipeline.db.reviews import covers, instance_scope
from gaibao_pipeline.report import CellKey, CheckResult, Report, ReportCell
from gaibao_pipeline.review.pages import TABLE_TITLES, col_label, table_rows

DESCRIPTIONS = {i.id: i.description for i in INVARIANTS}


def number_text(value: Any) -> str:
    if value is None:
        return "blank"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def cell_query(key: CellKey) -> str:
    """The query string that selects a cell on the report page (row codes hold dots)."""
    return urlencode({"table": key[0], "row": key[1], "col": key[2]})


@dataclass(slots=True)
class CellView:
    key: CellKey
    shown: str  # the value shown: the corrected one where there is a correction
    classes: list[str]
    title: str  # tooltip: code, raw text, origin, failing checks
    parsed: str | None = None  # the parsed value, when a correction replaced it

    @property
    def query(self) -> str:
        return cell_query(self.key)


@dataclass(slots=True)
class TableView:
    code: str
    title: str
    header: list[str] | None  # column headings (t2 has per-row columns: none)
    rows: list[tuple[str, str, list[CellView | None]]]  # (row code, label, cells)


@dataclass(slots=True)
class InvolvedCell:
    key: CellKey
    value: str
    raw: str | None
    where: str

    @property
    def query(self) -> str:
        return cell_query(self.key)


@dataclass(slots=True)
class CheckView:
    anchor: str
    id: str
    severity: str
    evaluable: bool
    row: str | None
    col: str | None
    description: str
    expected: str | None
    actual: str | None
    cells: list[InvolvedCell]
    details: list[tuple[str, str]]
    verdict: Mapping[str, Any] | None  # the current verdict that covers this instance


@dataclass(slots=True)
class ReportView:
    checks: list[CheckView]
    tables: list[TableView]
    selected: ReportCell | None
    failing: dict[CellKey, list[str]] = field(default_factory=dict)


def _failing(checks: Sequence[CheckResult]) -> dict[CellKey, list[str]]:
    failing: dict[CellKey, list[str]] = defaultdict(list)
    for check in checks:
        if check.passed is False:
            for key in check.cells:
                failing[key].append(check.id)
    return failing


def _cell_view(
    cell: ReportCell,
    failing: Mapping[CellKey, list[str]],
    correction: Mapping[str, Any] | None,
    selected: bool,
) -> CellView:
    classes = []
    if cell.key in failing:
        classes.append("failing")
    if cell.inferred:
        classes.append("inferred")
    if cell.ocr:
        classes.append("ocr")
    if selected:
        classes.append("selected")
    shown = "blank" if cell.value is None and not cell.raw else number_text(cell.value)
    if cell.value is None and cell.raw:
        shown = "—"
    parsed = None
    if correction is not None:
        classes.append("corrected")
        parsed, shown = shown, number_text(correction["value"])
    title = [f"{' '.join(cell.key)}", f"raw {cell.raw!r}", where_text(cell)]
    if cell.ocr and cell.confidence is not None:
        title.append(f"OCR confidence {cell.confidence:.2f}")
    if cell.key in failing:
        title.append("failed: " + ", ".join(failing[cell.key]))
    if correction is not None:
        title.append(f"corrected by {correction['reviewer']}: {correction['reason']}")
    return CellView(cell.key, shown, classes, "; ".join(title), parsed)


def _tables(
    report: Report,
    failing: Mapping[CellKey, list[str]],
    corrections: Mapping[CellKey, Mapping[str, Any]],
    selected: CellKey | None,
) -> list[TableView]:
    cells = report.cell_map()
    tables = []
    for code, title in TABLE_TITLES:
        rows = table_rows(report, code)
        if not rows:
            continue
        header = None if code == "t2" else [col_label(code, col) for col in rows[0][2]]
        width = max(len(cols) for _, _, cols in rows)
        built: list[tuple[str, str, list[CellView | None]]] = []
        for row_code, label, cols in rows:
            views: list[CellView | None] = []
            for col in cols:
                cell = cells.get((code, row_code, col))
                view = None
                if cell is not None:
                    key = cell.key
                    view = _cell_view(cell, failing, corrections.get(key), key == selected)
                    if code == "t2":
                        view.shown = f"{col_label(code, col)}: {view.shown}"
                views.append(view)
            views += [None] * (width - len(cols))
            built.append((row_code, label, views))
        tables.append(TableView(code, title, header, built))
    return tables


def _check_view(
    index: int, check: CheckResult, report: Report, verdicts: Sequence[Mapping[str, Any]]
) -> CheckView:
    detail = check.detail
    row, col = instance_scope(detail)
    covering = [
        v
        for v in verdicts
        if v["is_current"]
        and v["check_id"] == check.id
        and covers((v["row_code"], v["col_code"]), (row, col))
    ]
    # the verdict for exactly this instance wins over one for the whole check
    covering.sort(key=lambda v: (v["row_code"] is None and v["col_code"] is None, -v["review_id"]))
    involved = [
        InvolvedCell(c.key, number_text(c.value), c.raw, where_text(c))
        for c in shown_cells(check, report.cell_map())
    ]
    shown_apart = {
        "row",
        "col",
        "expected",
        "actual",
        "involved",
        "cell",
        "value",
        "raw",
        "where",
        "inferred",
    }
    details = [(k, _detail_text(v)) for k, v in detail.items() if k not in shown_apart]
    return CheckView(
        anchor=f"check-{index}",
        id=check.id,
        severity=check.severity,
        evaluable=check.passed is not None,
        row=row,
        col=col,
        description=DESCRIPTIONS.get(check.id, ""),
        expected=number_text(detail["expected"]) if "expected" in detail else None,
        actual=number_text(detail["actual"]) if "actual" in detail else None,
        cells=involved,
        details=details,
        verdict=covering[0] if covering else None,
    )


def _detail_text(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(_detail_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_detail_text(v)}" for k, v in value.items())
    return str(value)


def default_cell(report: Report) -> CellKey | None:
    """The cell to show first: the explaining cell (a total) of the first failed check with a
    source, else of the first not evaluable one, else the first inferred or OCR cell."""
    cells = report.cell_map()
    for wanted in (False, None):
        for check in report.checks:
            if check.passed is wanted:
                for cell in shown_cells(check, cells):
                    if cell.where is not None:
                        return cell.key
    flagged = next((c for c in report.cells if c.inferred or c.ocr), None)
    return flagged.key if flagged else None


def report_view(
    report: Report,
    verdicts: Sequence[Mapping[str, Any]],
    corrections: Sequence[Mapping[str, Any]],
    selected: CellKey | None,
) -> ReportView:
    failing = _failing(report.checks)
    current = {(c["table_code"], c["row_code"], c["col_code"]): c for c in corrections if c["is_current"]}
    cells = report.cell_map()
    key = selected if selected in cells else default_cell(report)
    checks = [
        _check_view(i, check, report, verdicts)
        for i, check in enumerate(report.checks)
        if check.passed is not True
    ]
    checks.sort(key=lambda c: (c.evaluable is False, c.severity != "error"))
    return ReportView(
        checks, _tables(report, failing, current, key), cells.get(key) if key else None, failing
    )
