"""One benchmark phase per invocation, run by `bench/run.py` in a fresh process of its own.

A fresh process per phase keeps phases from warming each other's caches and lets the
orchestrator measure each one's peak memory (the process and its reader workers). Each
phase writes its figures as JSON to `--result`.

    python bench/phases.py parse  --corpus DIR --workers 0|N [--format pdf] --result FILE
    python bench/phases.py floor  --corpus DIR [--format pdf] --result FILE
    python bench/phases.py direct --landing DIR --db-url URL --workers N --result FILE
    python bench/phases.py e2e    --landing DIR --db-url URL [--batch-size N] [--runs 2]
                                  [--instance temporary|sqlite|postgresql --instance-url URL] --result FILE
    python bench/phases.py load   --corpus DIR --db-url URL [--db-url URL] --result FILE
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from gaibao_pipeline.limits import Limits
from gaibao_pipeline.report import Report
from gaibao_pipeline.runner.keys import report_key
from gaibao_pipeline.runner.parse import parse_file, parse_paths
from gaibao_pipeline.synth.expected import score

REPO = Path(__file__).resolve().parents[1]
LOAD_BATCH = 500  # reports per load_reports call, as in one Dagster run


def _expected(corpus: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((corpus / "expected").glob("*.json"))]


def _tally(records: list[dict[str, Any]], reports: dict[str, Report]) -> dict[str, Any]:
    """Accuracy and pages per format for parsed `reports` (by file name)."""
    out: dict[str, Any] = {}
    for record in records:
        report = reports[record["file"]]
        got = score(record, report)
        row = out.setdefault(
            record["format"],
            {
                "n": 0,
                "pages": 0,
                "cells_right": 0,
                "cells_total": 0,
                "perfect": 0,
                "not_ok": 0,
                "examples": [],
            },
        )
        row["n"] += 1
        row["pages"] += report.page_count or 0
        row["cells_right"] += got.cells_right
        row["cells_total"] += got.cells_total
        row["perfect"] += got.perfect
        row["not_ok"] += not report.ok
        if not got.perfect and len(row["examples"]) < 3:
            row["examples"].append(
                {"file": record["file"], "status": report.status.value, "wrong": got.wrong}
            )
    return out


def _cpu() -> float:
    """CPU seconds of this process and of its reaped workers so far."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def _corpus_files(corpus: Path, fmt: str | None) -> list[tuple[str, Path]]:
    """(format, path) of every report of a corpus, or of one format; without expected/ (real
    files) the format comes from the file's extension."""
    records = _expected(corpus)
    if records:
        files = [(r["format"], corpus / "reports" / r["file"]) for r in records]
    else:
        files = [(_format_of(p), p) for p in sorted((corpus / "reports").iterdir()) if p.is_file()]
    return [(f, p) for f, p in files if fmt is None or f == fmt]


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    return {"txt": "text", "htm": "html"}.get(suffix, suffix)


def phase_parse(args: argparse.Namespace) -> dict[str, Any]:
    """Parse every report of the corpus (or of one format): in this process (workers 0) or
    with the worker pool; accuracy when the corpus has its expected values."""
    corpus = Path(args.corpus)
    records = [r for r in _expected(corpus) if args.format is None or r["format"] == args.format]
    by_format: dict[str, list[Path]] = {}
    for fmt, path in _corpus_files(corpus, args.format):
        by_format.setdefault(fmt, []).append(path)
    reports: dict[str, Report] = {}
    seconds: dict[str, float] = {}
    if args.workers == 0 and by_format:  # the readers' imports and first-use set-up: not timed
        parse_file(next(iter(by_format.values()))[0], Limits())
    work_start, cpu_start = time.perf_counter(), _cpu()
    for fmt, paths in by_format.items():
        start = time.perf_counter()
        if args.workers == 0:
            for path in paths:
                reports[path.name] = parse_file(path, Limits())
        else:
            for path, report in parse_paths(paths, Limits(), args.workers):
                reports[path.name] = report
        seconds[fmt] = time.perf_counter() - start
    if records:
        tally = _tally(records, reports)
    else:  # real files: no expected values, only whether they parsed
        tally = {
            fmt: {
                "n": len(paths),
                "pages": sum(reports[p.name].page_count or 0 for p in paths),
                "not_ok": sum(not reports[p.name].ok for p in paths),
            }
            for fmt, paths in by_format.items()
        }
    for fmt, row in tally.items():
        row["seconds"] = seconds[fmt]
    return {
        "workers": args.workers,
        "formats": tally,
        "work_seconds": time.perf_counter() - work_start,
        "work_cpu_seconds": _cpu() - cpu_start,
    }


