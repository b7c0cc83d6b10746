"""ZIP, 7z and RAR archives behind one small interface: list the members, read one member's bytes.

`zipfile` reads ZIP, `py7zr` reads 7z, `rarfile` reads RAR. RAR's compression is not free
software: rarfile parses the archive itself (names, sizes, encryption) and reads members
stored uncompressed, but needs an external tool for compressed ones. It is set up to use
`unrar`, `unar` (The Unarchiver; Debian's `unar` package reads RAR 3 and 5, solid archives
too) or `7z`; not `bsdtar`, which cannot read solid RAR archives and fails on the one-member
copies rarfile hands to its tools. Nothing is ever written to disk under a member's name.

Every failure of the archive or of a member becomes a `DocumentError` with the status a
file would get: `encrypted`, `unreadable`, `too_large` or `unsupported_format`.
"""

from __future__ import annotations

import contextlib
import io
import stat
import zipfile
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import py7zr
import py7zr.exceptions
import py7zr.io
import rarfile

from gaibao_pipeline.errors import DocumentError, Status

MemberKind = Literal["file", "dir", "link"]
RAR_TOOL_HINT = "install unar (apt-get install unar) or unrar to read compressed RAR members"
_ZIP_UTF8 = 0x800  # general-purpose flag: the name is UTF-8
_ZIP_ENCRYPTED = 0x1


@dataclass(frozen=True, slots=True)
class Member:
    """One entry of an archive's directory, as the archive declares it."""

    name: str  # decoded name as stored, `/`-separated
    size: int  # declared inflated size
    packed: int | None  # compressed size, when the format gives it per member (not in solid 7z)
    kind: MemberKind
    encrypted: bool


class ArchiveFile(ABC):
    """An opened archive: its members and their bytes."""

    format: str

    @abstractmethod
    def members(self) -> list[Member]: ...

    @abstractmethod
    def read(self, member: Member, limit: int) -> bytes:
        """The member's bytes; a member inflating past `limit` bytes is `too_large`."""

    def read_all(self, members: list[Member], limit: int) -> Iterator[tuple[Member, bytes | DocumentError]]:
        """Each member's bytes, or why it cannot be read, in one pass where the format allows."""
        for member in members:
            try:
                yield member, self.read(member, limit)
            except DocumentError as exc:
                yield member, exc

    def close(self) -> None:  # noqa: B027 - most formats hold nothing to release
        pass


def _too_large(name: str, limit: int) -> DocumentError:
    return DocumentError(Status.TOO_LARGE, f"archive member {name} inflates past {limit:,} bytes")


def _zip_name(info: zipfile.ZipInfo) -> str:
    """The name as its producer wrote it: Chinese Windows tools store GBK without the UTF-8 flag."""
    if info.flag_bits & _ZIP_UTF8 or info.filename.isascii():
        return info.filename
    raw = info.filename.encode("cp437")  # zipfile decoded the raw bytes as CP437
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


class _Zip(ArchiveFile):
    format = "zip"

    def __init__(self, data: bytes) -> None:
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
            raise DocumentError(Status.UNREADABLE, f"zip archive cannot be opened: {exc}") from exc
        self._infos: dict[str, zipfile.ZipInfo] = {}
        self._members: list[Member] = []
        for info in infos:
            name = _zip_name(info)
            mode = info.external_attr >> 16
            kind: MemberKind = (
                "dir"
                if info.is_dir()
                else "link"
                if stat.S_ISLNK(mode) and info.create_system == 3
                else "file"
            )
            self._infos[name] = info
            self._members.append(
                Member(name, info.file_size, info.compress_size, kind, bool(info.flag_bits & _ZIP_ENCRYPTED))
            )

    def members(self) -> list[Member]:
        return list(self._members)

    def read(self, member: Member, limit: int) -> bytes:
        info = self._infos[member.name]
        try:
            with self._zip.open(info) as stream:
                data = stream.read(limit + 1)
        except RuntimeError as exc:  # "password required"
            raise DocumentError(Status.ENCRYPTED, f"archive member {member.name} is encrypted") from exc
        except NotImplementedError as exc:  # deflate64, implode, …: methods zipfile lacks
            raise DocumentError(
                Status.UNSUPPORTED_FORMAT,
                f"zip: member {member.name} uses a compression method not read ({exc})",
            ) from exc
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            raise DocumentError(Status.UNREADABLE, f"archive member {member.name} is corrupt: {exc}") from exc
        if len(data) > limit:
            raise _too_large(member.name, limit)
        return data

    def close(self) -> None:
        self._zip.close()


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
            raise _too_large(name, limit)
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


