"""`gaibao` command line: parse files to JSON, run the pipeline, export tables, review reports."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from gaibao_pipeline.limits import Limits
from gaibao_pipeline.process import parse_file

if TYPE_CHECKING:
    from gaibao_pipeline.summary import DatabaseSummary


def _parse(args: argparse.Namespace) -> int:
    limits = Limits.from_env()
    failed = 0
    reports = []
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            print(f"{name}: no such file", file=sys.stderr)
            failed += 1
            continue
        report = parse_file(path, limits)
        if not report.ok:
            print(f"{name}: {report.status.value}: {report.message}", file=sys.stderr)
            failed += 1
        data = report.to_dict()
        if args.out:
            out_dir = Path(args.out)
            out_dir.mkdir(parents=True, exist_ok=True)
            (out_dir / f"{path.stem}.json").write_text(
                json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8"
            )
        else:
            reports.append(data)
    if not args.out:
        payload = reports[0] if len(reports) == 1 else reports
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    return 1 if failed else 0


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
    from gaibao_pipeline.landing import default_landing_dir
    from gaibao_pipeline.local_run import run_landing_folder
    from gaibao_pipeline.resources import redact
    from gaibao_pipeline.summary import summarize

    root = Path(args.landing).expanduser() if args.landing else default_landing_dir()
    if not root.is_dir():
        print(f"{root}: no such folder", file=sys.stderr)
        return 2
    url = args.database_url or database_url_from_env()
    outcome = run_landing_folder(root, url, batch_size=args.batch_size, show_progress=not args.no_progress)
    print(f"landing folder: {root} ({outcome.n_files} files)")
    if not outcome.n_files:
        print("nothing to load", file=sys.stderr)
        return 1
    print(f"dagster instance: {outcome.instance_description}")
    print(f"runs: {len(outcome.run_ids)} of job load_reports ({', '.join(outcome.run_ids)})")
    for failure in outcome.failed_runs:
        print(f"run failed: {failure}", file=sys.stderr)
    engine = make_engine(url)
    try:
        print(f"database: {redact(url)}")
        _print_summary("loaded now", summarize(engine, outcome.run_ids))
        _print_summary("database total", summarize(engine))
    finally:
        engine.dispose()
    return 1 if outcome.failed_runs else 0


def _export(args: argparse.Namespace) -> int:
    from gaibao_pipeline.db import current_revision, database_url_from_env, export_tables, make_engine
    from gaibao_pipeline.resources import redact

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gaibao", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    parse = sub.add_parser("parse", help="parse report files and print gaibao.report/1 JSON")
    parse.add_argument("files", nargs="+", metavar="FILE")
    parse.add_argument(
        "--out", metavar="DIR", help="write DIR/<file stem>.json for each file instead of printing"
    )
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
