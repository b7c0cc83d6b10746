"""Archives in the landing folder: every file inside one is a report of its own.

How one landing file yields several reports. A report is a Dagster partition and a
database report id (`keys.report_key` of a path relative to the landing folder), and
reloading a partition must give the same rows. So the landing scan lists the files inside
each archive as entries of their own, under the path `archive path + "!" + member path`:
`2023/bundle.zip` holding `a.pdf` and `附件/b.xlsx` becomes `2023/bundle.zip!a.pdf` and
`2023/bundle.zip!附件/b.xlsx`, a nested archive's files `2023/bundle.zip!sub.7z!c.ofd`. Each
entry has its own key, partition, status and rows; its size is its inflated size, its
modification time the archive's, its SHA-256 (data version, and what the database compares
to skip unchanged files) that of its own bytes. The read stage (`stages.read_path`)
recognises an entry's path, opens the archive and reads the member under the limits
(`documents.archive`), then reads those bytes like any file: an entry's report depends on
the archive's bytes alone, so reloading is idempotent. A member that left the archive is
gone from the folder like a deleted file (its rows are kept).

The other way, one partition per archive whose read stage returns a document per member,
would give one partition several report ids and rows to replace: a reload could not say
which rows are its own, and a member's status would hide inside its archive's.

An archive that cannot be listed (encrypted names, corrupt, over a limit) stays one entry
under its own path, and reading it gives its status. Members that cannot be read
(encrypted, a bomb, a name leading outside the archive, nested too deep) are entries whose
reading gives their status, so every file inside is accounted for.

Listing reads the members of hostile files: it runs in a worker process under the time and
memory limits (`workers.run_isolated`), never in the sensor's or the run's process, and
once per archive version per process (cached by path, size, modification time and limits).
Listing inflates every member (to hash it and to open nested archives), so a process that
scans a folder of many large archives pays for it once; the run's own scan of the folder
(`assets/raw.py` maps keys to paths with `landing.index`) pays it again. Zip containers that
are documents (DOCX, XLSX, OFD, ODF) are told apart in-process from their directory alone
and are not opened further.

A report split into members (a document, and workbooks beside it holding its tables) is
put together when it is read: `runner/companions.py`.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from gaibao_pipeline.documents.archive.tree import SEPARATOR, Entry, list_archive, read_entry
from gaibao_pipeline.documents.detect import (
    ARCHIVE_KINDS,
    RAR_MAGIC,
    SEVEN_ZIP_MAGIC,
    detect_format,
    zip_kind,
)
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.report import SourceInfo
from gaibao_pipeline.runner.boundary import open_regular
from gaibao_pipeline.runner.workers import default_workers, run_isolated

if TYPE_CHECKING:
    from gaibao_pipeline.runner.landing import LandedFile

# Formats a report's text comes in: a folder holding one of them is one report's folder.
DOCUMENT_KINDS = frozenset({"pdf", "docx", "doc", "odt", "rtf", "html", "text", "ofd"})
_CACHE_SIZE = 10_000  # archives whose listing is kept per process


@dataclass(frozen=True, slots=True)
class ArchiveListing:
    """What listing a landing file found: its kind, and its entries if it is a listable archive."""

    kind: str
    sha256: str  # of the archive file's bytes
    entries: tuple[Entry, ...] = ()
    error: tuple[Status, str] | None = None  # why an archive could not be listed


@dataclass(frozen=True, slots=True)
class MemberPath:
    """A path naming a file inside an archive: the archive on disk and the path inside it."""

    archive: Path
    inner: str  # `sub.zip!report.pdf`

    @property
    def name(self) -> str:
        """The name a report of this member records as its file: `bundle.zip!sub.zip!report.pdf`."""
        return f"{self.archive.name}{SEPARATOR}{self.inner}"

    @property
    def chain(self) -> tuple[str, ...]:
        return tuple(self.inner.split(SEPARATOR))


def _read_regular(path: Path, limits: Limits) -> bytes | None:
    """A landing file's bytes, read as every reader of the folder reads (`boundary.open_regular`:
    a regular file only, never blocking on a FIFO or device); None when over the size limit."""
    with open_regular(path) as opened:
        if opened.size > limits.max_file_bytes:
            return None
        return opened.read(limits.max_file_bytes + 1)


def list_archive_file(path: Path, limits: Limits) -> ArchiveListing:
    """List a landing file as an archive (a module-level job for `workers.run_isolated`)."""
    data = _read_regular(path, limits)
    if data is None:
        return ArchiveListing("unknown", "", error=(Status.TOO_LARGE, "file is over the size limit"))
    kind = detect_format(data, path.name)
    sha = hashlib.sha256(data).hexdigest()
    if kind not in ARCHIVE_KINDS:
        return ArchiveListing(kind, sha)
    try:
        listing = list_archive(data, kind, limits)
    except DocumentError as exc:
        return ArchiveListing(kind, sha, error=(exc.status, exc.message))
    return ArchiveListing(kind, sha, tuple(listing.entries))


def _may_be_archive(path: Path) -> bool:
    """From a file's first bytes and (for a zip) its directory: could it be an archive?"""
    try:
        with open_regular(path) as opened:
            head = opened.read(8)
        if head.startswith((*RAR_MAGIC, SEVEN_ZIP_MAGIC)):
            return True
        if not head.startswith(b"PK"):
            return False
        with zipfile.ZipFile(path) as container:  # reads the directory only
            return zip_kind(container) == "zip"
    except (OSError, DocumentError, zipfile.BadZipFile, ValueError, EOFError):
        return False  # the read stage says what is wrong with it


