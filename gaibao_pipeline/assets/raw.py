"""Raw layer: report files as they arrive in the landing folder, observed one partition each.

Observed (not computed) by the sensor, the schedule and `gaibao run`, whose observations
record each file's SHA-256 as its partition's data version; `core_reports` registers,
reads, parses, checks and loads them.
"""

import dagster as dg

from gaibao_pipeline.orchestration.keys import RAW_LANDING_FILES
from gaibao_pipeline.orchestration.partitions import REPORTS

GROUP = "raw"

raw_landing_files = dg.AssetSpec(
    RAW_LANDING_FILES,
    description="A report file in the landing folder, observed by the sensor; data version = its SHA-256.",
    group_name=GROUP,
    partitions_def=REPORTS,
    kinds={"file"},
)
