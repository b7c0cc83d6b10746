"""What a kept Dagster instance costs on the operators' path, against the same work without Dagster.

    python bench/instance_cost.py --reports 1000 --pairs 3 --storage postgres
    python bench/instance_cost.py --reports 150 --pairs 1 --storage sqlite --paths run

Each pair measures, in fresh processes and alternating the order from pair to pair:

- **without**: the pure core doing a bulk run's work in runs of the same size (register every
  file, `batch.process_batch`, the cross-year refresh, row counts and summary) into a fresh
  report database;
- **run**: `gaibao run` with `DAGSTER_HOME` set to a fresh folder whose `dagster.yaml` is the
  project's with instance storage on PostgreSQL (a database of its own) or SQLite;
- **daemon**: the UI path: the files registered by the landing plan (what the sensor does),
  then a backfill of every partition of `load_reports`' assets submitted as the UI submits it
  (`PartitionBackfill.from_asset_partitions`, all partitions) and executed by
  `dagster-daemon run` with the project's run queue (QueuedRunCoordinator, 2 runs at once).
  Its cost is the registration plus the runs' own time (the union of their start→end
  intervals) and the CPU of the run worker processes and their children; the daemon's
  scheduling latency (submit → first run, idle gaps between runs) is reported apart, since
  polling intervals are not a per-report cost.

CPU time is that of the process and every child it reaped (`os.wait4`), or for the daemon's
run workers the last sample of their own and reaped children's CPU. The verdict is the median
over pairs of Dagster's share, (with − without) / with, on CPU and on wall time. After each
Dagster run the instance is inspected: events by type, asset check executions, its size, the
step outputs kept under DAGSTER_HOME/storage, and the report database's size. A projection to
10^5 and 10^6 reports follows from the measured per-report costs.

Nothing here names an asset: the job is `load_reports` and the backfill targets its asset
selection as the definitions resolve it, so the script survives a change of the asset graph.
Databases are `gaibao_bench_*` on the local PostgreSQL server, created and dropped through an
autocommit connection to `postgres`; never the shared `test` database. Corpora and work
folders go to bench/output/ (git-ignored). It prints figures; no test asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUTPUT = HERE / "output"
WORK = OUTPUT / "instance_cost"
PROJECT_DAGSTER_YAML = REPO / "dagster_home" / "dagster.yaml"
SERVER_URL = os.environ.get("GAIBAO_BENCH_POSTGRES", "postgresql+psycopg2://postgres@127.0.0.1:5432")
DB_PREFIX = "gaibao_bench_"
INSTANCE_DB = f"{DB_PREFIX}instance"
REPORTS_DB = f"{DB_PREFIX}reports"
PATHS = ("run", "daemon")
PROJECT_SIZES = (100_000, 1_000_000)
MACHINES = (1, 2, 4, 8)
BACKFILL_TIMEOUT_SECONDS = 3600.0
BENCH_START_TIMEOUT = 1800  # seconds a daemon-launched run may take to start (see kept_home)
SAMPLE_SECONDS = 0.2  # the daemon's process tree is sampled this often for its run workers' CPU


# --- measuring a child process -----------------------------------------------------------------


@dataclass
class Measured:
    wall: float
    cpu: float  # user + system of the process and every descendant it reaped

    def __add__(self, other: Measured) -> Measured:
        return Measured(self.wall + other.wall, self.cpu + other.cpu)


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def run_child(argv: Sequence[str], env: dict[str, str], log: Path, cwd: Path = REPO) -> Measured:
    """Run `argv` to its end; its wall time and the CPU of it and its reaped descendants."""
    with log.open("ab") as out:
        out.write(f"\n$ {' '.join(argv)}\n".encode())
        out.flush()
        start = time.perf_counter()
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SystemExit(f"{argv[:4]} failed ({process.returncode}); end of {log}:\n{tail}")
    return Measured(wall, _cpu(usage))


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a measured process: this worktree first on the path, nothing inherited
    that would redirect its instance or database."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DAGSTER_HOME", "GAIBAO_DATABASE_URL", "GAIBAO_LANDING_DIR", "DAGSTER_EVENT_BATCH_SIZE")
    }
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])
    env["GAIBAO_REVIEW_DIR"] = str(WORK / "review")  # the invariant check writes review pages
    env.update(extra)
    return env


# --- databases -----------------------------------------------------------------------------------


def database_url(name: str) -> str:
    return f"{SERVER_URL}/{name}"


def _admin() -> Any:
    import sqlalchemy as sa

    return sa.create_engine(database_url("postgres"), isolation_level="AUTOCOMMIT")


def fresh_database(name: str) -> int:
    """Drop and create database `name` (only ever a gaibao_bench_* one); its empty size in bytes."""
    import sqlalchemy as sa

    if not name.startswith(DB_PREFIX) or not name.replace("_", "").isalnum():
        raise ValueError(f"refusing to recreate database {name!r}: benchmark databases are {DB_PREFIX}*")
    engine = _admin()
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            return int(conn.execute(sa.text("SELECT pg_database_size(:n)"), {"n": name}).scalar_one())
    finally:
        engine.dispose()


def drop_database(name: str) -> None:
    import sqlalchemy as sa

    if not name.startswith(DB_PREFIX):
        raise ValueError(name)
    engine = _admin()
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def database_bytes(name: str) -> int:
    import sqlalchemy as sa

    engine = _admin()
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT pg_database_size(:n)"), {"n": name}).scalar_one())
    finally:
        engine.dispose()


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0


# --- corpus --------------------------------------------------------------------------------------


def corpus(n: int, seed: int = 0, pdf_engine: str = "auto") -> Path:
    """A generated mixed corpus of at least `n` reports under bench/output/corpora, reused if there."""
    sys.path.insert(0, str(HERE))
    from generate import generate

    from gaibao_pipeline.synth.corpus import FORMATS, GENERATOR_VERSION

    root = OUTPUT / "corpora"
    candidates = []
    for manifest in root.glob(f"mixed-*-seed{seed}-{pdf_engine}/manifest.json"):
        known = json.loads(manifest.read_text(encoding="utf-8"))
        usable = known.get("generator") == GENERATOR_VERSION and not known.get("failed")
        if usable and list(known["formats"]) == list(FORMATS) and known["n"] >= n:
            candidates.append((known["n"], manifest.parent))
    if candidates:
        return min(candidates)[1]
    folder = root / f"mixed-{n}-seed{seed}-{pdf_engine}"
    shutil.rmtree(folder, ignore_errors=True)
    generate(folder, n, seed, list(FORMATS), pdf_engine)
    return folder


def landing_folder(source: Path, n: int) -> Path:
    """A landing folder of hard links to the first `n` reports of `source` (by expected record)."""
    target = WORK / f"landing-{n}"
    records = sorted((source / "expected").glob("*.json"))[:n]
    names = [json.loads(r.read_text(encoding="utf-8"))["file"] for r in records]
    if target.is_dir() and sorted(p.name for p in target.iterdir()) == sorted(names):
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for name in names:
        os.link(source / "reports" / name, target / name)
    return target


# --- the work without Dagster --------------------------------------------------------------------


def direct_work(landing: Path, db_url: str, workers: int) -> int:
    """A bulk run's work with the pure core only, in runs of the size a Dagster run has.

    Register (hash) every file as the raw step does, `batch.process_batch` (read and parse in
    the worker pool, load in chunks), then what follows the load in a run: the cross-year
    refresh of the run's agencies, the row counts of every table and view, the summary.
    Returns the number of reports loaded.
    """
    from datetime import UTC, datetime

    from gaibao_pipeline.db import make_engine, refresh_cross_year, upgrade_schema
    from gaibao_pipeline.db.schema import TABLES, VIEWS
    from gaibao_pipeline.db.summary import row_count, summarize
    from gaibao_pipeline.limits import Limits
    from gaibao_pipeline.orchestration.partitions import MAX_PARTITIONS_PER_RUN
    from gaibao_pipeline.runner.batch import Loaded, process_batch
    from gaibao_pipeline.runner.landing import scan
    from gaibao_pipeline.runner.stages import register

    engine = make_engine(db_url)
    upgrade_schema(engine)
    files = scan(landing)
    loaded = 0
    for first in range(0, len(files), MAX_PARTITIONS_PER_RUN):
        chunk = files[first : first + MAX_PARTITIONS_PER_RUN]
        sources = [register(f.key, landing, f.relative_path) for f in chunk]
        events = process_batch(
            sources, Limits(), workers, engine, run_id="bench-direct", loaded_at=datetime.now(UTC)
        )
        loaded += sum(1 for event in events if isinstance(event, Loaded) and event.result is not None)
        refresh_cross_year(engine, {s.report_id for s in sources}, {}, run_id="bench-direct")
        for table in (*TABLES, *VIEWS):
            row_count(engine, table)
        summarize(engine)
    engine.dispose()
    return loaded


# --- a kept DAGSTER_HOME -------------------------------------------------------------------------


def kept_home(home: Path, storage: str, instance_url: str | None) -> Path:
    """A fresh DAGSTER_HOME with the project's dagster.yaml (run queue, launcher, monitoring),
    its storage on PostgreSQL at `instance_url`, or the default SQLite files in `home`."""
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    config = PROJECT_DAGSTER_YAML.read_text(encoding="utf-8")
    if storage == "postgres":
        if "\nstorage:" in f"\n{config}":
            raise SystemExit(f"{PROJECT_DAGSTER_YAML} names a storage already; adapt kept_home")
        config = f"storage:\n  postgres:\n    postgres_url: '{instance_url}'\n\n{config}"
    # The project's run monitoring fails a run that takes more than its start_timeout_seconds to
    # start; on a loaded 2-core machine the second of two concurrent runs has taken longer (1,000
    # reports, load ~11). A benchmark measures cost, so it waits; everything else is as shipped.
    config = re.sub(r"start_timeout_seconds: *\d+", f"start_timeout_seconds: {BENCH_START_TIMEOUT}", config)
    (home / "dagster.yaml").write_text(config, encoding="utf-8")
    return home


def instance_figures(home: Path, storage: str, instance_db: str | None, empty_bytes: int) -> dict[str, Any]:
    """What the instance holds after a run: events by type (count, bytes), check executions, size."""
    if storage == "postgres":
        assert instance_db is not None
        return _postgres_instance_figures(instance_db, empty_bytes) | {
            "step_output_bytes": folder_bytes(home / "storage")
        }
    return _sqlite_instance_figures(home)


def _postgres_instance_figures(name: str, empty_bytes: int) -> dict[str, Any]:
    import sqlalchemy as sa

    engine = sa.create_engine(database_url(name))
    try:
        with engine.connect() as conn:
            events = {
                str(kind or "log"): {"count": int(count), "bytes": int(size or 0)}
                for kind, count, size in conn.execute(
                    sa.text(
                        "SELECT dagster_event_type, count(*), sum(octet_length(event)) "
                        "FROM event_logs GROUP BY 1 ORDER BY 2 DESC"
                    )
                )
            }
            checks = int(conn.execute(sa.text("SELECT count(*) FROM asset_check_executions")).scalar_one())
            # a row still PLANNED keeps the run's planned event (with its partition range) as its
            # evaluation_event; an evaluated one the evaluation
            by_status = {
                str(status): {"count": int(count), "bytes": int(size or 0)}
                for status, count, size in conn.execute(
                    sa.text(
                        "SELECT execution_status, count(*), sum(octet_length(evaluation_event)) "
                        "FROM asset_check_executions GROUP BY 1 ORDER BY 2 DESC"
                    )
                )
            }
            tables = {
                str(table): int(size)
                for table, size in conn.execute(
                    sa.text(
                        "SELECT relname, pg_total_relation_size(c.oid) FROM pg_class c "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 2 DESC"
                    )
                )
            }
            total = int(conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar_one())
    finally:
        engine.dispose()
    return {
        "events": events,
        "check_executions": checks,
        "check_executions_bytes": tables.get("asset_check_executions", 0),
        "check_executions_by_status": by_status,
        "event_logs_bytes": tables.get("event_logs", 0),
        "tables_bytes": dict(list(tables.items())[:8]),
        "instance_bytes": total - empty_bytes,
        "instance_bytes_note": "pg_database_size after the run minus that of the empty database",
    }


def _sqlite_instance_figures(home: Path) -> dict[str, Any]:
    """SQLite instances keep one event database per run (`.db`: runless events) plus an index
    (index.db) that repeats the asset events; the per-run databases are counted."""
    import sqlite3

    events: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    checks = 0
    history = home / "history"
    for db in sorted(history.rglob("*.db")):
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "event_logs" in names and db.name != "index.db":  # the index repeats asset events
                for kind, count, size in conn.execute(
                    "SELECT dagster_event_type, count(*), sum(length(event)) FROM event_logs GROUP BY 1"
                ):
                    events[str(kind or "log")] += int(count)
                    sizes[str(kind or "log")] += int(size or 0)
            if "asset_check_executions" in names:
                checks += int(conn.execute("SELECT count(*) FROM asset_check_executions").fetchone()[0])
    instance_bytes = sum(folder_bytes(home / sub) for sub in ("history", "schedules"))
    return {
        "events": {k: {"count": c, "bytes": sizes[k]} for k, c in events.most_common()},
        "check_executions": checks,
        "check_executions_bytes": None,
        "instance_bytes": instance_bytes,
        "instance_bytes_note": "SQLite files under DAGSTER_HOME/history and /schedules",
        "step_output_bytes": folder_bytes(home / "storage"),
    }


@dataclass
class Storage:
    """Where one Dagster measurement keeps its instance and its report tables."""

    kind: str  # postgres | sqlite
    home: Path
    instance_db: str | None
    instance_url: str | None
    instance_empty_bytes: int
    reports_db: str
    reports_empty_bytes: int

    @classmethod
    def fresh(cls, kind: str, home: Path) -> Storage:
        instance_db = INSTANCE_DB if kind == "postgres" else None
        empty = fresh_database(instance_db) if instance_db else 0
        url = database_url(instance_db) if instance_db else None
        kept_home(home, kind, url)
        return cls(kind, home, instance_db, url, empty, REPORTS_DB, fresh_database(REPORTS_DB))

    def figures(self, n: int) -> dict[str, Any]:
        figures = instance_figures(self.home, self.kind, self.instance_db, self.instance_empty_bytes)
        figures["reports_db_bytes"] = database_bytes(self.reports_db) - self.reports_empty_bytes
        figures["loaded_reports"] = loaded_reports(database_url(self.reports_db))
        figures["n"] = n
        return figures


def loaded_reports(url: str) -> int:
    import sqlalchemy as sa

    from gaibao_pipeline.db import make_engine
    from gaibao_pipeline.db.schema import source_files

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(source_files)).scalar_one())
    finally:
        engine.dispose()


# --- the three measurements ----------------------------------------------------------------------


def measure_without(landing: Path, workers: int, log: Path) -> dict[str, Any]:
    empty = fresh_database(REPORTS_DB)
    url = database_url(REPORTS_DB)
    argv = [sys.executable, __file__, "direct", "--landing", str(landing), "--db-url", url]
    measured = run_child([*argv, "--workers", str(workers)], child_env(), log)
    return asdict(measured) | {
        "reports_db_bytes": database_bytes(REPORTS_DB) - empty,
        "loaded_reports": loaded_reports(url),
    }


def measure_gaibao_run(landing: Path, storage: str, n: int, log: Path) -> dict[str, Any]:
    """`gaibao run` over the landing folder with a kept, fresh DAGSTER_HOME."""
    kept = Storage.fresh(storage, WORK / "home-run")
    argv = [sys.executable, "-m", "gaibao_pipeline.cli", "run", "--landing", str(landing)]
    argv += ["--database-url", database_url(kept.reports_db), "--no-progress"]
    measured = run_child(argv, child_env(DAGSTER_HOME=str(kept.home)), log)
    return asdict(measured) | kept.figures(n)


@dataclass
class TreeSampler:
    """Samples a process tree: the latest CPU (own + reaped children) of each run worker, and the
    own CPU of the daemon and its other processes (start-up, polling, launching runs).

    Runs launched by the daemon execute in processes the code server (`dagster api grpc`)
    spawns; their steps and reader workers are their children, reaped before they exit.
    """

    root: int
    cpu: dict[int, float] = field(default_factory=dict)  # run worker pid → own + children CPU
    own: dict[int, float] = field(default_factory=dict)  # other pid → own CPU
    roles: dict[int, str] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        import psutil

        root = psutil.Process(self.root)
        self.roles[self.root] = "daemon"
        while not self.stop.is_set():
            try:
                tree = [root, *root.children(recursive=True)]
            except psutil.Error:
                return
            for proc in tree:
                try:
                    role = self.roles.get(proc.pid) or self._role(proc)
                    self.roles[proc.pid] = role
                    t = proc.cpu_times()
                    if role == "run worker":
                        self.cpu[proc.pid] = t.user + t.system + t.children_user + t.children_system
                    elif role != "in a run":
                        self.own[proc.pid] = t.user + t.system
                except psutil.Error:
                    continue
            self.stop.wait(SAMPLE_SECONDS)

    def own_cpu_by_role(self) -> dict[str, float]:
        out: Counter[str] = Counter()
        for pid, seconds in self.own.items():
            out[self.roles[pid]] += seconds
        return dict(out)

    def _role(self, proc: Any) -> str:
        cmdline = " ".join(proc.cmdline())
        if "api grpc" in cmdline:
            return "code server"
        parent = proc.parent()
        if parent is not None and self.roles.get(parent.pid) in ("run worker", "in a run"):
            return "in a run"  # a step or reader process: counted in its run worker's children
        parent_cmd = " ".join(parent.cmdline()) if parent is not None else ""
        if "api grpc" in parent_cmd and "resource_tracker" not in cmdline:
            return "run worker"
        return "other"


def _union_seconds(intervals: Iterable[tuple[float, float]]) -> float:
    total, end = 0.0, float("-inf")
    for start, stop in sorted(intervals):
        if stop > end:
            total += stop - max(start, end)
            end = stop
    return total


def _wait_for_daemon(instance: Any, since: float, timeout: float = 180.0) -> None:
    """Until the daemon's backfill and run-queue daemons have sent a heartbeat after `since`."""
    wanted = {"BACKFILL", "QUEUED_RUN_COORDINATOR"}
    deadline = time.time() + timeout
    while time.time() < deadline:
        beats = instance.get_daemon_heartbeats()
        if all(k in beats and beats[k].timestamp >= since for k in wanted):
            return
        time.sleep(0.5)
    raise SystemExit(f"dagster-daemon sent no heartbeat within {timeout:.0f} s")


