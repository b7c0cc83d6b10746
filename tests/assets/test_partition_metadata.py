"""Per-partition metadata in a bulk run lands on each partition's materialization, and a key
outside the run is refused, as `context.add_asset_metadata` would."""

import dagster as dg
import pytest
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from gaibao_pipeline.assets.partition_metadata import partition_metadata

PARTS = dg.DynamicPartitionsDefinition(name="letters")


@dg.asset(partitions_def=PARTS, backfill_policy=dg.BackfillPolicy.single_run())
def letters(context: dg.AssetExecutionContext) -> None:
    add = partition_metadata(context)
    for key in context.partition_keys:
        add(key, {"letter": key.upper()})
    with pytest.raises(dg.DagsterInvariantViolationError, match="not being targeted"):
        add("d", {"letter": "D"})  # registered, but not in this run


def test_each_partition_gets_its_own_metadata() -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions("letters", ["a", "b", "c", "d"])
        tags = {ASSET_PARTITION_RANGE_START_TAG: "a", ASSET_PARTITION_RANGE_END_TAG: "c"}
        assert dg.materialize([letters], instance=instance, tags=tags).success
        events = instance.fetch_materializations(dg.AssetKey("letters"), limit=10).records
        found = {
            e.asset_materialization.partition: e.asset_materialization.metadata["letter"].value
            for e in events
            if e.asset_materialization
        }
    assert found == {"a": "A", "b": "B", "c": "C"}
