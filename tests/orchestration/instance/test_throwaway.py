"""The instance `gaibao run` executes a run on without DAGSTER_HOME: it keeps the run's status
and its dynamic partitions, hands every event to the run's result, and stores none of them.
"""

# no `from __future__ import annotations`: Dagster reads the asset's context annotation
from pathlib import Path

import dagster as dg

from gaibao_pipeline.orchestration.instance.throwaway import UnkeptEventLogStorage, throwaway_instance
from gaibao_pipeline.orchestration.local_run import first_error

PARTS = dg.DynamicPartitionsDefinition(name="parts")


@dg.asset(partitions_def=PARTS, check_specs=[dg.AssetCheckSpec("positive", asset="numbers")])
def numbers(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    return dg.MaterializeResult(
        metadata={"partition": context.partition_key},
        check_results=[dg.AssetCheckResult(check_name="positive", passed=True)],
    )


@dg.asset(partitions_def=PARTS, backfill_policy=dg.BackfillPolicy.single_run())
def every_number(context: dg.AssetExecutionContext) -> None:
    del context


def test_a_run_keeps_its_status_and_partitions_but_stores_no_events(tmp_path: Path) -> None:
    with throwaway_instance(tmp_path) as instance:
        assert isinstance(instance.event_log_storage, UnkeptEventLogStorage)
        instance.add_dynamic_partitions("parts", ["a", "b"])
        result = dg.materialize([numbers], instance=instance, partition_key="b")
        assert result.success
        # what the caller reads: the run's own events, its status, the partitions
        assert [m.partition for m in result.asset_materializations_for_node("numbers")] == ["b"]
        assert result.get_asset_check_evaluations()[0].passed
        run = instance.get_run_by_id(result.run_id)
        assert run is not None and run.status == dg.DagsterRunStatus.SUCCESS
        assert instance.get_dynamic_partitions("parts") == ["a", "b"]
        # what it does not keep: the events themselves
        assert instance.all_logs(result.run_id) == []
        assert instance.get_latest_materialization_event(dg.AssetKey("numbers")) is None


def test_a_failed_run_is_failed(tmp_path: Path) -> None:
    @dg.asset
    def broken() -> None:
        raise RuntimeError("boom")

    with throwaway_instance(tmp_path) as instance:
        result = dg.materialize([broken], instance=instance, raise_on_error=False)
        assert not result.success
        run = instance.get_run_by_id(result.run_id)
        assert run is not None and run.status == dg.DagsterRunStatus.FAILURE
        # what `gaibao run` prints, from the run's own events
        assert first_error(result).endswith("<- RuntimeError: boom")


def test_a_run_over_many_partitions_plans_each_asset_once(tmp_path: Path) -> None:
    """Planned materializations mark partitions in progress for a UI; this instance has none."""
    with throwaway_instance(tmp_path) as instance:
        instance.add_dynamic_partitions("parts", ["a", "b", "c"])
        seen: list[dg.DagsterEventType] = []
        handle = instance.handle_new_event

        def counting(event: dg.EventLogEntry, **kwargs: object) -> None:
            if event.dagster_event is not None:
                seen.append(event.dagster_event.event_type)
            handle(event, **kwargs)  # type: ignore[arg-type]

        instance.handle_new_event = counting  # type: ignore[method-assign]
        tags = {"dagster/asset_partition_range_start": "a", "dagster/asset_partition_range_end": "c"}
        assert dg.materialize([every_number], instance=instance, tags=tags).success
        assert seen.count(dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED) == 1
        assert seen.count(dg.DagsterEventType.ASSET_MATERIALIZATION) == 3  # still one per partition
