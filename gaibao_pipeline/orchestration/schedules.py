"""The annual refresh: after each publication deadline, catch up on every report not loaded yet.

Departments publish by 31 January and local governments by 31 March, so the schedule runs on
1 February and 1 April, and weekly (Mondays) from February to April while late reports
trickle in. It does what the sensor does, but compares the folder with what the instance
recorded (observed file hashes, loaded partitions) instead of a cursor, so it also catches
files the sensor missed while it was off and reports whose last run failed.
"""

import dagster as dg

from gaibao_pipeline.orchestration.jobs import load_reports_job
from gaibao_pipeline.orchestration.landing_plan import plan_landing, record
from gaibao_pipeline.orchestration.partitions import run_requests
from gaibao_pipeline.orchestration.resources import LandingFolderResource


def _evaluate(
    context: dg.ScheduleEvaluationContext, landing_folder: LandingFolderResource
) -> list[dg.RunRequest] | dg.SkipReason:
    """After the 31 Jan/31 Mar deadlines, weekly Feb–Apr: bulk runs for new, changed or unloaded reports."""
    root = landing_folder.root()
    if not root.is_dir():
        return dg.SkipReason(f"landing folder {root} does not exist")
    plan = plan_landing(root, context.instance, rerun="behind")
    for refusal in plan.refused[:20]:
        context.log.warning(f"landing folder: {refusal.path}: {refusal.reason}")
    record(context.instance, plan)  # a schedule cannot return partitions and observations
    if not plan.registration.run_ranges:
        return dg.SkipReason(f"all {len(plan.files)} files in {root} are loaded and unchanged")
    return run_requests(plan.registration, run_key_prefix=None)


# 06:00 Beijing time on 1 Feb and 1 Apr (the day after each deadline), and every Monday of
# Feb-Apr; Dagster shows the `description`, not the docstring.
annual_refresh_schedule = dg.schedule(
    name="annual_refresh_schedule",
    job=load_reports_job,
    cron_schedule=["0 6 1 2,4 *", "0 6 * 2-4 1"],
    execution_timezone="Asia/Shanghai",
    description=_evaluate.__doc__,
)(_evaluate)
