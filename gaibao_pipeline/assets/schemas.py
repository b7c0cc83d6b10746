"""Column schemas and column lineage of the database tables, for the Dagster UI.

Built from the SQLAlchemy tables in `db.schema`, so they cannot drift from what is loaded;
column meanings are those of `db/README.md`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import dagster as dg
import sqlalchemy as sa

from gaibao_pipeline.orchestration.keys import table_key

# Dagster's metadata keys for tables (`TableMetadataSet`), spelled out as the UI reads them.
COLUMN_SCHEMA = "dagster/column_schema"
COLUMN_LINEAGE = "dagster/column_lineage"
TABLE_NAME = "dagster/table_name"
ROW_COUNT = "dagster/row_count"
PARTITION_ROW_COUNT = "dagster/partition_row_count"

_DESCRIPTIONS = {
    "report_id": "ASCII partition key: keys.report_key(path relative to the landing folder)",
    "source_path": "path relative to the landing folder",
    "sha256": "SHA-256 of the file's bytes",
    "source_sha256": "SHA-256 of the source file the row was parsed from",
    "status": "ok, or why the file yielded no report (unreadable, needs_ocr, ...)",
    "error_message": "why the file yielded no report; NULL when ok",
    "run_id": "Dagster run that loaded the row",
    "loaded_at": "when the row was loaded (UTC)",
    "agency": "issuing agency as printed, simplified characters",
    "agency_normalized": "comparison key of the agency name",
    "year": "the year the report covers",
    "template": "2019, 2021 or legacy",
    "row_code": "canonical row code (spec §2)",
    "col_code": "canonical column code (spec §2)",
    "value": "the number; NULL for a blank or not-applicable cell (never 0)",
    "raw_text": "text the value was read from; NULL when inferred",
    "inferred": "value filled from the 勾稽 identities rather than read",
    "page": "1-based page of the source",
    "table_index": "0-based table in the document",
    "grid_row": "0-based row in that table's grid",
    "grid_col": "0-based column in that table's grid",
    "line": "1-based line in a text source",
    "bbox": "[x0, top, x1, bottom] in PDF points",
    "check_id": "invariant id (spec §4)",
    "passed": "true/false; NULL = not evaluable, never a failure",
    "severity": "error or warning",
}


def _type_name(column: sa.Column[object]) -> str:
    kind = column.type
    base = kind.impl_instance if isinstance(kind, sa.TypeDecorator) else kind
    if isinstance(base, sa.JSON):
        return "json"
    if isinstance(base, sa.DateTime):
        return "timestamp"
    if isinstance(base, sa.Numeric) and not isinstance(base, sa.Integer):
        return "numeric"
    return type(base).__name__.lower()


def column_schema(table: sa.Table) -> dg.TableSchema:
    """The table's columns with types, nullability and (where known) a description."""
    single_key = len(table.primary_key.columns) == 1
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=column.name,
                type=_type_name(column),
                description=_DESCRIPTIONS.get(column.name),
                constraints=dg.TableColumnConstraints(
                    nullable=bool(column.nullable) and not column.primary_key,
                    unique=single_key and column.primary_key,
                ),
            )
            for column in table.columns
        ]
    )


def lineage(deps: Mapping[str, Sequence[tuple[sa.Table, str]]]) -> dg.TableColumnLineage:
    """Column lineage from `{column: [(upstream table, its column), ...]}` (each table is an `out_` asset)."""
    return dg.TableColumnLineage(
        deps_by_column={
            column: [
                dg.TableColumnDep(asset_key=table_key(table), column_name=name) for table, name in upstream
            ]
            for column, upstream in deps.items()
        }
    )


def table_metadata(
    table: sa.Table, column_deps: Mapping[str, Sequence[tuple[sa.Table, str]]] | None = None
) -> dict[str, object]:
    """Definition metadata of a database table asset: its name, columns and column lineage."""
    metadata: dict[str, object] = {TABLE_NAME: table.name, COLUMN_SCHEMA: column_schema(table)}
    if column_deps:
        metadata[COLUMN_LINEAGE] = lineage(column_deps)
    return metadata
