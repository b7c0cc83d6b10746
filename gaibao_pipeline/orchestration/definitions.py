"""The project's one Dagster `Definitions`, loaded by workspace.yaml and `[tool.dagster]`.

`build_definitions` lets `gaibao run` and the tests swap resources (database URL, landing
folder) and loggers without a second copy of the asset graph. The executor of its jobs is
GAIBAO_EXECUTOR's (`executors.executor_from_env`): in-process by default, multiprocess, or Celery workers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg

from gaibao_pipeline.assets import ALL_ASSETS
from gaibao_pipeline.checks import ALL_CHECKS, AgencyAliasesResource
from gaibao_pipeline.orchestration.executors import executor_from_env
from gaibao_pipeline.orchestration.jobs import fetch_reports_job, load_reports_job
from gaibao_pipeline.orchestration.resources import (
    DatabaseResource,
    LandingFolderResource,
    ParseSettingsResource,
    ReviewPagesResource,
    WebFetchResource,
)
from gaibao_pipeline.orchestration.schedules import annual_fetch_schedule, annual_refresh_schedule
from gaibao_pipeline.orchestration.sensors import landing_folder_sensor

# Checks that are steps of their own (cross-year); `report_checks` is part of core_reports' step.
ASSET_CHECKS: list[dg.AssetChecksDefinition] = ALL_CHECKS


def default_resources() -> dict[str, Any]:
    """Resources with every setting left to the environment (resolved when a run uses them)."""
    return {
        "database": DatabaseResource(),
        "landing_folder": LandingFolderResource(),
        "parse_settings": ParseSettingsResource(),
        "review_pages": ReviewPagesResource(),
        "agency_aliases": AgencyAliasesResource(),
        "web_fetch": WebFetchResource(),
    }


def build_definitions(
    *,
    resources: Mapping[str, Any] | None = None,
    loggers: Mapping[str, dg.LoggerDefinition] | None = None,
) -> dg.Definitions:
    """The definitions, with `resources` replacing the defaults of the same key."""
    return dg.Definitions(
        assets=ALL_ASSETS,
        asset_checks=ASSET_CHECKS,
        jobs=[load_reports_job, fetch_reports_job],
        sensors=[landing_folder_sensor],
        schedules=[annual_refresh_schedule, annual_fetch_schedule],
        resources={**default_resources(), **(resources or {})},
        loggers=loggers,
        executor=executor_from_env(),
    )


defs = build_definitions()
