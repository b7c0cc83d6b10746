"""Per-partition metadata in a bulk run lands on each partition's materialization, and a key
outside the run is refused, as `context.add_asset_metadata` would."""

import dagster as dg
import pytest
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from gaibao_pipeline.orchestration.instance.partition_metadata import PartitionMetadata

PARTS = dg.DynamicPartitionsDefinition(name="letters")


@dg.asset(partitions_def=PARTS, backfill_policy=dg.BackfillPolicy.single_run())
def letters(context: dg.AssetExecutionContext) -> None:
    metadata = PartitionMetadata(context)
    for key in context.partition_keys:
        metadata.add(key, {"letter": key.upper()})
    metadata.add("b", {"position": 2})  # a second call for a partition adds to its metadata
    with pytest.raises(dg.DagsterInvariantViolationError, match="not being targeted"):
        metadata.add("d", {"letter": "D"})  # registered, but not in this run
    metadata.write()


def test_each_partition_gets_its_own_metadata() -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions("letters", ["a", "b", "c", "d"])
        tags = {ASSET_PARTITION_RANGE_START_TAG: "a", ASSET_PARTITION_RANGE_END_TAG: "c"}
        assert dg.materialize([letters], instance=instance, tags=tags).success
        events = instance.fetch_materializations(dg.AssetKey("letters"), limit=10).records
        materializations = [e.asset_materialization for e in events if e.asset_materialization]
        found = {m.partition: {k: v.value for k, v in m.metadata.items()} for m in materializations}
    assert found == {"a": {"letter": "A"}, "b": {"letter": "B", "position": 2}, "c": {"letter": "C"}}
