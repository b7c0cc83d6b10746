"""The landing folder as a boundary: paths kept inside it, only regular files opened, reads bounded.

Whoever can drop a file in the landing folder can also drop a symbolic link to the password
file, a FIFO that blocks whoever opens it, a link to `/dev/zero` that never ends, or swap a
folder for a link between the scan and the read. Every read of a landing file (hashing in
the sensor, reading in a worker, hashing a file that failed) goes through `open_regular`:

- the path is resolved and refused when it leads outside the landing folder, unless the
  operator allows links out (`GAIBAO_LANDING_ALLOW_OUTSIDE_LINKS=1`);
- it is opened with O_NONBLOCK (opening a FIFO never waits for a writer) and O_NOFOLLOW
  (the resolved path's last component cannot have become a link since);
- the opened descriptor is checked, not the name: `fstat` says it is a regular file, and
  (on Linux) `/proc/self/fd` says where it really is, so a folder swapped for a link
  between resolving and opening is caught;
- reads stop at a byte limit, so a file that grows while it is read cannot hold a reader.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from gaibao_pipeline.errors import DocumentError, Status

OUTSIDE_LINKS_ENV_VAR = "GAIBAO_LANDING_ALLOW_OUTSIDE_LINKS"
_CHUNK = 1024 * 1024
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY
_NOFOLLOW = os.O_NOFOLLOW
# errno values that mean "this path names nothing (any more)": the file left the folder
GONE_ERRNOS = frozenset({errno.ENOENT, errno.ENOTDIR})


def outside_links_allowed(environ: Mapping[str, str] | None = None) -> bool:
    """Whether symbolic links in the landing folder may lead outside it (default: no)."""
    from gaibao_pipeline.config import parse_flag  # light; here to keep config out of import cycles

    env = os.environ if environ is None else environ
    return parse_flag(OUTSIDE_LINKS_ENV_VAR, env.get(OUTSIDE_LINKS_ENV_VAR), default=False)


def kind_of(mode: int) -> str:
    """What a file-system object is, in words, for messages."""
    for test, name in (
        (stat.S_ISREG, "a regular file"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def is_inside(path: bytes, root: bytes) -> bool:
    """Whether the resolved `path` is `root` or below it (both absolute and resolved)."""
    return path == root or path.startswith(root.rstrip(b"/") + b"/")


def resolved_root(root: Path) -> bytes:
    return os.path.realpath(os.fsencode(root))


class Refused(DocumentError):
    """A landing path that is not read: it leads outside the folder or is not a regular file."""

    def __init__(self, message: str) -> None:
        super().__init__(Status.UNREADABLE, message)

    def __reduce__(self) -> tuple[type[Refused], tuple[str]]:  # type: ignore[override]
        return (Refused, (self.message,))


OUTSIDE = f"leads outside the landing folder: not read ({OUTSIDE_LINKS_ENV_VAR}=1 allows links out)"


@dataclass(frozen=True, slots=True)
class Opened:
    """An open regular file: its descriptor and what `fstat` said of it when it was opened."""

    fd: int
    size: int
    mtime_ns: int

    def read(self, limit: int) -> bytes:
        """At most `limit` bytes from the start: a file growing while it is read stops there."""
        parts: list[bytes] = []
        left = limit
        while left > 0:
            chunk = os.read(self.fd, min(left, _CHUNK))
            if not chunk:
                break
            parts.append(chunk)
            left -= len(chunk)
        return b"".join(parts)


@contextmanager
def open_regular(path: Path, root: Path | None = None) -> Iterator[Opened]:
    """Open `path` for reading if it is a regular file (inside `root`, when given).

    Raises `Refused` for a path outside `root` or that is not a regular file, and OSError
    when it cannot be opened (gone, permission denied); never blocks on a FIFO or device.
    """
    target = os.fsencode(path)
    flags = _OPEN_FLAGS
    inside: bytes | None = None
    if root is not None:
        inside = resolved_root(root)
        target = os.path.realpath(target)
        if not is_inside(target, inside):
            raise Refused(OUTSIDE)
        flags |= _NOFOLLOW  # resolved: its last component must not turn into a link now
    try:
        fd = os.open(target, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # the resolved file became a link
            raise Refused(OUTSIDE) from exc
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Refused(f"is {kind_of(info.st_mode)}, not a regular file: not read")
        if inside is not None and not is_inside(_opened_path(fd, target), inside):
            raise Refused(OUTSIDE)
        yield Opened(fd, info.st_size, info.st_mtime_ns)
    finally:
        os.close(fd)


def _opened_path(fd: int, fallback: bytes) -> bytes:
    """Where the descriptor really points (Linux), whatever happened to the names since."""
    try:
        return os.readlink(b"/proc/self/fd/%d" % fd)
    except OSError:  # no /proc here: the resolved path and O_NOFOLLOW are the check
        return fallback


@dataclass(frozen=True, slots=True)
class Digest:
    """The SHA-256 of a file read to its end, and the size and mtime it had while read."""

    sha256: str
    size: int
    mtime_ns: int


def sha256_of(path: Path, root: Path | None, max_bytes: int, deadline: float | None = None) -> Digest | None:
    """Hash a regular file of at most `max_bytes`; None when it is larger or changed while read.

    Reads no more than the size `fstat` gave when it was opened, so a file that grows while it
    is hashed cannot keep the hasher reading; a file whose size or mtime moved meanwhile gets
    no digest (it is still being written: the next look hashes it). Past `deadline`
    (`time.monotonic()`), a long hash stops and gives None. Raises like `open_regular`.
    """
    with open_regular(path, root) as opened:
        if opened.size > max_bytes:
            return None
        digest = hashlib.sha256()
        left = opened.size
        while left > 0:
            if deadline is not None and time.monotonic() > deadline:
                return None
            chunk = os.read(opened.fd, min(left, _CHUNK))
            if not chunk:
                break
            digest.update(chunk)
            left -= len(chunk)
        after = os.fstat(opened.fd)
    if left or (after.st_size, after.st_mtime_ns) != (opened.size, opened.mtime_ns):
        return None
    return Digest(digest.hexdigest(), opened.size, opened.mtime_ns)
