"""A PostgreSQL Dagster instance prepared for bulk writes writes a run's events over held
connections, not a new connection per event (what Dagster does outside its webserver), and a
run's per-partition materializations and a landing plan's file observations in one statement
each; preparing twice changes nothing."""

import os
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

from gaibao_pipeline.orchestration.instance.bulk_writes import (
    EVENT_BATCH_SIZE_VARIABLE,
    prepare_bulk_writes,
    report_observations,
    writes_batches,
)
from gaibao_pipeline.orchestration.partitions import RANGE_END_TAG, RANGE_START_TAG
from tests.db.conftest import fresh_postgres_schema


@pytest.fixture(autouse=True)
def no_batch_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts without the variable and leaves none behind."""
    monkeypatch.delenv(EVENT_BATCH_SIZE_VARIABLE, raising=False)


@pytest.fixture
def postgres_instance(tmp_path: Path) -> Iterator[dg.DagsterInstance]:
    """A Dagster instance whose storage is a fresh schema on the test server."""
    with fresh_postgres_schema("gaibao_instance") as url:
        (tmp_path / "dagster.yaml").write_text(
            f"storage:\n  postgres:\n    postgres_url: '{url}'\ntelemetry:\n  enabled: false\n",
            encoding="utf-8",
        )
        instance = dg.DagsterInstance.from_config(str(tmp_path))
        try:
            yield instance
        finally:
            instance.dispose()


def _connections_opened_by(instance: dg.DagsterInstance, events: int) -> int:
    opened = 0

    def count(*_: object) -> None:
        nonlocal opened
        opened += 1

    sa.event.listen(Pool, "connect", count)
    try:
        for i in range(events):
            instance.report_runless_asset_event(dg.AssetObservation("raw_landing_files", partition=f"r{i}"))
    finally:
        sa.event.remove(Pool, "connect", count)
    return opened


@pytest.mark.postgres
def test_events_share_held_connections(postgres_instance: dg.DagsterInstance) -> None:
    assert _connections_opened_by(postgres_instance, 10) >= 10  # Dagster's default: one per write
    prepare_bulk_writes(postgres_instance)
    prepare_bulk_writes(postgres_instance)  # a second call must not replace the pools
    assert _connections_opened_by(postgres_instance, 30) <= 2
    records = postgres_instance.fetch_observations(dg.AssetKey("raw_landing_files"), limit=100).records
    assert len(records) == 40  # every event written


PARTITIONS = [f"r{i:02}" for i in range(20)]


@dg.asset(
    partitions_def=dg.StaticPartitionsDefinition(PARTITIONS),
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def per_report(context: dg.AssetExecutionContext) -> None:
    context.log.info(f"{len(context.partition_keys)} partitions")


def _event_inserts_of_one_run(instance: dg.DagsterInstance) -> int:
    """INSERT statements into the event log while one run materialises every partition."""
    inserts = 0

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        nonlocal inserts
        inserts += statement.lstrip().upper().startswith("INSERT INTO EVENT_LOGS")

    sa.event.listen(Engine, "before_cursor_execute", count)
    try:
        tags = {RANGE_START_TAG: PARTITIONS[0], RANGE_END_TAG: PARTITIONS[-1]}
        assert dg.materialize([per_report], instance=instance, tags=tags).success
    finally:
        sa.event.remove(Engine, "before_cursor_execute", count)
    return inserts


@pytest.mark.postgres
def test_materializations_written_in_one_batch(postgres_instance: dg.DagsterInstance) -> None:
    one_by_one = _event_inserts_of_one_run(postgres_instance)
    prepare_bulk_writes(postgres_instance)
    assert writes_batches(postgres_instance)
    batched = _event_inserts_of_one_run(postgres_instance)
    assert batched <= one_by_one - (len(PARTITIONS) - 1)  # 20 materializations, one statement
    materialized = postgres_instance.fetch_materializations(per_report.key, limit=100).records
    assert sorted(r.partition_key for r in materialized) == sorted(PARTITIONS * 2)  # none lost
    assert postgres_instance.get_materialized_partitions(per_report.key) == set(PARTITIONS)


def test_storages_without_batch_writes_are_left_alone(tmp_path: Path) -> None:
    with dg.instance_for_test(temp_dir=str(tmp_path)) as sqlite_instance:
        prepare_bulk_writes(sqlite_instance)
        assert not writes_batches(sqlite_instance)
        assert EVENT_BATCH_SIZE_VARIABLE not in os.environ


def _observation_inserts(instance: dg.DagsterInstance, keys: list[str]) -> int:
    """INSERT statements into the event log while `report_observations` records one per key."""
    inserts = 0

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        nonlocal inserts
        inserts += statement.lstrip().upper().startswith("INSERT INTO EVENT_LOGS")

    observations = [
        dg.AssetObservation("raw_landing_files", partition=key, tags={"dagster/data_version": f"v{key}"})
        for key in keys
    ]
    sa.event.listen(Engine, "before_cursor_execute", count)
    try:
        report_observations(instance, observations)
    finally:
        sa.event.remove(Engine, "before_cursor_execute", count)
    return inserts


@pytest.mark.postgres
def test_file_observations_written_in_one_batch(
    postgres_instance: dg.DagsterInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an operator's 0 keeps Dagster's single writes
    monkeypatch.setenv(EVENT_BATCH_SIZE_VARIABLE, "0")
    assert _observation_inserts(postgres_instance, PARTITIONS[:10]) == 10
    # unset, as in the daemon's sensor ticks and the schedule (not prepared): one batch all the same
    monkeypatch.delenv(EVENT_BATCH_SIZE_VARIABLE)
    assert _observation_inserts(postgres_instance, PARTITIONS[10:15]) == 1
    prepare_bulk_writes(postgres_instance)
    assert _observation_inserts(postgres_instance, PARTITIONS[15:]) == 1
    records = postgres_instance.fetch_observations(dg.AssetKey("raw_landing_files"), limit=100).records
    assert sorted(r.partition_key for r in records) == PARTITIONS  # none lost
    latest = postgres_instance.event_log_storage.get_latest_storage_id_by_partition(
        dg.AssetKey("raw_landing_files"), dg.DagsterEventType.ASSET_OBSERVATION
    )
    assert set(latest) == set(PARTITIONS)  # each partition's latest observation is indexed


def test_file_observations_on_other_storages_are_recorded_one_by_one(tmp_path: Path) -> None:
    with dg.instance_for_test(temp_dir=str(tmp_path)) as sqlite_instance:
        prepare_bulk_writes(sqlite_instance)
        report_observations(sqlite_instance, [dg.AssetObservation("raw_landing_files", partition="r1")])
        records = sqlite_instance.fetch_observations(dg.AssetKey("raw_landing_files"), limit=10).records
        assert [r.partition_key for r in records] == ["r1"]
