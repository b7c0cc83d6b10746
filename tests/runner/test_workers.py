"""Worker processes: a file that hangs, crashes its reader or exhausts memory is reported
with its own status while every other file in the batch is still read."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import MB, Limits
from gaibao_pipeline.runner.parse import parse_files
from gaibao_pipeline.runner.workers import in_background, run_isolated, start_context
from tests.conftest import corpus_dir
from tests.support.jobs import behave


def _files(tmp_path: Path, names: list[str]) -> list[tuple[str, Path]]:
    out = []
    for name in names:
        path = tmp_path / name
        path.write_text(f"content of {name}")
        out.append((name, path))
    return out


def test_a_files_time_limit_counts_from_when_its_worker_takes_it(tmp_path: Path) -> None:
    # Regression (CI, a loaded machine): a replacement worker spawned after a crash spent
    # seconds importing before it read its file, and that start-up was charged to the file,
    # which then got `timeout`. Here every worker takes 3 s to start; the limit is 2 s.
    from tests.support.slow_start_jobs import START_UP_SECONDS, read_quickly

    limits = replace(Limits(), timeout_seconds=START_UP_SECONDS - 1)
    items = _files(tmp_path, ["a.txt", "b.txt"])
    outcomes = {o.key: o.value for o in run_isolated(items, read_quickly, limits, workers=1)}
    assert outcomes == {"a.txt": "content of a.txt", "b.txt": "content of b.txt"}


def test_hostile_files_get_their_own_status_and_others_still_load(tmp_path: Path) -> None:
    # 10 s, not less: on a loaded 2-core machine the hog can need several seconds to reach the
    # memory cap, and must be stopped by the cap, not by the clock (CI failure with 3 s).
    limits = replace(Limits(), timeout_seconds=10, max_worker_memory_bytes=1024 * MB)
    items = _files(tmp_path, ["ok1.txt", "hang.txt", "crash.txt", "hog.txt", "refuse.txt", "ok2.txt"])
    outcomes = {o.key: o.value for o in run_isolated(items, behave, limits, workers=2)}
    assert outcomes["ok1.txt"] == "content of ok1.txt" and outcomes["ok2.txt"] == "content of ok2.txt"
    assert isinstance(outcomes["hang.txt"], DocumentError) and outcomes["hang.txt"].status == Status.TIMEOUT
    assert (
        isinstance(outcomes["crash.txt"], DocumentError) and outcomes["crash.txt"].status == Status.UNREADABLE
    )
    assert isinstance(outcomes["hog.txt"], DocumentError)
    assert outcomes["hog.txt"].status in (Status.TOO_LARGE, Status.UNREADABLE)
    assert (
        isinstance(outcomes["refuse.txt"], DocumentError)
        and outcomes["refuse.txt"].status == Status.ENCRYPTED
    )


_FORKED_BATCH = """
import json, sys
from dataclasses import replace
from pathlib import Path
from gaibao_pipeline.limits import MB, Limits
from gaibao_pipeline.runner import workers
from tests.support.jobs import behave

started = []
original = workers._Worker.__init__
def spy(self, context, job, limits):
    started.append(context.get_start_method())
    original(self, context, job, limits)
workers._Worker.__init__ = spy
limits = replace(Limits(), timeout_seconds=10, max_worker_memory_bytes=1024 * MB)
items = [(p.name, p) for p in sorted(Path(sys.argv[1]).iterdir())]
outcomes = {o.key: o.value for o in workers.run_isolated(items, behave, limits, workers=2, fork=True)}
shown = {k: v if isinstance(v, str) else v.status.value for k, v in outcomes.items()}
print(json.dumps({"started": started, "outcomes": shown}))
"""


def test_forked_workers_keep_every_limit_and_replacements_are_spawned(tmp_path: Path) -> None:
    """`gaibao parse`'s forked pool: hang, crash and memory hog each get their status; the
    workers that replace the killed ones are spawned (the supervising thread runs by then)."""
    folder = tmp_path / "files"
    folder.mkdir()
    _files(folder, ["ok1.txt", "hang.txt", "crash.txt", "hog.txt", "refuse.txt", "ok2.txt"])
    done = subprocess.run(
        [sys.executable, "-c", _FORKED_BATCH, str(folder)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[2],
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["outcomes"]["ok1.txt"] == "content of ok1.txt"
    assert result["outcomes"]["ok2.txt"] == "content of ok2.txt"
    assert result["outcomes"]["hang.txt"] == "timeout"
    assert result["outcomes"]["crash.txt"] == "unreadable"
    assert result["outcomes"]["hog.txt"] in ("too_large", "unreadable")
    assert result["outcomes"]["refuse.txt"] == "encrypted"
    started = result["started"]
    assert started[:2] == ["fork", "fork"] and len(started) >= 4  # hang and crash replaced, at least
    assert set(started[2:]) == {"spawn"}


def test_fork_is_honoured_only_while_no_other_thread_runs() -> None:
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert start_context(fork=True).get_start_method() == "spawn"
    finally:
        release.set()
        other.join()
    assert start_context(fork=False).get_start_method() == "spawn"
    if threading.active_count() == 1:  # pytest plugins may run threads of their own
        assert start_context(fork=True).get_start_method() == "fork"


def test_parse_files_in_parallel_matches_parsing_one_by_one() -> None:
    paths = sorted(corpus_dir().iterdir())
    reports = {r.source.file: r for r in parse_files(paths, Limits(), workers=2)}
    assert set(reports) == {p.name for p in paths}
    assert all(r.ok for r in reports.values())


def test_in_background_runs_ahead_and_passes_errors_on() -> None:
    produced: list[int] = []

    def numbers() -> Iterator[int]:
        for i in range(10):
            produced.append(i)
            yield i

    ahead = in_background(numbers(), depth=4)
    assert next(ahead) == 0
    deadline = time.monotonic() + 5
    while len(produced) < 6 and time.monotonic() < deadline:  # 1 taken + 4 queued + 1 waiting to be
        time.sleep(0.01)
    assert 5 <= len(produced) <= 6  # ran ahead of the consumer, but no further than `depth`
    assert list(ahead) == list(range(1, 10))

    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("reader bug")

    with pytest.raises(ValueError, match="reader bug"):
        list(in_background(failing()))


def test_closing_in_background_stops_the_workers_promptly(tmp_path: Path) -> None:
    """A consumer that gives up (an exception in the run) does not wait for slow files."""
    limits = replace(Limits(), timeout_seconds=60)
    items = _files(tmp_path, ["ok1.txt", "hang1.txt", "hang2.txt", "ok2.txt"])
    stop = threading.Event()
    ahead = in_background(run_isolated(items, behave, limits, workers=2, stop=stop), stop=stop)
    assert next(ahead).key == "ok1.txt"
    began = time.monotonic()
    ahead.close()  # the two hanging files are still being "read"
    assert time.monotonic() - began < 10


def test_unexpected_errors_are_logged_as_one_line_unless_debugging() -> None:
    import logging

    from gaibao_pipeline.runner.workers import _OneLineErrors

    try:
        raise ValueError("a parser bug")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "reading %s", ("a.pdf",), sys.exc_info())
    assert _OneLineErrors().filter(record)
    assert record.exc_info is None and record.getMessage() == "reading a.pdf: ValueError: a parser bug"
