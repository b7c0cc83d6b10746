"""A deployment on Celery for tests and bench/celery_throughput.py: fresh PostgreSQL databases
for the instance storage and the report tables, a DAGSTER_HOME on them, Celery workers as
subprocesses, and runs of `load_reports` over partition ranges as `dagster job execute` does.

Everything a worker needs comes from the environment `Deployment.env` builds (the same for the
runs and the workers, as on separate machines): DAGSTER_HOME, GAIBAO_EXECUTOR=celery, the
broker and a queue of its own (so that no other worker on the same broker takes its tasks),
the report database and the landing folder.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import dagster as dg
import sqlalchemy as sa

from gaibao_pipeline.config import DEFAULT_CELERY_BROKER, ExecutorSettings
from gaibao_pipeline.db import make_engine
from gaibao_pipeline.db.schema import TABLES, UtcDateTime
from gaibao_pipeline.orchestration.executors import celery_worker_command
from gaibao_pipeline.orchestration.jobs import load_reports_job
from gaibao_pipeline.orchestration.landing_plan import plan_landing, record
from gaibao_pipeline.orchestration.partitions import range_tags

REPO = Path(__file__).resolve().parents[2]
DEFINITIONS_MODULE = "gaibao_pipeline.orchestration.definitions"
# Columns that differ between two loads of the same file: which run, and when.
VOLATILE = ("run_id",)


def broker_url() -> str:
    """The broker tests use: GAIBAO_CELERY_BROKER, else RabbitMQ on 127.0.0.1:5672."""
    return os.environ.get("GAIBAO_CELERY_BROKER", "").strip() or DEFAULT_CELERY_BROKER


def broker_unreachable(url: str) -> str | None:
    """Why the broker cannot be used, or None when it answers."""
    import kombu

    try:
        with kombu.Connection(url, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1, timeout=3)
    except Exception as exc:  # any failure to connect means: skip (or fail on CI), and say why
        return f"Celery broker {url} unreachable: {type(exc).__name__}: {exc}"
    return None


@contextmanager
def fresh_database(server_url: str, prefix: str) -> Iterator[str]:
    """The URL of a new, empty database on the server of `server_url`, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:  # FORCE: a killed worker may leave a connection behind
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def write_instance_yaml(home: Path, storage_url: str, *, max_concurrent_runs: int = 2) -> None:
    """A DAGSTER_HOME whose runs, events and schedules live in the PostgreSQL database `storage_url`."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(
        f"storage:\n  postgres:\n    postgres_url: '{storage_url}'\n"
        "run_coordinator:\n  module: dagster._core.run_coordinator\n  class: QueuedRunCoordinator\n"
        f"concurrency:\n  runs:\n    max_concurrent_runs: {max_concurrent_runs}\n"
        "telemetry:\n  enabled: false\n",
        encoding="utf-8",
    )


@dataclass(frozen=True)
class Deployment:
    """Where a Celery deployment's pieces are: the same for runs and workers."""

    home: Path  # DAGSTER_HOME
    landing: Path
    database_url: str
    settings: ExecutorSettings
    logs: Path

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GAIBAO_", "DAGSTER_"))}
        pythonpath = [str(REPO), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
        env.update(
            DAGSTER_HOME=str(self.home),
            GAIBAO_EXECUTOR=self.settings.kind,
            GAIBAO_CELERY_BROKER=self.settings.broker,
            GAIBAO_CELERY_BACKEND=self.settings.backend,
            GAIBAO_CELERY_QUEUE=self.settings.queue,
            GAIBAO_DATABASE_URL=self.database_url,
            GAIBAO_LANDING_DIR=str(self.landing),
            GAIBAO_REVIEW_DIR=str(self.home / "review"),
            PYTHONPATH=os.pathsep.join(pythonpath),  # this tree first, in every subprocess
        )
        return env

    def instance(self) -> dg.DagsterInstance:
        return dg.DagsterInstance.from_config(str(self.home))


def celery_deployment(
    root: Path, landing: Path, storage_url: str, database_url: str, *, kind: str = "celery"
) -> Deployment:
    """A deployment under `root` on those databases, with a queue no other worker listens on."""
    settings = ExecutorSettings(
        kind, broker=broker_url(), backend="rpc://", queue=f"gaibao-test-{uuid.uuid4().hex[:8]}"
    )
    write_instance_yaml(root / "dagster_home", storage_url)
    (root / "logs").mkdir(parents=True, exist_ok=True)
    return Deployment(root / "dagster_home", landing, database_url, settings, root / "logs")


def register_landing(deployment: Deployment, per_run: int) -> list[dg.PartitionKeyRange]:
    """Register every file of the landing folder as a partition; the ranges of `per_run` reports."""
    with deployment.instance() as instance:
        plan = plan_landing(deployment.landing, instance, rerun="all", max_per_run=per_run, max_gap=0)
        record(instance, plan)
        return list(plan.registration.run_ranges)


@contextmanager
def celery_workers(
    deployment: Deployment, count: int, *, timeout: float = 90.0
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """`count` Celery workers (one task at a time each), ready when this yields their processes;
    each is a process group of its own, stopped and then killed on exit."""
    names = [f"gaibao-{uuid.uuid4().hex[:6]}-{i}" for i in range(count)]
    processes: list[subprocess.Popen[bytes]] = []
    logs: list[TextIO] = []
    try:
        for name in names:
            log = (deployment.logs / f"{name}.log").open("w", encoding="utf-8")
            logs.append(log)
            command = celery_worker_command(deployment.settings, name=name)
            command[0] = str(Path(sys.executable).with_name("celery"))
            processes.append(
                subprocess.Popen(
                    command,
                    env=deployment.env,
                    cwd=REPO,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group: the pool's children go with it
                )
            )
        _wait_until_ready(deployment, names, processes, timeout)
        yield processes
    finally:
        for process in processes:
            _stop(process)
        for opened in logs:
            opened.close()


def _wait_until_ready(
    deployment: Deployment, names: list[str], processes: Sequence[subprocess.Popen[bytes]], timeout: float
) -> None:
    from dagster_celery.executor import CeleryExecutor
    from dagster_celery.make_app import make_app

    settings = deployment.settings
    app = make_app(CeleryExecutor.for_cli(broker=settings.broker, backend=settings.backend).app_args())
    deadline = time.monotonic() + timeout
    waiting = set(names)
    while waiting:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"a Celery worker exited ({process.returncode}); see {deployment.logs}")
        replies = app.control.ping(timeout=1.0)  # every worker on the broker answers: keep ours
        for reply in replies:
            for node in reply:
                waiting.discard(node.split("@", 1)[0])
        if waiting and time.monotonic() > deadline:
            raise RuntimeError(f"Celery workers {sorted(waiting)} not ready after {timeout:.0f} s")
    app.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)  # warm shutdown of the worker and its pool
        process.wait(timeout=15)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def launch_run(deployment: Deployment, key_range: dg.PartitionKeyRange) -> subprocess.Popen[bytes]:
    """`load_reports` over `key_range`, started as an operator would: `dagster job execute`.

    The run's process only orchestrates: with GAIBAO_EXECUTOR=celery every step is a task on
    the deployment's queue. Its output goes to the deployment's logs.
    """
    log = deployment.logs / f"run-{key_range.start}-{key_range.end}-{uuid.uuid4().hex[:4]}.log"
    command = [
        str(Path(sys.executable).with_name("dagster")),
        "job",
        "execute",
        "-m",
        DEFINITIONS_MODULE,
        "-a",
        "defs",
        "-j",
        load_reports_job.name,
        "--tags",
        json.dumps(range_tags(key_range)),
    ]
    with log.open("w", encoding="utf-8") as out:
        return subprocess.Popen(
            command,
            env=deployment.env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def run_ranges(
    deployment: Deployment,
    ranges: Sequence[dg.PartitionKeyRange],
    *,
    at_once: int | None = None,
    timeout: float = 900.0,
) -> list[dg.DagsterRunStatus]:
    """Run `load_reports` over each range, at most `at_once` runs at a time (default: all, as
    a run queue with that `max_concurrent_runs` would); the statuses of the runs, in order."""
    started = time.time()
    deadline = time.monotonic() + timeout
    waiting = list(ranges)
    running: list[subprocess.Popen[bytes]] = []
    try:
        while waiting or running:
            running = [p for p in running if p.poll() is None]
            while waiting and len(running) < (at_once or len(ranges)):
                running.append(launch_run(deployment, waiting.pop(0)))
            if time.monotonic() > deadline:
                raise TimeoutError(f"runs not finished after {timeout:.0f} s; see {deployment.logs}")
            time.sleep(0.2)
    finally:
        for process in running:
            _stop(process)
    return [run_status(deployment, key_range, started) for key_range in ranges]


def run_status(deployment: Deployment, key_range: dg.PartitionKeyRange, since: float) -> dg.DagsterRunStatus:
    """The status of the latest run over `key_range` created after `since` (epoch seconds)."""
    tags = range_tags(key_range)
    with deployment.instance() as instance:
        records = instance.get_run_records(dg.RunsFilter(tags=tags, created_after=_utc(since)), limit=1)
    if not records:
        raise AssertionError(f"no run over {key_range} in {deployment.home}; see {deployment.logs}")
    return records[0].dagster_run.status


def _utc(epoch: float) -> Any:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, UTC)


def loaded_rows(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table without its run id and load times, sorted: what a load produced."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            rows: dict[str, list[tuple[Any, ...]]] = {}
            for table in TABLES:
                columns = [c for c in table.columns if not _volatile(c)]
                result = conn.execute(sa.select(*columns))
                rows[table.name] = sorted((tuple(r) for r in result), key=repr)
            return rows
    finally:
        engine.dispose()


def _volatile(column: sa.Column[Any]) -> bool:
    return column.name in VOLATILE or isinstance(column.type, UtcDateTime)
