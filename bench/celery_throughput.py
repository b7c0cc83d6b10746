"""Throughput of a backfill on Celery workers: 1 and 2 workers, and the same runs in-process.

    python bench/celery_throughput.py                  # 300 reports, 3 runs, 2 rounds
    python bench/celery_throughput.py -n 600 --per-run 100 --rounds 3

Each measurement is a backfill of the same generated corpus by `load_reports` over ranges of
`--per-run` reports, at most `--at-once` runs at a time (the run queue's `max_concurrent_runs`),
each run started as `dagster job execute` with a PostgreSQL instance storage, into a PostgreSQL
report database: with GAIBAO_EXECUTOR=in_process (every step in the run's process: the
reference) and with GAIBAO_EXECUTOR=celery on 1 and on 2 Celery workers started beforehand
(`--pool=solo`, the step's own reader processes inside). Every measurement gets databases of
its own (`gaibao_bench_celery_*`, created on the server of `--postgres` and dropped after),
never the shared `test` database. The configurations alternate within each round, and the
figures are medians over the rounds.

Printed per configuration: wall time, reports/s, and CPU seconds of every process of the
backfill (the runs' processes and the workers with their reader processes), per report.
On one machine, two workers share its cores: what this shows is the cost of distributing
steps through the broker, not the gain of a second machine (which adds its cores).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gaibao_pipeline.synth.corpus import write_corpus
from tests.support.celery import (
    broker_unreachable,
    broker_url,
    celery_deployment,
    celery_workers,
    fresh_database,
    register_landing,
    run_ranges,
)

DEFAULT_POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
CONFIGURATIONS = ("in-process", "celery, 1 worker", "celery, 2 workers")
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Measured:
    configuration: str
    wall: float
    cpu: float
    reports: int


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _process_cpu(pid: int) -> float:
    """CPU seconds of a live process and of its children it has waited for (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / TICKS  # utime stime cutime cstime


def measure(
    configuration: str, corpus: Path, server: str, per_run: int, at_once: int, work: Path
) -> Measured:
    workers = {"in-process": 0, "celery, 1 worker": 1, "celery, 2 workers": 2}[configuration]
    with (
        fresh_database(server, "gaibao_bench_celery_instance") as storage_url,
        fresh_database(server, "gaibao_bench_celery_reports") as database_url,
        tempfile.TemporaryDirectory(dir=work) as temp,
    ):
        kind = "celery" if workers else "in_process"
        deployment = celery_deployment(Path(temp), corpus, storage_url, database_url, kind=kind)
        ranges = register_landing(deployment, per_run)
        n_reports = len(list(corpus.iterdir()))
        with celery_workers(deployment, workers) as processes:
            workers_before = sum(_process_cpu(p.pid) for p in processes)
            children_before = _children_cpu()
            start = time.perf_counter()
            statuses = run_ranges(deployment, ranges, at_once=at_once)
            wall = time.perf_counter() - start
            cpu = _children_cpu() - children_before
            cpu += sum(_process_cpu(p.pid) for p in processes) - workers_before
        failed = [s for s in statuses if s.value != "SUCCESS"]
        if failed:
            raise SystemExit(f"{configuration}: {len(failed)} runs did not succeed; see {deployment.logs}")
    return Measured(configuration, wall, cpu, n_reports)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=300, help="reports in the corpus (default 300)")
    parser.add_argument("--per-run", type=int, default=100, help="reports per run (default 100)")
    parser.add_argument("--at-once", type=int, default=2, help="runs at a time (default 2)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of the three configurations")
    parser.add_argument("--formats", default="text,html,docx,pdf")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="server on which to create databases")
    args = parser.parse_args()
    reason = broker_unreachable(broker_url())
    if reason:
        raise SystemExit(reason)
    with tempfile.TemporaryDirectory(prefix="gaibao-bench-celery-") as temp:
        work = Path(temp)
        written = write_corpus(
            work / "corpus", args.n, seed=7, formats=args.formats.split(","), pdf_engine="builtin"
        )
        print(
            f"corpus: {written.n_files} reports {written.by_format}; "
            f"{args.per_run} per run, {args.at_once} at once"
        )
        results: dict[str, list[Measured]] = {c: [] for c in CONFIGURATIONS}
        for round_no in range(args.rounds):
            order = CONFIGURATIONS if round_no % 2 == 0 else tuple(reversed(CONFIGURATIONS))
            for configuration in order:
                m = measure(
                    configuration, written.reports_dir, args.postgres, args.per_run, args.at_once, work
                )
                results[configuration].append(m)
                print(
                    f"  round {round_no + 1} {configuration:18} {m.wall:7.1f} s wall  "
                    f"{m.reports / m.wall:5.2f} reports/s  {m.cpu:7.1f} CPU s",
                    flush=True,
                )
    print(f"\nmedians over {args.rounds} rounds ({os.cpu_count()} cores):")
    print(f"{'configuration':20} {'wall s':>8} {'reports/s':>10} {'CPU s':>8} {'CPU ms/report':>14}")
    reference = statistics.median(m.cpu for m in results[CONFIGURATIONS[0]])
    for configuration, measured in results.items():
        wall = statistics.median(m.wall for m in measured)
        cpu = statistics.median(m.cpu for m in measured)
        n = measured[0].reports
        print(
            f"{configuration:20} {wall:8.1f} {n / wall:10.2f} {cpu:8.1f} {1000 * cpu / n:14.1f}"
            f"   CPU vs in-process {cpu / reference:5.2f}x"
        )


if __name__ == "__main__":
    main()
