"""Stable ASCII identifiers for source files: Dagster partition keys and database report ids."""

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath


def normalise_relative_path(relative_path: str) -> str:
    """Forward slashes, no leading './': the same file gets the same key on every OS."""
    return str(PurePosixPath(relative_path.replace("\\", "/"))).lstrip("./") or relative_path


def report_key(relative_path: str) -> str:
    """`r` + 16 hex digits of the SHA-256 of the path relative to the landing folder.

    Keyed by path, not content: a file edited in place keeps its partition and is
    re-materialised; the content hash is tracked separately as its data version.
    """
    digest = hashlib.sha256(normalise_relative_path(relative_path).encode("utf-8")).hexdigest()
    return f"r{digest[:16]}"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
