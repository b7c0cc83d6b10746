"""One report's way through the pipeline, stage by stage: register → read → parse.

Pure Python (no Dagster). `parse.parse_bytes` does the same in one call; the Dagster assets
need the stages apart so each one is a materialised, inspectable asset. Like `parse_bytes`,
no stage raises for a bad file: a failure becomes a status that the next stage carries on,
so one file never stops a run of hundreds. Reading runs in worker processes
(`workers.run_isolated`), where a file that hangs or crashes a reader costs only itself.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from gaibao_pipeline.documents import detect_format, read_document
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.fetch.sidecar import FetchRecord, read_record
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.model import Document
from gaibao_pipeline.parsing import parse_document
from gaibao_pipeline.parsing.ocr_repair import ocr_suspects
from gaibao_pipeline.report import Report, SourceInfo
from gaibao_pipeline.runner import archives, companions, workbooks
from gaibao_pipeline.runner.boundary import GONE_ERRNOS, open_regular, outside_links_allowed, sha256_of
from gaibao_pipeline.runner.keys import display_path, sha256_hex
from gaibao_pipeline.runner.landing import FileState
from gaibao_pipeline.runner.workers import default_workers, in_background, run_isolated

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A registered report file: where it is and what it held when the run looked at it."""

    report_id: str  # partition key, `keys.report_key(relative_path)`
    # relative to the landing folder, as readable text (`keys.display_path`); None: no file in
    # the landing folder has this key any more
    relative_path: str | None
    path: str | None  # absolute path the run reads (the name's exact bytes, `keys.fs_text`)
    size: int | None = None
    sha256: str | None = None  # None: not hashed yet (the reader hashes what it reads)
    root: str | None = None  # the folder `path` must stay inside; None: a path given by the operator
    # where a fetched file came from (its `fetch.sidecar` record); None for files put there by hand
    source_url: str | None = None
    article_url: str | None = None  # the article page that linked an attachment

    @property
    def missing(self) -> bool:
        return self.relative_path is None


