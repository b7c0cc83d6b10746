"""The benchmark: throughput, accuracy, memory and scaling of gaibao_pipeline, in one run.

    python bench/run.py                      # full: 1,000-report corpus, sizes 100,1000,10000
    python bench/run.py --sizes 100,1000     # without the long 10,000-report point
    python bench/run.py --quick              # a few minutes: small corpus, sizes 50,200

Figures go to the console (a table) and to bench/output/results.json. Every phase runs in
a fresh process whose peak memory (with its reader workers) is sampled. Every comparison
(parse against its floor, a run with Dagster against the same work without it) is made of
alternating pairs run one after the other in this run; the verdict is the median of the
pairs' ratios of CPU time (the phase's process and all its workers), which the machine's
other load moves much less than wall time; the wall-time median is printed beside it.
Corpora are generated once under bench/output/corpora/ and reused while their parameters
are unchanged. This is a script that prints figures: no timing is ever asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import machine
import startup
import summary
from generate import generate
from memory import PeakSampler

from gaibao_pipeline.synth.corpus import FORMATS, GENERATOR_VERSION

HERE = Path(__file__).parent
REPO_ROOT = HERE.parent
PHASES = HERE / "phases.py"
# The benchmark's own database on the local server, created when missing; it creates and
# drops schemas there only (never in a database other work uses).
DEFAULT_POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432/gaibao_bench"
SHARED_DATABASES = frozenset({"test", "postgres", "template0", "template1"})
SCALE_FORMATS = ["text", "html", "docx", "pdf"]
# Real reports in the repository whose text pdfium can read (the scan would measure OCR).
REAL_PDFS = [REPO_ROOT / "gaibao_pipeline" / "sample_corpus" / "hongze2023.pdf"]


def corpus(out: Path, name: str, n: int, seed: int, formats: list[str], engine: str) -> Path:
    """A generated corpus, reused when one with the same parameters is already there."""
    folder = out / "corpora" / f"{name}-{n}-seed{seed}-{engine}"
    manifest = folder / "manifest.json"
    if manifest.is_file():
        known = json.loads(manifest.read_text(encoding="utf-8"))
        same = (known["n"], known["formats"], known.get("generator")) == (n, formats, GENERATOR_VERSION)
        if same and not known["failed"]:
            return folder
    shutil.rmtree(folder, ignore_errors=True)
    generate(folder, n, seed, formats, engine)
    return folder


def subset(source: Path, target: Path, keep: int | None = None, fmt: str | None = None) -> Path:
    """Hard links to the first `keep` reports (or those of one format), with their expected records."""
    shutil.rmtree(target, ignore_errors=True)
    (target / "reports").mkdir(parents=True)
    (target / "expected").mkdir()
    records = sorted((source / "expected").glob("*.json"))
    chosen = [r for r in records if fmt is None or json.loads(r.read_text(encoding="utf-8"))["format"] == fmt]
    for record in chosen[:keep]:
        file = json.loads(record.read_text(encoding="utf-8"))["file"]
        os.link(source / "reports" / file, target / "reports" / file)
        os.link(record, target / "expected" / record.name)
    return target


def phase(work: Path, name: str, *args: str) -> dict[str, Any]:
    """Run one phase in a fresh process; its figures plus wall time and peak memory."""
    result = work / f"result-{uuid.uuid4().hex[:8]}.json"
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "GAIBAO_DATABASE_URL")}
    env["GAIBAO_REVIEW_DIR"] = str(work / "review")  # the invariant check writes review pages
    command = [sys.executable, str(PHASES), name, *args, "--result", str(result)]
    print(f"  {name} {' '.join(args)}", flush=True)
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=work, env=env)
    with PeakSampler(process.pid) as sampler:
        # wait4 gives the CPU time of the phase and of every worker it waited for
        _, status, usage = os.wait4(process.pid, 0)
    process.returncode = code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"phase {name} failed with exit code {code}")
    figures: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
    figures["phase"] = name
    figures["wall_seconds"] = time.perf_counter() - start
    figures["tree_cpu_seconds"] = usage.ru_utime + usage.ru_stime
    # other work on the machine shows as a load above the phase's own processes
    figures["load_average"] = [load_before, os.getloadavg()[0]]
    figures["peak_rss_tree_mb"] = sampler.peak_tree / 2**20
    figures["peak_rss_main_mb"] = sampler.peak_main / 2**20
    return figures


def sqlite_url(work: Path, name: str) -> str:
    path = work / f"{name}.sqlite"
    for stale in work.glob(f"{name}.sqlite*"):
        stale.unlink()
    return f"sqlite:///{path.as_posix()}"


def ensure_database(url: str) -> str:
    """Create the URL's database on its server when missing (through the server's `postgres`
    database, in autocommit: CREATE DATABASE cannot run in a transaction); its server version."""
    import sqlalchemy as sa

    target = sa.make_url(url)
    name = target.database or ""
    if name in SHARED_DATABASES:
        raise SystemExit(f"the benchmark needs a database of its own, not {name!r}: see --postgres-url")
    server = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if exists.scalar() is None:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            return str(conn.execute(sa.text("SHOW server_version")).scalar())
    finally:
        server.dispose()


@contextmanager
def postgres_schema(url: str | None) -> Iterator[tuple[str | None, str | None]]:
    """(URL of a fresh schema in the benchmark's database, server version), dropped afterwards;
    (None, reason) if the server is unreachable."""
    if not url:
        yield None, "skipped (--no-postgres)"
        return
    import sqlalchemy as sa

    from gaibao_pipeline.db import make_engine

    schema = f"gaibao_bench_{uuid.uuid4().hex[:10]}"
    try:
        version = ensure_database(url)
        admin = make_engine(url)
    except Exception as exc:  # any failure to connect: the figures say why PostgreSQL is missing
        yield None, f"unreachable: {type(exc).__name__}: {str(exc).strip()[:160]}"
        return
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        yield (
            sa.make_url(url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False),
            version,
        )
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


FRESH_SQLITE = "fresh-sqlite:"  # in a pair's arguments: a new SQLite database for each phase


def _fresh(work: Path, args: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(
        sqlite_url(work, a.removeprefix(FRESH_SQLITE)) if a.startswith(FRESH_SQLITE) else a for a in args
    )


def pairs(work: Path, count: int, first: tuple[str, ...], second: tuple[str, ...]) -> list[dict[str, Any]]:
    """`count` pairs of two phases run one after the other, the order swapped every pair so
    that neither side always runs on a warmer (or busier) machine: [{"a": ..., "b": ...}].
    An argument `fresh-sqlite:NAME` is a new, empty SQLite database for each phase (a run into
    the previous one's database would skip its files as unchanged)."""
    out = []
    for i in range(count):
        if i % 2 == 0:
            a = phase(work, *_fresh(work, first))
            b = phase(work, *_fresh(work, second))
        else:
            b = phase(work, *_fresh(work, second))
            a = phase(work, *_fresh(work, first))
        out.append({"a": a, "b": b})
        summary.print_pair(i + 1, a, b)
    return out


def real_pdfs(work: Path, copies: int) -> Path:
    """A corpus of the repository's real text PDFs, each linked `copies` times (one file's
    parse is too short to time on its own)."""
    folder = work / "real-pdfs"
    (folder / "reports").mkdir(parents=True, exist_ok=True)
    for source in REAL_PDFS:
        for i in range(copies):
            os.link(source, folder / "reports" / f"{source.stem}-{i:03d}.pdf")
    return folder


def measure(args: argparse.Namespace, out: Path, work: Path) -> dict[str, Any]:
    workers = str(args.workers)
    count = args.pairs
    main = corpus(out, "mixed", args.n, args.seed, args.formats.split(","), args.pdf_engine)
    results: dict[str, Any] = {"corpus": json.loads((main / "manifest.json").read_text())["pdf_engine"]}
    print("parse throughput and accuracy (single process, then the worker pool)")
    results["parse_single"] = phase(work, "parse", "--corpus", str(main), "--workers", "0")
    results["parse_pool"] = phase(work, "parse", "--corpus", str(main), "--workers", workers)
    # parse against the floor, in one process each, alternating: real PDFs, generated PDFs,
    # and the whole mixed corpus against each format's floor
    real = str(real_pdfs(work, args.real_copies))
    floor_pairs = {
        "real_pdf": (("parse", "--corpus", real, "--workers", "0"), ("floor", "--corpus", real)),
        "generated_pdf": (
            ("parse", "--corpus", str(main), "--workers", "0", "--format", "pdf"),
            ("floor", "--corpus", str(main), "--format", "pdf"),
        ),
        "mixed": (("parse", "--corpus", str(main), "--workers", "0"), ("floor", "--corpus", str(main))),
    }
    results["floor_pairs"] = {}
    for name, (parse_args, floor_args) in floor_pairs.items():
        print(f"parse against its floor, {name.replace('_', ' ')}: {count} alternating pairs")
        results["floor_pairs"][name] = pairs(work, count, floor_args, parse_args)
    print("end to end through Dagster (gaibao run): events and the database's accuracy")
    landing, expected = str(main / "reports"), str(main / "expected")
    bulk = ["--landing", landing, "--db-url", sqlite_url(work, "bulk"), "--expected", expected]
    results["e2e_bulk"] = phase(work, "e2e", *bulk, "--count-events")
    print(f"the same work without Dagster and with it (gaibao run): {count} alternating pairs")
    results["dagster_pairs"] = pairs(
        work,
        count,
        ("direct", "--landing", landing, "--db-url", f"{FRESH_SQLITE}direct"),
        ("e2e", "--landing", landing, "--db-url", f"{FRESH_SQLITE}bulk"),
    )
    pdfs = subset(main, work / "pdf-only", fmt="pdf")
    results["e2e_pdf"] = phase(
        work, "e2e", "--landing", str(pdfs / "reports"), "--db-url", sqlite_url(work, "pdf")
    )
    sample = str(subset(main, work / "per-report", keep=args.per_report) / "reports")
    one_each = ["--landing", sample, "--db-url", sqlite_url(work, "one"), "--batch-size", "1"]
    results["e2e_per_report"] = phase(work, "e2e", *one_each)
    results["e2e_sample_bulk"] = phase(
        work, "e2e", "--landing", sample, "--db-url", sqlite_url(work, "sample")
    )
    rerun = str(subset(main, work / "rerun", keep=min(100, args.n)) / "reports")
    twice = ["--landing", rerun, "--db-url", sqlite_url(work, "rerun"), "--runs", "2"]
    results["e2e_rerun"] = phase(work, "e2e", *twice)
    print("instance storage: the same reports on gaibao run's temporary instance and on kept ones")
    stored = ["--landing", str(subset(main, work / "instance", keep=min(200, args.n)) / "reports")]
    # the same reports without Dagster, so that each instance's overhead is measured on them
    results["instance_storage_direct"] = phase(
        work, "direct", *stored, "--db-url", sqlite_url(work, "instance-direct")
    )
    results["instance_storage"] = {
        kind: phase(
            work, "e2e", *stored, "--db-url", sqlite_url(work, f"instance-{kind}"), "--instance", kind
        )
        for kind in ("temporary", "sqlite")
    }
    with postgres_schema(None if args.no_postgres else args.postgres_url) as (pg_url, _):
        if pg_url:
            kind = ["--instance", "postgresql", "--instance-url", pg_url]
            db = sqlite_url(work, "instance-postgresql")
            results["instance_storage"]["postgresql"] = phase(work, "e2e", *stored, "--db-url", db, *kind)
    print("database load rate")
    with postgres_schema(None if args.no_postgres else args.postgres_url) as (pg_url, pg_note):
        urls = ["--db-url", sqlite_url(work, "load")] + (["--db-url", pg_url] if pg_url else [])
        results["load"] = phase(work, "load", "--corpus", str(main), *urls)
        results["postgres"] = pg_note
    print("start-up: gaibao parse FILE and gaibao run over an empty folder")
    results["startup"] = startup.measure(work, args.startup_repeats)
    results.update(measure_scaling(args, out, work))
    return results


def measure_scaling(args: argparse.Namespace, out: Path, work: Path) -> dict[str, Any]:
    """`gaibao run` over subsets of one scaling corpus (built once, cached under `out`)."""
    results: dict[str, Any] = {}
    print("scaling: end to end at each corpus size")
    biggest = max(args.sizes)
    scale = corpus(out, "scale", biggest, args.seed, args.scale_formats.split(","), args.scale_pdf_engine)
    results["scale_corpus"] = json.loads((scale / "manifest.json").read_text())["pdf_engine"]
    results["scaling"] = {}
    for size in sorted(args.sizes):
        folder = scale if size == biggest else subset(scale, work / f"scale-{size}", keep=size)
        where = ["--landing", str(folder / "reports"), "--db-url", sqlite_url(work, f"scale{size}")]
        results["scaling"][str(size)] = phase(work, "e2e", *where)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=HERE / "output")
    parser.add_argument("-n", type=int, default=1000, help="reports in the mixed corpus (default 1000)")
    parser.add_argument("--sizes", default="100,1000,10000", help="corpus sizes for the scaling runs")
    parser.add_argument("--per-report", type=int, default=30, help="reports run one Dagster run each")
    parser.add_argument(
        "--pairs",
        type=int,
        default=3,
        help="alternating pairs for each comparison (parse/floor, Dagster/without; default 3, at least 3)",
    )
    parser.add_argument("--real-copies", type=int, default=20, help="times each real PDF is parsed per phase")
    parser.add_argument("--startup-repeats", type=int, default=7, help="start-up timings, median (default 7)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--pdf-engine", choices=["auto", "soffice", "builtin"], default="auto")
    parser.add_argument(
        "--scale-formats", default=",".join(SCALE_FORMATS), help="formats of the scaling corpus"
    )
    parser.add_argument(
        "--scale-pdf-engine",
        choices=["auto", "soffice", "builtin"],
        default="auto",
        help="PDFs of the scaling corpus: LibreOffice exports (auto: when installed) or drawn",
    )
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument(
        "--postgres-url", default=os.environ.get("GAIBAO_BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--only-scaling", action="store_true", help="only the scaling runs (--sizes), e.g. the 10,000 point"
    )
    parser.add_argument("--quick", action="store_true", help="small corpus (200), sizes 50,200, 10 runs")
    args = parser.parse_args()
    if args.quick:
        args.n, args.sizes, args.per_report = 200, "50,200", 10
    args.sizes = [int(s) for s in str(args.sizes).split(",")]
    if args.pairs < 3:
        parser.error("--pairs: at least 3 (a median of fewer is one noisy reading)")
    args.out.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    if args.only_scaling:
        with tempfile.TemporaryDirectory(prefix="work-", dir=args.out) as tmp:
            scaled = measure_scaling(args, args.out, Path(tmp))
        scaled["settings"] = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
        scaled["started"] = started.isoformat(timespec="seconds")
        print(summary.render_scaling(scaled))
        stamp = started.strftime("%Y%m%dT%H%M%SZ")
        written = args.out / f"scaling-{stamp}.json"
        written.write_text(json.dumps(scaled, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"\nwritten: {written}")
        return
    with tempfile.TemporaryDirectory(prefix="work-", dir=args.out) as tmp:
        results = measure(args, args.out, Path(tmp))
    results["machine"] = machine.describe(results["postgres"] if "postgresql" in results["load"] else None)
    results["settings"] = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    results["started"] = started.isoformat(timespec="seconds")
    results["minutes"] = round((datetime.now(UTC) - started).total_seconds() / 60, 1)
    results["figures"] = summary.figures(results)
    text = summary.render(results)
    print(text)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    for name in ("results.json", f"results-{stamp}.json"):
        (args.out / name).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    (args.out / f"results-{stamp}.txt").write_text(text, encoding="utf-8")
    print(f"\nwritten: {args.out / 'results.json'}")


if __name__ == "__main__":
    main()
