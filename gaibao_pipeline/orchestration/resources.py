"""Dagster resources: the database, the landing folder and the per-file reading limits.

Thin configuration holders around the pure core; they do no parsing. Every default is
resolved when the resource is used, never at import time, so environment variables set by
the CLI, a test or the run launcher take effect.
"""

from __future__ import annotations

import os
from dataclasses import fields, replace
from pathlib import Path

import dagster as dg
from pydantic import PrivateAttr
from sqlalchemy.engine import Engine

from gaibao_pipeline.db import database_url_from_env, make_engine
from gaibao_pipeline.db.engine import redact as redact  # where callers have imported it from
from gaibao_pipeline.errors import ConfigError
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


class ReviewPagesResource(dg.ConfigurableResource):  # type: ignore[type-arg]
    """Where reviewers' HTML pages go: `directory`, else GAIBAO_REVIEW_DIR, else data/review."""

    directory: str | None = None

    def root(self) -> Path:
        chosen = self.directory or os.environ.get("GAIBAO_REVIEW_DIR")
        return Path(chosen).expanduser() if chosen else Path.cwd() / "data" / "review"