def submit_backfill(instance: Any) -> str:
    """A backfill of every partition of load_reports' assets, as the UI's "Materialize all" submits it."""
    import dagster as dg
    from dagster._core.execution.backfill import PartitionBackfill
    from dagster._core.utils import make_new_backfill_id

    from gaibao_pipeline.orchestration.definitions import defs
    from gaibao_pipeline.orchestration.jobs import load_reports_job

    asset_graph = defs.resolve_asset_graph()
    selection = sorted(load_reports_job.selection.resolve(asset_graph))
    backfill = PartitionBackfill.from_asset_partitions(
        backfill_id=make_new_backfill_id(),
        asset_graph=asset_graph,
        partition_names=None,
        asset_selection=selection,
        backfill_timestamp=time.time(),
        tags={},
        dynamic_partitions_store=instance,
        all_partitions=True,
        title="bench: all reports",
        description=None,
        run_config=None,
    )
    instance.add_backfill(backfill)
    assert isinstance(backfill.backfill_id, str) and dg  # dg: the public API is loaded
    return backfill.backfill_id


def _stop(process: subprocess.Popen[bytes], grace: float = 60.0) -> resource.struct_rusage | None:
    """Stop the daemon we started (SIGINT, then SIGKILL to its own session); its tree's rusage."""
    process.send_signal(signal.SIGINT)
    deadline = time.time() + grace
    while time.time() < deadline:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return usage
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)  # the session started for it: the daemon and its children
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return usage


