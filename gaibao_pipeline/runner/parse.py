"""Parse files end to end: bytes → `Document` → `Report`, never raising for bad input.

`parse_paths` is how `gaibao parse` and `gaibao review FILE` read files: the same road as a
run (`stages.read_and_parse_each`: worker processes under the time and memory limits), so a
file that hangs or exhausts memory gets its status there too. `parse_bytes` and `parse_file`
run the stages in this process, for tests and callers that hold trusted bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from gaibao_pipeline.limits import Limits
from gaibao_pipeline.report import Report
from gaibao_pipeline.runner.stages import SourceFile, extract_bytes, parse, read_and_parse_each, read_path


def parse_bytes(data: bytes, name: str, limits: Limits | None = None) -> Report:
    """Parse one file's bytes into a report, in this process; failures become a status."""
    return parse(extract_bytes(data, name, limits or Limits()))


def parse_file(path: Path, limits: Limits | None = None) -> Report:
    """Parse a file on disk in this process, checking its size before reading it into memory."""
    return parse(read_path(path, limits or Limits()))


def parse_paths(
    paths: Iterable[Path], limits: Limits | None = None, workers: int | None = None
) -> Iterator[tuple[Path, Report]]:
    """Parse many files in worker processes (one per core), yielding (path, report) as each finishes.

    A file that hangs or exhausts its worker's memory gets a `timeout` or `too_large` report;
    the other files are unaffected.
    """
    by_key = {f"{i}": path for i, path in enumerate(paths)}
    sources = [SourceFile(key, path.name, str(path)) for key, path in by_key.items()]
    for key, parsed in read_and_parse_each(sources, limits or Limits(), workers):
        yield by_key[key], parsed.report


def parse_files(
    paths: Sequence[Path], limits: Limits | None = None, workers: int | None = None
) -> Iterator[Report]:
    """Like `parse_paths`, the reports alone."""
    for _path, report in parse_paths(paths, limits, workers):
        yield report
