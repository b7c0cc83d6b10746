"""`gaibao` command line: parse files, fetch reports from websites, run the pipeline, export tables,
review reports, serve the review app."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from gaibao_pipeline.fetch.command import add_parser as add_fetch_parser
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.runner.archives import expand_paths, output_stem
from gaibao_pipeline.runner.parse import parse_paths
from gaibao_pipeline.runner.workers import default_workers

if TYPE_CHECKING:
    from gaibao_pipeline.db.summary import DatabaseSummary


def _parse(args: argparse.Namespace) -> int:
    limits = Limits.from_env()
    failed = 0
    paths = []
    for name in args.files:
        path = Path(name)
        if path.is_file():
            paths.append(path)
        else:
            print(f"{name}: no such file", file=sys.stderr)
            failed += 1
    paths = expand_paths(paths, limits)  # each file inside an archive is a report of its own
    # worker processes: a file that hangs or exhausts memory gets its status, the rest carry on
    workers = min(args.workers or default_workers(), max(len(paths), 1))
    by_path = dict(parse_paths(paths, limits, workers))
    reports = []
    for path in paths:
        report = by_path[path]
        if not report.ok:
            print(f"{path}: {report.status.value}: {report.message}", file=sys.stderr)
            failed += 1
        data = report.to_dict()
        if args.out:
            out_dir = Path(args.out)
            out_dir.mkdir(parents=True, exist_ok=True)
            (out_dir / f"{output_stem(path)}.json").write_text(
                json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8"
            )
        else:
            reports.append(data)
    if not args.out:
        payload = reports[0] if len(reports) == 1 else reports
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    return 1 if failed else 0


def _review(args: argparse.Namespace) -> int:
    from gaibao_pipeline.review.pages import review_html, review_text

    target = Path(args.report)
    if target.is_file():  # read like any other file: in a worker, under the limits
        ((_, report),) = parse_paths([target], Limits.from_env(), workers=1)
    else:
        from gaibao_pipeline.db import database_url_from_env, make_engine, read_report

        url = args.database_url or database_url_from_env()
        engine = make_engine(url)
        try:
            found = read_report(engine, args.report)
        finally:
            engine.dispose()
        if found is None:
            print(f"{args.report}: neither a file nor a report id in the database", file=sys.stderr)
            return 2
        report = found
    sys.stdout.write(review_text(report))
    if args.html:
        Path(args.html).write_text(review_html(report), encoding="utf-8")
        print(f"review page: {args.html}")
    return (
        0 if report.ok and not any(c.passed is False and c.severity == "error" for c in report.checks) else 1
    )


def _format_counts(counts: dict[str, int] | dict[int, int]) -> str:
    return ", ".join(f"{key} {n}" for key, n in counts.items()) or "none"


def _print_summary(title: str, summary: DatabaseSummary) -> None:
    print(f"{title}: {summary.files} files ({_format_counts(summary.files_by_status)})")
    print(f"  ok reports by year: {_format_counts(summary.reports_by_year)}")
    print(f"  cells: {summary.cells}")
    print(
        f"  failed checks: {summary.errors_failed} error (in {summary.reports_with_errors} reports), "
        f"{summary.warnings_failed} warning"
    )


def _run(args: argparse.Namespace) -> int:
    # Dagster is imported only by the commands that need it: `gaibao parse` stays quick.
    from gaibao_pipeline.db import database_url_from_env, make_engine
    from gaibao_pipeline.db.summary import summarize
    from gaibao_pipeline.orchestration.local_run import run_landing_folder
    from gaibao_pipeline.orchestration.resources import redact
    from gaibao_pipeline.runner.landing import default_landing_dir

    root = Path(args.landing).expanduser() if args.landing else default_landing_dir()
    if not root.is_dir():
        print(f"{root}: no such folder", file=sys.stderr)
        return 2
    url = args.database_url or database_url_from_env()
    outcome = run_landing_folder(
        root, url, batch_size=args.batch_size, show_progress=not args.no_progress, reload_all=args.all
    )
    print(f"landing folder: {root} ({outcome.n_files} files)")
    if not outcome.n_files:
        print("nothing to load", file=sys.stderr)
        return 1
    if outcome.n_skipped:
        print(f"unchanged and already loaded, skipped: {outcome.n_skipped} files (--all reloads them)")
    print(f"dagster instance: {outcome.instance_description}")
    print(f"runs: {len(outcome.run_ids)} of job load_reports ({', '.join(outcome.run_ids)})")
    for failure in outcome.failed_runs:
        print(f"run failed: {failure}", file=sys.stderr)
    engine = make_engine(url)
    try:
        print(f"database: {redact(url)}")
        _print_summary("loaded now", summarize(engine, outcome.run_ids))
        _print_summary("database total", summarize(engine))
        pages = Path.cwd() / "data" / "review"
        if os.environ.get("GAIBAO_REVIEW_DIR"):
            pages = Path(os.environ["GAIBAO_REVIEW_DIR"])
        if pages.is_dir():
            print(f"review pages of reports with failed checks: {pages} ({len(list(pages.glob('*.html')))})")
    finally:
        engine.dispose()
    return 1 if outcome.failed_runs else 0


def _export(args: argparse.Namespace) -> int:
    from gaibao_pipeline.db import current_revision, database_url_from_env, export_tables, make_engine
    from gaibao_pipeline.orchestration.resources import redact

    url = args.database_url or database_url_from_env()
    engine = make_engine(url)
    try:
        if current_revision(engine) is None:
            print(f"{redact(url)}: no gaibao database here; run `gaibao run` first", file=sys.stderr)
            return 1
        written = export_tables(engine, Path(args.out), formats=args.format or ["csv", "parquet"])
    finally:
        engine.dispose()
    for path in written:
        print(path)
    return 0


def _serve(args: argparse.Namespace) -> int:
    # the web stack is imported only here: `gaibao parse` stays quick
    import sqlalchemy as sa
    import uvicorn

    from gaibao_pipeline.review.app import ReviewSettings, create_app

    landing = Path(args.landing).expanduser() if args.landing else None
    settings = ReviewSettings.from_env(host=args.host, database_url=args.database_url, landing_dir=landing)
    if settings.listens_beyond_localhost and settings.token is None:
        print(
            f"listening on {args.host} without GAIBAO_REVIEW_TOKEN: the app is read-only for everyone",
            file=sys.stderr,
        )
    app = create_app(settings)
    shown = sa.make_url(settings.database_url).render_as_string(hide_password=True)
    print(f"database: {shown}; source files under {settings.landing_dir}")
    print(f"review app: http://{args.host}:{args.port}/queue")
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0


def _add_serve(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser(
        "serve", help="the review app: queue, reports beside their source, verdicts, corrections"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve.add_argument(
        "--database-url",
        metavar="URL",
        help="SQLAlchemy URL (default: GAIBAO_DATABASE_URL or data/gaibao.sqlite)",
    )
    serve.add_argument(
        "--landing",
        metavar="DIR",
        help="folder the source files were loaded from (default: GAIBAO_LANDING_DIR or the sample corpus)",
    )
    serve.set_defaults(func=_serve)


def _synth(args: argparse.Namespace) -> int:
    from gaibao_pipeline.synth.corpus import write_corpus

    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    try:
        written = write_corpus(
            Path(args.out), args.n, seed=args.seed, formats=formats, pdf_engine=args.pdf_engine
        )
    except (ValueError, RuntimeError) as exc:  # unknown format; soffice asked for but missing
        print(f"gaibao synth: {exc}", file=sys.stderr)
        return 2
    counts = ", ".join(f"{fmt} {n}" for fmt, n in written.by_format.items())
    print(f"reports: {written.reports_dir} ({written.n_files}: {counts}; PDFs by {written.pdf_engine})")
    print(f"expected values: {written.expected_dir}")
    for stem in written.failed:
        print(f"{stem}: LibreOffice did not export it; left out", file=sys.stderr)
    return 1 if written.failed else 0


def _add_synth(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    synth = sub.add_parser(
        "synth", help="generate N reports with known values in every format and template (tests, benchmarks)"
    )
    synth.add_argument("--out", metavar="DIR", required=True, help="writes DIR/reports/, DIR/expected/")
    synth.add_argument("-n", type=int, required=True, metavar="N", help="number of reports")
    synth.add_argument("--seed", type=int, default=0, help="same seed, same reports (default: 0)")
    synth.add_argument(
        "--formats",
        default="text,html,docx,pdf,ofd,xlsx",
        help="comma-separated (default: text,html,docx,pdf,ofd,xlsx)",
    )
    synth.add_argument(
        "--pdf-engine",
        choices=["auto", "soffice", "builtin"],
        default="auto",
        help="PDFs exported by LibreOffice, or drawn in Python (default: soffice when installed)",
    )
    synth.set_defaults(func=_synth)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gaibao", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    parse = sub.add_parser("parse", help="parse report files and print gaibao.report/1 JSON")
    parse.add_argument("files", nargs="+", metavar="FILE")
    parse.add_argument(
        "--out", metavar="DIR", help="write DIR/<file stem>.json for each file instead of printing"
    )
    parse.add_argument("--workers", type=int, metavar="N", help="worker processes (default: one per core)")
    parse.set_defaults(func=_parse)

    run = sub.add_parser(
        "run", help="register a landing folder as partitions and load every report into the database"
    )
    run.add_argument(
        "--landing",
        metavar="DIR",
        help="folder of report files (default: GAIBAO_LANDING_DIR or the sample corpus)",
    )
    run.add_argument(
        "--database-url",
        metavar="URL",
        help="SQLAlchemy URL (default: GAIBAO_DATABASE_URL or data/gaibao.sqlite)",
    )
    run.add_argument(
        "--batch-size", type=int, metavar="N", help="reports per Dagster run (default: 500, as for backfills)"
    )
    run.add_argument(
        "--all",
        action="store_true",
        help="reload every file, also those the database holds unchanged (e.g. after a parser upgrade)",
    )
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.set_defaults(func=_run)

    export = sub.add_parser("export", help="write every table and view as CSV and/or Parquet")
    export.add_argument(
        "--database-url",
        metavar="URL",
        help="SQLAlchemy URL (default: GAIBAO_DATABASE_URL or data/gaibao.sqlite)",
    )
    export.add_argument("--out", metavar="DIR", default="out", help="output folder (default: out)")
    export.add_argument(
        "--format",
        action="append",
        choices=["csv", "parquet"],
        help="csv or parquet; repeat for both (default: both)",
    )
    export.set_defaults(func=_export)

    review = sub.add_parser("review", help="a report's failed checks: expected vs found, raw text and origin")
    review.add_argument("report", metavar="REPORT", help="a report file, or a report id in the database")
    review.add_argument("--html", metavar="FILE", help="also write a self-contained HTML review page")
    review.add_argument(
        "--database-url",
        metavar="URL",
        help="SQLAlchemy URL (default: GAIBAO_DATABASE_URL or data/gaibao.sqlite)",
    )
    review.set_defaults(func=_review)
    _add_synth(sub)
    _add_serve(sub)
    add_fetch_parser(sub)  # the crawler itself is imported when `gaibao fetch` runs
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
