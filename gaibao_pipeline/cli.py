"""`gaibao` command line: parse files, fetch reports from websites, run the pipeline, export tables,
review reports, serve the review app."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from gaibao_pipeline.config import DEBUG_ENV_VAR, check_environment, debug_enabled
from gaibao_pipeline.errors import SetupError
from gaibao_pipeline.fetch.command import add_parser as add_fetch_parser
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.runner.keys import display_path
from gaibao_pipeline.runner.workers import default_workers

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from gaibao_pipeline.db.summary import DatabaseSummary


def _shown(path: Path | str) -> str:
    return display_path(str(path))


def _parse(args: argparse.Namespace) -> int:
    from gaibao_pipeline.runner.archives import expand_paths
    from gaibao_pipeline.runner.parse import output_names, parse_paths, regular_files

    limits = Limits.from_env()
    paths, problems = regular_files(args.files)
    paths = list(dict.fromkeys(paths))  # the same file named twice is parsed once
    paths = expand_paths(paths, limits)  # each file inside an archive is a report of its own
    names: dict[Path, str] = {}
    if args.out:
        names, clashes = output_names(paths)
        if clashes:
            for line in clashes:
                print(f"gaibao parse: {line}", file=sys.stderr)
            return 2
    for line in problems:
        print(line, file=sys.stderr)
    failed = len(problems)
    # worker processes: a file that hangs or exhausts memory gets its status, the rest carry on;
    # forked from this small process, they start without importing the readers again
    workers = min(args.workers or default_workers(), max(len(paths), 1))
    by_path = dict(parse_paths(paths, limits, workers, fork=True))
    reports = []
    for path in paths:
        report = by_path[path]
        if not report.ok:
            print(f"{_shown(path)}: {report.status.value}: {report.message}", file=sys.stderr)
            failed += 1
        data = report.to_dict()
        if args.out:
            target = Path(args.out) / names[path]
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
            except OSError as exc:
                print(
                    f"{_shown(path)}: output not written to {_shown(target)}: {exc.strerror}", file=sys.stderr
                )
                failed += 1
        else:
            reports.append(data)
    if not args.out:
        payload = reports[0] if len(reports) == 1 else reports
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    return 1 if failed else 0


def _database_url(args: argparse.Namespace) -> tuple[str, str]:
    """The database URL a command uses, and the setting it came from (for messages)."""
    from gaibao_pipeline.db.engine import ENV_VAR, database_url_from_env

    if args.database_url:
        return args.database_url, "--database-url"
    return database_url_from_env(), ENV_VAR if os.environ.get(ENV_VAR, "").strip() else "the default"


def _open_existing(args: argparse.Namespace) -> Engine:
    """The database of a command that reads it: one that exists and has the gaibao tables."""
    from gaibao_pipeline.db import current_revision
    from gaibao_pipeline.db.engine import open_database, redact

    url, setting = _database_url(args)
    engine = open_database(url, write=False, setting=setting)
    if current_revision(engine) is None:
        engine.dispose()
        raise SetupError(f"{redact(url)}: no gaibao database here yet: run `gaibao run` first")
    return engine


def _review(args: argparse.Namespace) -> int:
    from gaibao_pipeline.review.pages import review_html, review_text
    from gaibao_pipeline.runner.parse import parse_paths, regular_files

    target = Path(args.report)
    if target.is_file():  # read like any other file: in a worker, under the limits
        ((_, report),) = parse_paths([target], Limits.from_env(), workers=1, fork=True)
    elif os.path.lexists(target) or os.sep in args.report:
        _, problems = regular_files([args.report])
        print(problems[0] if problems else f"{_shown(target)}: not a regular file", file=sys.stderr)
        return 2
    else:
        from gaibao_pipeline.db import read_report

        engine = _open_existing(args)
        try:
            found = read_report(engine, args.report)
        finally:
            engine.dispose()
        if found is None:
            print(f"{_shown(args.report)}: neither a file nor a report id in the database", file=sys.stderr)
            return 2
        report = found
    sys.stdout.write(review_text(report))
    if args.html:
        try:
            Path(args.html).write_text(review_html(report), encoding="utf-8")
        except OSError as exc:
            print(f"review page not written to {_shown(args.html)}: {exc.strerror}", file=sys.stderr)
            return 1
        print(f"review page: {_shown(args.html)}")
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


def _nothing_to_run(root: Path) -> bool:
    """True when `gaibao run` over `root` has nothing to do and needs no Dagster instance.

    That is an empty landing folder (nothing found, nothing refused) on a temporary
    instance; a kept instance (DAGSTER_HOME) is opened anyway, since `gaibao run` also marks
    failed the runs of killed processes it finds there.
    """
    from gaibao_pipeline.runner.landing import scan_folder

    if os.environ.get("DAGSTER_HOME"):
        return False
    found = scan_folder(root)
    return not found.files and not found.refused


def _run(args: argparse.Namespace) -> int:
    # Dagster is imported only when there is a run to make: `gaibao parse`, and `gaibao run`
    # over an empty folder, start without it (importing it takes most of a second).
    from gaibao_pipeline.db.engine import redact
    from gaibao_pipeline.db.migrate import ready_to_load
    from gaibao_pipeline.runner.landing import default_landing_dir

    root = Path(args.landing).expanduser() if args.landing else default_landing_dir()
    if not root.is_dir():
        print(f"{_shown(root)}: no such folder", file=sys.stderr)
        return 2
    url, setting = _database_url(args)
    # before any run: a database that cannot be reached or written is one line, not a failed run
    ready_to_load(url, setting).dispose()
    if _nothing_to_run(root):  # what run_landing_folder's outcome would print for it
        print(f"landing folder: {_shown(root)} (0 files)")
        print("nothing to load", file=sys.stderr)
        return 1
    from gaibao_pipeline.orchestration.local_run import run_landing_folder

    outcome = run_landing_folder(
        root, url, batch_size=args.batch_size, show_progress=not args.no_progress, reload_all=args.all
    )
    for run_id in outcome.orphans_failed:
        print(f"run {run_id} of a process that no longer exists marked failed", file=sys.stderr)
    for refusal in outcome.refused:
        print(f"landing folder: {refusal.path}: {refusal.reason}", file=sys.stderr)
    print(f"landing folder: {_shown(root)} ({outcome.n_files} files)")
    if not outcome.n_files:
        print("nothing to load", file=sys.stderr)
        return 1
    if outcome.n_skipped:
        print(f"unchanged and already loaded, skipped: {outcome.n_skipped} files (--all reloads them)")
    print(f"dagster instance: {outcome.instance_description}")
    print(f"runs: {len(outcome.run_ids)} of job load_reports ({', '.join(outcome.run_ids)})")
    for failure in outcome.failed_runs:
        print(f"run failed: {failure}", file=sys.stderr)
    print(f"database: {redact(url)}")
    _print_totals(url, outcome.run_ids)
    return 1 if outcome.failed_runs else 0


def _print_totals(url: str, run_ids: list[str]) -> None:
    """What the runs loaded and what the database holds; the review pages written."""
    from sqlalchemy.exc import SQLAlchemyError

    from gaibao_pipeline.db import make_engine
    from gaibao_pipeline.db.engine import database_problem
    from gaibao_pipeline.db.summary import summarize

    engine = make_engine(url)
    try:
        _print_summary("loaded now", summarize(engine, run_ids))
        _print_summary("database total", summarize(engine))
    except SQLAlchemyError as exc:  # the runs said what failed; the totals are a courtesy
        print(f"database totals unavailable: {database_problem(exc)}", file=sys.stderr)
    finally:
        engine.dispose()
    pages = Path(os.environ.get("GAIBAO_REVIEW_DIR") or Path.cwd() / "data" / "review")
    try:
        if pages.is_dir():
            count = len(list(pages.glob("*.html")))
            print(f"review pages of reports with failed checks: {_shown(pages)} ({count})")
    except OSError as exc:
        print(f"review pages: {_shown(pages)} cannot be listed: {exc.strerror}", file=sys.stderr)


def _export(args: argparse.Namespace) -> int:
    from gaibao_pipeline.db import export_tables

    engine = _open_existing(args)
    try:
        written = export_tables(engine, Path(args.out), formats=args.format or ["csv", "parquet"])
    finally:
        engine.dispose()
    for path in written:
        print(_shown(path))
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


def _add_serve(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    serve = sub.add_parser(
        "serve",
        parents=[common],
        help="the review app: queue, reports beside their source, verdicts, corrections",
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


def _add_synth(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    synth = sub.add_parser(
        "synth",
        parents=[common],
        help="generate N reports with known values in every format and template (tests, benchmarks)",
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


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected 1 or more")
    return value


DEBUG_HELP = "on an unexpected error, print the traceback (also: GAIBAO_DEBUG=1)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gaibao", description=__doc__)
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    common = argparse.ArgumentParser(add_help=False)  # `gaibao run --debug` as well as `gaibao --debug run`
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)
    sub = parser.add_subparsers(dest="command", required=True)
    parse = sub.add_parser(
        "parse", parents=[common], help="parse report files and print gaibao.report/1 JSON"
    )
    parse.add_argument("files", nargs="+", metavar="FILE")
    parse.add_argument(
        "--out",
        metavar="DIR",
        help="write DIR/<file stem>.json for each file instead of printing; files that would share "
        "a name (a.txt and a.html) are refused before anything is parsed",
    )
    parse.add_argument(
        "--workers", type=_positive, metavar="N", help="worker processes (default: one per core)"
    )
    parse.set_defaults(func=_parse)

    run = sub.add_parser(
        "run",
        parents=[common],
        help="register a landing folder as partitions and load every report into the database",
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
        "--batch-size",
        type=_positive,
        metavar="N",
        help="reports per Dagster run (default: 500, as for backfills)",
    )
    run.add_argument(
        "--all",
        action="store_true",
        help="reload every file, also those the database holds unchanged (e.g. after a parser upgrade)",
    )
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.set_defaults(func=_run)

    export = sub.add_parser(
        "export", parents=[common], help="write every table and view as CSV and/or Parquet"
    )
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

    review = sub.add_parser(
        "review", parents=[common], help="a report's failed checks: expected vs found, raw text and origin"
    )
    review.add_argument("report", metavar="REPORT", help="a report file, or a report id in the database")
    review.add_argument("--html", metavar="FILE", help="also write a self-contained HTML review page")
    review.add_argument(
        "--database-url",
        metavar="URL",
        help="SQLAlchemy URL (default: GAIBAO_DATABASE_URL or data/gaibao.sqlite)",
    )
    review.set_defaults(func=_review)
    _add_synth(sub, common)
    _add_serve(sub, common)
    add_fetch_parser(sub, common)  # the crawler itself is imported when `gaibao fetch` runs
    return parser


def _one_line(exc: BaseException) -> str:
    """An unexpected error as one line: its type and first line (a database error: the driver's)."""
    orig = getattr(exc, "orig", None)
    source = orig if isinstance(orig, BaseException) else exc
    lines = str(source).strip().splitlines()
    return f"{type(source).__name__}: {lines[0].strip()}" if lines else type(source).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; whatever goes wrong is one line on stderr (--debug: the traceback too)."""
    args = build_parser().parse_args(argv)
    debug = bool(getattr(args, "debug", False)) or debug_enabled()
    if debug:
        os.environ[DEBUG_ENV_VAR] = "1"  # the reader workers log tracebacks too
    command = f"gaibao {args.command}"
    try:
        if args.command != "synth":
            check_environment()  # every GAIBAO_* setting, all bad ones listed at once
        return int(args.func(args))
    except SetupError as exc:
        for line in str(exc).splitlines():
            print(f"{command}: {line}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into a program that stopped reading (`| head`)
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:  # an output folder that cannot be written, a full disk
        if debug:
            traceback.print_exc()
        where = f"{_shown(exc.filename)}: " if exc.filename else ""
        print(f"{command}: {where}{exc.strerror or _one_line(exc)}", file=sys.stderr)
        return 1
    except Exception as exc:
        if debug:
            traceback.print_exc()
        hint = "" if debug else " (--debug or GAIBAO_DEBUG=1 shows the traceback)"
        print(f"{command}: unexpected error: {_one_line(exc)}{hint}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
