"""The record kept beside every fetched file: where it came from, when, and what the server said.

A file `<folder>/<name>` has its record at `<folder>/.fetch/<name>.json`. The landing scan
skips hidden folders, so records are never taken for reports; the runner reads them to
put the file's URL and its article's URL into `source_files`, and the next fetch reads
them for conditional requests (ETag, Last-Modified) and to resume where it stopped.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

SIDECAR_DIR = ".fetch"
SCHEMA = "gaibao.fetch/1"


@dataclass(frozen=True, slots=True)
class FetchRecord:
    """One fetched file (or list page) as last seen on the web."""

    url: str  # the URL requested
    final_url: str  # after redirects
    # "article" (the report's page), "attachment" (a file it links), "document" (a list link to a file)
    role: str
    source: str  # the source's name in the sources file
    fetched_at: str  # ISO 8601 UTC: when these bytes were transferred
    checked_at: str  # ISO 8601 UTC: when the server was last asked (200 or 304)
    http_status: int
    format: str  # sniffed from the bytes (`documents.detect_format`), never the server's word
    sha256: str
    size: int
    file: str  # the file's name in its folder
    article_url: str | None = None  # the article page that linked this attachment
    list_url: str | None = None  # the list page the report was found on
    agency: str | None = None  # the sources file's agency, if it names one
    title: str | None = None  # the report's title on the list page (else the article's)
    published_at: str | None = None  # publication time the list or article page gives
    content_type: str | None = None  # as the server declared it (recorded, not trusted)
    etag: str | None = None
    last_modified: str | None = None

    @property
    def article(self) -> str:
        """The article this file belongs to: its renditions share it."""
        return self.article_url or self.url

    def to_json(self) -> str:
        return json.dumps({"schema": SCHEMA, **asdict(self)}, ensure_ascii=False, indent=1)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FetchRecord:
        """A record from its JSON object; ValueError when it is not one."""
        if data.get("schema") != SCHEMA:
            raise ValueError(f"not a {SCHEMA} record")
        known = {f.name for f in fields(cls)}
        try:
            return cls(**{k: v for k, v in data.items() if k in known})
        except TypeError as exc:
            raise ValueError(f"incomplete {SCHEMA} record ({exc})") from exc


def sidecar_path(file: Path) -> Path:
    """Where the record of `file` is kept."""
    return file.parent / SIDECAR_DIR / f"{file.name}.json"


MAX_RECORD_BYTES = 1_000_000  # a record is a few hundred bytes; anything larger is not one


def read_record(file: Path) -> FetchRecord | None:
    """The record of `file`; None when it has none (put there by hand) or it cannot be read.

    The landing folder is not trusted: only a regular file is read (a FIFO or device named like
    a record never blocks the reader), and no more than `MAX_RECORD_BYTES` of it.
    """
    try:
        fd = os.open(sidecar_path(file), os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            data = os.read(fd, MAX_RECORD_BYTES + 1)
        finally:
            os.close(fd)
        if len(data) > MAX_RECORD_BYTES:
            return None
        return FetchRecord.from_dict(json.loads(data.decode("utf-8")))
    except (OSError, ValueError, TypeError, AttributeError):
        return None


def records_in(folder: Path) -> dict[str, FetchRecord]:
    """File name → record, for every readable record of the files in `folder`."""
    found: dict[str, FetchRecord] = {}
    try:
        paths = sorted((folder / SIDECAR_DIR).glob("*.json"))
    except OSError:
        return found
    for path in paths:
        record = read_record(folder / path.name.removesuffix(".json"))
        if record is not None and record.file == path.name.removesuffix(".json"):
            found[record.file] = record
    return found


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder (a crash leaves no half file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_record(file: Path, record: FetchRecord) -> None:
    write_atomically(sidecar_path(file), record.to_json().encode("utf-8"))
