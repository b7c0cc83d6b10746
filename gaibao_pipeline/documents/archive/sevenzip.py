"""7z archives through py7zr, extracted in memory (imported only when a 7z archive is opened)."""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

import py7zr
import py7zr.exceptions
import py7zr.io

from gaibao_pipeline.documents.archive.formats import ArchiveFile, Member, too_large
from gaibao_pipeline.errors import DocumentError, Status


class _Collector(py7zr.io.WriterFactory):
    """py7zr's in-memory writer factory: what each extracted member wrote, by its name."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.made: dict[str, py7zr.io.Py7zBytesIO] = {}

    def create(self, filename: str) -> py7zr.io.Py7zIO:
        # one byte over the limit is kept, so that an oversized member is seen as such
        product = py7zr.io.Py7zBytesIO(filename, self.limit + 1)
        self.made[filename.replace("\\", "/")] = product
        return product

    def take(self, name: str, limit: int) -> bytes:
        product = self.made.get(name)
        if product is None:
            return b""  # an empty member has no stream: nothing was written
        product.seek(0)
        data = product.read()
        if len(data) > limit:
            raise too_large(name, limit)
        return bytes(data)


_SEVEN_ZIP_ERRORS: tuple[type[BaseException], ...] = (
    py7zr.exceptions.ArchiveError,
    py7zr.exceptions.DecompressionError,
    py7zr.exceptions.InternalError,
    EOFError,
    OSError,
    ValueError,
    KeyError,
    IndexError,
    zlib.error,
    LookupError,
)


@contextmanager
def _seven_zip_errors(what: str) -> Iterator[None]:
    try:
        yield
    except py7zr.exceptions.PasswordRequired as exc:
        raise DocumentError(Status.ENCRYPTED, f"{what} is password-protected") from exc
    except py7zr.exceptions.UnsupportedCompressionMethodError as exc:
        raise DocumentError(Status.UNSUPPORTED_FORMAT, f"7z: {what} uses a method not read ({exc})") from exc
    except py7zr.exceptions.DecompressionBombError as exc:
        raise DocumentError(Status.TOO_LARGE, f"{what} inflates past the limit ({exc})") from exc
    except _SEVEN_ZIP_ERRORS as exc:
        raise DocumentError(
            Status.UNREADABLE, f"{what} cannot be read ({type(exc).__name__}: {exc})"
        ) from exc


class SevenZip(ArchiveFile):
    format = "7z"

    def __init__(self, data: bytes, max_inflated: int) -> None:
        self._data = data
        self._max_inflated = max_inflated
        with _seven_zip_errors("7z archive"), py7zr.SevenZipFile(io.BytesIO(data)) as archive:
            encrypted = archive.needs_password()
            infos = archive.list()
        self._members = [
            Member(
                info.filename.replace("\\", "/"),
                int(info.uncompressed or 0),
                None if info.compressed is None else int(info.compressed),
                "dir" if info.is_directory else "link" if info.is_symlink else "file",
                encrypted,
            )
            for info in infos
        ]

    def members(self) -> list[Member]:
        return list(self._members)

    def _extract(self, names: list[str], limit: int, what: str) -> _Collector:
        collector = _Collector(limit)
        with _seven_zip_errors(what):
            archive = py7zr.SevenZipFile(io.BytesIO(self._data), max_extract_size=self._max_inflated)
            try:
                archive.extract(targets=names, factory=collector)
            finally:
                archive.close()
        return collector

    def read(self, member: Member, limit: int) -> bytes:
        if member.encrypted:
            raise DocumentError(Status.ENCRYPTED, f"archive member {member.name} is encrypted")
        return self._extract([member.name], limit, f"archive member {member.name}").take(member.name, limit)

    def read_all(self, members: list[Member], limit: int) -> Iterator[tuple[Member, bytes | DocumentError]]:
        # a solid archive is one compressed stream: members one by one would inflate it again each time
        readable = [m for m in members if not m.encrypted]
        try:
            collector = self._extract([m.name for m in readable], limit, "7z archive")
        except DocumentError:
            yield from super().read_all(members, limit)  # find out which member it was
            return
        for member in members:
            try:
                if member.encrypted:
                    raise DocumentError(Status.ENCRYPTED, f"archive member {member.name} is encrypted")
                yield member, collector.take(member.name, limit)
            except DocumentError as exc:
                yield member, exc
