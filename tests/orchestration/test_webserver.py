"""`dagster-webserver` on the project's workspace.yaml, headless, with a throwaway
DAGSTER_HOME holding the committed dagster.yaml: the code location loads, and its GraphQL API
lists every asset (with groups and partitioning), the asset checks, the sensor, the
schedule and the job.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from gaibao_pipeline.orchestration.definitions import defs

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 120

QUERY = """
{
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError {
          __typename
          ... on PythonError { message }
          ... on RepositoryLocation {
            repositories {
              name
              jobs { name }
              sensors { name jobOriginId sensorState { status } }
              schedules { name cronSchedule executionTimezone }
              assetNodes {
                assetKey { path }
                groupName
                isPartitioned
                isMaterializable
                description
                assetChecksOrError { __typename ... on AssetChecks { checks { name } } }
              }
            }
          }
        }
      }
    }
  }
}
"""

pytestmark = pytest.mark.webserver


def _free_port() -> int:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            return int(sock.getsockname()[1])
    except OSError as exc:
        pytest.skip(f"cannot bind a local port: {exc}")


def _graphql(port: int, query: str) -> dict[str, Any]:
    response = requests.post(f"http://127.0.0.1:{port}/graphql", json={"query": query}, timeout=30)
    response.raise_for_status()
    payload = response.json()
    assert "errors" not in payload, payload.get("errors")
    return payload["data"]  # type: ignore[no-any-return]


@pytest.fixture
def webserver(tmp_path: Path) -> Iterator[int]:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(ROOT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    port = _free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "GAIBAO_DATABASE_URL": f"sqlite:///{(tmp_path / 'gaibao.sqlite').as_posix()}",
    }
    log = (tmp_path / "webserver.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dagster_webserver",
            "-w",
            str(ROOT / "workspace.yaml"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the code server child goes down with it
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                output = (tmp_path / "webserver.log").read_text(errors="replace")
                pytest.fail(f"dagster-webserver exited: {output[-3000:]}")
            try:
                if requests.get(f"http://127.0.0.1:{port}/server_info", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"dagster-webserver did not answer within {STARTUP_SECONDS} s")
            time.sleep(0.5)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def test_code_location_loads_with_assets_sensor_and_schedule(webserver: int) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:  # the code server may still be loading the location
        workspace = _graphql(webserver, QUERY)["workspaceOrError"]
        [entry] = workspace["locationEntries"]
        if entry["loadStatus"] == "LOADED" or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert entry["name"] == "gaibao_pipeline"
    location = entry["locationOrLoadError"]
    assert location["__typename"] == "RepositoryLocation", location
    [repository] = location["repositories"]

    nodes = {"/".join(n["assetKey"]["path"]): n for n in repository["assetNodes"]}
    expected = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert set(nodes) == expected
    assert nodes["core_reports"]["groupName"] == "core"
    assert nodes["core_reports"]["isPartitioned"] and nodes["core_reports"]["description"]
    assert not nodes["raw_landing_files"]["isMaterializable"]  # observed, not computed
    assert not nodes["out_agency_year_summary"]["isPartitioned"]
    checks = {
        name: [c["name"] for c in n["assetChecksOrError"].get("checks", [])]
        for name, n in nodes.items()
        if n["assetChecksOrError"]["__typename"] == "AssetChecks"
    }
    # one check for a report's own invariants and table contracts, one across years
    assert {name for name, names in checks.items() if names} == {"core_reports"}
    assert set(checks["core_reports"]) == {"report_checks", "cross_year"}

    assert {"load_reports", "fetch_reports"} <= {job["name"] for job in repository["jobs"]}
    assert [s["name"] for s in repository["sensors"]] == ["landing_folder_sensor"]
    schedules = {s["name"]: s for s in repository["schedules"]}
    assert set(schedules) == {"annual_refresh_schedule", "annual_fetch_schedule"}
    assert all(s["executionTimezone"] == "Asia/Shanghai" for s in schedules.values())
