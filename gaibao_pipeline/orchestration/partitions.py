"""One dynamic partition per report file, and how new or changed files become partitions and runs.

A partition key is `keys.report_key(path relative to the landing folder)`: ASCII, stable
across machines, never the Chinese file name. The file's SHA-256 is its data version,
recorded as an observation of `raw_landing_files` per partition (Dagster records one data
version per step output, so a run of many partitions cannot carry per-file versions itself).

Runs target contiguous ranges of partitions (in the order they were added), so a batch of
new files is one run of hundreds of reports instead of hundreds of runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import dagster as dg

from gaibao_pipeline.orchestration.keys import RAW_LANDING_FILES
from gaibao_pipeline.runner.landing import FileState, LandedFile, Seen

REPORTS_NAME = "reports"
REPORTS = dg.DynamicPartitionsDefinition(name=REPORTS_NAME)
# One partition per source of the sources file (its name), added when the fetch schedule runs.
WEB_SOURCES_NAME = "web_sources"
WEB_SOURCES = dg.DynamicPartitionsDefinition(name=WEB_SOURCES_NAME)
# Sources crawled by one run (different sites in parallel): a run's start-up is shared by many.
WEB_SOURCES_PER_RUN = 200

# Memory of a run grows with its batch (each stage holds its outputs for all partitions, a
# few tens of kB per report); process start-up costs seconds per run, so batches are large.
MAX_PARTITIONS_PER_RUN = 500
# Unrequested partitions between two requested ones are re-processed rather than starting
# another run when the gap is at most this long: reloading a report is idempotent and costs
# far less than a run's start-up.
MAX_GAP = 20

BACKFILL_POLICY = dg.BackfillPolicy.multi_run(max_partitions_per_run=MAX_PARTITIONS_PER_RUN)

# Dagster's own tag keys (not exported as constants by the public API).
DATA_VERSION_TAG = "dagster/data_version"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
_FETCH_BATCH = 1000  # observation records read per query


def plan_ranges(
    ordered: Sequence[str],
    wanted: Iterable[str],
    *,
    max_per_run: int = MAX_PARTITIONS_PER_RUN,
    max_gap: int = MAX_GAP,
) -> list[dg.PartitionKeyRange]:
    """Cover the `wanted` keys with few ranges of `ordered` (all partitions, in order) of ≤ `max_per_run`."""
    position = {key: i for i, key in enumerate(ordered)}
    indices = sorted({position[key] for key in wanted if key in position})
    ranges: list[dg.PartitionKeyRange] = []
    start = previous = -1
    for i in indices:
        if start >= 0 and (i - previous - 1 > max_gap or i - start + 1 > max_per_run):
            ranges.append(dg.PartitionKeyRange(ordered[start], ordered[previous]))
            start = -1
        if start < 0:
            start = i
        previous = i
    if start >= 0:
        ranges.append(dg.PartitionKeyRange(ordered[start], ordered[previous]))
    return ranges


def range_tags(key_range: dg.PartitionKeyRange) -> dict[str, str]:
    """Run tags that make one run materialise every partition of `key_range`."""
    return {RANGE_START_TAG: key_range.start, RANGE_END_TAG: key_range.end}


def range_keys(ordered: Sequence[str], key_range: dg.PartitionKeyRange) -> list[str]:
    return list(ordered[ordered.index(key_range.start) : ordered.index(key_range.end) + 1])


def file_observation(seen: Seen) -> dg.AssetObservation:
    """The observation that records a file's content hash as the data version of its partition."""
    state = seen.state
    return dg.AssetObservation(
        asset_key=RAW_LANDING_FILES,
        partition=seen.file.key,
        tags={DATA_VERSION_TAG: state.sha256},
        metadata={
            "path": seen.file.display,
            "size": state.size,
            "mtime_ns": str(state.mtime_ns),  # text: nanoseconds overflow some metadata integer types
            "sha256": state.sha256,
        },
    )


