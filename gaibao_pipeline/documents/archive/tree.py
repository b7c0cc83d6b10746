"""An archive inside out: every file in it, nested archives opened, as an entry, under the limits.

An entry's path is the chain of member names from the outermost archive inward
(`("2023/区属部门.zip", "财政局.pdf")`, written `2023/区属部门.zip!财政局.pdf`). Names are
made safe for display and for keys: `/`-separated, without drive letters, `.` or `..`
components, with `!` (the chain's separator) shown as `！`, and numbered where two members
would get the same name. A member whose stored name leads outside the archive
(`../../etc/passwd`, `/etc/passwd`) is listed under its safe name but never read.

What is listed and what is read are bounded by `Limits`:
- `max_archive_members`: members of the archive and of every archive inside it, together;
- `max_archive_bytes`: their declared and their actual inflated bytes, together;
- `max_file_bytes` per member and `max_compression_ratio` per member (above 1 MB inflated):
  such a member is an entry that reads as `too_large`, the others are unaffected;
- `max_archive_depth`: an archive nested deeper is an entry that reads as `too_large`.
Encrypted members are entries that read as `encrypted`. Folders, links (a symlink member is
no file), and OS metadata (`__MACOSX/`, `.DS_Store`, `Thumbs.db`) are not entries.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass, field

from gaibao_pipeline.documents.archive.formats import ArchiveFile, Member, open_archive
from gaibao_pipeline.documents.detect import ARCHIVE_KINDS, detect_format
from gaibao_pipeline.documents.docx.package import RATIO_FLOOR_BYTES
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import Limits

SEPARATOR = "!"  # between an archive's path and a member's path: `a.zip!report.pdf`
_SHOWN_SEPARATOR = "！"
_JUNK_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
_DRIVE = re.compile(r"^[A-Za-z]:")

Problem = tuple[Status, str]


@dataclass(frozen=True, slots=True)
class Entry:
    """One file inside an archive (at any depth), or why it cannot be read."""

    path: tuple[str, ...]  # safe member names from the outermost archive inward
    size: int  # bytes read, or the declared size of a member not read
    sha256: str | None  # of its bytes; None for a member not read
    kind: str | None  # format detected from its bytes; None for a member not read
    problem: Problem | None = None

    @property
    def inner_path(self) -> str:
        """`sub.zip!report.pdf`: the path below the landing file."""
        return SEPARATOR.join(self.path)

    @property
    def folder(self) -> tuple[str, ...]:
        """The archive chain and folder holding the entry: its siblings share it."""
        return (*self.path[:-1], posixpath.dirname(self.path[-1]))


@dataclass(frozen=True, slots=True)
class Listing:
    """Every entry of an archive, and the members that are no files (folders, links, metadata)."""

    kind: str
    entries: list[Entry]
    skipped: list[str] = field(default_factory=list)


class _OverBudget(DocumentError):
    """The archive as a whole is over a limit: it is not listed at all."""


def safe_name(stored: str) -> tuple[str, bool]:
    """The display name of a stored member name, and whether the stored name leads outside."""
    name = stored.replace("\\", "/")
    escapes = name.startswith("/") or _DRIVE.match(name) is not None
    parts = [p for p in _DRIVE.sub("", name).split("/") if p not in ("", ".")]
    escapes = escapes or ".." in parts
    shown = "/".join(p for p in parts if p != "..").replace(SEPARATOR, _SHOWN_SEPARATOR)
    return shown or "unnamed", escapes


def _is_junk(shown: str) -> bool:
    parts = shown.split("/")
    base = parts[-1]
    return parts[0].lower() == "__macosx" or base.lower() in _JUNK_NAMES or base.startswith((".", "~$"))


def named_members(members: list[Member], skipped: list[str] | None = None) -> list[tuple[str, Member, bool]]:
    """(shown name, member, escapes) for each file member; the same members give the same names."""
    named: list[tuple[str, Member, bool]] = []
    used: set[str] = set()
    for member in members:
        shown, escapes = safe_name(member.name)
        if member.kind != "file" or _is_junk(shown):
            if skipped is not None:
                skipped.append(f"{shown} ({'folder' if member.kind == 'dir' else member.kind or 'metadata'})")
            continue
        unique, n = shown, 1
        while unique in used:
            n += 1
            stem, ext = posixpath.splitext(shown)
            unique = f"{stem} ({n}){ext}"
        used.add(unique)
        named.append((unique, member, escapes))
    return named


def member_problem(shown: str, member: Member, escapes: bool, limits: Limits) -> Problem | None:
    """Why a member is not read, from the archive's directory alone; None when it can be."""
    if escapes:
        return Status.UNREADABLE, f"member name {member.name!r} leads outside the archive; it is not read"
    if member.encrypted:
        return Status.ENCRYPTED, f"archive member {shown} is password-protected"
    if member.size > limits.max_file_bytes:
        return (
            Status.TOO_LARGE,
            f"archive member {shown} is {member.size:,} bytes; the limit is {limits.max_file_bytes:,}",
        )
    if member.packed and member.size >= RATIO_FLOOR_BYTES:
        ratio = member.size / member.packed
        if ratio > limits.max_compression_ratio:
            return (
                Status.TOO_LARGE,
                f"archive member {shown} has compression ratio {ratio:,.0f}; "
                f"the limit is {limits.max_compression_ratio:,.0f}",
            )
    return None


