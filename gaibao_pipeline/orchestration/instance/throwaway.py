"""The Dagster instance one `gaibao run` run executes on when no DAGSTER_HOME keeps history.

Such an instance lives as long as its run and is deleted unread (`local_run.run_instance`).
Dagster's in-memory instance still writes every event of the run into an SQLite event log:
about 4 per report (a planned and an actual materialization, two check evaluations), each
serialized and written with its index rows, and a planned check row per check and report
holding the run's partition list: what Dagster adds to the same work without it, for an
instance nobody reads.

`UnkeptEventLogStorage` keeps what a run reads back from its event log (dynamic
partitions) and drops the events: the run's status is kept by the run storage, every event
still reaches the run's loggers and its `ExecuteInProcessResult`, and the pipeline's own
database holds every outcome (rows, statuses, check results). With DAGSTER_HOME set,
`gaibao run` uses that instance and every event is stored for the UI.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import dagster as dg

# Dagster builds its own ephemeral instance from these parts (`DagsterInstance.ephemeral`);
# only the event log differs here. There are no public names for them.
from dagster._core.instance import InstanceType
from dagster._core.launcher.sync_in_memory_run_launcher import SyncInMemoryRunLauncher
from dagster._core.run_coordinator import DefaultRunCoordinator
from dagster._core.storage.event_log import InMemoryEventLogStorage
from dagster._core.storage.noop_compute_log_manager import NoOpComputeLogManager
from dagster._core.storage.root import LocalArtifactStorage
from dagster._core.storage.runs import InMemoryRunStorage


class UnkeptEventLogStorage(InMemoryEventLogStorage):
    """An in-memory event log that keeps dynamic partitions but no events."""

    @property
    def supports_partition_subset_in_asset_materialization_planned_events(self) -> bool:
        """One planned event per asset and run, not one per report: nothing shows them in progress."""
        return True

    def store_event(self, event: dg.EventLogEntry) -> None:
        """Nothing is kept: the instance is deleted when its run ends."""

    def store_event_batch(self, events: Sequence[dg.EventLogEntry]) -> None:
        """Nothing is kept: the instance is deleted when its run ends."""


def throwaway_instance(artifacts: Path) -> dg.DagsterInstance:
    """An ephemeral instance whose event log keeps no events; step outputs go under `artifacts`."""
    return dg.DagsterInstance(
        instance_type=InstanceType.EPHEMERAL,
        local_artifact_storage=LocalArtifactStorage(str(artifacts)),
        run_storage=InMemoryRunStorage(),
        event_storage=UnkeptEventLogStorage(),
        compute_log_manager=NoOpComputeLogManager(),
        run_coordinator=DefaultRunCoordinator(),
        run_launcher=SyncInMemoryRunLauncher(),
    )
