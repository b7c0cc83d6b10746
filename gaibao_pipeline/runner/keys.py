"""Stable ASCII identifiers for source files (Dagster partition keys, database report ids) and
readable names for file names of any encoding.

A file name on Linux is bytes: any byte but `/` and NUL, in no particular encoding. The
landing folder keeps each relative path as the text Python decodes from those bytes with
`surrogateescape` (`fs_text`), which encodes back to exactly the same bytes (`fs_bytes`), so
the file is always found again and two different names never collapse into one. Report ids
hash those bytes; what people see (logs, the database, JSON) is `display_path`, where
undecodable bytes and control characters are escaped.
"""

from __future__ import annotations

import hashlib
import re


def fs_text(name: bytes) -> str:
    """A file-system name as text: undecodable bytes kept as surrogates (reversible)."""
    return name.decode("utf-8", "surrogateescape")


def fs_bytes(name: str) -> bytes:
    """The bytes of a name made by `fs_text` (or any UTF-8 text)."""
    return name.encode("utf-8", "surrogateescape")


def report_key(relative_path: str | bytes) -> str:
    """`r` + 16 hex digits of the SHA-256 of the path's bytes, relative to the landing folder.

    The bytes exactly as the file system gives them (components joined by `/`): nothing is
    re-interpreted, so `sub\\x.txt` (one name with a backslash) and `sub/x.txt` get different
    keys. A UTF-8 name hashes its UTF-8 bytes, as it always has, so existing ids stay valid.
    Keyed by path, not content: a file edited in place keeps its partition and is
    re-materialised; the content hash is tracked separately as its data version.
    """
    raw = relative_path if isinstance(relative_path, bytes) else fs_bytes(relative_path)
    return f"r{hashlib.sha256(raw).hexdigest()[:16]}"


# Undecodable bytes (surrogateescape's U+DC80..U+DCFF), other lone surrogates, C0/C1 control
# characters (a newline in a name would forge log lines) and the bidirectional controls that
# can make a name display as another (U+202E turns "gpj.exe" around).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, as surrogateescape keeps it
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def display_path(path: str | bytes) -> str:
    """A file name or path as readable text: valid UTF-8 unchanged, anything unsafe escaped.

    `b"\\xb1\\xa8\\xb8\\xe6.doc"` (GBK) shows as `\\xb1\\xa8\\xb8\\xe6.doc`; a newline as `\\n`.
    Always encodable as UTF-8, so it can go to the database, JSON and logs.
    """
    text = fs_text(path) if isinstance(path, bytes) else path
    return _UNSAFE.sub(_escape, text)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
