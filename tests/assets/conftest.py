"""Fixtures for running the Dagster pipeline in-process: a copy of the sample corpus as the
landing folder, a throwaway instance, the database fixtures of tests/db (a SQLite file or a
fresh PostgreSQL schema), and a helper that materialises every asset for every report.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gaibao_pipeline.assets import REPORT_ASSETS
from gaibao_pipeline.checks import ALL_CHECKS, AgencyAliasesResource
from gaibao_pipeline.db import make_engine
from gaibao_pipeline.db.schema import TABLES
from gaibao_pipeline.orchestration.partitions import REPORTS, plan_ranges, range_tags
from gaibao_pipeline.orchestration.resources import (
    DatabaseResource,
    LandingFolderResource,
    ParseSettingsResource,
    ReviewPagesResource,
)
from gaibao_pipeline.runner.landing import scan
from tests.db.conftest import db_url  # noqa: F401 - the SQLite / PostgreSQL database fixture

# Columns that say which run wrote a row and when: they differ between two runs by design.
RUN_COLUMNS = frozenset({"run_id", "loaded_at", "first_seen_at", "computed_at"})


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:  # noqa: F811 - db_url is the imported fixture
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def resources(landing: Path, url: str) -> dict[str, Any]:
    return {
        "database": DatabaseResource(url=url),
        "landing_folder": LandingFolderResource(path=str(landing)),
        "parse_settings": ParseSettingsResource(),
        "review_pages": ReviewPagesResource(directory=str(landing.parent / "review")),
        "agency_aliases": AgencyAliasesResource(),
    }


def materialize_all(instance: dg.DagsterInstance, landing: Path, url: str) -> dg.ExecuteInProcessResult:
    """Register every file of `landing` and materialise all assets for all of them in one run."""
    keys = [f.key for f in scan(landing)]
    instance.add_dynamic_partitions(REPORTS.name, keys)
    [whole] = plan_ranges(instance.get_dynamic_partitions(REPORTS.name), keys)
    return dg.materialize(
        [*REPORT_ASSETS, *ALL_CHECKS],
        instance=instance,
        resources=resources(landing, url),
        tags=range_tags(whole),
    )


def contents(engine: Engine, *, drop: frozenset[str] = RUN_COLUMNS) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows ordered by key, without the columns that identify the run."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in TABLES:
            columns = [c for c in table.columns if c.name not in drop]
            rows = conn.execute(sa.select(*columns).order_by(*table.primary_key.columns))
            out[table.name] = [tuple(row) for row in rows]
    return out
