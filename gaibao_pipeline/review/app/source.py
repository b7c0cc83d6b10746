"""The source beside a value: where the file is, and the lines around the value in it.

`source_files.source_path` is relative to the landing folder (as `gaibao run` and the
sensor see it), so the app is configured with the same folder. A file that is gone gets a
clear note; a file whose bytes changed since it was loaded is still shown, with a warning.

Text sources: the file decoded as the text reader decodes it, the cell's `line` and the
lines around it. Other formats without a page image (HTML, DOCX, DOC/WPS…): the file is read
again with the project's readers, in a worker process under the same limits as a run (a
hostile file cannot hang the app), and the cell's grid row is shown between its neighbours.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from gaibao_pipeline.documents.encoding import decode_text
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.model import Document, Grid
from gaibao_pipeline.runner import landing
from gaibao_pipeline.runner.stages import ExtractedDocument, read_path
from gaibao_pipeline.runner.workers import run_isolated

CONTEXT_LINES = 3


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where a report's file is on this machine, or why it cannot be shown."""

    path: Path | None  # None: not found
    note: str | None = None  # what the reviewer should know (missing, changed since loaded)


def locate(landing_dir: Path, source_path: str, sha256: str | None) -> SourceLocation:
    relative = PurePosixPath(source_path.replace("\\", "/"))
    if relative.is_absolute() or ".." in relative.parts:
        return SourceLocation(None, f"the recorded path {source_path!r} is not inside a landing folder")
    path = landing_dir.joinpath(*relative.parts)
    if not path.is_file():
        return SourceLocation(
            None,
            f"source file not found: {path}. The app looks for files under the landing folder "
            "(GAIBAO_LANDING_DIR, as for `gaibao run`); the file may have been moved or deleted.",
        )
    if sha256 and file_sha256(path) != sha256:
        return SourceLocation(
            path, "the file has changed since this report was loaded: positions may not match the values"
        )
    return SourceLocation(path)


_HASHES: OrderedDict[tuple[str, int, int], str] = OrderedDict()
_HASH_LOCK = threading.Lock()


def file_sha256(path: Path) -> str:
    """The file's SHA-256, remembered while its size and modification time stay the same."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    with _HASH_LOCK:
        if key in _HASHES:
            return _HASHES[key]
    digest = landing.file_sha256(path)
    with _HASH_LOCK:
        _HASHES[key] = digest
        while len(_HASHES) > 256:
            _HASHES.popitem(last=False)
    return digest


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    marked: bool = False  # the value's raw text within its line


@dataclass(slots=True)
class ContextLine:
    label: str  # a line number, or "row 5" for a grid row
    segments: list[Segment] = field(default_factory=list)
    target: bool = False


def _segments(text: str, raw: str | None) -> list[Segment]:
    """`text` with the first occurrence of `raw` marked (escaped later, by the template)."""
    needle = (raw or "").strip()
    at = text.find(needle) if needle else -1
    if at < 0:
        return [Segment(text)]
    end = at + len(needle)
    return [s for s in (Segment(text[:at]), Segment(needle, True), Segment(text[end:])) if s.text]


def text_context(path: Path, line: int, raw: str | None, limits: Limits) -> list[ContextLine]:
    """The lines around 1-based `line` of a text source, decoded as the text reader decodes it."""
    if path.stat().st_size > limits.max_file_bytes:
        return []
    text = decode_text(path.read_bytes()).text
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first, last = max(1, line - CONTEXT_LINES), min(len(lines), line + CONTEXT_LINES)
    return [
        ContextLine(str(n), _segments(lines[n - 1], raw) if n == line else [Segment(lines[n - 1])], n == line)
        for n in range(first, last + 1)
    ]


# Documents read again for their grids: few reviewers look at a handful of reports at a time.
_DOCUMENTS: OrderedDict[tuple[str, int, int], Document | None] = OrderedDict()
_DOCUMENT_LOCK = threading.Lock()


def read_again(path: Path, limits: Limits) -> Document | None:
    """The file read with the project's readers in a worker process (None if it cannot be)."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    with _DOCUMENT_LOCK:
        if key in _DOCUMENTS:
            return _DOCUMENTS[key]
    (outcome,) = list(run_isolated([(0, path)], read_path, limits, workers=1))
    value = outcome.value
    document = value.document if isinstance(value, ExtractedDocument) else None
    with _DOCUMENT_LOCK:
        _DOCUMENTS[key] = document
        while len(_DOCUMENTS) > 8:
            _DOCUMENTS.popitem(last=False)
    return document


def grid_context(
    document: Document, table_index: int, row: int, col: int, raw: str | None
) -> list[ContextLine]:
    """The grid row of a cell between its neighbours, cells separated by ` | `, the cell marked."""
    grid = next((g for g in document.grids if g.index == table_index), None)
    if grid is None:
        return []
    return [_grid_line(grid, n, row, col, raw) for n in range(max(0, row - 2), min(grid.n_rows, row + 3))]


def _grid_line(grid: Grid, n: int, row: int, col: int, raw: str | None) -> ContextLine:
    cells = sorted((c for c in grid.cells if c.row == n), key=lambda c: c.col)
    line = ContextLine(f"row {n + 1}", target=n == row)
    for i, cell in enumerate(cells):
        if i:
            line.segments.append(Segment(" | "))
        text = " ".join(cell.text.split())
        hit = n == row and cell.col <= col < cell.col + cell.colspan
        line.segments.append(Segment(text, marked=hit and bool(text or raw)))
    return line
