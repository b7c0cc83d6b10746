"""The partition-per-file IO manager: a run over many partitions stores each value apart and
hands downstream steps `{partition_key: value}` (also for one partition); a wrong return
shape fails loudly; non-partitioned values round-trip; outputs land under the instance;
values already packed are written as they are and read back as the values. The in-memory
manager of `gaibao run`'s throwaway instances behaves the same within one run, writing nothing.
"""

# No `from __future__ import annotations`: Dagster reads the asset annotations at definition time.

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from gaibao_pipeline.orchestration.io_manager import SUFFIX, ReportFilesIOManager, RunMemoryIOManager
from gaibao_pipeline.orchestration.partitions import REPORTS, REPORTS_NAME, range_tags
from gaibao_pipeline.runner.packed import Packed

KEYS = ["r0000000000000001", "r0000000000000002", "r0000000000000003"]


@dg.asset(partitions_def=REPORTS)
def upstream(context: dg.AssetExecutionContext) -> dict[str, str]:
    return {key: f"value of {key}" for key in context.partition_keys}


@dg.asset(partitions_def=REPORTS)
def downstream(context: dg.AssetExecutionContext, upstream: dict[str, str]) -> dict[str, int]:
    assert set(upstream) == set(context.partition_keys)  # a dict even for a single partition
    return {key: len(upstream[key]) for key in context.partition_keys}


@dg.asset(partitions_def=REPORTS)
def packed_upstream(context: dg.AssetExecutionContext) -> dict[str, Packed]:  # type: ignore[type-arg]
    return {key: Packed.of(f"value of {key}") for key in context.partition_keys}


@dg.asset(partitions_def=REPORTS, ins={"upstream": dg.AssetIn("packed_upstream")})
def reads_packed(context: dg.AssetExecutionContext, upstream: dict[str, str]) -> dict[str, int]:
    assert upstream == {key: f"value of {key}" for key in context.partition_keys}
    return {key: len(upstream[key]) for key in context.partition_keys}


@dg.asset(partitions_def=REPORTS)
def wrong_shape(context: dg.AssetExecutionContext) -> str:
    return "one value for many partitions"


@dg.asset
def unpartitioned() -> list[int]:
    return [1, 2, 3]


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.ephemeral(tempdir=str(tmp_path / "dagster")) as inst:
        inst.add_dynamic_partitions(REPORTS_NAME, KEYS)
        yield inst


def _every_key_stored_in(
    store: Path, assets: list[dg.AssetsDefinition], instance: dg.DagsterInstance
) -> ReportFilesIOManager:
    """Materialise `assets` for every key in one run, stored under `store`; the IO manager used."""
    tags = range_tags(dg.PartitionKeyRange(KEYS[0], KEYS[-1]))
    io = ReportFilesIOManager(base_dir=str(store))
    assert dg.materialize(assets, instance=instance, tags=tags, resources={"io_manager": io}).success
    return io


def test_many_partitions_one_file_each(instance: dg.DagsterInstance, tmp_path: Path) -> None:
    io = _every_key_stored_in(tmp_path / "store", [upstream, downstream], instance)
    assert sorted(p.name for p in (tmp_path / "store" / "downstream").iterdir()) == [
        f"{k}{SUFFIX}" for k in KEYS
    ]
    single = dg.materialize(
        [upstream, downstream], instance=instance, partition_key=KEYS[1], resources={"io_manager": io}
    )
    assert single.success


def test_default_base_is_the_instance_storage(instance: dg.DagsterInstance) -> None:
    result = dg.materialize(
        [unpartitioned], instance=instance, resources={"io_manager": ReportFilesIOManager()}
    )
    assert result.success
    assert (Path(instance.storage_directory()) / f"unpartitioned{SUFFIX}").is_file()


def test_wrong_shape_fails_the_step(instance: dg.DagsterInstance, tmp_path: Path) -> None:
    tags = range_tags(dg.PartitionKeyRange(KEYS[0], KEYS[-1]))
    result = dg.materialize(
        [wrong_shape],
        instance=instance,
        tags=tags,
        resources={"io_manager": ReportFilesIOManager(base_dir=str(tmp_path))},
        raise_on_error=False,
    )
    assert not result.success


def test_packed_values_are_stored_as_they_are(instance: dg.DagsterInstance, tmp_path: Path) -> None:
    _every_key_stored_in(tmp_path / "store", [packed_upstream, reads_packed], instance)
    stored = tmp_path / "store" / "packed_upstream" / f"{KEYS[0]}{SUFFIX}"
    assert stored.read_bytes() == Packed.of(f"value of {KEYS[0]}").data  # not packed twice


@dg.asset
def reads_unpartitioned(unpartitioned: list[int]) -> int:
    return sum(unpartitioned)


@pytest.mark.parametrize("assets", [[upstream, downstream], [packed_upstream, reads_packed]])
def test_run_memory_hands_values_on_within_a_run(
    instance: dg.DagsterInstance, assets: list[dg.AssetsDefinition]
) -> None:
    """The downstream assets assert what they receive: a dict per partition, packed values unpacked."""
    before = set(Path(instance.storage_directory()).rglob("*"))
    tags = range_tags(dg.PartitionKeyRange(KEYS[0], KEYS[-1]))
    resources = {"io_manager": RunMemoryIOManager()}
    assert dg.materialize(assets, instance=instance, tags=tags, resources=resources).success
    assert dg.materialize(assets, instance=instance, partition_key=KEYS[1], resources=resources).success
    together = dg.materialize([unpartitioned, reads_unpartitioned], instance=instance, resources=resources)
    assert together.output_for_node("reads_unpartitioned") == 6
    assert set(Path(instance.storage_directory()).rglob("*")) == before  # nothing written


def test_run_memory_refuses_the_wrong_shape(instance: dg.DagsterInstance) -> None:
    tags = range_tags(dg.PartitionKeyRange(KEYS[0], KEYS[-1]))
    result = dg.materialize(
        [wrong_shape],
        instance=instance,
        tags=tags,
        resources={"io_manager": RunMemoryIOManager()},
        raise_on_error=False,
    )
    assert not result.success
