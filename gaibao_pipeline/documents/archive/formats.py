"""ZIP, 7z and RAR archives behind one small interface: list the members, read one member's bytes.

`zipfile` reads ZIP, `py7zr` reads 7z (`sevenzip`), `rarfile` reads RAR (`rar`); the two are
imported only when such an archive is opened, so the command line and the landing scan
start without them. RAR's compression is not free
software: rarfile parses the archive itself (names, sizes, encryption) and reads members
stored uncompressed, but needs an external tool for compressed ones. It is set up to use
`unrar`, `unar` (The Unarchiver; Debian's `unar` package reads RAR 3 and 5, solid archives
too) or `7z`; not `bsdtar`, which cannot read solid RAR archives and fails on the one-member
copies rarfile hands to its tools. Nothing is ever written to disk under a member's name.

Every failure of the archive or of a member becomes a `DocumentError` with the status a
file would get: `encrypted`, `unreadable`, `too_large` or `unsupported_format`.
"""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

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


def too_large(name: str, limit: int) -> DocumentError:
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
            raise too_large(member.name, limit)
        return data

    def close(self) -> None:
        self._zip.close()


def open_archive(data: bytes, kind: str, max_inflated: int) -> ArchiveFile:
    """Open archive bytes of a detected `kind` (zip, 7z or rar); `max_inflated` bounds a 7z's output."""
    if kind == "zip":
        return _Zip(data)
    if kind == "7z":
        from gaibao_pipeline.documents.archive.sevenzip import SevenZip

        return SevenZip(data, max_inflated)
    if kind == "rar":
        from gaibao_pipeline.documents.archive.rar import Rar

        return Rar(data)
    raise ValueError(f"not an archive kind: {kind}")
