"""Dagster resources: the database, the landing folder, the per-file reading limits and the crawler.

Thin configuration holders around the pure core; they do no parsing. Every default is
resolved when the resource is used, never at import time, so environment variables set by
the CLI, a test or the run launcher take effect.
"""

from __future__ import annotations

import os
from dataclasses import fields, replace
from pathlib import Path
from urllib.parse import quote

import dagster as dg
from pydantic import Field, PrivateAttr
from sqlalchemy.engine import Engine

from gaibao_pipeline.db import database_url_from_env, make_engine
from gaibao_pipeline.db.engine import redact as redact  # where callers have imported it from
from gaibao_pipeline.errors import ConfigError
from gaibao_pipeline.fetch.settings import FetchSettings, configured
from gaibao_pipeline.fetch.sources import Source, default_sources_path, load_sources
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.runner.landing import default_landing_dir


class DatabaseResource(dg.ConfigurableResource):  # type: ignore[type-arg]
    """The database loaded reports go to: `url`, else GAIBAO_DATABASE_URL, else data/gaibao.sqlite."""

    url: str | None = None

    # One engine (one connection pool) per run process, shared by every report it loads.
    _engine: Engine | None = PrivateAttr(default=None)

    def resolved_url(self) -> str:
        return self.url or database_url_from_env()

    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.resolved_url())
        return self._engine

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


class LandingFolderResource(dg.ConfigurableResource):  # type: ignore[type-arg]
    """The folder report files are dropped into: `path`, else GAIBAO_LANDING_DIR, else the sample corpus."""

    path: str | None = None
    # The sensor leaves files alone until they have not changed for this long, so a file
    # still being copied in is not registered half-written.
    settle_seconds: float = 10.0

    def root(self) -> Path:
        return Path(self.path).expanduser() if self.path else default_landing_dir()


class ParseSettingsResource(dg.ConfigurableResource):  # type: ignore[type-arg]
    """Limits for reading one file and reader processes; unset fields come from GAIBAO_<FIELD> or defaults."""

    max_file_bytes: int | None = None
    max_pages: int | None = None
    max_page_area: float | None = None
    max_decompressed_bytes: int | None = None
    max_compression_ratio: float | None = None
    max_text_chars: int | None = None
    timeout_seconds: float | None = None
    max_worker_memory_bytes: int | None = None
    max_archive_members: int | None = None
    max_archive_depth: int | None = None
    max_archive_bytes: int | None = None
    # Worker processes reading files in one run (default: one per core). With two runs at
    # once on a 2-core machine, 1 keeps the machine from being oversubscribed.
    read_workers: int | None = None

    def limits(self) -> Limits:
        """GAIBAO_<FIELD> or the defaults, with this resource's fields over them; all checked above 0."""
        base = Limits.from_env(os.environ)
        known = {f.name for f in fields(Limits)}
        overrides = {
            name: value
            for name in type(self).model_fields
            if name in known and (value := getattr(self, name)) is not None
        }
        bad = [
            f"parse_settings.{name}={value!r}: expected a number above 0"
            for name, value in overrides.items()
            if not value > 0
        ]
        if self.read_workers is not None and self.read_workers < 1:
            bad.append(f"parse_settings.read_workers={self.read_workers!r}: expected 1 or more")
        if bad:
            raise ConfigError("\n".join(bad))
        return replace(base, **overrides)


REVIEW_URL_ENV_VAR = "GAIBAO_REVIEW_URL"
DEFAULT_REVIEW_URL = "http://127.0.0.1:8000"  # `gaibao serve` with its defaults


class ReviewPagesResource(dg.ConfigurableResource):  # type: ignore[type-arg]
    """Where reviewers look: static HTML pages (`directory`, else GAIBAO_REVIEW_DIR, else
    data/review) and the review app (`app_url`, else GAIBAO_REVIEW_URL, else gaibao serve's default)."""

    directory: str | None = None
    app_url: str | None = None

    def root(self) -> Path:
        chosen = self.directory or os.environ.get("GAIBAO_REVIEW_DIR")
        return Path(chosen).expanduser() if chosen else Path.cwd() / "data" / "review"

    def report_url(self, report_id: str) -> str:
        """The report's page in the review app, which check metadata links to."""
        base = self.app_url or os.environ.get(REVIEW_URL_ENV_VAR, "").strip() or DEFAULT_REVIEW_URL
        return f"{base.rstrip('/')}/reports/{quote(report_id, safe='')}"


_CRAWLER = FetchSettings()  # the defaults


class WebFetchResource(dg.ConfigurableResource):  # type: ignore[type-arg]
    """The sites to fetch reports from (`sources`, else GAIBAO_SOURCES) and how politely (`gaibao fetch`)."""

    sources: str | None = None
    delay: float = _CRAWLER.delay  # seconds between two requests to one host
    allow_hosts: list[str] = Field(default_factory=list)  # non-public hosts or networks it may visit
    recheck_after_hours: float = _CRAWLER.recheck_after / 3600
    retries: int = _CRAWLER.retries
    backoff: float = _CRAWLER.backoff  # seconds before the first retry, doubled each time
    read_timeout: float = _CRAWLER.read_timeout
    max_bytes: int = _CRAWLER.max_bytes
    contact: str | None = None  # added to the User-Agent; else GAIBAO_FETCH_CONTACT

    def sources_path(self) -> Path | None:
        return Path(self.sources).expanduser() if self.sources else default_sources_path()

    def load(self) -> list[Source]:
        """The sources file's entries; `SourcesError` when it is missing or wrong."""
        from gaibao_pipeline.fetch.sources import SourcesError

        path = self.sources_path()
        if path is None:
            raise SourcesError("no sources file: set the web_fetch resource's `sources` or GAIBAO_SOURCES")
        return load_sources(path)

    def settings(self) -> FetchSettings:
        return configured(
            **{name: getattr(self, name) for name in type(self).model_fields if name != "sources"}
        )
