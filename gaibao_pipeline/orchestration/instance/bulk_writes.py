"""How a process that writes a bulk run's events uses a PostgreSQL Dagster instance.

A bulk run writes ~18 events per report. Outside its webserver, Dagster's PostgreSQL
storages open a new connection for every read and write, and write every event on its own.
`prepare_bulk_writes`, called by the per-report steps and `gaibao run`, changes both for as
long as the process lives:

- held connections: each storage gets a small pool, as `optimize_for_webserver` gives the
  webserver;
- batched writes: Dagster writes a step output's per-partition materializations (one per
  report of the run) as one batch when `DAGSTER_EVENT_BATCH_SIZE` is set, which storages
  with a native batch write (PostgreSQL's: one INSERT) turn into one statement.

SQLite and in-memory storages ignore the pools and write batches one event at a time, so
nothing changes for them. An operator's own `DAGSTER_EVENT_BATCH_SIZE` is kept.
"""

from __future__ import annotations

import os
import weakref

import dagster as dg
from dagster._core.storage.event_log.base import EventLogStorage  # no public name for the base

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
