"""`gaibao run`'s progress bar: the per-report step logs a line per chunk of reports parsed,
not one per report, and the bar advances by each line's count to the run's every report.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import dagster as dg
import pytest
from tqdm import tqdm

from gaibao_pipeline.assets import core
from gaibao_pipeline.orchestration.definitions import build_definitions
from gaibao_pipeline.orchestration.local_run import progress_logger
from gaibao_pipeline.orchestration.partitions import REPORTS, plan_ranges, range_tags
from gaibao_pipeline.orchestration.progress import parsed_count, progress_line
from gaibao_pipeline.orchestration.resources import DatabaseResource, LandingFolderResource
from gaibao_pipeline.runner.landing import scan


def test_progress_lines_carry_their_count() -> None:
    assert parsed_count(progress_line(50, 150, 500)) == 50
    assert parsed_count("r0123456789abcdef a.pdf: pdf, unreadable") is None


def test_the_bar_counts_every_report_from_a_line_per_chunk(
    instance: dg.DagsterInstance, landing: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(core, "CHUNK", 5)  # 13 reports: lines of 5, 5 and 3
    keys = [f.key for f in scan(landing)]
    instance.add_dynamic_partitions(REPORTS.name, keys)
    [whole] = plan_ranges(instance.get_dynamic_partitions(REPORTS.name), keys)
    bar = tqdm(total=len(keys), file=io.StringIO())
    defs = build_definitions(
        resources={
            "database": DatabaseResource(url=f"sqlite:///{(tmp_path / 'db.sqlite').as_posix()}"),
            "landing_folder": LandingFolderResource(path=str(landing)),
        },
        loggers={"progress": progress_logger(bar)},
    )
    result = defs.resolve_job_def("load_reports").execute_in_process(
        run_config={"loggers": {"progress": {}}}, instance=instance, tags=range_tags(whole)
    )
    assert result.success
    assert bar.n == len(keys) == 13
    lines = [
        e.message
        for e in instance.all_logs(result.run_id)
        if e.dagster_event is None and e.step_key == "core_reports" and e.level == logging.INFO
    ]
    counts = [parsed_count(line) for line in lines]
    assert [c for c in counts if c is not None] == [5, 5, 3]
    assert len(lines) == 3 + 2  # no line per report: the chunks, the start and the load summary
