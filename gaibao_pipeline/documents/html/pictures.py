"""The bytes of an HTML page's `<img>`: a `data:` URI, or a file beside the page. Never fetched.

A page saved with its pictures keeps them in a folder next to it (`报告_files/image001.png`);
a CMS export may inline them as `data:image/png;base64,…`. Only those two are read. A source
that names another host, or a path that leaves the page's folder, is ignored: reading a
report must not reach the network nor wander the file system.
"""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

_DATA_URI = re.compile(r"^data:(image/[\w.+-]+)?(;[\w=.-]+)*?(;base64)?,(.*)$", re.I | re.S)
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp"})


def picture_bytes(src: str, folder: Path | None, max_bytes: int) -> bytes | None:
    """The picture's bytes when `src` is a data: URI or a local file under `folder`, else None."""
    src = src.strip()
    if src.lower().startswith("data:"):
        return _data_uri(src, max_bytes)
    if folder is None:
        return None
    parts = urlsplit(src)
    if parts.scheme or parts.netloc:
        return None  # http(s), file:// and the like: not read
    relative = unquote(parts.path)
    if (
        not relative
        or relative.startswith(("/", "\\"))
        or Path(relative).suffix.lower() not in IMAGE_SUFFIXES
    ):
        return None
    try:
        root = folder.resolve()
        path = (root / relative).resolve()
        if not path.is_relative_to(root) or not path.is_file() or path.stat().st_size > max_bytes:
            return None
        return path.read_bytes()
    except (OSError, ValueError, RuntimeError):
        return None


def _data_uri(src: str, max_bytes: int) -> bytes | None:
    match = _DATA_URI.match(src)
    if match is None or match.group(1) is None:
        return None
    payload = match.group(4)
    if len(payload) > max_bytes * 4 // 3 + 4:
        return None
    try:
        if match.group(3):
            return base64.b64decode(re.sub(r"\s+", "", payload), validate=False)
        return unquote(payload).encode("latin-1")
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None
