"""The landing folder: which files are reports to process, their keys, and what changed since last time.

Pure Python (no Dagster): the sensor, the schedule, the assets and `gaibao run` all see the
folder the same way. A file is identified by its path relative to the landing folder
(`keys.report_key`); its content is identified by its SHA-256, which is only computed when
the cheap fingerprint (size, modification time) differs from what was seen before.

The folder is walked as bytes and nothing in it is trusted (`boundary`): names keep their
exact bytes (`keys.fs_text`), links are followed only to regular files inside the folder,
FIFOs, devices and sockets are never opened, and hashing is bounded in size and time. What
is left out, and why, is listed (`Scan.refused`) for the sensor and `gaibao run` to report.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal

from gaibao_pipeline.config import LANDING_ENV_VAR
from gaibao_pipeline.documents.archive.tree import SEPARATOR
from gaibao_pipeline.runner import archives
from gaibao_pipeline.runner.boundary import (
    OUTSIDE,
    Refused,
    is_inside,
    kind_of,
    outside_links_allowed,
    resolved_root,
    sha256_of,
)
from gaibao_pipeline.runner.keys import display_path, fs_text, report_key

# Files that are never reports: editor and office lock/backup files, partial downloads and
# copies in progress, OS metadata. Hidden files and folders (".name") are skipped as well.
_SKIP_PREFIXES = ("~", "#")
_SKIP_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".swp", ".lock", "~")
_SKIP_NAMES = frozenset({"thumbs.db", "desktop.ini", "__macosx"})


def default_landing_dir() -> Path:
    """`GAIBAO_LANDING_DIR`, else the sample corpus shipped inside the package (read at call time)."""
    configured = os.environ.get(LANDING_ENV_VAR, "").strip()
    if configured:
        return Path(configured).expanduser()
    return Path(str(resources.files("gaibao_pipeline") / "sample_corpus"))


def is_candidate(name: str) -> bool:
    """Whether a file or folder name can hold a report (not hidden, temporary or OS metadata)."""
    lowered = name.lower()
    return not (
        name.startswith(".")
        or name.startswith(_SKIP_PREFIXES)
        or lowered.endswith(_SKIP_SUFFIXES)
        or lowered in _SKIP_NAMES
    )


@dataclass(frozen=True, slots=True)
class LandedFile:
    """A file found in the landing folder, before its content is read."""

    # relative to the landing folder, components joined by "/": the name's exact bytes as
    # `keys.fs_text` decodes them (open `root / relative_path`; show `display`)
    relative_path: str
    size: int
    mtime_ns: int

    @property
    def key(self) -> str:
        """The partition key and database report id of this file."""
        return report_key(self.relative_path)

    @property
    def display(self) -> str:
        """The relative path as readable text (undecodable bytes and control characters escaped)."""
        return display_path(self.relative_path)


@dataclass(frozen=True, slots=True)
class Refusal:
    """Something in the landing folder that is not read, and why (shown to the operator)."""

    path: str  # display form, relative to the landing folder
    reason: str


@dataclass(slots=True)
class Scan:
    """What a walk of the landing folder found: the files to consider, and what it left out."""

    files: list[LandedFile] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def scan_folder(root: Path, *, allow_outside: bool | None = None) -> Scan:
    """Every candidate regular file under `root`, sorted by path, and the entries refused.

    Folders are walked as bytes without following links to folders. A link to a regular file
    is taken (with the target's size and mtime) when it resolves inside `root`, or anywhere if
    `allow_outside` (default: `GAIBAO_LANDING_ALLOW_OUTSIDE_LINKS`). FIFOs, devices, sockets,
    broken links and folders that cannot be listed are refused, with the reason.
    """
    allow = outside_links_allowed() if allow_outside is None else allow_outside
    inside = resolved_root(root)
    found = Scan()
    pending: list[tuple[bytes, str]] = [(os.fsencode(root), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            reason = f"folder cannot be listed: {exc.strerror}"
            found.refused.append(Refusal(display_path(prefix) or ".", reason))
            continue
        for entry in entries:
            name = fs_text(entry.name)
            if not is_candidate(name):
                continue
            relative = f"{prefix}/{name}" if prefix else name
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:  # removed between listing and stat: the next scan sees it
                continue
            if stat.S_ISDIR(info.st_mode):
                pending.append((entry.path, relative))
            elif stat.S_ISREG(info.st_mode):
                found.files.append(LandedFile(relative, info.st_size, info.st_mtime_ns))
            elif stat.S_ISLNK(info.st_mode):
                _add_link(found, entry.path, relative, inside, allow)
            else:
                found.refused.append(Refusal(display_path(relative), f"{kind_of(info.st_mode)}: not read"))
    # an archive's files are entries of their own (`bundle.zip!a.pdf`): see `archives`
    found.files = sorted(archives.expand(root, found.files), key=lambda f: f.relative_path)
    return found


def _add_link(found: Scan, link: bytes, relative: str, inside: bytes, allow: bool) -> None:
    target = os.path.realpath(link)
    if not allow and not is_inside(target, inside):
        found.refused.append(Refusal(display_path(relative), f"a symbolic link that {OUTSIDE}"))
        return
    try:
        info = os.stat(target)
    except OSError as exc:
        found.refused.append(Refusal(display_path(relative), f"a broken symbolic link ({exc.strerror})"))
        return
    if stat.S_ISREG(info.st_mode):
        found.files.append(LandedFile(relative, info.st_size, info.st_mtime_ns))
    else:
        found.refused.append(
            Refusal(display_path(relative), f"a symbolic link to {kind_of(info.st_mode)}: not followed")
        )


def scan(root: Path) -> list[LandedFile]:
    """Every candidate file under `root` (see `scan_folder`), sorted by path."""
    return scan_folder(root).files


def index(root: Path) -> dict[str, str]:
    """Partition key → relative path for every candidate file under `root`."""
    return {f.key: f.relative_path for f in scan(root)}


def locate(root: Path, report_id: str, shown: str | None = None) -> str | None:
    """The relative path (exact bytes, `keys.fs_text`) of the file whose key is `report_id`, or None.

    `shown` (a recorded display path, e.g. `source_files.source_path`) is tried first: it is
    the file's own name unless escaping changed it (a name that is not UTF-8), which the key
    tells. Otherwise the folder is walked. Open what it returns with `boundary.open_regular`
    and `root`, as every reader of the landing folder does.
    """
    if shown is not None and report_key(shown) == report_id and os.path.lexists(root / shown):
        return shown
    return index(root).get(report_id)


def file_sha256(path: Path, root: Path | None = None) -> str:
    """SHA-256 of a regular file's bytes (inside `root` when given), read in chunks.

    Raises OSError when it cannot be read, `boundary.Refused` when it is not a regular file
    (or leads outside `root`), and ValueError when it changed while it was read.
    """
    digest = sha256_of(path, root, max_bytes=2**63)
    if digest is None:
        raise ValueError(f"{display_path(path.name)} changed while it was hashed")
    return digest.sha256


@dataclass(frozen=True, slots=True)
class FileState:
    """What was known about a file the last time it was registered."""

    size: int
    mtime_ns: int
    # the SHA-256 of its bytes, or `unhashed_marker` for a file over the hashing limit
    sha256: str

    @property
    def hashed(self) -> bool:
        """Whether `sha256` is a real digest (a file over the size limit is not hashed)."""
        return len(self.sha256) == 64 and not self.sha256.strip("0123456789abcdef")


def unhashed_marker(size: int, mtime_ns: int) -> str:
    """The state of a file too large to hash: it changes whenever the size or mtime does."""
    return f"unhashed:{size}:{mtime_ns}"


# new/changed: content to process; unchanged: same bytes as before; deferred: a known file that
# moved but was not hashed this time (over the budget), reported with its previous state.
Kind = Literal["new", "changed", "unchanged", "deferred"]


@dataclass(frozen=True, slots=True)
class Seen:
    """A file compared with what was known about it: its current state and whether it is new or changed."""

    file: LandedFile
    state: FileState
    kind: Kind


@dataclass(frozen=True, slots=True)
class HashBudget:
    """What one look at the folder may spend hashing: files, seconds, and bytes per file."""

    max_files: int | None = None
    seconds: float | None = None
    max_file_bytes: int | None = None  # larger files are not hashed (the reader refuses them too)


def compare(
    root: Path,
    files: list[LandedFile],
    known: Mapping[str, FileState],
    *,
    max_hashed: int | None = None,
    budget: HashBudget | None = None,
    refused: list[Refusal] | None = None,
) -> Iterator[Seen]:
    """Compare `files` with `known` (relative path → state), hashing only files whose size or mtime moved.

    A touched file whose bytes did not change comes out `unchanged` with its new mtime, so it
    is neither reprocessed nor hashed again. Hashing is bounded (`budget`; `max_hashed` is
    `budget.max_files`): past the number of files or seconds, a known file comes out
    `deferred` with its old state (so it is seen as moved again next time) and a new one is
    left out; a file over `max_file_bytes` is not read and gets `unhashed_marker`. Only
    regular files inside `root` are read; a file that cannot be, or that changed while it was
    hashed, is left for the next look, and why is appended to `refused` when given.
    """
    budget = budget or HashBudget()
    max_files = max_hashed if max_hashed is not None else budget.max_files
    deadline = time.monotonic() + budget.seconds if budget.seconds is not None else None
    confine = None if outside_links_allowed() else root
    hashed = 0
    for landed in files:
        before = known.get(landed.relative_path)
        if before is not None and (before.size, before.mtime_ns) == (landed.size, landed.mtime_ns):
            yield Seen(landed, before, "unchanged")
            continue
        over = (max_files is not None and hashed >= max_files) or (
            deadline is not None and time.monotonic() > deadline
        )
        state = None if over else _state(root, landed, confine, budget, deadline, refused)
        if state is None:  # over the budget, or not hashable now: try again on the next look
            if before is not None:
                yield Seen(landed, before, "deferred")
            continue
        hashed += 1
        if before is None:
            yield Seen(landed, state, "new")
        else:
            yield Seen(landed, state, "unchanged" if before.sha256 == state.sha256 else "changed")


def _state(
    root: Path,
    landed: LandedFile,
    confine: Path | None,
    budget: HashBudget,
    deadline: float | None,
    refused: list[Refusal] | None,
) -> FileState | None:
    limit = budget.max_file_bytes
    if SEPARATOR in landed.relative_path:  # a file inside an archive: hashed when listed
        try:
            sha = archives.member_sha256(root, landed.relative_path)
        except OSError:  # no longer in its archive: the next look sees it gone
            return None
        if sha is not None:
            return FileState(landed.size, landed.mtime_ns, sha)
    if limit is not None and landed.size > limit:
        return FileState(landed.size, landed.mtime_ns, unhashed_marker(landed.size, landed.mtime_ns))
    try:
        digest = sha256_of(root / landed.relative_path, confine, limit or 2**63, deadline)
    except (OSError, Refused) as exc:
        if refused is not None and not _gone(exc):
            reason = exc.message if isinstance(exc, Refused) else f"cannot be read: {exc.strerror}"
            refused.append(Refusal(landed.display, reason))
        return None
    if digest is None or (digest.size, digest.mtime_ns) != (landed.size, landed.mtime_ns):
        return None  # over the size limit or the deadline now, or changed since the scan
    return FileState(landed.size, landed.mtime_ns, digest.sha256)


def _gone(exc: Exception) -> bool:
    return isinstance(exc, FileNotFoundError | NotADirectoryError)
