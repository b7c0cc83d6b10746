"""Archives built by the tests: ZIP (with hostile members), 7z (py7zr, with passwords) and RAR 5.

No RAR writer is free software, so `rar5_stored` writes RAR 5 by hand from its published
format, members stored uncompressed (as `rar -m0` does): rarfile reads those without an
external tool. Compressed RAR is covered by small archives from rarfile's own test suite
(tests/data/documents/rar/, ISC licence).
"""

from __future__ import annotations

import io
import stat
import struct
import zipfile
import zlib

import py7zr

RAR5_SIGNATURE = b"Rar!\x1a\x07\x01\x00"


def zip_of(files: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of `files` (name → bytes), in that order."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def zip_with_symlink(link: str, target: str, files: dict[str, bytes]) -> bytes:
    """A zip holding `files` and a Unix symlink member `link` → `target`, as `zip -y` stores it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        info = zipfile.ZipInfo(link)
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, target)
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def zip_with_encrypted_member(name: str, data: bytes) -> bytes:
    """A zip whose one member is flagged encrypted (PKWARE encryption): no password opens it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo(name), data)
    raw = bytearray(out.getvalue())
    # bit 0 of the general-purpose flags, in the local header and in the central directory
    raw[6] |= 0x01
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 8] |= 0x01
    return bytes(raw)


def seven_zip_of(
    files: dict[str, bytes], *, password: str | None = None, header_encryption: bool = False
) -> bytes:
    """A 7z archive (solid LZMA2, as 7-Zip makes it) of `files`; AES-encrypted when given a password."""
    out = io.BytesIO()
    with py7zr.SevenZipFile(out, "w", password=password, header_encryption=header_encryption) as archive:
        for name, data in files.items():
            archive.writestr(data, name)
    return out.getvalue()


def _vint(value: int) -> bytes:
    """RAR 5's variable-length integer: 7 bits a byte, low bits first, high bit = more follow."""
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _header(body: bytes) -> bytes:
    sized = _vint(len(body)) + body
    return struct.pack("<I", zlib.crc32(sized)) + sized


def rar5_stored(files: dict[str, bytes]) -> bytes:
    """A RAR 5 archive of `files`, stored uncompressed: signature, main, file and end headers."""
    out = bytearray(RAR5_SIGNATURE)
    out += _header(_vint(1) + _vint(0) + _vint(0))  # main archive header: type 1, no flags
    for name, data in files.items():
        encoded = name.encode("utf-8")
        body = (
            _vint(2)  # file header
            + _vint(0x0002)  # a data area follows the header
            + _vint(len(data))
            + _vint(0x0004)  # file flags: CRC32 present
            + _vint(len(data))  # unpacked size
            + _vint(0o644)  # attributes
            + struct.pack("<I", zlib.crc32(data))
            + _vint(0)  # compression information: version 0, method 0 (store)
            + _vint(1)  # host OS: Unix
            + _vint(len(encoded))
            + encoded
        )
        out += _header(body) + data
    out += _header(_vint(5) + _vint(0) + _vint(0))  # end of archive
    return bytes(out)
