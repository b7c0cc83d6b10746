"""Runs whose process was killed (kill -9, out of memory, a reboot) are marked failed, not left STARTED.

`gaibao run` executes its runs inside its own process, where nothing outside can tell that the
process died: the runs of a killed `gaibao run` would stay STARTED in a kept instance forever.
Each such run is tagged with the process that executes it (host, boot, pid and the pid's
start time, so a pid reused by another program since is not taken for it), and the next
`gaibao run` on the instance marks failed every unfinished run whose process is gone. Runs
launched by the daemon are the code server's and Dagster's run monitoring's to watch
(`dagster_home/dagster.yaml`, docs/operations.md).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

import dagster as dg

PROCESS_TAG = "gaibao/process"  # host|boot id|pid|start time (clock ticks after boot)
_UNFINISHED = [dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.NOT_STARTED]


def _boot_id() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as handle:
            return handle.read().strip()
    except OSError:
        return ""


def _start_time(pid: int) -> str:
    """When process `pid` started (clock ticks after boot, Linux); "" when unknown or not running."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return fields[19].decode()  # field 22 of stat; the split starts at field 3
    except (OSError, IndexError):
        return ""


@dataclass(frozen=True, slots=True)
class RunProcess:
    """The process executing a run, as recorded in its tag."""

    host: str
    boot: str
    pid: int
    started: str

    @classmethod
    def current(cls) -> RunProcess:
        return cls(socket.gethostname(), _boot_id(), os.getpid(), _start_time(os.getpid()))

    def tag(self) -> str:
        return f"{self.host}|{self.boot}|{self.pid}|{self.started}"

    @classmethod
    def from_tag(cls, text: str) -> RunProcess | None:
        parts = text.split("|")
        if len(parts) != 4 or not parts[2].isdigit():
            return None
        return cls(parts[0], parts[1], int(parts[2]), parts[3])

    def gone(self) -> bool | None:
        """Whether this process no longer runs; None when it cannot be told from here (another host)."""
        if self.host != socket.gethostname():
            return None
        if self.boot and self.boot != _boot_id():
            return True  # the machine restarted since
        if self.started:
            return _start_time(self.pid) != self.started  # not running, or the pid is another's now
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # running, as another user
            return False
        return False


def process_tags() -> dict[str, str]:
    """Tags for a run executed in this process."""
    return {PROCESS_TAG: RunProcess.current().tag()}


def fail_orphaned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark failed every unfinished run tagged with a process of this host that is gone; their ids."""
    failed = []
    for run in instance.get_runs(dg.RunsFilter(statuses=_UNFINISHED)):  # few: unfinished ones only
        process = RunProcess.from_tag(run.tags.get(PROCESS_TAG, ""))
        if process is None or not process.gone():
            continue
        instance.report_run_failed(
            run,
            message=f"the process that ran it (pid {process.pid} on {process.host}) was killed or "
            "exited before the run ended; marked failed by the next `gaibao run`",
        )
        failed.append(run.run_id)
    return failed