def measure_daemon_backfill(landing: Path, storage: str, n: int, log: Path) -> dict[str, Any]:
    """The UI path: landing plan registration, a backfill of every partition, the daemon's run queue."""
    import dagster as dg
    from dagster._core.execution.backfill import BULK_ACTION_TERMINAL_STATUSES
    from dagster._core.storage.tags import BACKFILL_ID_TAG

    kept = Storage.fresh(storage, WORK / "home-daemon")
    env = child_env(
        DAGSTER_HOME=str(kept.home),
        GAIBAO_DATABASE_URL=database_url(kept.reports_db),
        GAIBAO_LANDING_DIR=str(landing),
    )
    registration = run_child([sys.executable, __file__, "register", "--landing", str(landing)], env, log)
    daemon_bin = Path(sys.executable).with_name("dagster-daemon")
    with log.open("ab") as out:
        started = time.time()
        daemon = subprocess.Popen(
            [str(daemon_bin), "run", "-w", str(REPO / "workspace.yaml")],
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so that a daemon that will not stop can be killed with its tree
        )
    sampler = TreeSampler(daemon.pid)
    thread = threading.Thread(target=sampler.run, daemon=True)
    thread.start()
    instance = dg.DagsterInstance.from_config(str(kept.home))
    try:
        _wait_for_daemon(instance, started)
        submitted = time.time()
        backfill_id = submit_backfill(instance)
        deadline = submitted + BACKFILL_TIMEOUT_SECONDS
        runs: list[Any] = []
        while time.time() < deadline:
            backfill = instance.get_backfill(backfill_id)
            runs = instance.get_run_records(dg.RunsFilter(tags={BACKFILL_ID_TAG: backfill_id}))
            finished = all(r.dagster_run.is_finished for r in runs)
            if backfill.status in BULK_ACTION_TERMINAL_STATUSES and finished:
                break
            if daemon.poll() is not None:
                raise SystemExit(f"dagster-daemon exited ({daemon.returncode}); see {log}")
            time.sleep(1.0)
        else:
            raise SystemExit(f"backfill not done after {BACKFILL_TIMEOUT_SECONDS:.0f} s; see {log}")
        completed = time.time()
        status = backfill.status.value
    finally:
        sampler.stop.set()
        thread.join()
        usage = _stop(daemon)
        instance.dispose()
    intervals = sorted((r.start_time, r.end_time) for r in runs if r.start_time and r.end_time)
    own_time = _union_seconds(intervals)
    gaps, latest_end = [], intervals[0][1] if intervals else 0.0
    for start, stop in intervals[1:]:
        gaps.append(max(0.0, start - latest_end))
        latest_end = max(latest_end, stop)
    worker_cpu = sum(sampler.cpu.values())
    result = {
        "wall": registration.wall + own_time,
        "cpu": registration.cpu + worker_cpu,
        "registration": asdict(registration),
        "runs_own_seconds": own_time,
        "runs_sum_seconds": sum(stop - start for start, stop in intervals),
        "run_worker_cpu": worker_cpu,
        "run_workers_sampled": len(sampler.cpu),
        "daemon_reaped_cpu": _cpu(usage) if usage else None,  # what wait4 saw: not every descendant
        "daemon_own_cpu": sampler.own_cpu_by_role(),  # start-up, polling and launching, not runs
        "backfill_status": status,
        "runs": [
            {
                "status": r.dagster_run.status.value,
                "created_after_submit": r.create_timestamp.timestamp() - submitted,
                "seconds": (r.end_time or 0) - (r.start_time or 0),
                "partitions": _partitions_of(r.dagster_run.tags),
            }
            for r in sorted(runs, key=lambda r: r.create_timestamp)
        ],
        "latency": {
            "submit_to_first_start": (intervals[0][0] - submitted) if intervals else None,
            "gaps_between_runs": gaps,
            "last_end_to_backfill_done": (completed - intervals[-1][1]) if intervals else None,
        },
    }
    failed = [r for r in result["runs"] if r["status"] != "SUCCESS"]
    if failed or status != "COMPLETED_SUCCESS":
        raise SystemExit(f"backfill {status}, runs {failed}; see {log}")
    return result | kept.figures(n)


