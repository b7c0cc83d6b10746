"""Out layer, whole database: one asset per table that `db.load_report` writes.

The rows are written per report by `core_reports`; these assets stand for the tables
as a whole (column schema, column lineage, row counts after each run) and are where
table-level asset checks attach. They cost a few events per run, not per report.
"""

from collections.abc import Iterator

import dagster as dg
import sqlalchemy as sa

from gaibao_pipeline.db import schema as db
from gaibao_pipeline.db import upgrade_schema
from gaibao_pipeline.db.summary import row_count
from gaibao_pipeline.orchestration.keys import CORE_REPORTS, table_key
from gaibao_pipeline.orchestration.resources import DatabaseResource

from .schemas import ROW_COUNT, table_metadata

GROUP = "out"
_FROM_SOURCE = {"source_sha256": [(db.source_files, "sha256")]}
_FROM_REPORT = {"report_id": [(db.reports, "report_id")]}

_TABLES: list[tuple[sa.Table, str, dict[str, list[tuple[sa.Table, str]]]]] = [
    (
        db.source_files,
        "One row per source file, whatever happened to it: path, SHA-256, format, status, error.",
        {},
    ),
    (
        db.reports,
        "One row per file that reached the parser: agency, year, template, status and check counts.",
        {"report_id": [(db.source_files, "report_id")], **_FROM_SOURCE},
    ),
    (db.sections, "The numbered sections of each report, by meaning and as printed.", _FROM_REPORT),
    (
        db.cells_t2,
        "Table 二 (主动公开) cells: value, raw text, inferred flag, page/cell provenance.",
        {**_FROM_REPORT, **_FROM_SOURCE},
    ),
    (
        db.cells_t3,
        "Table 三 (依申请公开) cells: value, raw text, inferred flag, page/cell provenance.",
        {**_FROM_REPORT, **_FROM_SOURCE},
    ),
    (
        db.cells_t4,
        "Table 四 (复议、诉讼) cells: value, raw text, inferred flag, page/cell provenance.",
        {**_FROM_REPORT, **_FROM_SOURCE},
    ),
    (
        db.cells_legacy,
        "Pre-2019 统计表 indicator cells: value, raw text, provenance.",
        {**_FROM_REPORT, **_FROM_SOURCE},
    ),
    (
        db.check_results,
        "One row per invariant outcome (勾稽 identities, completeness, timeliness) per report.",
        _FROM_REPORT,
    ),
    (
        db.renditions,
        "Fetched files of one article that are one report: the rendition loaded, each file's rank and why.",
        {"report_id": [(db.source_files, "report_id")], "loaded_report_id": [(db.reports, "report_id")]},
    ),
    (
        db.cross_year_results,
        "Cross-year check outcomes: each report against the same agency's previous year.",
        {**_FROM_REPORT, "previous_report_id": [(db.reports, "report_id")]},
    ),
    (
        db.reviews,
        "Reviewers' verdicts on failed checks (gaibao serve), kept across reloads; stale when changed.",
        {},
    ),
    (
        db.corrections,
        "Reviewers' corrected cell values with reasons; applied by the cells_*_reviewed views.",
        {},
    ),
]

TABLE_SPECS = [
    dg.AssetSpec(
        table_key(table),
        description=description,
        group_name=GROUP,
        deps=[CORE_REPORTS],
        code_version="1",
        kinds={"sql"},
        metadata=table_metadata(table, deps),
    )
    for table, description, deps in _TABLES
]


@dg.multi_asset(name="out_database_tables", specs=TABLE_SPECS)
def out_database_tables(database: DatabaseResource) -> Iterator[dg.MaterializeResult]:  # type: ignore[type-arg]
    """Row counts of every loaded table after the run's reports are in."""
    engine = database.engine()
    upgrade_schema(engine)  # materialised on its own, it may be the first to touch a new database
    for spec, (table, _, _) in zip(TABLE_SPECS, _TABLES, strict=True):
        yield dg.MaterializeResult(asset_key=spec.key, metadata={ROW_COUNT: row_count(engine, table)})