def register(
    report_id: str, root: Path, relative_path: str | None, known: FileState | None = None
) -> SourceFile:
    """Stat the file of `report_id`; a file that is gone is registered as missing.

    `relative_path` is a path of `landing.scan` (exact bytes). The file is not hashed here: the
    reader hashes the bytes it reads, once. Its SHA-256 is carried over from `known` (what the
    landing folder's last comparison recorded) when its size and modification time have not
    moved since. Reading it later stays inside `root` unless links out are allowed.
    """
    if relative_path is None:
        return SourceFile(report_id, None, None)
    path = root / relative_path
    shown = display_path(relative_path)
    confine = None if outside_links_allowed() else str(root)
    fetched = _web_record(path)
    url, article_url = (fetched.url, fetched.article_url) if fetched else (None, None)
    try:
        stat = path.stat()
    except OSError:  # the read stage reports why, as this file's status
        return SourceFile(report_id, shown, str(path), root=confine, source_url=url, article_url=article_url)
    unchanged = known is not None and (known.size, known.mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    sha256 = known.sha256 if known is not None and unchanged and known.hashed else None
    return SourceFile(
        report_id,
        shown,
        str(path),
        stat.st_size,
        sha256,
        root=confine,
        source_url=url,
        article_url=article_url,
    )


def _web_record(path: Path) -> FetchRecord | None:
    """The fetch record of a file, or of the archive a member came in (`bundle.zip!a.pdf`)."""
    member = archives.locate(path)
    return read_record(member.archive if member is not None else path)


def failed_source(
    name: str,
    path: Path | None = None,
    size: int | None = None,
    sha256: str | None = None,
    *,
    root: Path | None = None,
    max_bytes: int | None = None,
) -> SourceInfo:
    """The source of a file that yielded no document: what is known of it, hashed if still unknown.

    The hash lets the database tell next time that the same bytes failed the same way. Only a
    regular file (inside `root`, when given) of at most `max_bytes` is hashed.
    """
    if path is not None and sha256 is None:
        try:
            digest = sha256_of(path, root, max_bytes or Limits().max_file_bytes)
        except (OSError, DocumentError):
            digest = None
        if digest is not None:
            size, sha256 = digest.size, digest.sha256
    return SourceInfo(file=display_path(name), sha256=sha256 or "", format="unknown", size=size or 0)


@dataclass(slots=True)
class ExtractedDocument:
    """A file read into a `Document`, or the status saying why it could not be."""

    source: SourceInfo
    document: Document | None
    status: Status = Status.OK
    message: str | None = None
    gone: bool = False  # the file was no longer there to read: its earlier load is kept


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """What a run records of a read document (its materialization's metadata) without unpacking it."""

    source: SourceInfo
    status: Status
    message: str | None
    read: bool  # False: the file could not be read into a document; `status` says why
    pages: int | None
    tables: int
    paragraphs: int
    gone: bool = False  # the file left the landing folder before it was read

    @classmethod
    def of(cls, extracted: ExtractedDocument) -> DocumentSummary:
        document = extracted.document
        return cls(
            source=extracted.source,
            status=extracted.status,
            message=extracted.message,
            read=document is not None,
            pages=document.page_count if document else None,
            tables=len(document.grids) if document else 0,
            paragraphs=len(document.paragraphs) if document else 0,
            gone=extracted.gone,
        )


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """One file read and parsed: what was read (counts, not the document) and the report to load."""

    document: DocumentSummary
    report: Report

    @classmethod
    def of(cls, extracted: ExtractedDocument, report: Report) -> ParsedFile:
        return cls(DocumentSummary.of(extracted), report)


def _failed(source: SourceInfo, status: Status, message: str) -> ExtractedDocument:
    return ExtractedDocument(source, None, status, message)


GONE = "file missing: it was removed before it could be read (an earlier load of it is kept)"


def read_path(path: Path, limits: Limits, root: Path | None = None) -> ExtractedDocument:
    """Read one file into a `Document`; every failure of the file becomes its status.

    Only a regular file is opened (inside `root`, when given: `boundary.open_regular`), and no
    more than the size limit is read, however the file grows meanwhile. Module-level so
    `workers.run_isolated` can run it in a worker process.
    """
    member = archives.locate(path)
    if member is not None:  # a file inside an archive (`bundle.zip!a.pdf`): see runner/archives.py
        return _read_member(member, limits)
    name = path.name
    try:
        with open_regular(path, root) as opened:
            if opened.size > limits.max_file_bytes:
                message = f"file is {opened.size:,} bytes; the limit is {limits.max_file_bytes:,}"
                return _failed(failed_source(name, size=opened.size), Status.TOO_LARGE, message)
            data = opened.read(limits.max_file_bytes + 1)
    except DocumentError as exc:  # outside the landing folder, or not a regular file
        return _failed(failed_source(name), exc.status, f"{display_path(name)} {exc.message}")
    except OSError as exc:
        if exc.errno in GONE_ERRNOS:
            return replace(_failed(failed_source(name), Status.UNREADABLE, GONE), gone=True)
        message = f"could not open file ({type(exc).__name__}: {exc.strerror or exc})"
        return _failed(failed_source(name), Status.UNREADABLE, message)
    # The hash of the bytes actually read: the file may have changed since it was registered.
    return extract_bytes(data, display_path(name), limits, folder=path.parent)


def _read_member(member: archives.MemberPath, limits: Limits) -> ExtractedDocument:
    """A file inside an archive, read like any file (with the workbooks beside it that hold its tables)."""
    try:
        data = archives.member_bytes(member, limits)
    except DocumentError as exc:
        return _failed(archives.member_source(member, limits), exc.status, exc.message)
    return companions.with_companions(member, extract_bytes(data, member.name, limits), limits, extract_bytes)


def extract_bytes(data: bytes, name: str, limits: Limits, folder: Path | None = None) -> ExtractedDocument:
    """Read a file's bytes into a `Document`; every failure of the file becomes its status.

    Values read by OCR that break the 勾稽 identities are read again before the document is
    returned (`parsing.ocr_repair.ocr_suspects`); `folder` is where an HTML page's pictures are.
    """
    source = SourceInfo(file=name, sha256=sha256_hex(data), format=detect_format(data, name), size=len(data))
    if len(data) > limits.max_file_bytes:
        return _failed(
            source, Status.TOO_LARGE, f"file is {len(data):,} bytes; the limit is {limits.max_file_bytes:,}"
        )
    try:
        document = read_document(data, name, limits, suspects=ocr_suspects, folder=folder)
        return ExtractedDocument(source, document)
    except DocumentError as exc:
        return _failed(source, exc.status, exc.message)
    except MemoryError:
        return _failed(source, Status.TOO_LARGE, "ran out of memory while reading this file")
    except RecursionError:
        return _failed(source, Status.UNREADABLE, "file structure is nested too deeply to read")
    except Exception as exc:  # one bad file must not stop the run
        log.exception("unexpected error while reading %s", name)
        return _failed(source, Status.UNREADABLE, f"could not read file ({type(exc).__name__}: {exc})")


@dataclass(frozen=True, slots=True)
class ReadTask:
    """What a reader worker is sent for one file: its path and the folder it must stay inside."""

    path: str
    root: str | None = None


def read_and_parse(task: ReadTask, limits: Limits) -> ParsedFile:
    """Read one file and parse it: the work of one report, done where it was read.

    Module-level so `workers.run_isolated` can run it in a worker process: parsing beside the
    reading uses every core and the `Document` is not sent anywhere to be parsed again: only
    its summary and the report go back to the run's process.
    """
    path = Path(task.path)
    extracted = read_path(path, limits, Path(task.root) if task.root is not None else None)
    with_web_record(extracted, _web_record(path))
    return ParsedFile.of(extracted, parse(extracted))


def with_web_record(extracted: ExtractedDocument, fetched: FetchRecord | None) -> None:
    """Give a fetched file's document what its web page said where the document itself says nothing:
    the report's title on the site (agency and year for the parser) and its publication time."""
    document = extracted.document
    if document is None or fetched is None:
        return
    metadata = document.metadata
    metadata.title = metadata.title or fetched.title
    metadata.published_at = metadata.published_at or fetched.published_at
    metadata.source_url = metadata.source_url or fetched.url


def read_and_parse_each(
    sources: Iterable[SourceFile], limits: Limits, workers: int | None = None, fork: bool = False
) -> Iterator[tuple[str, ParsedFile]]:
    """Read and parse every registered file in isolated worker processes, yielding
    (report id, parsed file) as each finishes.

    A file that hangs or crashes its reader, or exhausts the worker's memory, gets a
    `timeout`, `unreadable` or `too_large` status; the rest of the batch is unaffected.
    """
    todo: dict[str, SourceFile] = {}
    for source_file in sources:
        if source_file.path is None:
            message = "no file in the landing folder has this report id"
            yield (
                source_file.report_id,
                _failed_both(failed_source(source_file.report_id), Status.UNREADABLE, message),
            )
        else:
            todo[source_file.report_id] = source_file
    if not todo:
        return
    n_workers = min(workers or default_workers(), len(todo))
    items = ((key, ReadTask(source.path or "", source.root)) for key, source in todo.items())
    # The pool runs ahead of the caller, which may stop to load or record each result.
    stop = threading.Event()
    tasks = run_isolated(items, read_and_parse, limits, n_workers, stop, fork)
    for outcome in in_background(tasks, stop=stop):
        if isinstance(outcome.value, ParsedFile):
            yield outcome.key, outcome.value
            continue
        error: DocumentError = outcome.value  # the worker timed out or died on this file
        source_file = todo[outcome.key]
        path = Path(outcome.path.path)  # the ReadTask's path
        root = Path(source_file.root) if source_file.root is not None else None
        info = failed_source(
            path.name, path, source_file.size, source_file.sha256, root=root, max_bytes=limits.max_file_bytes
        )
        yield outcome.key, _failed_both(info, error.status, error.message)


def _failed_both(source: SourceInfo, status: Status, message: str) -> ParsedFile:
    return ParsedFile.of(_failed(source, status, message), Report.failed(source, status, message))


def parse(extracted: ExtractedDocument) -> Report:
    """Parse an extracted document into its `Report`; a failed extraction gives a failed report."""
    if extracted.document is None:
        return Report.failed(extracted.source, extracted.status, extracted.message or extracted.status.value)
    try:
        report = parse_document(extracted.document, extracted.source)
    except RecursionError:
        return Report.failed(extracted.source, Status.UNREADABLE, "document is nested too deeply to parse")
    except Exception as exc:  # a parser bug on one file must not stop the run
        log.exception("unexpected error while parsing %s", extracted.source.file)
        message = f"could not parse file ({type(exc).__name__}: {exc})"
        return Report.failed(extracted.source, Status.UNREADABLE, message)
    return workbooks.settle(extracted.document, report)  # a workbook must name its agency and year
