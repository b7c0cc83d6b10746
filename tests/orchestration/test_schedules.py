"""The annual refresh schedule: its cron ticks fall after the 31 Jan / 31 Mar deadlines and
weekly in Feb–Apr (Beijing time); an evaluation registers new files and requests bulk runs
for new, changed and not-yet-loaded reports, and skips once everything is loaded.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from dagster._core.storage.defs_state.base import DefsStateStorage  # no public accessor

from gaibao_pipeline.orchestration.definitions import build_definitions
from gaibao_pipeline.orchestration.partitions import RANGE_END_TAG, RANGE_START_TAG, REPORTS
from gaibao_pipeline.orchestration.resources import DatabaseResource, LandingFolderResource
from gaibao_pipeline.orchestration.schedules import annual_refresh_schedule
from gaibao_pipeline.runner.keys import report_key
from gaibao_pipeline.runner.landing import scan

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[dg.DagsterInstance]:
    # A schedule context reopens its instance from a reference: it must be a persistent one.
    (tmp_path / "dagster").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster")) as inst:
        yield inst


def evaluate(instance: dg.DagsterInstance, landing: Path) -> list[dg.RunRequest] | dg.SkipReason:
    # Entered as a context manager: the context opens its own instance from the reference and
    # makes it the current one; only leaving the context restores the test's instance.
    with dg.build_schedule_context(
        instance=instance,
        scheduled_execution_time=datetime(2025, 4, 1, 6, tzinfo=SHANGHAI),
        resources={"landing_folder": LandingFolderResource(path=str(landing))},
    ) as context:
        return annual_refresh_schedule(context)


def run(instance: dg.DagsterInstance, landing: Path, tmp_path: Path, requests: list[dg.RunRequest]) -> None:
    url = f"sqlite:///{(tmp_path / 'gaibao.sqlite').as_posix()}"
    defs = build_definitions(
        resources={
            "database": DatabaseResource(url=url),
            "landing_folder": LandingFolderResource(path=str(landing)),
        }
    )
    for request in requests:
        assert (
            defs.resolve_job_def("load_reports")
            .execute_in_process(instance=instance, tags=request.tags)
            .success
        )


def test_ticks_follow_the_deadlines() -> None:
    ticks = annual_refresh_schedule.cron_schedule
    assert isinstance(ticks, list)
    start = datetime(2025, 1, 1, tzinfo=SHANGHAI).timestamp()
    times = []
    for cron in ticks:
        iterator = dg._utils.schedules.cron_string_iterator(start, cron, "Asia/Shanghai")
        times += [next(iterator) for _ in range(20)]
    in_2025 = sorted(t for t in times if t.year == 2025)
    assert in_2025[0] == datetime(2025, 2, 1, 6, tzinfo=SHANGHAI)  # the day after 31 Jan
    assert datetime(2025, 4, 1, 6, tzinfo=SHANGHAI) in in_2025  # the day after 31 Mar
    assert {t.month for t in in_2025} == {2, 3, 4}  # nothing outside the reporting season


def test_first_evaluation_registers_and_requests_everything(
    instance: dg.DagsterInstance, landing: Path
) -> None:
    requests = evaluate(instance, landing)
    keys = [f.key for f in scan(landing)]
    assert instance.get_dynamic_partitions(REPORTS.name) == keys
    assert isinstance(requests, list) and len(requests) == 1
    assert (requests[0].tags[RANGE_START_TAG], requests[0].tags[RANGE_END_TAG]) == (keys[0], keys[-1])


def test_skips_when_loaded_and_catches_a_change(
    instance: dg.DagsterInstance, landing: Path, tmp_path: Path
) -> None:
    first = evaluate(instance, landing)
    assert isinstance(first, list)
    run(instance, landing, tmp_path, first)
    assert isinstance(evaluate(instance, landing), dg.SkipReason)
    path = landing / "004_a236c2d85176b38f.txt"
    path.write_bytes(path.read_bytes() + b"\n")
    again = evaluate(instance, landing)
    assert isinstance(again, list)
    key = report_key("004_a236c2d85176b38f.txt")
    assert [(r.tags[RANGE_START_TAG], r.tags[RANGE_END_TAG]) for r in again] == [(key, key)]


def test_an_evaluation_restores_the_current_instance(instance: dg.DagsterInstance, landing: Path) -> None:
    # Regression (flaky CI): evaluated without `with`, the context's own instance stayed the
    # current one; once garbage-collected in another thread, loading definitions failed with
    # "Attempted to resolve undefined DagsterInstance weakref".
    current = DefsStateStorage.get()
    evaluate(instance, landing)
    assert DefsStateStorage.get() is current


def test_requests_reports_whose_run_never_happened(instance: dg.DagsterInstance, landing: Path) -> None:
    evaluate(instance, landing)  # registered and observed, but the run never went
    requests = evaluate(instance, landing)
    assert isinstance(requests, list) and len(requests) == 1


def test_hashing_is_bounded_like_a_sensor_tick(
    instance: dg.DagsterInstance, landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # issue 24: the schedule hashed every new file in one evaluation, however large the folder
    from gaibao_pipeline.orchestration import schedules

    monkeypatch.setattr(schedules, "MAX_HASHED_PER_TICK", 3)
    first = evaluate(instance, landing)
    assert isinstance(first, list)
    assert len(instance.get_dynamic_partitions(REPORTS.name)) == 3  # the rest wait for the next look
    evaluate(instance, landing)
    assert len(instance.get_dynamic_partitions(REPORTS.name)) == 6
