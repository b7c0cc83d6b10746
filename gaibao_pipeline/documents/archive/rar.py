"""RAR archives through rarfile (imported only when a RAR archive is opened).

rarfile parses the archive itself and reads members stored uncompressed; compressed ones
need `unrar`, `unar` or `7z` (`formats` says why not `bsdtar`).
"""

from __future__ import annotations

import contextlib
import io
import zlib
from collections.abc import Callable
from typing import Any

import rarfile

from gaibao_pipeline.documents.archive.formats import (
    RAR_TOOL_HINT,
    ArchiveFile,
    Member,
    MemberKind,
    too_large,
)
from gaibao_pipeline.errors import DocumentError, Status

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


class Rar(ArchiveFile):
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
            raise too_large(member.name, limit)
        return data

    def close(self) -> None:
        self._rar.close()
