"""The landing folder: which files are reports to process, their keys, and what changed since last time.

Pure Python (no Dagster): the sensor, the schedule, the assets and `gaibao run` all see the
folder the same way. A file is identified by its path relative to the landing folder
(`keys.report_key`); its content is identified by its SHA-256, which is only computed when
the cheap fingerprint (size, modification time) differs from what was seen before.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from gaibao_pipeline.runner import archives
from gaibao_pipeline.runner.keys import normalise_relative_path, report_key

LANDING_ENV_VAR = "GAIBAO_LANDING_DIR"
_HASH_CHUNK = 1024 * 1024

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

    relative_path: str  # forward slashes, relative to the landing folder
    size: int
    mtime_ns: int

    @property
    def key(self) -> str:
        """The partition key and database report id of this file."""
        return report_key(self.relative_path)


@dataclass(frozen=True, slots=True)
class FileState:
    """What was known about a file the last time it was registered."""

    size: int
    mtime_ns: int
    sha256: str


def scan(root: Path) -> list[LandedFile]:
    """Every candidate file under `root` (recursively, not following symlinked folders), sorted by path.

    An archive's files are entries of their own (`bundle.zip!a.pdf`): see `archives`.
    """
    found: list[LandedFile] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if is_candidate(d))
        for name in filenames:
            if not is_candidate(name):
                continue
            path = Path(dirpath) / name
            try:
                stat = path.stat()
            except OSError:  # removed or unreadable between listing and stat: next scan sees it
                continue
            if not path.is_file():
                continue
            relative = normalise_relative_path(path.relative_to(root).as_posix())
            found.append(LandedFile(relative, stat.st_size, stat.st_mtime_ns))
    return sorted(archives.expand(root, found), key=lambda f: f.relative_path)


def index(root: Path) -> dict[str, str]:
    """Partition key → relative path for every candidate file under `root`."""
    return {f.key: f.relative_path for f in scan(root)}


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks so large PDFs are not held in memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# new/changed: content to process; unchanged: same bytes as before; deferred: a known file that
# moved but was not hashed this time (over the budget), reported with its previous state.
Kind = Literal["new", "changed", "unchanged", "deferred"]


@dataclass(frozen=True, slots=True)
class Seen:
    """A file compared with what was known about it: its current state and whether it is new or changed."""

    file: LandedFile
    state: FileState
    kind: Kind


def compare(
    root: Path,
    files: list[LandedFile],
    known: Mapping[str, FileState],
    *,
    max_hashed: int | None = None,
) -> Iterator[Seen]:
    """Compare `files` with `known` (relative path → state), hashing only files whose size or mtime moved.

    A touched file whose bytes did not change comes out `unchanged` with its new mtime, so it
    is neither reprocessed nor hashed again. Hashes at most `max_hashed` files, so one call
    has bounded cost on a huge folder: a known file past the budget comes out `deferred` with
    its old state (so it is seen as moved again next time), a new one is left out.
    """
    hashed = 0
    for landed in files:
        before = known.get(landed.relative_path)
        if before is not None and (before.size, before.mtime_ns) == (landed.size, landed.mtime_ns):
            yield Seen(landed, before, "unchanged")
            continue
        if max_hashed is not None and hashed >= max_hashed:
            if before is not None:
                yield Seen(landed, before, "deferred")
            continue
        try:
            sha = archives.member_sha256(root, landed.relative_path) or file_sha256(
                root / landed.relative_path
            )
        except OSError:  # vanished or unreadable right now: try again on the next scan
            if before is not None:
                yield Seen(landed, before, "deferred")
            continue
        hashed += 1
        state = FileState(landed.size, landed.mtime_ns, sha)
        if before is None:
            yield Seen(landed, state, "new")
        else:
            yield Seen(landed, state, "unchanged" if before.sha256 == sha else "changed")
