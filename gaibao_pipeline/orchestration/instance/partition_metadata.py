"""Per-partition metadata for a bulk run, gathered as the step goes and handed to Dagster once.

`context.add_asset_metadata(..., partition_key=k)` checks `k` against the run's partition
range by loading every dynamic partition from the instance, on every call: a run of 500
reports made 500 such calls per asset, each reading all 10,000 (or 100,000) partition keys.
And each call rebuilds the step's metadata accumulator, an immutable mapping Dagster
validates entry by entry, so a run's calls cost the square of its size. Here the run's
keys are read once, metadata
is gathered in a plain dict, and `write()` adds all of it to the accumulator in one step,
before the step yields the outputs the metadata belongs to.
"""

from collections.abc import Mapping
from typing import Any

import dagster as dg

# Dagster 1.13's accumulator of per-partition metadata: no public way to add many entries.
from dagster._core.execution.context.metadata_logging import (
    AssetMetadataHandle,
    OutputMetadataAccumulator,
)


class PartitionMetadata:
    """`add(partition_key, metadata)` for the partitions of this run, then `write()` once."""

    def __init__(self, context: dg.AssetExecutionContext, asset_key: dg.AssetKey | None = None) -> None:
        """`asset_key` names the asset of a multi-asset step; a single asset's step needs none."""
        self.context = context
        self.asset_key = asset_key or context.assets_def.key
        self.keys = frozenset(context.partition_keys)
        self.pending: dict[str, dict[str, Any]] = {}

    def add(self, partition_key: str, metadata: Mapping[str, Any]) -> None:
        if partition_key not in self.keys:
            raise dg.DagsterInvariantViolationError(
                f"Attempted to add metadata for partition key '{partition_key}' that is not being targeted."
            )
        self.pending.setdefault(partition_key, {}).update(metadata)

    def write(self) -> None:
        """Everything added so far, onto each partition's materialization (call before the outputs)."""
        step = self.context.get_step_execution_context()
        accumulator = getattr(step, "_metadata_accumulator", None)
        if not isinstance(accumulator, OutputMetadataAccumulator):  # another Dagster: the public way
            for key, metadata in self.pending.items():
                self.context.add_asset_metadata(metadata, asset_key=self.asset_key, partition_key=key)
            self.pending.clear()
            return
        merged = dict(accumulator.per_output_metadata)
        for key, metadata in self.pending.items():
            handle = AssetMetadataHandle(asset_key=self.asset_key, partition_key=key)
            merged[handle] = {**merged.get(handle, {}), **metadata}
        step._metadata_accumulator = OutputMetadataAccumulator(per_output_metadata=merged)
        self.pending.clear()