def observed_states(instance: dg.DagsterInstance, keys: Iterable[str] | None = None) -> dict[str, FileState]:
    """Partition key → the file state its latest observation recorded (what the instance last saw).

    `keys` limits the records read to those partitions (a run's), not every file ever observed.
    """
    latest = instance.event_log_storage.get_latest_storage_id_by_partition(
        RAW_LANDING_FILES, dg.DagsterEventType.ASSET_OBSERVATION
    )
    if keys is not None:
        wanted = set(keys)
        latest = {key: storage_id for key, storage_id in latest.items() if key in wanted}
    ids = sorted(latest.values())
    states: dict[str, FileState] = {}
    for start in range(0, len(ids), _FETCH_BATCH):
        chunk = ids[start : start + _FETCH_BATCH]
        records = instance.fetch_observations(
            dg.AssetRecordsFilter(asset_key=RAW_LANDING_FILES, storage_ids=chunk), limit=len(chunk)
        ).records
        for record in records:
            observation = record.asset_observation
            if observation is None or observation.partition is None:
                continue
            meta = {k: v.value for k, v in observation.metadata.items()}
            try:
                states[observation.partition] = FileState(
                    int(str(meta["size"])), int(str(meta["mtime_ns"])), str(meta["sha256"])
                )
            except (KeyError, TypeError, ValueError):  # an observation made by other means: rehash
                continue
    return states


def known_by_path(files: Iterable[LandedFile], observed: Mapping[str, FileState]) -> dict[str, FileState]:
    """`observed` (by partition key) re-keyed by the relative paths of `files`, for `landing.compare`."""
    return {f.relative_path: observed[f.key] for f in files if f.key in observed}


@dataclass(frozen=True, slots=True)
class Registration:
    """What to tell the instance about a scan: partitions to add, observations, runs to request."""

    new_partitions: list[str]  # keys to add, in path order (so a batch of new files is contiguous)
    ordered: list[str]  # every partition key, in instance order, after the additions
    observations: list[dg.AssetObservation]
    run_ranges: list[dg.PartitionKeyRange]
    fingerprint: str  # identifies exactly which file versions the runs cover


def register(
    seen: Iterable[Seen],
    existing: Sequence[str],
    *,
    max_per_run: int = MAX_PARTITIONS_PER_RUN,
    max_gap: int = MAX_GAP,
    also_run: Iterable[str] = (),
    skip: Collection[str] = (),
) -> Registration:
    """Plan the registration of scanned files: new and changed ones (and `also_run` keys) get runs.

    Keys in `skip` are registered and observed but get no run (their outcome is known already).
    """
    present = set(existing)
    new_partitions: list[str] = []
    added: set[str] = set()
    wanted: dict[str, str] = {}
    observations: list[dg.AssetObservation] = []
    for item in seen:
        key = item.file.key
        if key not in present:
            present.add(key)
            added.add(key)
            new_partitions.append(key)
        if item.kind in ("new", "changed") or key in added:
            observations.append(file_observation(item))
            if key in skip:
                continue
            wanted[key] = f"{item.state.sha256}:{item.state.mtime_ns}"
    for key in also_run:
        if key not in skip:
            wanted.setdefault(key, "")
    ordered = [*existing, *new_partitions]
    ranges = plan_ranges(ordered, wanted, max_per_run=max_per_run, max_gap=max_gap)
    digest = hashlib.sha256("\n".join(f"{k}={v}" for k, v in sorted(wanted.items())).encode()).hexdigest()
    return Registration(new_partitions, ordered, observations, ranges, digest[:16])


def run_requests(registration: Registration, *, run_key_prefix: str | None) -> list[dg.RunRequest]:
    """One run request per planned range; run keys (when given a prefix) make re-evaluation idempotent."""
    requests = []
    for key_range in registration.run_ranges:
        run_key = (
            f"{run_key_prefix}:{key_range.start}..{key_range.end}:{registration.fingerprint}"
            if run_key_prefix
            else None
        )
        requests.append(dg.RunRequest(run_key=run_key, tags=range_tags(key_range)))
    return requests
