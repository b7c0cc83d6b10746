"""The whole asset graph materialised in-process over the sample corpus, on SQLite and on
PostgreSQL: one run for all reports, every report loaded with its run id and source hash,
identical table contents on a second run, an unreadable file recorded as such while the
others load, a vanished file leaving its rows alone (also when it goes between registration and
reading), a review folder that cannot be written costing only a warning, and per-report metadata.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gaibao_pipeline.assets import REPORT_ASSETS, core
from gaibao_pipeline.checks import ALL_CHECKS
from gaibao_pipeline.db.schema import cells_t3, reports, source_files
from gaibao_pipeline.orchestration.keys import CORE_REPORTS
from gaibao_pipeline.orchestration.partitions import REPORTS, plan_ranges, range_tags
from gaibao_pipeline.orchestration.resources import ReviewPagesResource
from gaibao_pipeline.runner.keys import report_key
from gaibao_pipeline.runner.landing import scan
from gaibao_pipeline.runner.stages import SourceFile, register

from .conftest import contents, materialize_all, resources

CORPUS_SIZE = 13  # the sample corpus bundled in the package


def test_corpus_loads_in_one_run(
    instance: dg.DagsterInstance, landing: Path, db_url: str, engine: Engine
) -> None:
    result = materialize_all(instance, landing, db_url)
    assert result.success
    assert instance.get_runs_count() == 1  # nine reports, one run
    with engine.connect() as conn:
        files = conn.execute(
            sa.select(source_files.c.report_id, source_files.c.status, source_files.c.run_id)
        ).all()
        n_cells_t3 = conn.execute(sa.select(sa.func.count()).select_from(cells_t3)).scalar_one()
        run_ids = conn.execute(sa.select(cells_t3.c.run_id).distinct()).scalars().all()
        mismatched = conn.execute(
            sa.select(sa.func.count())
            .select_from(cells_t3.join(source_files, cells_t3.c.report_id == source_files.c.report_id))
            .where(cells_t3.c.source_sha256 != source_files.c.sha256)
        ).scalar_one()
    assert sorted(key for key, _, _ in files) == sorted(f.key for f in scan(landing))
    assert {status for _, status, _ in files} == {"ok"}
    assert {run_id for _, _, run_id in files} == {result.run_id}
    assert n_cells_t3 > 0
    assert set(instance.get_dynamic_partitions(REPORTS.name)) == {f.key for f in scan(landing)}
    # Every cell row says which run wrote it and which version of the file it came from.
    assert run_ids == [result.run_id]
    assert mismatched == 0


def test_second_run_gives_identical_tables(
    instance: dg.DagsterInstance, landing: Path, db_url: str, engine: Engine
) -> None:
    assert materialize_all(instance, landing, db_url).success
    first = contents(engine)
    assert materialize_all(instance, landing, db_url).success
    assert contents(engine) == first
    assert instance.get_runs_count() == 2


def test_unreadable_file_gets_its_status_while_the_others_load(
    instance: dg.DagsterInstance, landing: Path, db_url: str, engine: Engine
) -> None:
    (landing / "broken.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)  # no xref, no pages
    (landing / "noise.pdf").write_bytes(bytes(range(256)) * 10)  # not even a PDF header
    result = materialize_all(instance, landing, db_url)
    assert result.success  # a bad file never fails the run
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.select(source_files.c.source_path, source_files.c.status)).all())
        messages = (
            conn.execute(
                sa.select(source_files.c.error_message).where(
                    source_files.c.source_path.in_(["broken.pdf", "noise.pdf"])
                )
            )
            .scalars()
            .all()
        )
    assert rows["broken.pdf"] != "ok" and rows["noise.pdf"] != "ok"
    assert all(messages)
    assert sum(status == "ok" for status in rows.values()) == CORPUS_SIZE
    assert (landing / "broken.pdf").exists()  # the file stays where it was


def test_vanished_file_keeps_its_rows(
    instance: dg.DagsterInstance, landing: Path, db_url: str, engine: Engine
) -> None:
    assert materialize_all(instance, landing, db_url).success
    before = contents(engine)
    gone = landing / "pingtan2021.txt"
    key = report_key("pingtan2021.txt")
    gone.unlink()
    result = dg.materialize(
        REPORT_ASSETS,
        instance=instance,
        resources=resources(landing, db_url),
        partition_key=key,
    )
    assert result.success
    assert contents(engine) == before
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key == CORE_REPORTS]
    assert event.materialization.metadata["loaded"].value is False


def test_file_removed_during_a_reload_keeps_its_earlier_load(
    instance: dg.DagsterInstance,
    landing: Path,
    db_url: str,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # issue 24: registered, then removed before the reader got to it: its cells were wiped and
    # the report set `unreadable`, against what docs/operations.md promises
    assert materialize_all(instance, landing, db_url).success
    before = contents(engine)
    key = report_key("pingtan2021.txt")

    def register_then_remove(*args: Any, **kwargs: Any) -> SourceFile:
        source = register(*args, **kwargs)
        (landing / "pingtan2021.txt").unlink()  # between registration and reading
        return source

    monkeypatch.setattr(core, "register", register_then_remove)
    result = dg.materialize(
        [*REPORT_ASSETS, *ALL_CHECKS],
        instance=instance,
        resources=resources(landing, db_url),
        partition_key=key,
    )
    assert result.success
    assert contents(engine) == before  # its earlier rows, status ok, all cells
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key == CORE_REPORTS]
    metadata = {k: v.value for k, v in event.materialization.metadata.items()}
    assert metadata["loaded"] is False and metadata["load_status"] == "missing"
    assert "pingtan2021.txt was removed before it was read" in str(metadata["reason"])


def test_a_review_folder_that_cannot_be_written_costs_only_a_warning(
    instance: dg.DagsterInstance, landing: Path, db_url: str, engine: Engine, tmp_path: Path
) -> None:
    # issue 24: an unwritable GAIBAO_REVIEW_DIR failed the whole run and nothing loaded
    not_a_folder = tmp_path / "review-is-a-file"
    not_a_folder.write_text("a file where the review folder should be")  # unwritable even as root
    keys = [f.key for f in scan(landing)]
    instance.add_dynamic_partitions(REPORTS.name, keys)
    [whole] = plan_ranges(instance.get_dynamic_partitions(REPORTS.name), keys)
    result = dg.materialize(
        [*REPORT_ASSETS, *ALL_CHECKS],
        instance=instance,
        resources={
            **resources(landing, db_url),
            "review_pages": ReviewPagesResource(directory=str(not_a_folder)),
        },
        tags=range_tags(whole),
    )
    assert result.success
    with engine.connect() as conn:
        statuses = conn.execute(sa.select(source_files.c.status)).scalars().all()
    assert statuses == ["ok"] * CORPUS_SIZE
    warnings = [
        e.message
        for e in instance.all_logs(result.run_id)
        if e.level == logging.WARNING and "review page not written" in e.message
    ]
    assert warnings  # the reports with failed checks say their page is missing, and why


def test_report_metadata_and_values(
    instance: dg.DagsterInstance, landing: Path, db_url: str, engine: Engine
) -> None:
    result = materialize_all(instance, landing, db_url)
    by_key = {
        e.partition: e.materialization.metadata
        for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey("core_reports")
    }
    assert len(by_key) == CORPUS_SIZE
    hongze = by_key[report_key("hongze2023.pdf")]
    assert hongze["status"].value == "ok"
    assert hongze["agency"].value == "洪泽区人民政府"
    assert hongze["year"].value == 2023
    assert hongze["checks_failed"].value >= 1  # 行政复议 总计 0 beside 维持 10 and 纠正 1
    # one materialization per report carries every stage: file, parse and load
    assert hongze["path"].value == "hongze2023.pdf" and hongze["format"].value == "pdf"
    assert hongze["template"].value == "2021" and hongze["cells"].value > 0
    assert hongze["loaded"].value is True and hongze["load_status"].value == "ok"
    loaded = list(by_key.values())
    assert all(m["rows"].value["source_files"] == 1 for m in loaded)
    assert all(m["dagster/partition_row_count"].value > 1 for m in loaded)
    tables = {
        e.asset_key.to_user_string(): e.materialization.metadata
        for e in result.get_asset_materialization_events()
        if e.partition is None
    }
    assert tables["out_source_files"]["dagster/row_count"].value == CORPUS_SIZE  # once per run, whole table
    summary = [
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey("out_agency_year_summary")
    ]
    assert summary[0].materialization.metadata["files"].value == CORPUS_SIZE

    key = report_key("hongze2023.pdf")
    with engine.connect() as conn:
        agency, year, sha = conn.execute(
            sa.select(reports.c.agency, reports.c.year, reports.c.source_sha256).where(
                reports.c.report_id == key
            )
        ).one()
        page = conn.execute(
            sa.select(sa.func.max(cells_t3.c.page)).where(cells_t3.c.report_id == key)
        ).scalar_one()
    assert (agency, year) == ("洪泽区人民政府", 2023)
    assert sha == hashlib.sha256((landing / "hongze2023.pdf").read_bytes()).hexdigest()
    assert page is not None and page >= 1  # PDF cells keep their page
