"""Every asset key of the graph, declared once: assets, checks, sensors and schedules name them from here.

Layered as PUDL names them: `raw_` (sites' report listings, files as they arrive), `core_`
(each report read, parsed, checked and loaded), `out_` (the database's tables and views as a
whole). Each database table and view is an `out_<name>` asset.
"""

from __future__ import annotations

import dagster as dg
import sqlalchemy as sa

RAW_WEB_LISTINGS = dg.AssetKey("raw_web_listings")
RAW_LANDING_FILES = dg.AssetKey("raw_landing_files")
CORE_REPORTS = dg.AssetKey("core_reports")  # a report file registered, read, parsed, checked and loaded


def table_key(table: sa.Table) -> dg.AssetKey:
    """The asset that stands for a database table or view as a whole."""
    return dg.AssetKey(f"out_{table.name}")
