"""The sources file: which list pages to crawl, validated with errors that say where and what.

```yaml
sources:
  - list_url: https://www.example.gov.cn/xxgk/ndbg/index.htm   # required: the report column
    name: sanming-gov            # optional: folder and partition name (default: from the URL)
    agency: 三明市人民政府          # optional: used when the report itself names no agency
    include: ["政府信息公开.*年度报告"]  # optional title patterns (default: titles.DEFAULT_INCLUDE)
    exclude: ["通知"]             # optional title patterns to drop (default: titles.DEFAULT_EXCLUDE)
    years: 2019-2024             # optional: a year, a list or a range of report years
    max_pages: 50                # optional: list pages followed at most (default 50)
```

A `list_url` holding `{page}` is a numbered listing (an HTML page or a JSON endpoint):
pages `first_page`, `first_page + 1`, … are requested until one lists nothing new.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from gaibao_pipeline.config import SOURCES_ENV_VAR
from gaibao_pipeline.fetch.safety import Refused, check_url
from gaibao_pipeline.fetch.titles import TitleFilter

DEFAULT_MAX_PAGES = 50
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_KEYS = frozenset({"list_url", "name", "agency", "include", "exclude", "years", "max_pages", "first_page"})


class SourcesError(ValueError):
    """The sources file cannot be used; the message names the file, the entry and the field."""


@dataclass(frozen=True, slots=True)
class Source:
    """One site's report column."""

    name: str
    list_url: str
    titles: TitleFilter
    agency: str | None = None
    max_pages: int = DEFAULT_MAX_PAGES
    first_page: int = 1

    @property
    def paged(self) -> bool:
        """Whether `list_url` is a numbered listing with a `{page}` placeholder."""
        return "{page}" in self.list_url

    def page_url(self, page: int) -> str:
        return self.list_url.replace("{page}", str(page))


def default_sources_path() -> Path | None:
    """`GAIBAO_SOURCES`, read when called; None when unset."""
    configured = os.environ.get(SOURCES_ENV_VAR, "").strip()
    return Path(configured).expanduser() if configured else None


def derived_name(list_url: str) -> str:
    """A folder-safe name for a source: its host and a short hash of the URL."""
    host = (urlsplit(list_url).hostname or "site").replace(".", "-")
    host = re.sub(r"[^A-Za-z0-9-]", "", host)[:40] or "site"
    return f"{host}-{hashlib.sha256(list_url.encode('utf-8')).hexdigest()[:6]}"


def load_sources(path: Path) -> list[Source]:
    """Read and validate a sources file; `SourcesError` says what is wrong and where."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{path}: cannot be read ({exc})") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SourcesError(f"{path}: not valid YAML ({exc})") from exc
    return parse_sources(data, str(path))


def parse_sources(data: Any, where: str = "sources") -> list[Source]:
    """Validate the parsed YAML of a sources file."""
    if not isinstance(data, Mapping) or not isinstance(data.get("sources"), list):
        raise SourcesError(f"{where}: expected a mapping with a list under 'sources:'")
    entries = data["sources"]
    if not entries:
        raise SourcesError(f"{where}: 'sources:' is empty")
    sources: list[Source] = []
    names: dict[str, int] = {}
    for i, entry in enumerate(entries):
        label = f"{where}: sources[{i}]"
        source = _source(entry, label)
        if source.name in names:
            raise SourcesError(
                f"{label}: name {source.name!r} is already used by sources[{names[source.name]}]"
            )
        names[source.name] = i
        sources.append(source)
    return sources


def _source(entry: Any, label: str) -> Source:
    if not isinstance(entry, Mapping):
        raise SourcesError(f"{label}: expected a mapping with at least list_url")
    unknown = sorted(str(k) for k in entry if k not in _KEYS)
    if unknown:
        raise SourcesError(
            f"{label}: unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(_KEYS))}"
        )
    list_url = entry.get("list_url")
    if not isinstance(list_url, str) or not list_url.strip():
        raise SourcesError(f"{label}: list_url is required (the URL of the report column's list page)")
    list_url = list_url.strip()
    label = f"{label} ({list_url})"
    try:
        check_url(list_url.replace("{page}", "1"))
    except Refused as exc:
        raise SourcesError(f"{label}: list_url: {exc.reason}") from exc
    name = entry.get("name")
    if name is None:
        name = derived_name(list_url)
    elif not isinstance(name, str) or not _NAME.match(name):
        raise SourcesError(f"{label}: name must be 1-64 of A-Z a-z 0-9 _ . - (it names a folder)")
    agency = entry.get("agency")
    if agency is not None and (not isinstance(agency, str) or not agency.strip()):
        raise SourcesError(f"{label}: agency must be a non-empty text")
    try:
        titles = TitleFilter.of(
            _patterns(entry, "include", label), _patterns(entry, "exclude", label), _years(entry, label)
        )
    except re.error as exc:
        raise SourcesError(f"{label}: a title pattern is not a valid regular expression ({exc})") from exc
    return Source(
        name=name,
        list_url=list_url,
        titles=titles,
        agency=agency.strip() if agency else None,
        max_pages=_positive(entry, "max_pages", DEFAULT_MAX_PAGES, label),
        first_page=_positive(entry, "first_page", 1, label, minimum=0),
    )


def _patterns(entry: Mapping[str, Any], key: str, label: str) -> list[str] | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise SourcesError(f"{label}: {key} must be a pattern or a list of patterns")
    return list(value)


def _years(entry: Mapping[str, Any], label: str) -> list[int]:
    value = entry.get("years")
    if value is None:
        return []
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value]
    if isinstance(value, str) and (match := re.fullmatch(r"\s*(\d{4})\s*-\s*(\d{4})\s*", value)):
        first, last = int(match.group(1)), int(match.group(2))
        if first <= last:
            return list(range(first, last + 1))
    if isinstance(value, list) and value and all(isinstance(v, int) and 1990 <= v <= 2100 for v in value):
        return list(value)
    raise SourcesError(f"{label}: years must be a year, a list of years or a range like 2019-2024")


def _positive(entry: Mapping[str, Any], key: str, default: int, label: str, minimum: int = 1) -> int:
    value = entry.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SourcesError(f"{label}: {key} must be a whole number ≥ {minimum}")
    return value
