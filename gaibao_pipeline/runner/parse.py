"""Parse files end to end: bytes → `Document` → `Report`, never raising for bad input.

`parse_paths` is how `gaibao parse` and `gaibao review FILE` read files: the same road as a
run (`stages.read_and_parse_each`: worker processes under the time and memory limits), so a
file that hangs or exhausts memory gets its status there too. `parse_bytes` and `parse_file`
run the stages in this process, for tests and callers that hold trusted bytes.
`regular_files` and `output_names` check what `gaibao parse` is given before it parses.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from gaibao_pipeline.limits import Limits
from gaibao_pipeline.report import Report
from gaibao_pipeline.runner.archives import output_stem
from gaibao_pipeline.runner.boundary import kind_of
from gaibao_pipeline.runner.keys import display_path
from gaibao_pipeline.runner.stages import SourceFile, extract_bytes, parse, read_and_parse_each, read_path


def parse_bytes(data: bytes, name: str, limits: Limits | None = None) -> Report:
    """Parse one file's bytes into a report, in this process; failures become a status."""
    return parse(extract_bytes(data, name, limits or Limits()))


def parse_file(path: Path, limits: Limits | None = None) -> Report:
    """Parse a file on disk in this process, checking its size before reading it into memory."""
    return parse(read_path(path, limits or Limits()))


def parse_paths(
    paths: Iterable[Path], limits: Limits | None = None, workers: int | None = None, fork: bool = False
) -> Iterator[tuple[Path, Report]]:
    """Parse many files in worker processes (one per core), yielding (path, report) as each finishes.

    A file that hangs or exhausts its worker's memory gets a `timeout` or `too_large` report;
    the other files are unaffected. `fork` (the command line's choice): the workers are forked
    from this process rather than spawned, see `workers.start_context`.
    """
    by_key = {f"{i}": path for i, path in enumerate(paths)}
    sources = [SourceFile(key, display_path(str(path)), str(path)) for key, path in by_key.items()]
    for key, parsed in read_and_parse_each(sources, limits or Limits(), workers, fork):
        yield by_key[key], parsed.report


def parse_files(
    paths: Sequence[Path], limits: Limits | None = None, workers: int | None = None
) -> Iterator[Report]:
    """Like `parse_paths`, the reports alone."""
    for _path, report in parse_paths(paths, limits, workers):
        yield report


def regular_files(names: Sequence[str]) -> tuple[list[Path], list[str]]:
    """The named files that are regular files (links followed), and a line for each that is not."""
    paths: list[Path] = []
    problems: list[str] = []
    for name in names:
        try:
            mode = os.stat(name).st_mode
        except OSError as exc:
            problems.append(f"{display_path(name)}: {exc.strerror or 'cannot be read'}")
            continue
        if stat.S_ISREG(mode):
            paths.append(Path(name))
        else:
            problems.append(f"{display_path(name)}: {kind_of(mode)}, not a regular file: not read")
    return paths, problems


def output_names(paths: Sequence[Path]) -> tuple[dict[Path, str], list[str]]:
    """`<stem>.json` for each file, and a line for each name two different files would share.

    The output is named by stem (what the golden files and the scorer expect; a file inside an
    archive `bundle.zip!sub_a`, `archives.output_stem`), so `a.txt` and
    `a.html`, or `x/a.txt` and `y/a.txt`, would overwrite each other: `gaibao parse` refuses
    such a set before parsing anything rather than silently keep one of them.
    """
    by_name: dict[str, list[Path]] = {}
    for path in paths:
        by_name.setdefault(f"{output_stem(path)}.json", []).append(path)
    clashes = []
    for name, sharing in by_name.items():
        distinct = {os.path.realpath(p) for p in sharing}
        if len(distinct) > 1:
            files = ", ".join(display_path(str(p)) for p in sharing)
            where = f"would all be written to {display_path(name)}"
            clashes.append(f"{files} {where}: parse them into different --out folders")
    return {path: f"{output_stem(path)}.json" for path in paths}, clashes
