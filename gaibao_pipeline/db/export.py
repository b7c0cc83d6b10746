"""Write every table and view to CSV (for Excel) and Parquet (for pandas, DuckDB, R).

Rows are streamed in batches, so an export of the whole corpus does not need it in memory,
and all tables are read in one transaction, so they agree with each other even while a run
is loading. Each file is written beside its final name and renamed at the end: a reader
never sees half a file.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gaibao_pipeline.codes import LEGACY_INDICATORS
from gaibao_pipeline.db.engine import json_dumps
from gaibao_pipeline.db.schema import ALL_VIEWS, TABLES

FORMATS = ("csv", "parquet")
BATCH_ROWS = 20_000
# Excel opens a CSV as the system code page (GBK on Chinese Windows) unless a BOM says UTF-8.
CSV_ENCODING = "utf-8-sig"

Converter = Callable[[Any], Any]


def exportable() -> dict[str, sa.Table]:
    """Every table and view that `export_tables` can write, by name, in export order."""
    return {t.name: t for t in (*TABLES, *ALL_VIEWS)}


# What each legacy row code means (codes.LEGACY_INDICATORS), exported beside the tables so
# that `cells_legacy` can be read without the package: code, the national form's wording,
# its number on the coded form, whether an amount (万元), the total it is part of, meaning.
LEGACY_CODES = "legacy_codes"
_LEGACY_CODE_FIELDS = (
    pa.field("code", pa.string()),
    pa.field("label", pa.string()),
    pa.field("form_code", pa.string()),
    pa.field("kind", pa.string()),
    pa.field("part_of", pa.string()),
    pa.field("meaning", pa.string()),
)


def legacy_code_rows() -> list[list[Any]]:
    """The columns of the `legacy_codes` reference, one list per field."""
    rows = [(i.code, i.label, i.form_code, i.kind, i.part_of, i.meaning) for i in LEGACY_INDICATORS]
    return [list(column) for column in zip(*rows, strict=True)]


def _export_legacy_codes(out_dir: Path, formats: Sequence[str]) -> list[Path]:
    writers = _Writers(out_dir, LEGACY_CODES, pa.schema(list(_LEGACY_CODE_FIELDS)), formats)
    try:
        writers.write(legacy_code_rows())
    except BaseException:
        writers.close(commit=False)
        raise
    return writers.close(commit=True)


def _base_type(column: sa.Column[Any]) -> sa.types.TypeEngine[Any]:
    kind = column.type
    return kind.impl_instance if isinstance(kind, sa.TypeDecorator) else kind


def _arrow_type(column: sa.Column[Any]) -> pa.DataType:
    kind = _base_type(column)
    if isinstance(kind, sa.JSON):
        return pa.string()
    if isinstance(kind, sa.Boolean):
        return pa.bool_()
    if isinstance(kind, sa.Integer):
        return pa.int64()
    if isinstance(kind, sa.Numeric):
        return pa.float64()
    if isinstance(kind, sa.DateTime):
        return pa.timestamp("us", tz="UTC")
    if isinstance(kind, sa.Date):
        return pa.date32()
    return pa.string()


def _as_utc(value: datetime | None) -> datetime | None:
    # SQLite returns the stored UTC time without a zone; PostgreSQL returns it with one.
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _as_json(value: Any) -> str | None:
    return None if value is None else json_dumps(value)


def _as_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _converter(column: sa.Column[Any]) -> Converter | None:
    kind = _base_type(column)
    if isinstance(kind, sa.JSON):
        return _as_json
    if isinstance(kind, sa.DateTime):
        return _as_utc
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Integer):
        return _as_float
    return None


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # Counts are whole numbers stored as NUMERIC: print 12, not 12.0.
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


class _Writers:
    """The open output files of one table, written batch by batch."""

    def __init__(self, out_dir: Path, name: str, schema: pa.Schema, formats: Sequence[str]) -> None:
        self.final = [out_dir / f"{name}.{fmt}" for fmt in formats]
        self.temp = [path.with_name(path.name + ".tmp") for path in self.final]
        self.csv_file = None
        self.csv: Any = None
        self.parquet: pq.ParquetWriter | None = None
        self.schema = schema
        for fmt, path in zip(formats, self.temp, strict=True):
            if fmt == "csv":
                self.csv_file = path.open("w", encoding=CSV_ENCODING, newline="")
                self.csv = csv.writer(self.csv_file)
                self.csv.writerow(schema.names)
            else:
                self.parquet = pq.ParquetWriter(path, schema)

    def write(self, columns: list[list[Any]]) -> None:
        if self.csv is not None:
            self.csv.writerows([_csv_text(v) for v in row] for row in zip(*columns, strict=True))
        if self.parquet is not None:
            arrays = [pa.array(values, type=f.type) for values, f in zip(columns, self.schema, strict=True)]
            self.parquet.write_table(pa.Table.from_arrays(arrays, schema=self.schema))

    def close(self, *, commit: bool) -> list[Path]:
        if self.csv_file is not None:
            self.csv_file.close()
        if self.parquet is not None:
            self.parquet.close()
        if not commit:
            for path in self.temp:
                path.unlink(missing_ok=True)
            return []
        for temp, final in zip(self.temp, self.final, strict=True):
            os.replace(temp, final)
        return self.final


def _export_one(conn: Connection, table: sa.Table, out_dir: Path, formats: Sequence[str]) -> list[Path]:
    columns = list(table.columns)
    schema = pa.schema([pa.field(c.name, _arrow_type(c)) for c in columns])
    converters = [_converter(c) for c in columns]
    stmt = sa.select(table).order_by(*table.primary_key.columns)
    writers = _Writers(out_dir, table.name, schema, formats)
    try:
        result = conn.execute(stmt, execution_options={"yield_per": BATCH_ROWS})
        wrote_batch = False
        for partition in result.partitions():
            batch = [list(values) for values in zip(*partition, strict=True)]
            for i, convert in enumerate(converters):
                if convert is not None:
                    batch[i] = [convert(v) for v in batch[i]]
            writers.write(batch)
            wrote_batch = True
        if not wrote_batch:
            writers.write([[] for _ in columns])  # an empty table still gets its header and schema
    except BaseException:
        writers.close(commit=False)
        raise
    return writers.close(commit=True)


def _selected(tables: Iterable[str] | None) -> list[sa.Table]:
    available = exportable()
    if tables is None:
        return list(available.values())
    unknown = [name for name in tables if name not in available and name != LEGACY_CODES]
    if unknown:
        raise ValueError(f"unknown table(s) {unknown}; known: {sorted(available)}")
    return [available[name] for name in tables if name != LEGACY_CODES]


def export_tables(
    engine: Engine,
    out_dir: Path,
    formats: Sequence[str] = FORMATS,
    tables: list[str] | None = None,
) -> list[Path]:
    """Write each table and view (or those named in `tables`) as `<name>.csv` / `<name>.parquet`.

    CSV is UTF-8 with a BOM; blank values are empty fields. Parquet keeps the column types
    (NUMERIC as float64, times as UTC timestamps, JSON as text). The `legacy_codes` reference
    (what each legacy row code means) is written too. Returns the files written.
    """
    bad = [fmt for fmt in formats if fmt not in FORMATS]
    if bad or not formats:
        raise ValueError(f"formats must be a non-empty subset of {FORMATS}, got {list(formats)}")
    formats = list(dict.fromkeys(formats))
    selected = _selected(tables)
    with_codes = tables is None or LEGACY_CODES in tables
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            # One snapshot for all tables, so a concurrent load shows in all of them or none.
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            for table in selected:
                written += _export_one(conn, table, out_dir, formats)
    if with_codes:
        written += _export_legacy_codes(out_dir, formats)
    return written