# The floor: for each format, the cheapest faithful reading of the same files, i.e. getting
# every character of text out of them and nothing more (no layout, no tables, no parse).


def _pdf_text(path: Path) -> tuple[int, int]:
    """pypdfium2's text of every page: the physical floor for reading a PDF."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        chars = 0
        for page in pdf:
            textpage = page.get_textpage()
            chars += len(textpage.get_text_range())
            textpage.close()
            page.close()
        return len(pdf), chars
    finally:
        pdf.close()


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_text(path: Path) -> tuple[int, int]:
    """The text of every paragraph of a DOCX's body, those in table cells included (lxml)."""
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    chars = sum(len("".join(p.itertext())) for p in root.iter(f"{_W}p"))
    return 1, chars


def _zipped_xml_text(path: Path) -> tuple[int, int]:
    """The text of every XML part of a zipped XML format (XLSX, OFD), read with lxml."""
    import zipfile

    from lxml import etree

    chars = 0
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.lower().endswith(".xml"):
                chars += len("".join(etree.fromstring(archive.read(name)).itertext()))
    return 1, chars


def _html_text(path: Path) -> tuple[int, int]:
    """lxml's text of an HTML page (it decodes by the page's declared charset)."""
    import lxml.html

    return 1, len(lxml.html.fromstring(path.read_bytes()).text_content())


def _plain_text(path: Path) -> tuple[int, int]:
    """Decoding a text file: UTF-8, UTF-16 by its BOM, else GB18030 (the corpus's encodings)."""
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return 1, len(data.decode("utf-16"))
    try:
        return 1, len(data.decode("utf-8"))
    except UnicodeDecodeError:
        return 1, len(data.decode("gb18030", errors="replace"))


FLOORS: dict[str, Callable[[Path], tuple[int, int]]] = {
    "pdf": _pdf_text,
    "docx": _docx_text,
    "xlsx": _zipped_xml_text,
    "ofd": _zipped_xml_text,
    "html": _html_text,
    "text": _plain_text,
}


def phase_floor(args: argparse.Namespace) -> dict[str, Any]:
    """The floor of every report of the corpus (or of one format), in this process."""
    files = _corpus_files(Path(args.corpus), args.format)
    formats: dict[str, dict[str, float]] = {}
    for fmt in {f for f, _ in files}:  # each floor's imports and first use: not timed, as for parse
        FLOORS[fmt](next(p for f, p in files if f == fmt))
    work_start, cpu_start = time.perf_counter(), _cpu()
    for fmt, path in files:
        row = formats.setdefault(fmt, {"n": 0, "pages": 0, "chars": 0, "seconds": 0.0})
        start = time.perf_counter()
        pages, chars = FLOORS[fmt](path)
        row["seconds"] += time.perf_counter() - start
        row["n"] += 1
        row["pages"] += pages
        row["chars"] += chars
    return {
        "formats": formats,
        "work_seconds": time.perf_counter() - work_start,
        "work_cpu_seconds": _cpu() - cpu_start,
    }


def _landing_paths(landing: Path) -> Iterator[Path]:
    from gaibao_pipeline.runner.landing import scan

    for landed in scan(landing):
        yield landing / landed.relative_path


