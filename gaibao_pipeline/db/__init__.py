"""The database: tables, Alembic migrations, loading parsed reports, exporting tables.

Pure Python and SQLAlchemy (no Dagster), for SQLite and PostgreSQL. Typical use:

    engine = make_engine()               # GAIBAO_DATABASE_URL or data/gaibao.sqlite
    upgrade_schema(engine)               # migrations to head; cheap when already there
    load_report(engine, report, report_id=key, source_path=rel_path, run_id=run_id)
    export_tables(engine, Path("out"))   # CSV + Parquet of every table and view

Tables and columns are described in README.md next to this file.
"""

from gaibao_pipeline.db.cross_year import CrossYearRefresh, refresh_cross_year, store_cross_year_results
from gaibao_pipeline.db.engine import database_url_from_env, make_engine
from gaibao_pipeline.db.export import export_tables
from gaibao_pipeline.db.load import LoadResult, ReportToLoad, load_report, load_reports, record_source_file
from gaibao_pipeline.db.migrate import current_revision, head_revision, upgrade_schema
from gaibao_pipeline.db.read import read_report, read_year_reports, settled_sources

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
