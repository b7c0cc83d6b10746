"""How a process that writes a bulk run's events uses a PostgreSQL Dagster instance.

A bulk run writes ~4 events per report (`assets.core`), and registering its files one
observation per file. Outside its webserver, Dagster's PostgreSQL
storages open a new connection for every read and write, and write every event on its own.
`prepare_bulk_writes`, called by the per-report steps and `gaibao run`, changes both for as
long as the process lives:

- held connections: each storage gets a small pool, as `optimize_for_webserver` gives the
  webserver;
- batched writes: Dagster writes a step output's per-partition materializations (one per
  report of the run) as one batch when `DAGSTER_EVENT_BATCH_SIZE` is set, which storages
  with a native batch write (PostgreSQL's: one INSERT) turn into one statement.

- batched observations: `report_observations` sends the file observations of a landing
  plan (one per new or changed file) as one batch, which PostgreSQL writes in one INSERT
  with their tags, instead of four statements per file (`instance.report_runless_asset_event`).

SQLite and in-memory storages ignore the pools and write batches one event at a time, so
nothing changes for them. An operator's own `DAGSTER_EVENT_BATCH_SIZE` is kept.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Sequence

import dagster as dg

# No public names for these: the base storage class, and what `report_runless_asset_event`
# builds for one observation, needed here to hand Dagster many as one batch.
from dagster._core.events import AssetObservationData, DagsterEventBatchMetadata, generate_event_batch_id
from dagster._core.instance.utils import RUNLESS_JOB_NAME, RUNLESS_RUN_ID
from dagster._core.storage.event_log.base import EventLogStorage

NO_STATEMENT_TIMEOUT = 0  # a batch load may legitimately run for minutes
POOL_RECYCLE_SECONDS = 3600  # reconnect after an hour, as the webserver does by default
MAX_OVERFLOW = 4  # connections beyond the held one, for the rare concurrent read

EVENT_BATCH_SIZE_VARIABLE = "DAGSTER_EVENT_BATCH_SIZE"  # read by Dagster for every event it stores
EVENT_BATCH_SIZE = 1000  # events per write; a run's outputs hold at most its batch of reports

_prepared: weakref.WeakSet[dg.DagsterInstance] = weakref.WeakSet()


def prepare_bulk_writes(instance: dg.DagsterInstance) -> None:
    """Held connections and batched event writes for `instance` (once per instance object)."""
    if instance in _prepared:
        return  # again would replace the pools and leave the held connections open
    instance.optimize_for_webserver(NO_STATEMENT_TIMEOUT, POOL_RECYCLE_SECONDS, MAX_OVERFLOW)
    if writes_batches(instance):
        os.environ.setdefault(EVENT_BATCH_SIZE_VARIABLE, str(EVENT_BATCH_SIZE))
    _prepared.add(instance)


def writes_batches(instance: dg.DagsterInstance) -> bool:
    """Whether the instance's event storage writes a batch of events in fewer statements."""
    storage_class = type(instance.event_log_storage)
    return storage_class.store_event_batch is not EventLogStorage.store_event_batch


def report_observations(instance: dg.DagsterInstance, observations: Sequence[dg.AssetObservation]) -> None:
    """Record runless observations, as one batch where the instance writes batches (else one by one).

    Called by the sensor, the schedule and `gaibao run` alike: outside a prepared process
    Dagster would write each observation with three connections of its own (registering 1,000
    new files on PostgreSQL: 14.5 s, 1.5 s with the observations as one batch). Dagster reads
    `DAGSTER_EVENT_BATCH_SIZE` when it stores an event, so it is set here too unless the
    operator set it (0 keeps them single).
    """
    if not observations:
        return
    if writes_batches(instance):
        os.environ.setdefault(EVENT_BATCH_SIZE_VARIABLE, str(EVENT_BATCH_SIZE))
    if not writes_batches(instance) or int(os.environ.get(EVENT_BATCH_SIZE_VARIABLE) or 0) <= 0:
        for observation in observations:
            instance.report_runless_asset_event(observation)
        return
    batch_id, last = generate_event_batch_id(), len(observations) - 1
    for i, observation in enumerate(observations):
        event = dg.DagsterEvent(
            event_type_value=dg.DagsterEventType.ASSET_OBSERVATION.value,
            event_specific_data=AssetObservationData(observation),
            job_name=RUNLESS_JOB_NAME,
        )
        instance.report_dagster_event(
            event, run_id=RUNLESS_RUN_ID, batch_metadata=DagsterEventBatchMetadata(batch_id, i == last)
        )
