"""The landing-folder sensor, evaluated with `build_sensor_context` on a throwaway instance:
new files become partitions and one bulk run, unchanged files are ignored (even when only
touched), a changed file is requested again, hidden/temporary and still-settling files are
left alone, and a run the sensor requests executes the pipeline for exactly its files.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dagster as dg

from gaibao_pipeline.orchestration.definitions import build_definitions
from gaibao_pipeline.orchestration.keys import RAW_LANDING_FILES
from gaibao_pipeline.orchestration.partitions import DATA_VERSION_TAG, RANGE_END_TAG, RANGE_START_TAG, REPORTS
from gaibao_pipeline.orchestration.resources import DatabaseResource, LandingFolderResource
from gaibao_pipeline.orchestration.sensors import decode_cursor, encode_cursor, landing_folder_sensor
from gaibao_pipeline.runner.keys import report_key
from gaibao_pipeline.runner.landing import scan


def evaluate(
    instance: dg.DagsterInstance, landing: Path, cursor: str | None, settle: float = 0.0
) -> dg.SensorResult:
    """One tick, then what the daemon does with its result: add the partitions.

    The tick records its file observations itself, as one batch (`observations_since`).
    """
    with dg.build_sensor_context(
        instance=instance,
        cursor=cursor,
        resources={"landing_folder": LandingFolderResource(path=str(landing), settle_seconds=settle)},
    ) as context:  # leaving the context restores the current instance (see test_schedules)
        result = landing_folder_sensor(context)
    assert isinstance(result, dg.SensorResult)
    for request in result.dynamic_partitions_requests or []:
        instance.add_dynamic_partitions(REPORTS.name, list(request.partition_keys))
    return result


def observations_since(instance: dg.DagsterInstance, seen: int) -> dict[str, str]:
    """The file observations recorded after the first `seen`: partition → data version (SHA-256)."""
    records = instance.fetch_observations(RAW_LANDING_FILES, limit=10_000, ascending=True).records
    return {
        r.asset_observation.partition: r.asset_observation.tags[DATA_VERSION_TAG]
        for r in records[seen:]
        if r.asset_observation is not None and r.asset_observation.partition is not None
    }


def observation_count(instance: dg.DagsterInstance) -> int:
    return len(instance.fetch_observations(RAW_LANDING_FILES, limit=10_000).records)


def test_first_tick_registers_every_file_in_one_run(instance: dg.DagsterInstance, landing: Path) -> None:
    result = evaluate(instance, landing, None)
    keys = [f.key for f in scan(landing)]
    assert instance.get_dynamic_partitions(REPORTS.name) == keys
    [request] = result.run_requests
    assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == (keys[0], keys[-1])
    observed = observations_since(instance, 0)
    assert set(observed) == set(keys)
    assert observation_count(instance) == len(keys)  # one per file, in the tick's one batch
    cursor = decode_cursor(result.cursor)
    assert {report_key(path): state.sha256 for path, state in cursor.items()} == observed


def test_unchanged_files_are_skipped_even_when_touched(instance: dg.DagsterInstance, landing: Path) -> None:
    first = evaluate(instance, landing, None)
    seen = observation_count(instance)
    again = evaluate(instance, landing, first.cursor)
    assert not again.run_requests and not again.dynamic_partitions_requests
    assert observation_count(instance) == seen
    os.utime(landing / "pingtan2021.txt", ns=(10**18, 10**18))  # mtime moves, bytes do not
    touched = evaluate(instance, landing, again.cursor)
    assert not touched.run_requests
    assert (
        decode_cursor(touched.cursor)["pingtan2021.txt"].mtime_ns == 10**18
    )  # remembered: no rehash next time


def test_changed_file_is_requested_again(instance: dg.DagsterInstance, landing: Path) -> None:
    first = evaluate(instance, landing, None)
    before = observations_since(instance, 0)
    seen = observation_count(instance)
    path = landing / "pingtan2021.txt"
    path.write_bytes(path.read_bytes() + "\n附：更正说明。\n".encode())
    result = evaluate(instance, landing, first.cursor)
    key = report_key("pingtan2021.txt")
    [request] = result.run_requests
    assert request.tags[RANGE_START_TAG] == key == request.tags[RANGE_END_TAG]
    assert not result.dynamic_partitions_requests  # same path, same partition
    [(partition, version)] = observations_since(instance, seen).items()
    assert partition == key
    assert version != before[key]
    assert request.run_key != first.run_requests[0].run_key


def test_new_files_are_batched_into_one_run(instance: dg.DagsterInstance, landing: Path) -> None:
    first = evaluate(instance, landing, None)
    incoming = landing / "2024" / "new"
    incoming.mkdir(parents=True)
    for i in range(30):
        (incoming / f"copy{i:02}.txt").write_bytes(
            (landing / "pingtan2023.txt").read_bytes() + f"\n{i}".encode()
        )
    result = evaluate(instance, landing, first.cursor)
    [add] = result.dynamic_partitions_requests
    assert len(add.partition_keys) == 30
    assert len(result.run_requests) == 1


def test_hidden_temporary_and_settling_files_are_left_alone(
    instance: dg.DagsterInstance, landing: Path
) -> None:
    first = evaluate(instance, landing, None)
    for name in (".hidden.pdf", "~$lock.docx", "upload.pdf.part", "copy.tmp"):
        (landing / name).write_bytes(b"%PDF-1.7 partial")
    assert not evaluate(instance, landing, first.cursor).run_requests
    (landing / "arriving.txt").write_bytes(b"still being copied")
    settling = evaluate(instance, landing, first.cursor, settle=3600)
    assert not settling.run_requests and "arriving.txt" not in decode_cursor(settling.cursor)
    assert evaluate(instance, landing, first.cursor, settle=0).run_requests


def test_deleted_file_is_forgotten_but_its_partition_kept(
    instance: dg.DagsterInstance, landing: Path
) -> None:
    first = evaluate(instance, landing, None)
    (landing / "pingtan2021.txt").unlink()
    result = evaluate(instance, landing, first.cursor)
    assert "pingtan2021.txt" not in decode_cursor(result.cursor)
    assert report_key("pingtan2021.txt") in instance.get_dynamic_partitions(REPORTS.name)
    assert not result.run_requests


def test_missing_landing_folder_skips(instance: dg.DagsterInstance, tmp_path: Path) -> None:
    result = evaluate(instance, tmp_path / "nowhere", None)
    assert not result.run_requests and result.skip_reason


def test_cursor_round_trip_and_unknown_versions() -> None:
    from gaibao_pipeline.runner.landing import FileState

    states = {"平潭/2021.txt": FileState(12, 34, "ab" * 32)}
    assert decode_cursor(encode_cursor(states)) == states
    assert decode_cursor(json.dumps({"v": 999, "files": {}})) == {}
    assert decode_cursor(None) == {}


def test_requested_run_loads_exactly_its_files(
    instance: dg.DagsterInstance, landing: Path, tmp_path: Path
) -> None:
    first = evaluate(instance, landing, None)
    path = landing / "pingtan2023.txt"
    path.write_bytes(path.read_bytes() + b"\n")
    [request] = evaluate(instance, landing, first.cursor).run_requests
    url = f"sqlite:///{(tmp_path / 'gaibao.sqlite').as_posix()}"
    defs = build_definitions(
        resources={
            "database": DatabaseResource(url=url),
            "landing_folder": LandingFolderResource(path=str(landing)),
        }
    )
    result = defs.resolve_job_def("load_reports").execute_in_process(instance=instance, tags=request.tags)
    assert result.success
    loaded = {
        e.partition
        for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey("core_reports")
    }
    assert loaded == {report_key("pingtan2023.txt")}
