"""`gaibao fetch`: the command line around `crawl`, with a progress bar and a summary per source.

The crawler (with httpx) and the sources file's reader (with YAML) are imported only when the
command runs, so building the command line keeps `gaibao parse` quick.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from gaibao_pipeline.config import LANDING_ENV_VAR, SOURCES_ENV_VAR
from gaibao_pipeline.fetch.settings import CONTACT_ENV_VAR, FetchSettings, configured

if TYPE_CHECKING:
    from gaibao_pipeline.fetch.crawl import SourceOutcome

_FILE_EVENTS = ("new", "changed", "unchanged", "skipped")


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser | None = None
) -> None:
    fetch = sub.add_parser(
        "fetch",
        parents=[common] if common is not None else [],
        help="download the reports that sites list (sources file) into the landing folder",
    )
    fetch.add_argument("--sources", metavar="FILE", help=f"sources YAML (default: {SOURCES_ENV_VAR})")
    fetch.add_argument("--landing", metavar="DIR", help=f"where files land (default: {LANDING_ENV_VAR})")
    fetch.add_argument("--source", action="append", metavar="NAME", help="only this source (repeatable)")
    defaults = FetchSettings()
    fetch.add_argument(
        "--delay",
        type=float,
        default=defaults.delay,
        metavar="SECONDS",
        help=f"between two requests to one host (default: {defaults.delay:g}; robots.txt may ask for more)",
    )
    fetch.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="HOST",
        help="a non-public host, address or network the crawler may visit (tests, intranets; repeatable)",
    )
    fetch.add_argument(
        "--recheck-after",
        type=float,
        default=defaults.recheck_after / 3600,
        metavar="HOURS",
        help="files checked more recently are not asked for again: an interrupted fetch resumes "
        f"(default: {defaults.recheck_after / 3600:g}; 0 asks for everything)",
    )
    fetch.add_argument("--retries", type=int, default=defaults.retries, help="per request (default: 3)")
    fetch.add_argument(
        "--timeout",
        type=float,
        default=defaults.read_timeout,
        metavar="SECONDS",
        help="read timeout (default: 30)",
    )
    fetch.add_argument(
        "--max-bytes", type=int, default=defaults.max_bytes, metavar="N", help="per file (default: 100 MB)"
    )
    fetch.add_argument(
        "--hosts-at-once",
        type=int,
        default=defaults.hosts_at_once,
        metavar="N",
        help="sites in parallel (default: 4)",
    )
    fetch.add_argument(
        "--contact",
        metavar="URL_OR_EMAIL",
        help=f"added to the User-Agent so sites can reach the operator (default: {CONTACT_ENV_VAR})",
    )
    fetch.add_argument("--no-progress", action="store_true", help="no progress bar")
    fetch.set_defaults(func=run)


def settings_of(args: argparse.Namespace) -> FetchSettings:
    return configured(
        delay=args.delay,
        allow_hosts=args.allow_host,
        recheck_after_hours=args.recheck_after,
        retries=args.retries,
        read_timeout=args.timeout,
        max_bytes=args.max_bytes,
        hosts_at_once=args.hosts_at_once,
        contact=args.contact,
    )


def print_outcome(outcome: SourceOutcome) -> None:
    counts = ", ".join(f"{event} {outcome.count(event)}" for event in _FILE_EVENTS if outcome.count(event))
    print(
        f"{outcome.source}: {outcome.list_pages} list pages, {outcome.reports} reports, "
        f"files: {counts or 'none'}; refused {len(outcome.refused)}, failed {len(outcome.failed)}"
    )
    for line in outcome.refused[:20]:
        print(f"  refused: {line}")
    for line in outcome.failed[:20]:
        print(f"  failed: {line}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from gaibao_pipeline.fetch.crawl import crawl
    from gaibao_pipeline.fetch.sources import SourcesError, default_sources_path, load_sources

    path = Path(args.sources).expanduser() if args.sources else default_sources_path()
    landing_dir = args.landing or os.environ.get(LANDING_ENV_VAR, "").strip()
    if path is None or not landing_dir:
        print(
            f"gaibao fetch: give --sources and --landing (or {SOURCES_ENV_VAR}, {LANDING_ENV_VAR})",
            file=sys.stderr,
        )
        return 2
    try:
        sources = load_sources(path)
        settings = settings_of(args)
    except (SourcesError, ValueError) as exc:
        print(f"gaibao fetch: {exc}", file=sys.stderr)
        return 2
    if args.source:
        unknown = sorted(set(args.source) - {s.name for s in sources})
        if unknown:
            print(f"gaibao fetch: no source named {', '.join(unknown)} in {path}", file=sys.stderr)
            return 2
        sources = [s for s in sources if s.name in args.source]
    landing = Path(landing_dir).expanduser()
    landing.mkdir(parents=True, exist_ok=True)
    with tqdm(unit="file", disable=args.no_progress, desc="fetch") as bar:

        def progress(source: str, event: str, what: str) -> None:
            if event in _FILE_EVENTS:
                bar.update(1)
                bar.set_postfix_str(source, refresh=False)
            elif event in ("refused", "failed") and not args.no_progress:
                tqdm.write(f"{source}: {event}: {what}")

        outcomes = crawl(sources, landing, settings, progress)
    print(f"landing folder: {landing}")
    for outcome in outcomes:
        print_outcome(outcome)
    written = sum(len(o.written) for o in outcomes)
    print(f"new or changed files: {written}; `gaibao run --landing {landing}` loads them")
    return 1 if any(o.failed for o in outcomes) else 0