def phase_direct(args: argparse.Namespace) -> dict[str, Any]:
    """The work of a bulk run without Dagster: the pure core of every step of `load_reports`.

    In runs of the same size: register (hash) every file as the raw step does; then
    `batch.process_batch` (read and parse in the worker pool, load in chunks) as the per-report
    step does; then what the steps after the load do: the cross-year refresh of the run's
    agencies, the row counts of every table and view, the database summary.
    """
    from datetime import UTC, datetime

    from gaibao_pipeline.db import make_engine, refresh_cross_year, upgrade_schema
    from gaibao_pipeline.db.schema import TABLES, VIEWS
    from gaibao_pipeline.db.summary import row_count, summarize
    from gaibao_pipeline.orchestration.partitions import MAX_PARTITIONS_PER_RUN
    from gaibao_pipeline.runner.batch import Loaded, process_batch
    from gaibao_pipeline.runner.landing import scan
    from gaibao_pipeline.runner.stages import register

    landing = Path(args.landing)
    start = time.perf_counter()
    engine = make_engine(args.db_url[0])
    upgrade_schema(engine)
    files = scan(landing)
    cells = n = 0
    for first in range(0, len(files), MAX_PARTITIONS_PER_RUN):
        sources = [
            register(f.key, landing, f.relative_path) for f in files[first : first + MAX_PARTITIONS_PER_RUN]
        ]
        batch = process_batch(
            sources, Limits(), args.workers, engine, run_id="bench-direct", loaded_at=datetime.now(UTC)
        )
        for event in batch:
            if isinstance(event, Loaded) and event.result is not None:
                n += 1
                cells += event.result.total_cells
        refresh_cross_year(engine, {s.report_id for s in sources}, {}, run_id="bench-direct")
        for table in (*TABLES, *VIEWS):
            row_count(engine, table)
        summarize(engine)
    engine.dispose()
    return {"n": n, "seconds": time.perf_counter() - start, "cells": cells}


def _db_cells_by_file(url: str) -> dict[str, dict[tuple[str, str, str], float | None]]:
    import sqlalchemy as sa

    from gaibao_pipeline.db import make_engine
    from gaibao_pipeline.db.schema import CELL_TABLES, source_files

    engine = make_engine(url)
    out: dict[str, dict[tuple[str, str, str], float | None]] = {}
    with engine.connect() as conn:
        names = dict(conn.execute(sa.select(source_files.c.report_id, source_files.c.file_name)).all())
        for code, table in CELL_TABLES.items():
            query = sa.select(table.c.report_id, table.c.row_code, table.c.col_code, table.c.value)
            for report_id, row, col, value in conn.execute(query):
                out.setdefault(names[report_id], {})[(code, row, col)] = (
                    None if value is None else float(value)
                )
    engine.dispose()
    return out


