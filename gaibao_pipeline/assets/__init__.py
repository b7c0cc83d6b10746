"""Thin Dagster assets over the pure core, layered raw → core → out (as PUDL names them).

raw_web_listings (a source's site, fetched into the landing folder; one partition per source)
raw_landing_files (observed) → core_reports → out_<table> (one per database table) →
out_t3_wide, out_agency_year_summary, out_agency_year_panel, out_review_queue.

raw_landing_files and core_reports have one partition per report (`partitions.REPORTS`);
core_reports is one streaming step per run that registers, reads, parses, checks and loads
the run's reports (`core`), one materialization and one check evaluation per report. The
table and view assets stand for the whole database and are refreshed once per run.

The asset modules do not use `from __future__ import annotations`: Dagster reads their
annotations (context and input types) when the assets are defined.
"""

import warnings

import dagster as dg

# `backfill_policy` is beta in Dagster 1.13 yet the documented way to batch partitions into one
# run; its warning fires on every import (webserver, daemon, each run worker) and asks nothing
# of an operator, so it is silenced here and nowhere else.
warnings.filterwarnings("ignore", message="Parameter `backfill_policy`", category=dg.BetaWarning)

from .core import core_reports  # noqa: E402
from .raw import raw_landing_files  # noqa: E402
from .review_queue import out_review_queue  # noqa: E402
from .tables import TABLE_SPECS, out_database_tables  # noqa: E402
from .views import out_agency_year_panel, out_agency_year_summary, out_t3_wide  # noqa: E402
from .web import raw_web_listings  # noqa: E402

PER_REPORT_ASSETS: list[dg.AssetsDefinition] = [core_reports]
WHOLE_DATABASE_ASSETS: list[dg.AssetsDefinition] = [
    out_database_tables,
    out_t3_wide,
    out_agency_year_summary,
    out_review_queue,
    out_agency_year_panel,
]
# Everything a run materialises (the observed raw_landing_files is recorded, not computed).
MATERIALIZED = [*PER_REPORT_ASSETS, *WHOLE_DATABASE_ASSETS]
# The report pipeline, from the landing folder on (partitioned by report file).
REPORT_ASSETS: list[dg.AssetsDefinition | dg.AssetSpec] = [raw_landing_files, *MATERIALIZED]
# ... and the sites' listings fetched into the landing folder (partitioned by source).
ALL_ASSETS: list[dg.AssetsDefinition | dg.AssetSpec] = [raw_web_listings, *REPORT_ASSETS]

__all__ = [
    "ALL_ASSETS",
    "MATERIALIZED",
    "PER_REPORT_ASSETS",
    "REPORT_ASSETS",
    "TABLE_SPECS",
    "WHOLE_DATABASE_ASSETS",
    "core_reports",
    "out_agency_year_panel",
    "out_agency_year_summary",
    "out_database_tables",
    "out_review_queue",
    "out_t3_wide",
    "raw_landing_files",
    "raw_web_listings",
]
