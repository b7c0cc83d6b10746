"""Per-partition metadata for a bulk run, without one scan of every partition per call.

`context.add_asset_metadata(..., partition_key=k)` checks `k` against the run's partition
range by loading every dynamic partition from the instance, on every call. A run of 500
reports makes 500 such calls per asset, each reading all 10,000 (or 100,000) partition keys:
the cost of a run grew with the size of the corpus (measured in bench/RESULTS.md). Here the
run's keys are read once, each key is checked against them, and the metadata goes to the
same per-partition accumulator Dagster's method writes to.
"""

from collections.abc import Callable, Mapping
from typing import Any

import dagster as dg

PartitionMetadata = Callable[[str, Mapping[str, Any]], None]


def partition_metadata(
    context: dg.AssetExecutionContext, asset_key: dg.AssetKey | None = None
) -> PartitionMetadata:
    """`add(partition_key, metadata)` for the partitions of this run, like `add_asset_metadata`.

    `asset_key` names the asset of a multi-asset step; a single asset's step needs none.
    """
    keys = frozenset(context.partition_keys)
    step = context.get_step_execution_context()
    asset_key = asset_key or context.assets_def.key
    direct = hasattr(step, "_metadata_accumulator")  # Dagster 1.13; otherwise the public method

    def add(partition_key: str, metadata: Mapping[str, Any]) -> None:
        if partition_key not in keys:
            raise dg.DagsterInvariantViolationError(
                f"Attempted to add metadata for partition key '{partition_key}' that is not being targeted."
            )
        if not direct:
            context.add_asset_metadata(metadata, asset_key=asset_key, partition_key=partition_key)
            return
        step._metadata_accumulator = step._metadata_accumulator.with_additional_asset_metadata(
            asset_key=asset_key, metadata=metadata, partition_key=partition_key
        )

    return add