CacheKey = tuple[str, int, int, Limits]
_CACHE: dict[CacheKey, ArchiveListing] = {}


def _cache_key(path: Path, limits: Limits) -> CacheKey | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return str(path), stat.st_size, stat.st_mtime_ns, limits


def listings(paths: Iterable[Path], limits: Limits, *, isolated: bool = True) -> dict[Path, ArchiveListing]:
    """The listing of each path that is an archive, from the cache or from worker processes.

    `isolated=False` lists in this process: for a caller that is itself a worker (the read stage).
    """
    found: dict[Path, ArchiveListing] = {}
    todo: list[tuple[CacheKey, Path]] = []
    for path in paths:
        key = _cache_key(path, limits)
        if key is None:
            continue
        if key in _CACHE:
            found[path] = _CACHE[key]
        elif _may_be_archive(path):
            todo.append((key, path))
    if not todo:
        return found
    if len(_CACHE) + len(todo) > _CACHE_SIZE:
        _CACHE.clear()
    if not isolated or mp.current_process().daemon:  # a daemonic worker may start no process
        for key, path in todo:
            try:
                _CACHE[key] = found[path] = list_archive_file(path, limits)
            except OSError:
                continue  # gone since it was seen: the caller says so
        return found
    for outcome in run_isolated(iter(todo), list_archive_file, limits, min(len(todo), default_workers())):
        value = outcome.value
        if not isinstance(value, ArchiveListing):  # the worker timed out or died: listed as unreadable
            value = ArchiveListing("unknown", "", error=(value.status, value.message))
        _CACHE[outcome.key] = value
        found[outcome.path] = value
    return found


def expand(root: Path, files: Sequence[LandedFile], limits: Limits | None = None) -> list[LandedFile]:
    """`files` with each listable archive replaced by its entries (in the archive's order)."""
    found = listings((root / f.relative_path for f in files), limits or Limits.from_env())
    if not found:
        return list(files)
    taken = {f.relative_path for f in files}
    out: list[LandedFile] = []
    for landed in files:
        listing = found.get(root / landed.relative_path)
        if listing is None or not listing.entries:
            out.append(landed)
            continue
        for entry in listing.entries:
            path = f"{landed.relative_path}{SEPARATOR}{entry.inner_path}"
            if path not in taken:  # a real file of that very name keeps it
                out.append(replace(landed, relative_path=path, size=entry.size))
    return out


