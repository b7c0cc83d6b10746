"""The database: tables, Alembic migrations, loading parsed reports, exporting tables.

Pure Python and SQLAlchemy (no Dagster), for SQLite and PostgreSQL. Typical use:

    engine = make_engine()               # GAIBAO_DATABASE_URL or data/gaibao.sqlite
    upgrade_schema(engine)               # migrations to head; cheap when already there
    load_report(engine, report, report_id=key, source_path=rel_path, run_id=run_id)
    export_tables(engine, Path("out"))   # CSV + Parquet of every table and view

Tables and columns are described in README.md next to this file.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gaibao_pipeline.db.cross_year import CrossYearRefresh, refresh_cross_year, store_cross_year_results
    from gaibao_pipeline.db.engine import database_url_from_env, make_engine
    from gaibao_pipeline.db.export import export_tables
    from gaibao_pipeline.db.load import (
        LoadResult,
        ReportToLoad,
        load_report,
        load_reports,
        record_source_file,
    )
    from gaibao_pipeline.db.migrate import current_revision, head_revision, upgrade_schema
    from gaibao_pipeline.db.read import read_report, read_year_reports, settled_sources

# Each name is imported from its module when first used: `gaibao run` over an empty folder
# needs the engine and the migrations, not pandas, pandera and pyarrow (export, load), and
# importing them all up front cost a second of every command's start-up.
_MODULE_OF = {
    "CrossYearRefresh": "cross_year",
    "refresh_cross_year": "cross_year",
    "store_cross_year_results": "cross_year",
    "database_url_from_env": "engine",
    "make_engine": "engine",
    "export_tables": "export",
    "LoadResult": "load",
    "ReportToLoad": "load",
    "load_report": "load",
    "load_reports": "load",
    "record_source_file": "load",
    "current_revision": "migrate",
    "head_revision": "migrate",
    "upgrade_schema": "migrate",
    "read_report": "read",
    "read_year_reports": "read",
    "settled_sources": "read",
}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # once imported, an ordinary attribute
    return value


__all__ = [
    "CrossYearRefresh",
    "LoadResult",
    "ReportToLoad",
    "current_revision",
    "database_url_from_env",
    "export_tables",
    "head_revision",
    "load_report",
    "load_reports",
    "make_engine",
    "read_report",
    "read_year_reports",
    "record_source_file",
    "refresh_cross_year",
    "settled_sources",
    "store_cross_year_results",
    "upgrade_schema",
]
