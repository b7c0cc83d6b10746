"""The landing-folder sensor: new and changed files become report partitions and bulk runs.

The cursor is a JSON map `relative path → [size, mtime_ns, sha256]`: a tick stats every file
but hashes only those whose size or mtime moved, and a file whose bytes are unchanged is not
run again. Deleted files are dropped from the cursor; their partitions and database rows stay.
"""

import json
import re
from collections.abc import Mapping

import dagster as dg

from gaibao_pipeline.orchestration.instance.bulk_writes import report_observations
from gaibao_pipeline.orchestration.jobs import load_reports_job
from gaibao_pipeline.orchestration.landing_plan import plan_landing
from gaibao_pipeline.orchestration.partitions import REPORTS, run_requests
from gaibao_pipeline.orchestration.resources import LandingFolderResource
from gaibao_pipeline.runner.landing import FileState

CURSOR_VERSION = 1
# Hashing is the expensive part of a tick; the rest of a huge first scan waits for the next tick
# (well inside the daemon's 60 s evaluation timeout).
MAX_HASHED_PER_TICK = 2000
HASH_SECONDS_PER_TICK = 30.0
# Undecodable bytes of a file name are kept as lone surrogates (`keys.fs_text`), which the
# instance cannot store as UTF-8: in the cursor they are written as JSON escapes (\udcNN),
# which `json.loads` turns back into the same path.
_SURROGATE = re.compile("[\ud800-\udfff]")


def decode_cursor(cursor: str | None) -> dict[str, FileState]:
    """The file states of a cursor; an empty or unknown cursor means nothing is known yet."""
    if not cursor:
        return {}
    data = json.loads(cursor)
    if not isinstance(data, dict) or data.get("v") != CURSOR_VERSION:
        return {}
    return {
        path: FileState(int(size), int(mtime), str(sha)) for path, (size, mtime, sha) in data["files"].items()
    }


def encode_cursor(states: Mapping[str, FileState]) -> str:
    files = {path: [s.size, s.mtime_ns, s.sha256] for path, s in sorted(states.items())}
    text = json.dumps({"v": CURSOR_VERSION, "files": files}, ensure_ascii=False, separators=(",", ":"))
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _evaluate(context: dg.SensorEvaluationContext, landing_folder: LandingFolderResource) -> dg.SensorResult:
    """Registers new and changed landing-folder files as report partitions and requests bulk runs for them."""
    root = landing_folder.root()
    if not root.is_dir():
        return dg.SensorResult(skip_reason=f"landing folder {root} does not exist", cursor=context.cursor)
    plan = plan_landing(
        root,
        context.instance,
        known=decode_cursor(context.cursor),
        settle_seconds=landing_folder.settle_seconds,
        max_hashed=MAX_HASHED_PER_TICK,
        hash_seconds=HASH_SECONDS_PER_TICK,
    )
    for refusal in plan.refused[:20]:
        context.log.warning(f"landing folder: {refusal.path}: {refusal.reason}")
    if plan.gone:
        context.log.info(
            f"{len(plan.gone)} files left the landing folder (partitions and rows kept): {plan.gone[:10]}"
        )
    registration = plan.registration
    cursor = encode_cursor(plan.states)
    if not registration.run_ranges:
        return dg.SensorResult(
            skip_reason=f"no new or changed files among {len(plan.files)} in {root}", cursor=cursor
        )
    context.log.info(
        f"{len(registration.new_partitions)} new partitions, {len(registration.observations)} new or "
        f"changed files, {len(registration.run_ranges)} runs"
    )
    # The file observations (each file's hash) are written here as one batch: returned in the
    # result, the daemon would store them one by one, three connections each (registering
    # 1,000 new files on PostgreSQL took 14.5 s so, 1.5 s with one batch). Should the tick fail
    # after this, the next one observes the same hashes again: a repeated observation, not a
    # wrong one.
    report_observations(context.instance, registration.observations)
    return dg.SensorResult(
        run_requests=run_requests(registration, run_key_prefix="landing"),
        dynamic_partitions_requests=[REPORTS.build_add_request(registration.new_partitions)]
        if registration.new_partitions
        else [],
        cursor=cursor,
    )


# Dagster shows a sensor's `description`, not its docstring: pass the one line along.
landing_folder_sensor = dg.sensor(
    name="landing_folder_sensor",
    job=load_reports_job,
    minimum_interval_seconds=60,
    description=_evaluate.__doc__,
)(_evaluate)
