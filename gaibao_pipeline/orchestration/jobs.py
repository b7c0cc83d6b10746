"""The jobs: `load_reports`, which sensors, the schedule, backfills and `gaibao run` launch (a batch
of reports, end to end, partitioned like its per-report assets), and `fetch_reports` (one
source's site into the landing folder, partitioned by source).
"""

from __future__ import annotations

import dagster as dg

from gaibao_pipeline.assets import MATERIALIZED
from gaibao_pipeline.orchestration.keys import RAW_WEB_LISTINGS

load_reports_job = dg.define_asset_job(
    "load_reports",
    selection=dg.AssetSelection.assets(*MATERIALIZED),
    description=(
        "Read, parse and load a range of report partitions into the database in one run, "
        "then refresh the summary views."
    ),
)

fetch_reports_job = dg.define_asset_job(
    "fetch_reports",
    selection=dg.AssetSelection.assets(RAW_WEB_LISTINGS),
    description="Download one source's annual reports to the landing folder; the landing sensor loads them.",
)
