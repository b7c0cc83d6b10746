"""Renditions of one report: which one is loaded, and whether their values agree (`renditions.agree`).

Agencies often publish a report twice in one article: the page itself (the tables typed into
the CMS) and an attachment (the signed document as PDF, DOCX, …). Files fetched from one
article whose parses name the same agency and year (where both name them) are renditions of
one report. One is loaded; the others are recorded with the status `rendition`. The rule,
first difference decides:

1. the tables are complete (`report.complete` passed);
2. fewer failed error checks (the 勾稽 identities hold for what was read);
3. more cells read (a value read from the document, not inferred);
4. fewer cells read by OCR;
5. an attachment before the article page (the document as issued), then PDF, DOCX, others;
6. the report id, so the choice is stable.

`renditions.agree` (warning) compares the loaded rendition with each other one, cell by cell,
on the cells both read; a rendition that shares no read cell with it is not evaluable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from gaibao_pipeline.chinese import normalize_agency
from gaibao_pipeline.errors import Status
from gaibao_pipeline.report import CellKey, CheckResult, Report, ReportCell, ReportMeta

CHECK_ID = "renditions.agree"
_FORMAT_ORDER = {"pdf": 0, "docx": 1}
MAX_LISTED = 50  # differences listed in a check's detail; `n_differences` counts all


@dataclass(frozen=True, slots=True)
class Candidate:
    """A parsed file of an article: its report id, its report and whether it is an attachment."""

    key: str
    report: Report
    attachment: bool


@dataclass(frozen=True, slots=True)
class Choice:
    """Where a rendition stands: the report id loaded for the report, its rank (1 = loaded), why."""

    loaded_key: str
    rank: int
    basis: str
    cells_read: int
    errors_failed: int


def same_report(a: ReportMeta, b: ReportMeta) -> bool:
    """Whether two parses name the same report: same year and agency wherever both name one."""
    if a.year is not None and b.year is not None and a.year != b.year:
        return False
    agency_a = normalize_agency(a.agency) if a.agency else None
    agency_b = normalize_agency(b.agency) if b.agency else None
    return not (agency_a and agency_b and agency_a != agency_b)


def _read(report: Report) -> dict[CellKey, ReportCell]:
    return {c.key: c for c in report.cells if c.value is not None and not c.inferred}


def _errors(report: Report) -> int:
    return sum(1 for c in report.checks if c.passed is False and c.severity == "error")


def _complete(report: Report) -> bool:
    return any(c.id == "report.complete" and c.passed for c in report.checks)


def preference(candidate: Candidate) -> tuple[bool, int, int, int, bool, int, str]:
    """The rule of the module docstring as a sort key: the smallest is loaded."""
    report = candidate.report
    return (
        not _complete(report),
        _errors(report),
        -len(_read(report)),
        sum(1 for c in report.cells if c.ocr),
        not candidate.attachment,
        _FORMAT_ORDER.get(report.source.format, 2),
        candidate.key,
    )


def basis(candidate: Candidate) -> str:
    """The rule's inputs for one rendition, in words (stored with its rank)."""
    report = candidate.report
    kind = "attachment" if candidate.attachment else "article page"
    ocr = sum(1 for c in report.cells if c.ocr)
    return (
        f"{'complete' if _complete(report) else 'incomplete'}, {_errors(report)} failed error checks, "
        f"{len(_read(report))} cells read, {ocr} by OCR, {report.source.format} {kind}"
    )


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=0, abs_tol=1e-6)


def agreement(loaded: Report, other: Candidate) -> CheckResult:
    """`renditions.agree`: the loaded report's values against one other rendition's, where both read one."""
    mine, theirs = _read(loaded), _read(other.report)
    both = sorted(mine.keys() & theirs.keys())
    differ = [k for k in both if not _close(float(mine[k].value or 0), float(theirs[k].value or 0))]
    detail: dict[str, Any] = {
        "rendition": other.key,
        "file": other.report.source.file,
        "format": other.report.source.format,
        "compared": len(both),
        "n_differences": len(differ),
        "only_loaded": len(mine.keys() - theirs.keys()),
        "only_rendition": len(theirs.keys() - mine.keys()),
        "differences": [
            {
                "cell": list(key),
                "loaded": mine[key].value,
                "loaded_raw": mine[key].raw,
                "rendition": theirs[key].value,
                "rendition_raw": theirs[key].raw,
                **({"rendition_where": w.to_dict()} if (w := theirs[key].where) is not None else {}),
            }
            for key in differ[:MAX_LISTED]
        ],
    }
    if not both:
        detail["reason"] = "the renditions share no cell both read"
    return CheckResult(CHECK_ID, (not differ) if both else None, "warning", detail, tuple(differ))


def as_rendition(report: Report, loaded: Candidate) -> Report:
    """A rendition that is not loaded: its status and metadata, no cells, sections or checks."""
    source = loaded.report.source
    message = f"another rendition of this report is loaded: {loaded.key} ({source.format} {source.file})"
    return Report(
        source=report.source,
        status=Status.RENDITION,
        message=message,
        report=replace(report.report),
        page_count=report.page_count,
        warnings=list(report.warnings),
    )


def choose(candidates: list[Candidate]) -> list[tuple[Candidate, Report, Choice | None]]:
    """Group one article's parsed files into reports and pick each report's rendition to load.

    Each file comes back with the report to load for it (the loaded rendition with its
    `renditions.agree` checks, the others as `rendition`) and where it stands, or None when
    it has no other rendition (or did not parse as a report: its own status stands).
    """
    clusters: list[list[Candidate]] = []
    for candidate in sorted((c for c in candidates if c.report.ok), key=preference):
        fits = [c for c in clusters if all(same_report(candidate.report.report, m.report.report) for m in c)]
        if len(fits) == 1:
            fits[0].append(candidate)
        else:
            clusters.append([candidate])
    chosen: dict[str, tuple[Report, Choice | None]] = {}
    for cluster in clusters:
        best, others = cluster[0], cluster[1:]
        if not others:
            continue
        checks = [*best.report.checks, *(agreement(best.report, other) for other in others)]
        for rank, member in enumerate(cluster, 1):
            report = (
                replace(best.report, checks=checks) if member is best else as_rendition(member.report, best)
            )
            read = len(_read(member.report))
            chosen[member.key] = (report, Choice(best.key, rank, basis(member), read, _errors(member.report)))
    return [(c, *chosen.get(c.key, (c.report, None))) for c in candidates]