def expand_paths(paths: Sequence[Path], limits: Limits) -> list[Path]:
    """Paths given on a command line, each listable archive replaced by its entries' paths."""
    found = listings(paths, limits)
    out: list[Path] = []
    for path in paths:
        listing = found.get(path)
        entries = listing.entries if listing is not None else ()
        out += [Path(f"{path}{SEPARATOR}{e.inner_path}") for e in entries] or [path]
    return out


def output_stem(path: Path) -> str:
    """A file name stem for a path's report: `bundle.zip!sub_a` for a member, else the file's stem."""
    member = locate(path)
    if member is None:
        return path.stem
    inner = member.inner.rsplit(".", 1)[0] if "." in member.inner.rsplit("/", 1)[-1] else member.inner
    return f"{member.archive.name}{SEPARATOR}{inner}".replace("/", "_")


def locate(path: Path) -> MemberPath | None:
    """The archive and member a path names (`…/bundle.zip!a.pdf`), or None for a plain path."""
    text = str(path)
    if SEPARATOR not in text or path.is_file():
        return None
    start = 0
    while (cut := text.find(SEPARATOR, start)) != -1:
        if Path(text[:cut]).is_file():
            return MemberPath(Path(text[:cut]), text[cut + 1 :])
        start = cut + 1
    return None


def unread_digest(archive_sha256: str, inner: str) -> str:
    """The stand-in SHA-256 of an entry that cannot be read: fixed while the archive is the same."""
    return hashlib.sha256(f"{archive_sha256}{SEPARATOR}{inner}".encode()).hexdigest()


def listing_of(member: MemberPath, limits: Limits, *, isolated: bool = False) -> ArchiveListing | None:
    """The listing of the archive a member is in (cached); None when it cannot be listed."""
    return listings([member.archive], limits, isolated=isolated).get(member.archive)


def member_sha256(root: Path, relative_path: str, limits: Limits | None = None) -> str | None:
    """The SHA-256 of the entry a relative path names, or None when it names no archive member."""
    member = locate(root / relative_path)
    if member is None:
        return None
    listing = listing_of(member, limits or Limits.from_env(), isolated=True)
    entry = entry_in(listing, member.inner)
    if listing is None or entry is None:
        raise OSError(f"{relative_path} is no longer in its archive")  # compare() tries again later
    return entry.sha256 or unread_digest(listing.sha256, member.inner)


def entry_in(listing: ArchiveListing | None, inner: str) -> Entry | None:
    """The listed entry at an inner path, if the listing has it."""
    if listing is None:
        return None
    return next((e for e in listing.entries if e.inner_path == inner), None)


def member_source(member: MemberPath, limits: Limits) -> SourceInfo:
    """The source record of a member that could not be read (its stand-in hash, when known)."""
    listing = listing_of(member, limits)
    sha = unread_digest(listing.sha256, member.inner) if listing is not None and listing.sha256 else ""
    return SourceInfo(file=member.name, sha256=sha, format="unknown", size=0)


def member_bytes(member: MemberPath, limits: Limits) -> bytes:
    """The bytes of the member, read from its archive under the limits; DocumentError if not."""
    try:
        data = _read_regular(member.archive, limits)
        if data is None:
            limit = limits.max_file_bytes
            raise DocumentError(Status.TOO_LARGE, f"archive is over the {limit:,} byte limit")
    except OSError as exc:
        why = f"could not open archive ({type(exc).__name__}: {exc})"
        raise DocumentError(Status.UNREADABLE, why) from exc
    kind = detect_format(data, member.archive.name)
    if kind not in ARCHIVE_KINDS:
        raise DocumentError(Status.UNREADABLE, f"{member.archive.name} is no archive any more")
    return read_entry(data, kind, member.chain, limits)