class _SevenZip(ArchiveFile):
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


_RAR_SETUP: list[bool] = []  # set up once: tool_setup is process-wide in rarfile


def _rar_tools() -> None:
    if not _RAR_SETUP:
        # without a tool, members stored uncompressed are still read; the others say what is missing
        with contextlib.suppress(rarfile.RarCannotExec):
            rarfile.tool_setup(unrar=True, unar=True, sevenzip=True, sevenzip2=True, bsdtar=False, force=True)
        _RAR_SETUP.append(True)


def _rar_call(what: str, call: Callable[[], Any]) -> Any:
    try:
        return call()
    except rarfile.PasswordRequired as exc:
        raise DocumentError(Status.ENCRYPTED, f"{what} is password-protected") from exc
    except rarfile.NeedFirstVolume as exc:
        raise DocumentError(
            Status.UNREADABLE, f"{what} is a later part of a multi-volume RAR; the first part is needed"
        ) from exc
    except rarfile.RarCannotExec as exc:
        raise DocumentError(Status.UNSUPPORTED_FORMAT, f"rar: {what} is compressed; {RAR_TOOL_HINT}") from exc
    except (rarfile.Error, EOFError, OSError, ValueError, zlib.error) as exc:
        raise DocumentError(
            Status.UNREADABLE, f"{what} cannot be read ({type(exc).__name__}: {exc})"
        ) from exc


class _Rar(ArchiveFile):
    format = "rar"

    def __init__(self, data: bytes) -> None:
        _rar_tools()
        self._rar: rarfile.RarFile = _rar_call("RAR archive", lambda: rarfile.RarFile(io.BytesIO(data)))
        if self._rar.needs_password() and not self._rar.infolist():
            raise DocumentError(
                Status.ENCRYPTED, "RAR archive is password-protected (its names are encrypted)"
            )
        self._infos: dict[str, rarfile.RarInfo] = {}
        self._members: list[Member] = []
        for info in self._rar.infolist():
            name = str(info.filename).replace("\\", "/")
            kind: MemberKind = "dir" if info.is_dir() else "link" if info.is_symlink() else "file"
            self._infos[name] = info
            self._members.append(
                Member(
                    name, int(info.file_size or 0), int(info.compress_size or 0), kind, info.needs_password()
                )
            )

    def members(self) -> list[Member]:
        return list(self._members)

    def read(self, member: Member, limit: int) -> bytes:
        info = self._infos[member.name]

        def read_bounded() -> bytes:
            with self._rar.open(info) as stream:
                return bytes(stream.read(limit + 1))

        data: bytes = _rar_call(f"archive member {member.name}", read_bounded)
        if len(data) > limit:
            raise _too_large(member.name, limit)
        return data

    def close(self) -> None:
        self._rar.close()


def open_archive(data: bytes, kind: str, max_inflated: int) -> ArchiveFile:
    """Open archive bytes of a detected `kind` (zip, 7z or rar); `max_inflated` bounds a 7z's output."""
    if kind == "zip":
        return _Zip(data)
    if kind == "7z":
        return _SevenZip(data, max_inflated)
    if kind == "rar":
        return _Rar(data)
    raise ValueError(f"not an archive kind: {kind}")
