"""Exports on SQLite and PostgreSQL: CSV (UTF-8 with BOM, blank kept apart from 0) and Parquet
(typed columns) for every table and view, with the database's row counts; a choice of tables
and formats; an empty database; bad arguments.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gaibao_pipeline.db import export_tables, load_report
from gaibao_pipeline.db.schema import ALL_VIEWS, TABLES, cells_t4

RID = "r0123456789abcdef"


def _loaded(db: Engine, helpers: Any) -> Engine:
    load_report(
        db, helpers.hongze(), report_id=RID, source_path="hongze2023.pdf", loaded_at=helpers.LOADED_AT
    )
    load_report(
        db, helpers.legacy(), report_id="rlegacy", source_path="pingtan.txt", loaded_at=helpers.LOADED_AT
    )
    load_report(
        db, helpers.failed(), report_id="rfailed", source_path="scan.pdf", loaded_at=helpers.LOADED_AT
    )
    return db


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_export_every_table_and_view(db: Engine, helpers: Any, tmp_path: Path) -> None:
    _loaded(db, helpers)
    out = tmp_path / "out"
    written = export_tables(db, out)
    names = [t.name for t in (*TABLES, *ALL_VIEWS)]
    exported = [*names, "legacy_codes"]  # what each legacy row code means, beside the tables
    assert written == [out / f"{name}.{fmt}" for name in exported for fmt in ("csv", "parquet")]
    assert not list(out.glob("*.tmp"))
    with db.connect() as conn:
        expected = {
            name: conn.execute(sa.text(f"SELECT COUNT(*) FROM {name}")).scalar_one() for name in names
        }
    assert expected["cells_t3"] == 161 and expected["t3_wide"] == 23 and expected["agency_year_summary"] == 2
    assert expected["agency_year_panel"] == 2
    for name in names:
        assert (out / f"{name}.csv").read_bytes().startswith(b"\xef\xbb\xbf"), name  # BOM for Excel
        assert len(_read_csv(out / f"{name}.csv")) == expected[name], name
        assert pq.read_table(out / f"{name}.parquet").num_rows == expected[name], name


def test_csv_content(db: Engine, helpers: Any, tmp_path: Path) -> None:
    _loaded(db, helpers)
    export_tables(db, tmp_path, formats=["csv"], tables=["cells_t3", "cells_t2", "reports", "check_results"])
    cells = {(r["row_code"], r["col_code"]): r for r in _read_csv(tmp_path / "cells_t3.csv")}
    assert cells[("3.3.8", "other")]["value"] == ""  # blank
    assert cells[("3.3.8", "natural_person")]["value"] == "0"  # printed 0
    assert cells[("1", "total")]["value"] == "21"  # a count, not 21.0
    assert cells[("3.5.5", "research")]["inferred"] == "true"
    fee = next(r for r in _read_csv(tmp_path / "cells_t2.csv") if r["col_code"] == "fee_amount")
    assert (fee["value"], fee["raw_text"]) == ("7730.28", "7730.28万元")
    reports = {r["report_id"]: r for r in _read_csv(tmp_path / "reports.csv")}
    assert reports[RID]["agency"] == "淮安市洪泽区人民政府"
    assert reports[RID]["warnings"].startswith('["t3 3.5.5')
    assert reports[RID]["loaded_at"] == "2024-03-01T08:30:00+00:00"
    assert reports["rfailed"]["status"] == "needs_ocr" and reports["rfailed"]["agency"] == ""
    check = _read_csv(tmp_path / "check_results.csv")[2]
    assert check["detail"] == '{"actual":0,"expected":11,"row":"review"}'


def test_parquet_types_and_nulls(db: Engine, helpers: Any, tmp_path: Path) -> None:
    _loaded(db, helpers)
    export_tables(db, tmp_path, formats=("parquet",), tables=["cells_t3", "reports", "t3_wide"])
    cells = pq.read_table(tmp_path / "cells_t3.parquet")
    assert cells.schema.field("value").type == pa.float64()
    assert cells.schema.field("inferred").type == pa.bool_()
    rows = {(r["row_code"], r["col_code"]): r for r in cells.to_pylist()}
    assert rows[("3.3.8", "other")]["value"] is None
    assert rows[("3.3.8", "natural_person")]["value"] == 0.0
    reports = pq.read_table(tmp_path / "reports.parquet")
    assert reports.schema.field("loaded_at").type == pa.timestamp("us", tz="UTC")
    assert reports.schema.field("report_date").type == pa.date32()
    wide = pq.read_table(tmp_path / "t3_wide.parquet").to_pylist()
    assert [r["row_code"] for r in wide][:3] == ["1", "2", "3.1"]  # ordered by report, row
    assert wide[0]["total"] == 21.0
    assert not (tmp_path / "cells_t3.csv").exists()


def test_export_empty_database(db: Engine, tmp_path: Path) -> None:
    written = export_tables(db, tmp_path, tables=["cells_t4"])
    assert written == [tmp_path / "cells_t4.csv", tmp_path / "cells_t4.parquet"]
    header = (tmp_path / "cells_t4.csv").read_text(encoding="utf-8-sig").splitlines()
    assert header == [",".join(c.name for c in cells_t4.columns)]
    table = pq.read_table(tmp_path / "cells_t4.parquet")
    assert table.num_rows == 0 and table.schema.field("value").type == pa.float64()


def test_export_overwrites_previous_files(db: Engine, helpers: Any, tmp_path: Path) -> None:
    export_tables(db, tmp_path, tables=["reports"])
    _loaded(db, helpers)
    export_tables(db, tmp_path, tables=["reports"])
    assert len(_read_csv(tmp_path / "reports.csv")) == 3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tables": ["no_such_table"]}, "unknown table"),  # a typo in a table name
        ({"formats": ["xlsx"]}, "formats"),  # a format we do not write
        ({"formats": []}, "formats"),  # nothing to write
    ],
)
def test_export_rejects_bad_arguments(
    db: Engine, tmp_path: Path, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        export_tables(db, tmp_path, **kwargs)
