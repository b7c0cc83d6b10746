"""A `gaibao run` killed by the operating system (kill -9) with a kept DAGSTER_HOME: its run is
marked failed by the next `gaibao run` on the instance instead of staying STARTED forever
(issue 24); a run whose process still lives, or lives on another host, is left alone."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from gaibao_pipeline.cli import main
from gaibao_pipeline.orchestration.instance.orphans import PROCESS_TAG, RunProcess, process_tags
from tests.conftest import corpus_file
from tests.runner.test_child_processes import FAKE


def test_a_process_is_gone_when_its_pid_ends_or_is_reused() -> None:
    me = RunProcess.current()
    assert RunProcess.from_tag(process_tags()[PROCESS_TAG]) == me
    assert me.gone() is False
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    dead = RunProcess(me.host, me.boot, child.pid, "1")
    assert dead.gone() is True
    reused = RunProcess(me.host, me.boot, os.getpid(), "12345")  # this pid, but started at another time
    assert reused.gone() is True
    assert RunProcess("another-host", me.boot, child.pid, "1").gone() is None  # cannot tell from here
    assert RunProcess(me.host, "an-earlier-boot", os.getpid(), me.started).gone() is True


def _recorded_pids(marker: Path) -> list[int]:
    """The pids the fake converter wrote down, still running the fake (not reused since)."""
    pids = []
    for line in marker.read_text().splitlines() if marker.exists() else []:
        if line.startswith("pid "):
            pid = int(line.split()[1])
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"soffice" in command or command.startswith(b"sleep\x00600"):
                pids.append(pid)
    return pids


def _runs(home: Path) -> list[dg.DagsterRun]:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        return list(instance.get_runs())


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="process checks read /proc")
def test_a_killed_gaibao_run_is_marked_failed_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home, landing, bin_dir = tmp_path / "home", tmp_path / "landing", tmp_path / "bin"
    for folder in (home, landing, bin_dir):
        folder.mkdir()
    marker = tmp_path / "marker.txt"
    (bin_dir / "soffice").write_text(FAKE.format(marker=marker))
    (bin_dir / "soffice").chmod(0o755)
    (landing / "slow.rtf").write_bytes(b"{\\rtf1\\ansi a conversion that never ends}")
    shutil.copy(corpus_file("pingtan2021"), landing)
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GAIBAO_")}
    env.update(
        DAGSTER_HOME=str(home), GAIBAO_TIMEOUT_SECONDS="60", PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    )
    command = [sys.executable, "-m", "gaibao_pipeline.cli", "run", "--landing", str(landing)]
    doomed = subprocess.Popen(
        [*command, "--database-url", url, "--no-progress"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        # the run is reading slow.rtf: the fake converter and its child have written their pids
        while not (marker.exists() and marker.read_text().count("pid ") == 2):
            assert doomed.poll() is None and time.monotonic() < deadline, "the run never got going"
            time.sleep(0.2)
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()
    finally:
        if doomed.poll() is None:
            doomed.kill()
            doomed.wait()
        # The fake converter and its child, exactly as they recorded themselves: processes this
        # test started. The killed run's reader worker then finds its parent gone and exits.
        for pid in _recorded_pids(marker):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
    [killed] = _runs(home)
    assert killed.status == dg.DagsterRunStatus.STARTED  # what used to stay forever

    monkeypatch.setenv("DAGSTER_HOME", str(home))
    (landing / "slow.rtf").unlink()
    assert main(["run", "--landing", str(landing), "--database-url", url, "--no-progress"]) == 0
    assert f"run {killed.run_id} of a process that no longer exists marked failed" in capsys.readouterr().err
    statuses = {run.run_id: run.status for run in _runs(home)}
    assert statuses[killed.run_id] == dg.DagsterRunStatus.FAILURE
    assert list(statuses.values()).count(dg.DagsterRunStatus.SUCCESS) == 1  # the new run