def _db_accuracy(url: str, expected_dir: Path) -> dict[str, Any]:
    """Cells in the database equal to the values the reports were built from, per format."""
    stored = _db_cells_by_file(url)
    out: dict[str, dict[str, int]] = {}
    for path in sorted(expected_dir.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        cells = stored.get(record["file"], {})
        row = out.setdefault(record["format"], {"cells_right": 0, "cells_total": 0})
        for table, r, c, want in record["cells"]:
            got = cells.get((table, r, c), "missing")
            same = got is None if want is None else isinstance(got, float) and abs(got - want) < 1e-6
            row["cells_right"] += same
            row["cells_total"] += 1
    return out


@contextmanager
def _watching_events(counts: Counter[str], spent: list[float]) -> Iterator[None]:
    """Count the events of every run by type, and add to `spent[0]` the seconds the instance
    spends handling them (`handle_new_event`: storing them, where the instance keeps them)."""
    from dagster._core.instance.methods.event_methods import EventMethods

    handled = EventMethods.handle_new_event

    def watched(self: Any, event: Any, **kwargs: Any) -> None:
        began = time.perf_counter()
        try:
            handled(self, event, **kwargs)
        finally:
            spent[0] += time.perf_counter() - began
            dagster_event = event.dagster_event
            counts[dagster_event.event_type_value if dagster_event else f"log {event.level}"] += 1

    EventMethods.handle_new_event = watched  # type: ignore[method-assign]
    try:
        yield
    finally:
        EventMethods.handle_new_event = handled  # type: ignore[method-assign]


def _kept_instance(home: Path, storage: str, url: str | None) -> None:
    """Make `home` the DAGSTER_HOME: the project's SQLite config, or its storage on PostgreSQL."""
    if storage == "sqlite":
        shutil.copy(REPO / "dagster_home" / "dagster.yaml", home)
    else:  # the project's PostgreSQL example reads its settings from variables; a URL is simpler here
        if not url:
            raise SystemExit("--instance postgresql needs --instance-url")
        (home / "dagster.yaml").write_text(
            f"storage:\n  postgres:\n    postgres_url: '{url}'\ntelemetry:\n  enabled: false\n",
            encoding="utf-8",
        )
    os.environ["DAGSTER_HOME"] = str(home)


def phase_e2e(args: argparse.Namespace) -> dict[str, Any]:
    """`gaibao run` over the landing folder (run_landing_folder), `--runs` times on one instance."""
    from gaibao_pipeline.orchestration.local_run import run_landing_folder

    landing = Path(args.landing)
    event_seconds = [0.0]
    runs: list[dict[str, Any]] = []
    events: Counter[str] = Counter()
    with tempfile.TemporaryDirectory(prefix="gaibao-bench-home-") as home:
        kept = "sqlite" if args.runs > 1 and args.instance == "temporary" else args.instance
        if kept != "temporary":  # a second run must see the first one's instance
            _kept_instance(Path(home), kept, args.instance_url)
        for _ in range(args.runs):
            start = time.perf_counter()
            watching = _watching_events(events, event_seconds) if args.count_events else nullcontext()
            with watching:
                outcome = run_landing_folder(
                    landing, args.db_url[0], batch_size=args.batch_size, show_progress=False
                )
            runs.append(
                {
                    "seconds": time.perf_counter() - start,
                    "n_files": outcome.n_files,
                    "n_skipped": outcome.n_skipped,
                    "dagster_runs": len(outcome.run_ids),
                    "failed_runs": outcome.failed_runs[:3],
                }
            )
    result: dict[str, Any] = {
        "runs": runs,
        "events": dict(events.most_common()),
        "event_seconds": event_seconds[0],
    }
    if args.expected:
        result["db_accuracy"] = _db_accuracy(args.db_url[0], Path(args.expected))
    return result


def phase_load(args: argparse.Namespace) -> dict[str, Any]:
    """Load rate of already parsed reports: batches of 500 (as a run loads) and one at a time."""
    from gaibao_pipeline.db import ReportToLoad, load_report, load_reports, make_engine, upgrade_schema

    landing = Path(args.corpus) / "reports"
    items = []
    for path, report in parse_paths(_landing_paths(landing), Limits(), args.workers):
        relative = path.relative_to(landing).as_posix()
        items.append(ReportToLoad(report, report_key(relative), relative))
    items.sort(key=lambda i: i.source_path)
    results: dict[str, Any] = {}
    for url in args.db_url:
        engine = make_engine(url)
        upgrade_schema(engine)
        start = time.perf_counter()
        cells = 0
        for i in range(0, len(items), LOAD_BATCH):
            cells += sum(
                r.total_cells for r in load_reports(engine, items[i : i + LOAD_BATCH], run_id="bench")
            )
        batched = time.perf_counter() - start
        sample = items[: args.single_sample]
        start = time.perf_counter()
        for item in sample:
            load_report(
                engine, item.report, report_id=item.report_id, source_path=item.source_path, run_id="b"
            )
        single = time.perf_counter() - start
        results[engine.dialect.name] = {
            "n": len(items),
            "cells": cells,
            "seconds_batched": batched,
            "n_single": len(sample),
            "seconds_single": single,
        }
        engine.dispose()
    return results


PHASES: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "parse": phase_parse,
    "floor": phase_floor,
    "direct": phase_direct,
    "e2e": phase_e2e,
    "load": phase_load,
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("phase", choices=sorted(PHASES))
    parser.add_argument("--corpus")
    parser.add_argument("--format", help="parse, floor: only the reports of this format")
    parser.add_argument("--landing")
    parser.add_argument("--expected", help="expected/ folder: check the database's cells after e2e")
    parser.add_argument("--db-url", action="append", default=[])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--instance",
        choices=["temporary", "sqlite", "postgresql"],
        default="temporary",
        help="e2e: gaibao run's temporary instance, or a kept DAGSTER_HOME on SQLite or PostgreSQL",
    )
    parser.add_argument("--instance-url", help="e2e --instance postgresql: the storage's database URL")
    parser.add_argument("--single-sample", type=int, default=100)
    parser.add_argument(
        "--count-events", action="store_true", help="e2e: count the events stored and time storing them"
    )
    parser.add_argument("--result", required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    figures = PHASES[args.phase](args)
    figures["phase_seconds"] = time.perf_counter() - started
    # CPU time of this process and its reaped workers: less sensitive than wall time to
    # other load on the machine
    figures["cpu_seconds"] = _cpu()
    Path(args.result).write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":  # the reader workers are spawned: they must not rerun the phase
    main()
