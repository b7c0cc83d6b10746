"""Peak memory of a process tree: RSS of a process and all its descendants, sampled while it runs.

Uses psutil when installed (`pip install -e ".[bench]"`); otherwise reads /proc directly
(Linux). Sampling every 0.1 s can miss a spike shorter than that; the peak is a floor.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

try:
    import psutil
except ImportError:  # the /proc fallback below
    psutil = None

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _proc_tree_rss(pid: int) -> tuple[int, int]:
    """(RSS of pid, RSS of pid and its descendants) from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            parents[int(entry.name)] = int(fields[1])
            rss[int(entry.name)] = int(fields[21]) * PAGE
        except (OSError, ValueError, IndexError):
            continue
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent and p not in tree]
        tree.update(children)
        frontier += children
    return rss.get(pid, 0), sum(rss.get(p, 0) for p in tree)


def tree_rss(pid: int) -> tuple[int, int]:
    """(RSS of the process, RSS of the process and all its descendants) in bytes."""
    if psutil is None:
        return _proc_tree_rss(pid)
    try:
        root = psutil.Process(pid)
        own = root.memory_info().rss
        total = own
        for child in root.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:  # a worker that ended between listing and reading
                continue
        return own, total
    except psutil.Error:
        return 0, 0


class PeakSampler:
    """Samples `tree_rss(pid)` in a thread until stopped; keeps the peaks."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_main = 0
        self.peak_tree = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            own, total = tree_rss(self.pid)
            self.peak_main = max(self.peak_main, own)
            self.peak_tree = max(self.peak_tree, total)
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
