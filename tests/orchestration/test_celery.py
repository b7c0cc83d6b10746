"""`load_reports` on Celery workers (GAIBAO_EXECUTOR=celery): a backfill of a few hundred reports
in three runs at once (disjoint ranges) gives the same tables as an in-process run of the same
files, and two runs at once on overlapping ranges load without conflicts or duplicates.

Real pieces throughout: two Celery workers started here (`celery -A
gaibao_pipeline.orchestration.celery_app worker`, each its own process group, stopped on
teardown) on the RabbitMQ broker (GAIBAO_CELERY_BROKER, default 127.0.0.1:5672) with a queue
of their own, a PostgreSQL instance storage and a PostgreSQL report database created for the
session and dropped after it, and runs started as an operator starts them (`dagster job
execute`). The tests look only at the job and the tables, not at asset names.

Skipped with the reason when PostgreSQL or the broker cannot be reached, unless
GAIBAO_REQUIRE_POSTGRES is set (CI), where that is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import sqlalchemy as sa

from gaibao_pipeline.db import make_engine, upgrade_schema
from gaibao_pipeline.db.schema import TABLES
from gaibao_pipeline.orchestration.local_run import run_landing_folder
from gaibao_pipeline.synth.corpus import write_corpus
from tests.db.conftest import postgres_unreachable, postgres_url
from tests.support.celery import (
    Deployment,
    broker_unreachable,
    broker_url,
    celery_deployment,
    celery_workers,
    fresh_database,
    loaded_rows,
    register_landing,
    run_ranges,
)

pytest.importorskip("dagster_celery", reason="dagster-celery is not installed (pip install '.[celery]')")

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

N_REPORTS = 200  # text and HTML: the quickest formats to parse, so the runs' machinery dominates
PER_RUN = 70  # three runs for the backfill: 70, 70 and 60 reports
SUCCESS = dg.DagsterRunStatus.SUCCESS


def _unavailable(reason: str | None) -> None:
    if reason is None:
        return
    if os.environ.get("GAIBAO_REQUIRE_POSTGRES"):
        pytest.fail(f"{reason} (GAIBAO_REQUIRE_POSTGRES is set: CI must exercise the Celery path)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def celery_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _unavailable(postgres_unreachable())
    _unavailable(broker_unreachable(broker_url()))
    written = write_corpus(
        tmp_path_factory.mktemp("celery") / "corpus", N_REPORTS, seed=25, formats=["text", "html"]
    )
    assert written.n_files == N_REPORTS
    return written.reports_dir


@pytest.fixture(scope="session")
def local_rows(celery_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Any]]:
    """The tables of an in-process run (`gaibao run`, throwaway instance) over the same files."""
    with fresh_database(postgres_url(), "gaibao_test_local") as url, pytest.MonkeyPatch.context() as env:
        for name in ("DAGSTER_HOME", "GAIBAO_EXECUTOR"):
            env.delenv(name, raising=False)
        env.setenv("GAIBAO_REVIEW_DIR", str(tmp_path_factory.mktemp("review")))
        outcome = run_landing_folder(celery_corpus, url, batch_size=PER_RUN, show_progress=False)
        assert not outcome.failed_runs
        return loaded_rows(url)


@dataclass(frozen=True)
class Cluster:
    deployment: Deployment
    ranges: list[dg.PartitionKeyRange]  # the backfill's runs, in partition order


@pytest.fixture(scope="session")
def cluster(celery_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Two Celery workers on fresh PostgreSQL databases (instance storage, report tables)."""
    server = postgres_url()
    with (
        fresh_database(server, "gaibao_test_instance") as storage_url,
        fresh_database(server, "gaibao_test_reports") as database_url,
    ):
        root = tmp_path_factory.mktemp("deployment")
        deployment = celery_deployment(root, celery_corpus, storage_url, database_url)
        ranges = register_landing(deployment, PER_RUN)
        with celery_workers(deployment, 2):
            yield Cluster(deployment, ranges)


@pytest.fixture
def empty_tables(cluster: Cluster) -> Cluster:
    """The cluster with its report tables created and empty."""
    engine = make_engine(cluster.deployment.database_url)
    try:
        upgrade_schema(engine)
        with engine.begin() as conn:
            conn.execute(sa.text(f"TRUNCATE {', '.join(t.name for t in TABLES)}"))
    finally:
        engine.dispose()
    return cluster


def test_a_backfill_on_celery_loads_what_a_local_run_loads(
    empty_tables: Cluster, local_rows: dict[str, list[Any]]
) -> None:
    deployment, ranges = empty_tables.deployment, empty_tables.ranges
    assert len(ranges) == 3
    # its three runs at once, on disjoint ranges, as a backfill submits them
    assert run_ranges(deployment, ranges) == [SUCCESS] * len(ranges), f"see {deployment.logs}"

    rows = loaded_rows(deployment.database_url)
    assert len(rows["reports"]) == N_REPORTS
    assert rows == local_rows


def test_runs_at_once_on_overlapping_ranges_load_each_report_once(
    empty_tables: Cluster, local_rows: dict[str, list[Any]]
) -> None:
    deployment, (first, second, third) = empty_tables.deployment, empty_tables.ranges
    # both runs load every report of `second` into the empty tables at the same time
    both = [dg.PartitionKeyRange(first.start, second.end), dg.PartitionKeyRange(second.start, third.end)]
    assert run_ranges(deployment, both) == [SUCCESS, SUCCESS], f"see {deployment.logs}"

    rows = loaded_rows(deployment.database_url)
    assert len(rows["reports"]) == N_REPORTS  # each report once, whichever run loaded it last
    assert rows == local_rows
