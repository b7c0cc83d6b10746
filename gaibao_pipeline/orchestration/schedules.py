"""The annual refresh: after each publication deadline, catch up on every report not loaded yet.

Departments publish by 31 January and local governments by 31 March, so the schedule runs on
1 February and 1 April, and weekly (Mondays) from February to April while late reports
trickle in. It does what the sensor does, but compares the folder with what the instance
recorded (observed file hashes, loaded partitions) instead of a cursor, so it also catches
files the sensor missed while it was off and reports whose last run failed.
"""

import dagster as dg

from gaibao_pipeline.orchestration.jobs import load_reports_job
from gaibao_pipeline.orchestration.partitions import (
    RAW_LANDING_FILES,
    REPORTS_NAME,
    known_by_path,
    observed_states,
    register,
    run_requests,
)
from gaibao_pipeline.orchestration.resources import LandingFolderResource
from gaibao_pipeline.runner.landing import compare, scan

# A report is loaded when this asset has its partition.
LOADED_MARKER = dg.AssetKey("out_loaded_reports")


def _evaluate(
    context: dg.ScheduleEvaluationContext, landing_folder: LandingFolderResource
) -> list[dg.RunRequest] | dg.SkipReason:
    """After the 31 Jan/31 Mar deadlines, weekly Feb–Apr: bulk runs for new, changed or unloaded reports."""
    root = landing_folder.root()
    if not root.is_dir():
        return dg.SkipReason(f"landing folder {root} does not exist")
    instance = context.instance
    storage = instance.event_log_storage
    files = scan(root)
    seen = list(compare(root, files, known_by_path(files, observed_states(instance))))
    observed_at = storage.get_latest_storage_id_by_partition(
        RAW_LANDING_FILES, dg.DagsterEventType.ASSET_OBSERVATION
    )
    loaded_at = storage.get_latest_storage_id_by_partition(
        LOADED_MARKER, dg.DagsterEventType.ASSET_MATERIALIZATION
    )
    behind = [f.key for f in files if observed_at.get(f.key, 0) > loaded_at.get(f.key, -1)]
    plan = register(seen, instance.get_dynamic_partitions(REPORTS_NAME), also_run=behind)
    # A schedule cannot return partition requests or asset events like a sensor, so it records
    # them itself before requesting the runs that need them.
    if plan.new_partitions:
        instance.add_dynamic_partitions(REPORTS_NAME, plan.new_partitions)
    for observation in plan.observations:
        instance.report_runless_asset_event(observation)
    if not plan.run_ranges:
        return dg.SkipReason(f"all {len(files)} files in {root} are loaded and unchanged")
    return run_requests(plan, run_key_prefix=None)


# 06:00 Beijing time on 1 Feb and 1 Apr (the day after each deadline), and every Monday of
# Feb-Apr; Dagster shows the `description`, not the docstring.
annual_refresh_schedule = dg.schedule(
    name="annual_refresh_schedule",
    job=load_reports_job,
    cron_schedule=["0 6 1 2,4 *", "0 6 * 2-4 1"],
    execution_timezone="Asia/Shanghai",
    description=_evaluate.__doc__,
)(_evaluate)
