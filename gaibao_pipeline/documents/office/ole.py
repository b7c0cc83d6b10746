"""Just enough of the OLE compound-file format to see what an OLE file holds.

Word 97-2003, WPS, Excel, PowerPoint and password-protected OOXML files are all OLE
compound files. Before handing one to LibreOffice we need its stream names (is it a Word
document, a spreadsheet, an `EncryptedPackage`?) and the Word header's fEncrypted flag:
LibreOffice cannot open an encrypted file without its password and only says "failed".
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FREE_OR_END = 0xFFFFFFFA  # sector numbers at or above this are markers, not sectors
_DIR_ENTRY = 128
_HEADER_DIFAT = 109
_WORD_IDENTS = (0xA5EC, 0xA5DC)  # Word 97+ and Word 6/95 FIB magic numbers
_F_ENCRYPTED = 0x0100  # FibBase flags, ECMA/MS-DOC 2.5.2


class OleError(ValueError):
    """The bytes are not a well-formed compound file."""


@dataclass(frozen=True, slots=True)
class OleInfo:
    streams: frozenset[str]  # names of every stream and storage, as stored
    word_encrypted: bool  # a WordDocument stream whose FIB says fEncrypted

    def has(self, name: str) -> bool:
        """Whether a stream or storage of this name (case-insensitive) exists."""
        return name.lower() in {s.lower() for s in self.streams}


class _Reader:
    def __init__(self, data: bytes) -> None:
        if not data.startswith(OLE_MAGIC) or len(data) < 512:
            raise OleError("not an OLE compound file")
        self.data = data
        shift = struct.unpack_from("<H", data, 0x1E)[0]
        if shift not in (9, 12):
            raise OleError(f"sector shift {shift} is invalid")
        self.size = 1 << shift
        self.n_sectors = max((len(data) - 512) // self.size, 0) + 1
        self.fat = self._fat()

    def sector(self, number: int) -> bytes:
        offset = (number + 1) * self.size
        if number >= _FREE_OR_END or offset >= len(self.data):  # a short last sector is allowed
            raise OleError(f"sector {number} is outside the file")
        return self.data[offset : offset + self.size]

    def _fat(self) -> list[int]:
        n_fat, _dir, _, _, _, _, first_difat, n_difat = struct.unpack_from("<8I", self.data, 0x2C)
        fat_sectors = list(struct.unpack_from(f"<{_HEADER_DIFAT}I", self.data, 0x4C))
        per_sector = self.size // 4 - 1
        difat = first_difat
        for _ in range(min(n_difat, self.n_sectors)):
            if difat >= _FREE_OR_END:
                break
            values = struct.unpack(f"<{self.size // 4}I", self.sector(difat))
            fat_sectors += values[:per_sector]
            difat = values[per_sector]
        fat: list[int] = []
        for number in fat_sectors[: min(n_fat, self.n_sectors)]:
            if number < _FREE_OR_END:
                fat += struct.unpack(f"<{self.size // 4}I", self.sector(number))
        return fat

    def chain(self, start: int) -> bytes:
        out: list[bytes] = []
        number = start
        for _ in range(self.n_sectors):  # a cycle in a corrupt FAT must not loop forever
            if number >= _FREE_OR_END or number >= len(self.fat):
                break
            out.append(self.sector(number))
            number = self.fat[number]
        return b"".join(out)


def inspect_ole(data: bytes) -> OleInfo:
    """The stream names of an OLE file and whether its Word document is encrypted."""
    try:
        reader = _Reader(data)
        directory = reader.chain(struct.unpack_from("<I", data, 0x30)[0])
    except struct.error as exc:
        raise OleError(f"truncated compound file: {exc}") from exc
    names: set[str] = set()
    word_encrypted = False
    for offset in range(0, len(directory) - _DIR_ENTRY + 1, _DIR_ENTRY):
        entry = directory[offset : offset + _DIR_ENTRY]
        name_len, kind = struct.unpack_from("<HB", entry, 0x40)
        if kind not in (1, 2, 5) or not 2 <= name_len <= 64:
            continue
        name = entry[: name_len - 2].decode("utf-16-le", errors="replace")
        names.add(name)
        start, size = struct.unpack_from("<II", entry, 0x74)
        # the FIB is in the stream's first sector; streams under 4096 bytes (never a real
        # WordDocument) live in the mini stream and are not looked into
        if kind == 2 and name == "WordDocument" and size >= 4096:
            try:
                fib = reader.sector(start)
            except OleError:
                continue
            ident, _nfib, _unused, _lid, _pnnext, flags = struct.unpack_from("<6H", fib, 0)
            word_encrypted = ident in _WORD_IDENTS and bool(flags & _F_ENCRYPTED)
    return OleInfo(streams=frozenset(names), word_encrypted=word_encrypted)
