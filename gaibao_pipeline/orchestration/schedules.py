"""The annual fetch and refresh: after each publication deadline, download what the sites list, then
catch up on every report not loaded yet.

The fetch runs at 02:00 (`annual_fetch_schedule`: the sources file's sites into the landing
folder); the landing-folder sensor loads what it brought as soon as it lands, and the refresh
at 06:00 catches whatever the sensor missed.

Departments publish by 31 January and local governments by 31 March, so the schedule runs on
1 February and 1 April, and weekly (Mondays) from February to April while late reports
trickle in. It does what the sensor does, but compares the folder with what the instance
recorded (observed file hashes, loaded partitions) instead of a cursor, so it also catches
files the sensor missed while it was off and reports whose last run failed.
"""

import dagster as dg

from gaibao_pipeline.fetch.sources import SourcesError
from gaibao_pipeline.orchestration.jobs import fetch_reports_job, load_reports_job
from gaibao_pipeline.orchestration.landing_plan import plan_landing, record
from gaibao_pipeline.orchestration.partitions import (
    WEB_SOURCES_NAME,
    WEB_SOURCES_PER_RUN,
    plan_ranges,
    range_tags,
    run_requests,
)
from gaibao_pipeline.orchestration.resources import LandingFolderResource, WebFetchResource
from gaibao_pipeline.orchestration.sensors import HASH_SECONDS_PER_TICK, MAX_HASHED_PER_TICK


def _evaluate(
    context: dg.ScheduleEvaluationContext, landing_folder: LandingFolderResource
) -> list[dg.RunRequest] | dg.SkipReason:
    """After the 31 Jan/31 Mar deadlines, weekly Feb–Apr: bulk runs for new, changed or unloaded reports."""
    root = landing_folder.root()
    if not root.is_dir():
        return dg.SkipReason(f"landing folder {root} does not exist")
    # hashing bounded as in a sensor tick (the daemon gives an evaluation 60 s): files past the
    # budget wait for the sensor or the next evaluation, which find them changed again
    plan = plan_landing(
        root,
        context.instance,
        rerun="behind",
        max_hashed=MAX_HASHED_PER_TICK,
        hash_seconds=HASH_SECONDS_PER_TICK,
    )
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


def _fetch(
    context: dg.ScheduleEvaluationContext, web_fetch: WebFetchResource
) -> list[dg.RunRequest] | dg.SkipReason:
    """Before the refresh: download every source's reports to the landing folder; the sensor loads them."""
    try:
        names = [source.name for source in web_fetch.load()]
    except SourcesError as exc:
        return dg.SkipReason(str(exc))
    known = context.instance.get_dynamic_partitions(WEB_SOURCES_NAME)
    new = [name for name in names if name not in set(known)]
    if new:  # a schedule cannot return partitions to add: it adds them before requesting the runs
        context.instance.add_dynamic_partitions(WEB_SOURCES_NAME, new)
    ranges = plan_ranges([*known, *new], names, max_per_run=WEB_SOURCES_PER_RUN, max_gap=0)
    return [dg.RunRequest(tags=range_tags(key_range)) for key_range in ranges]


annual_fetch_schedule = dg.schedule(
    name="annual_fetch_schedule",
    job=fetch_reports_job,
    cron_schedule=["0 2 1 2,4 *", "0 2 * 2-4 1"],
    execution_timezone="Asia/Shanghai",
    description=_fetch.__doc__,
)(_fetch)
