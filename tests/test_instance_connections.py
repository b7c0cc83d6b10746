"""A PostgreSQL Dagster instance writes a bulk run's events over held connections, not a new
connection per event (what Dagster does outside its webserver); holding twice changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa
from sqlalchemy.pool import Pool

from gaibao_pipeline.instance_connections import hold_connections
from tests.db.conftest import fresh_postgres_schema

pytestmark = pytest.mark.postgres


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


def test_events_share_held_connections(postgres_instance: dg.DagsterInstance) -> None:
    assert _connections_opened_by(postgres_instance, 10) >= 10  # Dagster's default: one per write
    hold_connections(postgres_instance)
    hold_connections(postgres_instance)  # a second call must not replace the pools
    assert _connections_opened_by(postgres_instance, 30) <= 2
    records = postgres_instance.fetch_observations(dg.AssetKey("raw_landing_files"), limit=100).records
    assert len(records) == 40  # every event written
