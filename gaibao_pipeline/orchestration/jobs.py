"""The job that sensors, the schedule, backfills and `gaibao run` launch: a batch of reports, end to end.

Its partitions are those of its per-report assets (`partitions.REPORTS`).
"""

from __future__ import annotations

import dagster as dg

from gaibao_pipeline.assets import MATERIALIZED

load_reports_job = dg.define_asset_job(
    "load_reports",
    selection=dg.AssetSelection.assets(*MATERIALIZED),
    description=(
        "Read, parse and load a range of report partitions into the database in one run, "
        "then refresh the summary views."
    ),
)
