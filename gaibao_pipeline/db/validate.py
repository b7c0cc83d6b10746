"""The table contracts (pandera, `contracts.schemas`) applied to the rows about to be loaded.

A batch of reports is validated together (one lazy validation per table: pandera's cost
is per call, not per row), and the failures are handed back per report, so one bad report
is refused while the rest of its batch loads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from gaibao_pipeline.contracts.schemas import SchemaFailure, template_cells, validate_table
from gaibao_pipeline.db.rows import ReportRows


def contract_failures(
    batch: Mapping[str, ReportRows], templates: Mapping[str, str | None]
) -> dict[str, list[SchemaFailure]]:
    """Every contract failure of the batch's rows, by report id (reports without any are absent)."""
    tables: dict[str, list[dict[str, object]]] = defaultdict(list)
    for rows in batch.values():
        tables["source_files"].append(rows.source_file)
        tables["reports"].append(rows.report)
        tables["sections"] += rows.sections
        for code, cells in rows.cells.items():
            tables[f"cells_{code}"] += cells
        tables["check_results"] += rows.checks
    by_report: dict[str, list[SchemaFailure]] = defaultdict(list)
    for table, table_rows in tables.items():
        for failure in validate_table(table, table_rows):
            report_id = (failure.row or {}).get("report_id")
            if isinstance(report_id, str) and report_id in batch:
                by_report[report_id].append(failure)
            else:  # a failure of the whole column (a dtype): it concerns every report of the batch
                for each in batch:
                    by_report[each].append(failure)
    for report_id, rows in batch.items():
        by_report[report_id] += template_cells(rows.cells, templates.get(report_id))
    return {k: v for k, v in by_report.items() if v}


def describe(failures: list[SchemaFailure], limit: int = 5) -> str:
    """A one-line account of a report's blocking failures, for its status message."""
    parts = [
        f"{f.table}.{f.column or '*'} {f.check} ({f.failure_case!r}"
        + (f" at {f.row.get('row_code')}/{f.row.get('col_code')}" if f.row and "row_code" in f.row else "")
        + ")"
        for f in failures[:limit]
    ]
    more = f" and {len(failures) - limit} more" if len(failures) > limit else ""
    return "rows break the table contracts: " + "; ".join(parts) + more
