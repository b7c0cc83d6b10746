"""One landing plan for every caller: scan the folder → compare with what is known → register → runs.

The sensor, the annual schedule and `gaibao run` all look at the landing folder this way and
differ only in their options: where what is known comes from (the sensor's cursor, or the
instance's observations), whether files still being written wait, and which files get a
run besides the new and changed ones (the schedule: those whose last load is behind their
last observation; `gaibao run`: every file not already loaded unchanged).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import dagster as dg

from gaibao_pipeline.limits import Limits
from gaibao_pipeline.orchestration.instance.bulk_writes import report_observations
from gaibao_pipeline.orchestration.keys import CORE_REPORTS, RAW_LANDING_FILES
from gaibao_pipeline.orchestration.partitions import (
    MAX_GAP,
    MAX_PARTITIONS_PER_RUN,
    REPORTS_NAME,
    Registration,
    known_by_path,
    observed_states,
    register,
)
from gaibao_pipeline.runner.keys import display_path
from gaibao_pipeline.runner.landing import (
    FileState,
    HashBudget,
    LandedFile,
    Refusal,
    Seen,
    compare,
    scan_folder,
)

# changed: new and changed files only (the sensor); behind: also files observed since their
# last load, e.g. a run that failed (the schedule); all: every file (`gaibao run`).
Rerun = Literal["changed", "behind", "all"]


@dataclass(frozen=True, slots=True)
class LandingPlan:
    """What a look at the landing folder found, and what to tell the instance about it."""

    root: Path
    files: list[LandedFile]  # every candidate file in the folder
    seen: list[Seen]  # the files compared (settled ones, within the hashing budget)
    states: dict[str, FileState]  # relative path → state to remember (the sensor's next cursor)
    gone: list[str]  # relative paths (display form) known before that left the folder (rows kept)
    skipped: frozenset[str]  # keys registered without a run: their outcome is known already
    registration: Registration
    refused: list[Refusal]  # what in the folder is not read (links out, FIFOs, unreadable), and why


def plan_landing(
    root: Path,
    instance: dg.DagsterInstance,
    *,
    known: Mapping[str, FileState] | None = None,
    settle_seconds: float = 0.0,
    max_hashed: int | None = None,
    hash_seconds: float | None = None,
    rerun: Rerun = "changed",
    skip: Callable[[Sequence[Seen]], Collection[str]] | None = None,
    max_per_run: int = MAX_PARTITIONS_PER_RUN,
    max_gap: int = MAX_GAP,
) -> LandingPlan:
    """Look at `root` and plan partitions, observations and runs for what needs loading.

    `known` (relative path → state) defaults to what the instance observed last. Files written
    less than `settle_seconds` ago wait for the next look; at most `max_hashed` files are
    hashed, for at most `hash_seconds`, none larger than the file size limit (`Limits`); keys
    returned by `skip(seen)` are registered but get no run.
    """
    found = scan_folder(root)
    files = found.files
    if known is None:
        known = known_by_path(files, observed_states(instance))
    settled_before = time.time_ns() - int(settle_seconds * 1e9)
    settled = [f for f in files if f.mtime_ns <= settled_before] if settle_seconds > 0 else files
    budget = HashBudget(max_hashed, hash_seconds, Limits.from_env().max_file_bytes)
    refused = list(found.refused)
    seen = list(compare(root, settled, known, budget=budget, refused=refused))
    present = {f.relative_path for f in files}
    # a file not compared this time (still being written, or past the budget) keeps its old state
    states = {path: state for path, state in known.items() if path in present}
    states.update({s.file.relative_path: s.state for s in seen})
    skipped = frozenset(skip(seen)) if skip is not None else frozenset()
    registration = register(
        seen,
        instance.get_dynamic_partitions(REPORTS_NAME),
        max_per_run=max_per_run,
        max_gap=max_gap,
        also_run=_also_run(instance, files, rerun),
        skip=skipped,
    )
    gone = sorted(display_path(path) for path in known if path not in present)
    return LandingPlan(root, files, seen, states, gone, skipped, registration, refused)


def _also_run(instance: dg.DagsterInstance, files: Sequence[LandedFile], rerun: Rerun) -> list[str]:
    if rerun == "all":
        return [f.key for f in files]
    if rerun == "changed":
        return []
    storage = instance.event_log_storage
    observed_at = storage.get_latest_storage_id_by_partition(
        RAW_LANDING_FILES, dg.DagsterEventType.ASSET_OBSERVATION
    )
    # a report is loaded when core_reports has its partition
    loaded_at = storage.get_latest_storage_id_by_partition(
        CORE_REPORTS, dg.DagsterEventType.ASSET_MATERIALIZATION
    )
    return [f.key for f in files if observed_at.get(f.key, 0) > loaded_at.get(f.key, -1)]


def record(instance: dg.DagsterInstance, plan: LandingPlan, *, observations: bool = True) -> None:
    """Add the plan's new partitions and file observations to the instance itself.

    A sensor returns both in its result instead; a schedule and `gaibao run` cannot, so they
    record them before requesting or executing the runs that need them.
    """
    registration = plan.registration
    if registration.new_partitions:
        instance.add_dynamic_partitions(REPORTS_NAME, registration.new_partitions)
    if observations:
        report_observations(instance, registration.observations)
