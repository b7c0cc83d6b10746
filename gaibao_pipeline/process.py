"""Parse one file end to end: bytes → `Document` → `Report`, never raising for bad input.

This is the entry point the CLI and the Dagster assets share. A file that cannot be read
yields a `Report` whose `status` says why; only programming errors in this package escape
as a status too (`unreadable` with the exception named), so one file never stops a run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path

from gaibao_pipeline.documents import detect_format, read_document
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.keys import sha256_hex
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.parsing import parse_document
from gaibao_pipeline.report import Report, SourceInfo
from gaibao_pipeline.workers import run_isolated

log = logging.getLogger(__name__)


def parse_bytes(data: bytes, name: str, limits: Limits | None = None) -> Report:
    """Parse one file's bytes into a report; failures become a status, not an exception."""
    limits = limits or Limits()
    source = SourceInfo(file=name, sha256=sha256_hex(data), format=detect_format(data, name), size=len(data))
    try:
        document = read_document(data, name, limits)
        return parse_document(document, source)
    except DocumentError as exc:
        return Report.failed(source, exc.status, exc.message)
    except MemoryError:
        return Report.failed(source, Status.TOO_LARGE, "ran out of memory while reading this file")
    except RecursionError:
        return Report.failed(source, Status.UNREADABLE, "file structure is nested too deeply to read")
    except Exception as exc:
        log.exception("unexpected error while parsing %s", name)
        return Report.failed(source, Status.UNREADABLE, f"could not read file ({type(exc).__name__}: {exc})")


def parse_file(path: Path, limits: Limits | None = None) -> Report:
    """Parse a file on disk, checking its size before reading it into memory."""
    limits = limits or Limits()
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        source = SourceInfo(file=path.name, sha256="", format="unknown", size=size)
        return Report.failed(
            source, Status.TOO_LARGE, f"file is {size:,} bytes; the limit is {limits.max_file_bytes:,}"
        )
    return parse_bytes(path.read_bytes(), path.name, limits)


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