@dataclass(slots=True)
class _Budget:
    limits: Limits
    members: int = 0
    inflated: int = 0

    def count(self, n: int) -> None:
        self.members += n
        if self.members > self.limits.max_archive_members:
            raise _OverBudget(
                Status.TOO_LARGE,
                f"archive holds over {self.limits.max_archive_members:,} files, nested archives included",
            )

    def spend(self, n: int, what: str) -> None:
        self.inflated += n
        if self.inflated > self.limits.max_archive_bytes:
            raise _OverBudget(
                Status.TOO_LARGE, f"archive {what} inflate past {self.limits.max_archive_bytes:,} bytes"
            )


def list_archive(data: bytes, kind: str, limits: Limits) -> Listing:
    """Every entry of an archive; raises `DocumentError` when the archive cannot be listed at all."""
    entries: list[Entry] = []
    skipped: list[str] = []
    _walk(data, kind, (), limits, _Budget(limits), entries, skipped)
    return Listing(kind, entries, skipped)


def _walk(
    data: bytes,
    kind: str,
    prefix: tuple[str, ...],
    limits: Limits,
    budget: _Budget,
    entries: list[Entry],
    skipped: list[str],
) -> None:
    archive = open_archive(data, kind, limits.max_archive_bytes)
    try:
        named = named_members(archive.members(), skipped)
        budget.count(len(named))
        declared = sum(member.size for _, member, _ in named)
        if declared > limits.max_archive_bytes:
            raise _OverBudget(
                Status.TOO_LARGE,
                f"archive members declare {declared:,} bytes; the limit is {limits.max_archive_bytes:,}",
            )
        shown_of: dict[int, str] = {}
        readable: list[Member] = []
        for shown, member, escapes in named:
            problem = member_problem(shown, member, escapes, limits)
            if problem is not None:
                entries.append(Entry((*prefix, shown), member.size, None, None, problem))
            else:
                shown_of[id(member)] = shown
                readable.append(member)
        for member, result in archive.read_all(readable, limits.max_file_bytes):
            path = (*prefix, shown_of[id(member)])
            if isinstance(result, DocumentError):
                entries.append(Entry(path, member.size, None, None, (result.status, result.message)))
                continue
            budget.spend(len(result), "members")
            _add(result, path, limits, budget, entries, skipped)
    finally:
        archive.close()


def _add(
    data: bytes,
    path: tuple[str, ...],
    limits: Limits,
    budget: _Budget,
    entries: list[Entry],
    skipped: list[str],
) -> None:
    """A member read: a file entry, or the entries of the archive it is."""
    kind = detect_format(data, path[-1])
    entry = Entry(path, len(data), hashlib.sha256(data).hexdigest(), kind)
    if kind not in ARCHIVE_KINDS:
        entries.append(entry)
        return
    problem = too_deep(path, limits)
    if problem is not None:
        entries.append(Entry(entry.path, entry.size, entry.sha256, kind, problem))
        return
    before = len(entries)
    try:
        _walk(data, kind, path, limits, budget, entries, skipped)
    except _OverBudget:
        raise
    except DocumentError as exc:  # the nested archive cannot be listed: it is an entry, with why
        del entries[before:]
        entries.append(Entry(entry.path, entry.size, entry.sha256, kind, (exc.status, exc.message)))
        return
    if len(entries) == before:  # nothing but folders and metadata inside: the archive itself
        entries.append(entry)


def too_deep(path: tuple[str, ...], limits: Limits) -> Problem | None:
    """An archive at `path` (its member names) is not opened when that would exceed the depth limit."""
    if len(path) < limits.max_archive_depth:
        return None
    return (
        Status.TOO_LARGE,
        f"archive {SEPARATOR.join(path)} is nested {len(path)} levels deep; "
        f"archives are opened {limits.max_archive_depth} levels deep at most",
    )


def read_entry(data: bytes, kind: str, path: tuple[str, ...], limits: Limits) -> bytes:
    """The bytes of the entry at `path` (as `list_archive` names it), or `DocumentError` why not."""
    if not path:
        raise ValueError("an entry path names at least one member")
    level_data, level_kind = data, kind
    for depth, shown in enumerate(path, start=1):
        archive: ArchiveFile = open_archive(level_data, level_kind, limits.max_archive_bytes)
        try:
            found = {name: (member, escapes) for name, member, escapes in named_members(archive.members())}
            if shown not in found:
                raise DocumentError(Status.UNREADABLE, f"the archive holds no member {shown} any more")
            member, escapes = found[shown]
            problem = member_problem(shown, member, escapes, limits)
            if problem is not None:
                raise DocumentError(*problem)
            level_data = archive.read(member, limits.max_file_bytes)
        finally:
            archive.close()
        if depth < len(path):
            level_kind = detect_format(level_data, shown)
            if level_kind not in ARCHIVE_KINDS:
                raise DocumentError(Status.UNREADABLE, f"archive member {shown} is no archive any more")
        elif detect_format(level_data, shown) in ARCHIVE_KINDS and (problem := too_deep(path, limits)):
            raise DocumentError(*problem)
    return level_data