def _partitions_of(tags: dict[str, str]) -> str:
    from gaibao_pipeline.orchestration.partitions import RANGE_END_TAG, RANGE_START_TAG

    if RANGE_START_TAG in tags:
        return f"{tags[RANGE_START_TAG]}..{tags[RANGE_END_TAG]}"
    return tags.get("dagster/partition", "-")


def register_landing(landing: Path) -> int:
    """What the landing sensor does for new files, recorded on DAGSTER_HOME's instance."""
    import dagster as dg

    from gaibao_pipeline.orchestration.landing_plan import plan_landing, record

    with dg.DagsterInstance.get() as instance:
        plan = plan_landing(landing, instance, rerun="changed")
        record(instance, plan)
        return len(plan.registration.new_partitions)


# --- pairs, verdict, projection ------------------------------------------------------------------


def share(with_: float, without: float) -> float:
    """Dagster's share of the run: (with − without) / with."""
    return (with_ - without) / with_ if with_ > 0 else float("nan")


def measure(
    reports: int,
    pairs: int,
    storage: str,
    paths: Sequence[str] = PATHS,
    workers: int | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Alternating pairs of (without Dagster, each Dagster path) on a corpus of `reports`."""
    WORK.mkdir(parents=True, exist_ok=True)
    landing = landing_folder(corpus(reports, seed), reports)
    workers = workers or os.cpu_count() or 1
    log = WORK / "instance_cost.log"
    log.write_bytes(b"")
    measured: list[dict[str, Any]] = []
    try:
        for pair in range(pairs):
            order = ["without", *paths]
            if pair % 2:
                order.reverse()
            row: dict[str, Any] = {"order": order, "load_before": os.getloadavg()[0]}
            for kind in order:
                print(f"  pair {pair + 1}/{pairs}: {kind} …", flush=True)
                if kind == "without":
                    row[kind] = measure_without(landing, workers, log)
                elif kind == "run":
                    row[kind] = measure_gaibao_run(landing, storage, reports, log)
                else:
                    row[kind] = measure_daemon_backfill(landing, storage, reports, log)
                print(f"    {row[kind]['wall']:.1f} s wall, {row[kind]['cpu']:.1f} s CPU", flush=True)
            row["load_after"] = os.getloadavg()[0]
            measured.append(row)
            # what is measured so far survives a later failure (print it with --report-from)
            so_far = {**_meta(reports, storage, paths, workers, landing), "pairs": measured}
            (WORK / "pairs-so-far.json").write_text(
                json.dumps(so_far, indent=1, default=str), encoding="utf-8"
            )
    finally:  # the benchmark's databases, also when a measurement fails
        for name in (INSTANCE_DB, REPORTS_DB):
            drop_database(name)
    return {**_meta(reports, storage, paths, workers, landing), "pairs": measured}


def _meta(reports: int, storage: str, paths: Sequence[str], workers: int, landing: Path) -> dict[str, Any]:
    return {
        "reports": reports,
        "storage": storage,
        "paths": list(paths),
        "workers": workers,
        "landing": str(landing),
        "cores": os.cpu_count(),
    }


def verdicts(result: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Per Dagster path: median over pairs of Dagster's share of CPU and of wall time."""
    out = {}
    for path in result["paths"]:
        rows = result["pairs"]
        out[path] = {
            measure: statistics.median(share(r[path][measure], r["without"][measure]) for r in rows)
            for measure in ("cpu", "wall")
        }
    return out


def _median(rows: list[dict[str, Any]], path: str, key: str) -> float:
    return statistics.median(float(r[path][key]) for r in rows)


def projection(result: dict[str, Any], sizes: Sequence[int] = PROJECT_SIZES) -> list[dict[str, Any]]:
    """Time, report database and instance size at `sizes` reports, from the medians per report."""
    n, rows = result["reports"], result["pairs"]
    lines = []
    for path in ("without", *result["paths"]):
        wall_ms = _median(rows, path, "wall") / n * 1000
        cpu_ms = _median(rows, path, "cpu") / n * 1000
        reports_db = _median(rows, path, "reports_db_bytes") / n
        last = rows[-1][path]
        instance = float(last.get("instance_bytes", 0)) / n
        outputs = float(last.get("step_output_bytes", 0)) / n
        events = sum(e["count"] for e in last.get("events", {}).values()) / n
        for size in sizes:
            lines.append(
                {
                    "path": path,
                    "reports": size,
                    "wall_ms_per_report": wall_ms,
                    "cpu_ms_per_report": cpu_ms,
                    "hours_by_machines": {m: size * wall_ms / 1000 / 3600 / m for m in MACHINES},
                    "instance_events_per_second_by_machines": {
                        m: events * m * 1000 / wall_ms if wall_ms else 0.0 for m in MACHINES
                    },
                    "reports_db_bytes": reports_db * size,
                    "instance_bytes": instance * size,
                    "step_output_bytes": outputs * size,
                    "events": events * size,
                }
            )
    return lines


def _size(b: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(b) < 1000 or unit == "TB":
            return f"{b:.0f} {unit}" if unit == "B" else f"{b:.1f} {unit}"
        b /= 1000
    return f"{b:.1f} TB"


def _duration(hours: float) -> str:
    return f"{hours * 60:.0f} min" if hours < 1 else f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} d"


def report(result: dict[str, Any]) -> str:
    """The printed figures: every pair, the verdicts, the instance's contents, the projection."""
    n, rows, paths = result["reports"], result["pairs"], result["paths"]
    names = {"without": "without Dagster", "run": "gaibao run, kept", "daemon": "daemon backfill"}
    out = [
        f"kept-instance cost: {n} mixed reports, instance storage {result['storage']}, "
        f"{result['cores']} cores, {len(rows)} alternating pairs",
        "",
        "pair | "
        + " | ".join(f"{names[p]} wall / CPU s" for p in ("without", *paths))
        + " | "
        + " | ".join(f"{p}: Dagster's share CPU / wall" for p in paths)
        + " | load",
    ]
    for i, r in enumerate(rows, 1):
        cells = [f"{r[p]['wall']:.1f} / {r[p]['cpu']:.1f}" for p in ("without", *paths)]
        shares = [
            f"{share(r[p]['cpu'], r['without']['cpu']):.0%} / {share(r[p]['wall'], r['without']['wall']):.0%}"
            for p in paths
        ]
        out.append(
            f"{i} | " + " | ".join(cells + shares) + f" | {r['load_before']:.1f}→{r['load_after']:.1f}"
        )
    out.append("")
    for path, v in verdicts(result).items():
        met = "met" if max(v["cpu"], v["wall"]) <= 0.25 else "NOT met"
        out.append(
            f"verdict {names[path]}: Dagster's share (median of pairs) CPU {v['cpu']:.0%}, "
            f"wall {v['wall']:.0%} (target ≤ 25%: {met})"
        )
    for path in paths:
        last = rows[-1][path]
        out += ["", f"{names[path]} (last pair): the instance after the run"]
        total = sum(e["count"] for e in last["events"].values())
        out.append(f"  events per report: {total / n:.2f}")
        for kind, e in last["events"].items():
            out.append(
                f"    {kind:<36} {e['count'] / n:7.2f} per report, "
                f"{e['bytes'] / max(e['count'], 1):6.0f} B each"
            )
        check_bytes = last.get("check_executions_bytes")
        out.append(
            f"  asset_check_executions: {last['check_executions']} rows "
            f"({last['check_executions'] / n:.2f} per report)"
            + (f", {_size(check_bytes)}" if check_bytes is not None else "")
        )
        for status, c in last.get("check_executions_by_status", {}).items():
            out.append(
                f"    {status:<10} {c['count'] / n:6.2f} per report, "
                f"event kept {c['bytes'] / max(c['count'], 1):6.0f} B each"
            )
        out.append(
            f"  instance size {_size(last['instance_bytes'])} "
            f"({_size(last['instance_bytes'] / n)} per report; "
            f"{last['instance_bytes_note']}); step outputs under DAGSTER_HOME/storage "
            f"{_size(last['step_output_bytes'])}; report database {_size(last['reports_db_bytes'])}; "
            f"{last['loaded_reports']} reports in it"
        )
        if path == "daemon":
            lat = last["latency"]
            runs = "; ".join(f"{r['partitions']} {r['seconds']:.1f} s" for r in last["runs"])
            own = ", ".join(f"{role} {cpu:.1f} s" for role, cpu in last.get("daemon_own_cpu", {}).items())
            out.append(
                f"  runs ({len(last['runs'])}): {runs}; their own time {last['runs_own_seconds']:.1f} s "
                f"(sum {last['runs_sum_seconds']:.1f} s), run workers' CPU {last['run_worker_cpu']:.1f} s; "
                f"registration {last['registration']['wall']:.1f} s wall, "
                f"{last['registration']['cpu']:.1f} s CPU"
            )
            gaps = ", ".join(f"{g:.1f}" for g in lat["gaps_between_runs"]) or "-"
            out.append(
                f"  scheduling latency (not per-report cost): submit → first run start "
                f"{lat['submit_to_first_start']:.1f} s; idle gaps between runs {gaps} s; last run end → "
                f"backfill done {lat['last_end_to_backfill_done']:.1f} s; own CPU outside runs: {own}"
            )
    out += [
        "",
        "projection from the medians per report (time at the rate measured on this machine's "
        f"{result['cores']} cores, each run's fixed costs included at this run size; k machines assume "
        "linear scaling of the runs, with one shared instance and report database)",
        "path | reports | ms/report wall (CPU) | 1 machine | 2 | 4 | 8 | report DB | instance "
        "| step outputs | events | instance events/s at 1 / 8 machines",
    ]
    for line in projection(result):
        hours = line["hours_by_machines"]
        rate = line["instance_events_per_second_by_machines"]
        out.append(
            f"{names[line['path']]} | {line['reports']:,} | {line['wall_ms_per_report']:.0f} "
            f"({line['cpu_ms_per_report']:.0f}) | "
            + " | ".join(_duration(hours[m]) for m in MACHINES)
            + f" | {_size(line['reports_db_bytes'])} | {_size(line['instance_bytes'])} | "
            f"{_size(line['step_output_bytes'])} | {line['events']:,.0f} | {rate[1]:.0f} / {rate[8]:.0f}"
        )
    return "\n".join(out)


# --- command line ------------------------------------------------------------------------------


def _internal(argv: list[str]) -> None:
    """The measured child processes: `direct` (the work without Dagster) and `register`."""
    parser = argparse.ArgumentParser(prog=f"instance_cost.py {argv[0]}")
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--db-url")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv[1:])
    if argv[0] == "direct":
        print(f"{direct_work(args.landing, args.db_url, args.workers)} reports loaded without Dagster")
    else:
        print(f"{register_landing(args.landing)} partitions registered")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("direct", "register"):
        _internal(sys.argv[1:])
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--storage", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--paths", default=",".join(PATHS), help="run,daemon (default: both)")
    parser.add_argument("--workers", type=int, help="reader processes without Dagster (default: cores)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--result", type=Path, help="JSON of the figures (default: bench/output/…)")
    parser.add_argument(
        "--report-from", type=Path, help="print the figures of a saved result (or pairs-so-far)"
    )
    args = parser.parse_args()
    if args.report_from:
        print(report(json.loads(args.report_from.read_text(encoding="utf-8"))))
        return
    paths = [p for p in args.paths.split(",") if p]
    if unknown := set(paths) - set(PATHS):
        parser.error(f"unknown paths {sorted(unknown)}")
    result = measure(args.reports, args.pairs, args.storage, paths, args.workers, args.seed)
    result["projection"] = projection(result)
    result["verdicts"] = verdicts(result)
    target = args.result or OUTPUT / f"instance_cost-{args.storage}-{args.reports}.json"
    target.write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    print()
    print(report(result))
    print(f"\nfigures: {target}")


if __name__ == "__main__":  # the reader workers are spawned: they must not rerun the benchmark
    main()
