"""Parse files end to end: bytes → `Document` → `Report`, never raising for bad input.

The stages (`stages.py`) run in one call here, for the CLI and benchmarks; the Dagster
assets run them apart. A file that cannot be read yields a `Report` whose `status` says
why; even a bug in this package becomes that file's `unreadable` status, so one file never
stops a run. Many files are parsed in worker processes (`parse_paths`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from gaibao_pipeline.limits import Limits
from gaibao_pipeline.report import Report, SourceInfo
from gaibao_pipeline.runner.keys import sha256_hex
from gaibao_pipeline.runner.stages import extract_bytes, parse, read_path
from gaibao_pipeline.runner.workers import run_isolated


def parse_bytes(data: bytes, name: str, limits: Limits | None = None) -> Report:
    """Parse one file's bytes into a report; failures become a status, not an exception."""
    return parse(extract_bytes(data, name, limits or Limits()))


def parse_file(path: Path, limits: Limits | None = None) -> Report:
    """Parse a file on disk, checking its size before reading it into memory."""
    return parse(read_path(path, limits or Limits()))


def parse_files(
    paths: Iterable[Path], limits: Limits | None = None, workers: int | None = None
) -> Iterator[Report]:
    """Parse many files in worker processes (one per core), yielding reports as they finish.

    A file that hangs or exhausts its worker's memory gets a `timeout` or `too_large`
    report; the other files are unaffected.
    """
    for _path, report in parse_paths(paths, limits, workers):
        yield report


def parse_paths(
    paths: Iterable[Path], limits: Limits | None = None, workers: int | None = None
) -> Iterator[tuple[Path, Report]]:
    """Like `parse_files`, each report with the path it was parsed from."""
    limits = limits or Limits()
    for outcome in run_isolated(((p, p) for p in paths), parse_file, limits, workers):
        if isinstance(outcome.value, Report):
            yield outcome.path, outcome.value
            continue
        error = outcome.value
        path = outcome.path
        source = SourceInfo(file=path.name, sha256=_sha256_of(path), format="unknown", size=_size_of(path))
        yield path, Report.failed(source, error.status, error.message)


def _sha256_of(path: Path) -> str:
    try:
        return sha256_hex(path.read_bytes())
    except OSError:
        return ""


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
