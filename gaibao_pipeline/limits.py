"""Resource limits for reading one file, with safe defaults an operator can override."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from gaibao_pipeline.config import parse_number
from gaibao_pipeline.errors import ConfigError

MB = 1024 * 1024
# the unit of each limit, for the message that refuses a bad value
_UNITS = {
    "max_file_bytes": "bytes",
    "max_pages": "pages",
    "max_page_area": "square points",
    "max_decompressed_bytes": "bytes",
    "max_compression_ratio": "uncompressed / compressed size",
    "max_text_chars": "characters",
    "timeout_seconds": "seconds",
    "max_worker_memory_bytes": "bytes",
}


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps that keep one hostile file from exhausting memory or hanging a run."""

    max_file_bytes: int = 100 * MB  # larger files get status too_large without being opened
    max_pages: int = 400  # PDFs with more pages are not parsed
    max_page_area: float = 14400.0 * 14400.0  # points²; PDF's own page-size ceiling is 14400 pt
    max_decompressed_bytes: int = 200 * MB  # total uncompressed size of a DOCX/zip container
    max_compression_ratio: float = 200.0  # per zip member: uncompressed / compressed
    max_text_chars: int = 5_000_000  # decoded text of one file; real reports have under 10^5
    timeout_seconds: float = 180.0  # wall time for reading and parsing one file
    max_worker_memory_bytes: int = 4096 * MB  # address space of a worker process reading one file
    # Archives (.zip, .rar, .7z) are opened member by member; every member is a file of its own
    # and meets the limits above, `max_compression_ratio` included.
    max_archive_members: int = 1000  # files in one archive, nested archives' files included
    max_archive_depth: int = 3  # archives inside archives below the landing file (a.zip!b.zip!c.7z)
    max_archive_bytes: int = 1024 * MB  # total inflated size of one archive's members

    @classmethod
    def env_var(cls, name: str) -> str:
        """The environment variable of a limit: GAIBAO_<FIELD>."""
        return f"GAIBAO_{name.upper()}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """Read overrides such as GAIBAO_MAX_FILE_BYTES or GAIBAO_TIMEOUT_SECONDS at call time.

        Every limit is a number above 0 (whole where the default is); a value that is not is a
        `ConfigError` naming each such variable and what it accepts, never a silent default.
        """
        env = os.environ if environ is None else environ
        changes: dict[str, int | float] = {}
        problems: list[str] = []
        for f in fields(cls):
            name = cls.env_var(f.name)
            raw = env.get(name)
            if raw is None or not raw.strip():
                continue
            whole = f.type in ("int", int)
            try:
                changes[f.name] = parse_number(name, raw, whole=whole, unit=_UNITS.get(f.name, f.name))
            except ConfigError as exc:
                problems.append(str(exc))
        if problems:
            raise ConfigError("\n".join(problems))
        return replace(cls(), **changes)  # type: ignore[arg-type]
