"""The one `Definitions`: it loads, its asset graph is layered raw → core → out with a
docstring and code version on every asset, tables carry column schemas and column lineage
that point at real columns, the job/sensor/schedule are wired, and the pure core stays free
of Dagster while resources read the environment only when used.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

import gaibao_pipeline
from gaibao_pipeline.db import schema as db
from gaibao_pipeline.orchestration.definitions import ASSET_CHECKS, build_definitions, defs
from gaibao_pipeline.orchestration.partitions import REPORTS, WEB_SOURCES
from gaibao_pipeline.orchestration.resources import (
    DatabaseResource,
    LandingFolderResource,
    ParseSettingsResource,
)

PACKAGE = Path(gaibao_pipeline.__file__).parent
EXPECTED = {
    "raw_web_listings",
    "raw_landing_files",
    "core_reports",
    *(f"out_{t.name}" for t in db.TABLES),
    "out_t3_wide",
    "out_agency_year_summary",
    "out_review_queue",
    "out_agency_year_panel",
}


def _graph() -> dg.AssetsDefinition:
    return defs.resolve_asset_graph()


def test_definitions_load() -> None:
    dg.Definitions.validate_loadable(defs)
    assert {k.to_user_string() for k in _graph().get_all_asset_keys()} == EXPECTED
    # one check per report for its own invariants and one across years, whatever their number:
    # each check is an evaluation per report on a kept instance
    assert _graph().asset_check_keys == {
        dg.AssetCheckKey(dg.AssetKey("core_reports"), "report_checks"),
        dg.AssetCheckKey(dg.AssetKey("core_reports"), "cross_year"),
    }
    # report_checks is evaluated by the per-report step; the cross-year check after it
    assert {key.name for checks in ASSET_CHECKS for key in checks.check_keys} == {"cross_year"}


def test_assets_are_layered_and_documented() -> None:
    graph = _graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        name = key.to_user_string()
        layer = name.split("_", 1)[0]
        assert layer in ("raw", "core", "out"), name
        assert node.group_name == layer, name
        assert node.description and "\n" not in node.description.strip(), name  # one line for the UI
        if node.is_materializable:
            assert node.code_version, name


def test_per_report_assets_share_the_dynamic_partitions() -> None:
    graph = _graph()
    per_report = {"raw_landing_files", "core_reports"}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if key.to_user_string() == "raw_web_listings":  # one partition per source of the sources file
            assert node.partitions_def == WEB_SOURCES
        elif key.to_user_string() not in per_report:  # tables and views: the whole database
            assert node.partitions_def is None
        else:
            assert node.partitions_def == REPORTS, key
            if node.is_materializable:
                assert node.backfill_policy is not None and node.backfill_policy.max_partitions_per_run >= 100


def test_lineage_follows_the_stages() -> None:
    graph = _graph()

    def parents(name: str) -> set[str]:
        return {k.to_user_string() for k in graph.get(dg.AssetKey(name)).parent_keys}

    assert parents("core_reports") == {"raw_landing_files"}
    assert parents("out_cells_t3") == {"core_reports"}
    assert "out_cells_t3" in parents("out_t3_wide")


def test_tables_have_column_schema_and_lineage_to_real_columns() -> None:
    graph = _graph()
    columns = {f"out_{t.name}": {c.name for c in t.columns} for t in (*db.TABLES, *db.VIEWS)}
    for name, table_columns in columns.items():
        metadata = graph.get(dg.AssetKey(name)).metadata
        schema = metadata["dagster/column_schema"]
        assert [c.name for c in schema.columns] == [c.name for c in _table(name).columns]
        assert metadata["dagster/table_name"] == name.removeprefix("out_")
        lineage = metadata.get("dagster/column_lineage")
        if lineage is None:
            continue
        for column, deps in lineage.deps_by_column.items():
            assert column in table_columns, (name, column)
            for dep in deps:
                assert dep.column_name in columns[dep.asset_key.to_user_string()], (name, dep)
    assert "dagster/column_lineage" in graph.get(dg.AssetKey("out_agency_year_summary")).metadata


def _table(asset_name: str):  # type: ignore[no-untyped-def]
    return {t.name: t for t in (*db.TABLES, *db.VIEWS)}[asset_name.removeprefix("out_")]


def test_job_sensor_and_schedule_are_wired() -> None:
    job = defs.resolve_job_def("load_reports")
    assert job.partitions_def == REPORTS
    sensor = defs.resolve_sensor_def("landing_folder_sensor")
    schedule = defs.resolve_schedule_def("annual_refresh_schedule")
    assert sensor.job_name == schedule.job_name == "load_reports"
    assert sensor.description and schedule.description
    assert schedule.execution_timezone == "Asia/Shanghai"
    # the fetch lands files before the refresh; the sensor loads them as they land
    fetch = defs.resolve_schedule_def("annual_fetch_schedule")
    assert fetch.job_name == "fetch_reports" and fetch.description
    assert defs.resolve_job_def("fetch_reports").partitions_def == WEB_SOURCES
    assert fetch.cron_schedule == ["0 2 1 2,4 *", "0 2 * 2-4 1"]  # before the refresh at 06:00


def test_build_definitions_swaps_resources() -> None:
    swapped = build_definitions(resources={"database": DatabaseResource(url="sqlite:///x.sqlite")})
    assert swapped.resources["database"].url == "sqlite:///x.sqlite"
    assert "landing_folder" in swapped.resources


def test_resources_read_the_environment_when_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GAIBAO_DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.setenv("GAIBAO_LANDING_DIR", str(tmp_path))
    monkeypatch.setenv("GAIBAO_MAX_PAGES", "7")
    assert DatabaseResource().resolved_url() == "postgresql://u@h/db"
    assert LandingFolderResource().root() == tmp_path
    assert ParseSettingsResource().limits().max_pages == 7
    assert ParseSettingsResource(max_pages=3).limits().max_pages == 3  # explicit config wins
    monkeypatch.delenv("GAIBAO_DATABASE_URL")
    monkeypatch.chdir(tmp_path)
    assert DatabaseResource().resolved_url().endswith(f"{tmp_path.as_posix()}/data/gaibao.sqlite")


def test_parse_settings_cover_every_limit() -> None:
    from dataclasses import fields

    from gaibao_pipeline.limits import Limits

    assert {f.name for f in fields(Limits)} <= set(ParseSettingsResource.model_fields)


# Dagster lives in three rooms; everything else is the pure core, importable without it.
DAGSTER_ROOMS = ("assets", "checks", "orchestration")


def test_dagster_is_imported_only_by_the_dagster_glue() -> None:
    pattern = re.compile(r"^\s*(import dagster|from dagster)", re.MULTILINE)
    offenders = [
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*.py")
        if p.relative_to(PACKAGE).parts[0] not in DAGSTER_ROOMS
        and pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert not offenders


def test_the_pure_core_imports_without_dagster() -> None:
    """`gaibao parse` must not pay for importing Dagster: the runner and the CLI load without it."""
    code = (
        "import sys, gaibao_pipeline.cli, gaibao_pipeline.runner.parse, gaibao_pipeline.runner.batch, "
        "gaibao_pipeline.db.summary, gaibao_pipeline.review.pages; "
        "print('dagster' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
