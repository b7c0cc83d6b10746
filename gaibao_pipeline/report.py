"""The parsed report: the `gaibao.report/1` contract of spec §5, as dataclasses.

Everything downstream (JSON output, database loading, pandera schemas, asset checks) reads
these records; nothing downstream re-parses documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from gaibao_pipeline.errors import Status
from gaibao_pipeline.model import Provenance

SCHEMA = "gaibao.report/1"

Number = int | float
Severity = Literal["error", "warning"]
CellKey = tuple[str, str, str]  # (table, row, col)


@dataclass(frozen=True, slots=True)
class SourceInfo:
    file: str  # file name as given (not a path)
    sha256: str
    format: str
    size: int

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "sha256": self.sha256, "format": self.format, "size": self.size}


@dataclass(slots=True)
class ReportMeta:
    agency: str | None = None  # as printed, simplified characters
    year: int | None = None  # the year the report covers
    template: str | None = None  # "2019", "2021" or "legacy"
    report_date: str | None = None  # ISO date printed on the report
    published_at: str | None = None  # ISO date/time of web publication, where known

    def to_dict(self) -> dict[str, Any]:
        return {
            "agency": self.agency,
            "year": self.year,
            "template": self.template,
            "report_date": self.report_date,
            "published_at": self.published_at,
        }


@dataclass(frozen=True, slots=True)
class Section:
    no: int  # canonical section number 1..6 (by meaning, whatever the report printed)
    title: str  # title as printed, simplified
    printed_no: str | None = None  # the numeral the report printed ("三"), when it differs

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"no": self.no, "title": self.title}
        if self.printed_no is not None:
            out["printed_no"] = self.printed_no
        return out


@dataclass(slots=True)
class ReportCell:
    """One canonical cell: its value, the raw text it came from and where."""

    table: str  # "t2", "t3", "t4" or "legacy"
    row: str
    col: str
    value: Number | None
    raw: str | None  # None when the cell was not in the document (inferred or missing)
    inferred: bool = False  # value filled from the 勾稽 identities, not read
    where: Provenance | None = None
    note: str | None = None  # remark or annotation beside the value ("划至市行政审批管理局")
    raw_label: str | None = None  # legacy forms: the indicator's label as printed
    raw_code: str | None = None  # legacy forms: the indicator's code as printed ("19"), if any
    ocr: bool = False  # the raw text was read from an image by OCR
    confidence: float | None = None  # the OCR engine's confidence in the raw text, 0..1

    @property
    def key(self) -> CellKey:
        return (self.table, self.row, self.col)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "table": self.table,
            "row": self.row,
            "col": self.col,
            "value": self.value,
            "raw": self.raw,
            "inferred": self.inferred,
            "where": self.where.to_dict() if self.where is not None else None,
        }
        if self.note:
            out["note"] = self.note
        if self.raw_label is not None:
            out["raw_label"] = self.raw_label
        if self.raw_code is not None:
            out["raw_code"] = self.raw_code
        if self.ocr:
            out["ocr"] = True
            out["confidence"] = None if self.confidence is None else round(self.confidence, 3)
        return out


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one invariant on one report, for one row, column or block.

    `passed` is None when the check could not be evaluated (a total left blank); such
    results are listed under `not_evaluable` in the JSON, never as failures.
    """

    id: str
    passed: bool | None
    severity: Severity
    detail: dict[str, Any] = field(default_factory=dict)
    cells: tuple[CellKey, ...] = ()  # the cells the check involved, for reviewers

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "passed": self.passed, "severity": self.severity}
        out["detail"] = self.detail
        if self.cells:
            out["cells"] = [list(k) for k in self.cells]
        return out


@dataclass(slots=True)
class Report:
    source: SourceInfo
    status: Status = Status.OK
    message: str | None = None
    report: ReportMeta = field(default_factory=ReportMeta)
    sections: list[Section] = field(default_factory=list)
    cells: list[ReportCell] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    page_count: int | None = None

    @property
    def ok(self) -> bool:
        return self.status == Status.OK

    def cell_map(self) -> dict[CellKey, ReportCell]:
        return {c.key: c for c in self.cells}

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema": SCHEMA,
            "status": self.status.value,
            "source": self.source.to_dict(),
        }
        if self.message:
            out["message"] = self.message
        out["report"] = self.report.to_dict()
        out["sections"] = [s.to_dict() for s in self.sections]
        out["cells"] = [c.to_dict() for c in self.cells]
        out["checks"] = [c.to_dict() for c in self.checks if c.passed is not None]
        out["not_evaluable"] = [c.to_dict() for c in self.checks if c.passed is None]
        out["warnings"] = list(self.warnings)
        if self.page_count is not None:
            out["page_count"] = self.page_count
        return out

    @classmethod
    def failed(cls, source: SourceInfo, status: Status, message: str) -> Report:
        """A report for a file that yielded nothing, with the reason."""
        return cls(source=source, status=status, message=message)
