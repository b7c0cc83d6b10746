"""A report's check results as Dagster check evaluations, one per invariant and partition.

An evaluation carries its partition, so a run over hundreds of reports records each
report's outcome on its own partition; the metadata shows, for each failed instance,
expected against found and the cells involved with their raw text and where they are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import dagster as dg

from gaibao_pipeline.checks.markdown import md_table
from gaibao_pipeline.contracts.catalog import Invariant
from gaibao_pipeline.contracts.explain import shown_cells, where_text
from gaibao_pipeline.report import CheckResult, Report

MAX_ROWS = 30  # failed instances listed in the metadata table; all are in the JSON


def severity(invariant: Invariant) -> dg.AssetCheckSeverity:
    return dg.AssetCheckSeverity.ERROR if invariant.severity == "error" else dg.AssetCheckSeverity.WARN


def evaluations(
    asset_key: dg.AssetKey,
    invariants: Sequence[Invariant],
    partition: str,
    report: Report,
    results: Sequence[CheckResult],
    review_page: Path | None = None,
    review_url: str | None = None,
) -> Iterator[dg.AssetCheckEvaluation]:
    """One evaluation per invariant that applies to this report (none for those that do not)."""
    by_id: dict[str, list[CheckResult]] = defaultdict(list)
    for result in results:
        by_id[result.id].append(result)
    for invariant in invariants:
        found = by_id.get(invariant.id, [])
        if not found:
            continue  # does not apply: a legacy report has no table 三, a report no narrative count
        evaluable = [r for r in found if r.passed is not None]
        failed = [r for r in evaluable if r.passed is False]
        metadata: dict[str, Any] = {
            "file": report.source.file,
            "agency": report.report.agency or "",
            "year": report.report.year or 0,
            "instances": len(found),
            "failed": len(failed),
        }
        if not evaluable:
            metadata["evaluable"] = False
            metadata["reason"] = str(found[0].detail.get("reason", "not evaluable"))
        if failed:
            metadata["failures"] = dg.MetadataValue.md(_table(failed, report))
            metadata["detail"] = dg.MetadataValue.json([_plain(r) for r in failed])
        if review_url is not None and (failed or not evaluable):
            metadata["review_app"] = dg.MetadataValue.url(review_url)  # the report in `gaibao serve`
        if review_page is not None:
            metadata["review_page"] = dg.MetadataValue.path(str(review_page))
        yield dg.AssetCheckEvaluation(
            asset_key=asset_key,
            check_name=invariant.check_name,
            passed=not failed,
            metadata=metadata,
            severity=severity(invariant),
            description=invariant.description,
            partition=partition,
        )


def _table(failed: Sequence[CheckResult], report: Report) -> str:
    cells = report.cell_map()
    rows: list[list[object]] = []
    for result in failed[:MAX_ROWS]:
        detail = result.detail
        scope = " ".join(f"{k} {detail[k]}" for k in ("row", "col") if k in detail)
        involved = "; ".join(
            f"{' '.join(c.key[1:])}={c.value} (raw {c.raw!r}, {where_text(c)})"
            for c in shown_cells(result, cells)
        )
        other = "; ".join(f"{k}: {v}" for k, v in detail.items() if k not in _SHOWN_APART)
        rows.append([scope or "-", detail.get("expected", ""), detail.get("actual", ""), involved or other])
    note = f"\n\n{len(failed) - MAX_ROWS} more in `detail`" if len(failed) > MAX_ROWS else ""
    # the cells column is long: cut it at 600 characters, not 80, so the explaining cell stays
    header = ["where", "expected", "found", "cells (raw text, origin) or details"]
    return md_table(header, rows, limits=(80, 40, 40, 600)) + note


_SHOWN_APART = {"row", "col", "expected", "actual", "involved", "cells"}


def _plain(result: CheckResult) -> dict[str, Any]:
    detail = {k: v for k, v in result.detail.items() if k != "involved"}
    return {"id": result.id, "severity": result.severity, **detail, "cells": [list(k) for k in result.cells]}
