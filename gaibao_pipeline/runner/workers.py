"""Read files in worker processes: parallel across cores, and safe from hostile files.

A malicious or broken file can make a reader hang in C code (where no signal reaches) or
allocate without bound. Each worker process reads one file at a time under a memory cap;
the supervisor kills a worker that exceeds the per-file time limit, records `timeout` for
that file, starts a fresh worker, and carries on with the rest of the batch.

A reader may start programs of its own (LibreOffice for .doc/.rtf, an OCR engine), and those
must not outlive the file's time. Each worker leads its own session (`os.setsid`), and its
children stay in it (give them a process group of their own, `process_group=0`, never a new
session); killing a worker kills every process of its session. Each worker also gets a
temporary folder of its own (TMPDIR and `tempfile.tempdir` point there), which the
supervisor deletes with everything the killed programs left in it.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import os
import queue
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar, cast

from gaibao_pipeline.config import debug_enabled
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import Limits

Key = TypeVar("Key")
Item = TypeVar("Item")
# job(task, limits): a module-level function (or a partial of one), so spawned workers can
# import it; a task is what the worker is sent for one file (a Path, or anything picklable)
Job = Callable[[Any, Limits], Any]


@dataclass(frozen=True, slots=True)
class Outcome(Generic[Key]):
    key: Key
    path: Any  # the task the worker was given: a Path for most jobs, a `stages.ReadTask` for reading
    value: Any  # the job's return value, or a DocumentError describing why there is none
    seconds: float


def default_workers() -> int:
    """One worker per core the process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _cap_memory(limit: int) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass  # not available here: the time limit still applies


def _lead_session(temp_root: str) -> None:
    """Make this worker the leader of a session its programs inherit, with its own temp folder."""
    with contextlib.suppress(OSError):  # already a leader (not the case for a spawned worker)
        os.setsid()
    os.environ["TMPDIR"] = temp_root  # for programs: LibreOffice, OCR engines
    tempfile.tempdir = temp_root  # for this process: every TemporaryDirectory goes there


class _OneLineErrors(logging.Filter):
    """Log an unexpected error as one line (its type and message); GAIBAO_DEBUG keeps the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()}: {type(error).__name__}: {error}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def _configure_logging() -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("gaibao reader: %(levelname)s: %(message)s"))
    if not debug_enabled():
        handler.addFilter(_OneLineErrors())
    logging.basicConfig(level=logging.WARNING, handlers=[handler])


def _serve(conn: Connection, job: Job, limits: Limits, temp_root: str) -> None:
    """Worker loop: take a task, run the job, send the result back; until told to stop."""
    _lead_session(temp_root)
    _configure_logging()
    _cap_memory(limits.max_worker_memory_bytes)
    try:
        _loop(conn, job, limits)
    finally:  # the supervisor also deletes it; this covers a supervisor that was killed
        shutil.rmtree(temp_root, ignore_errors=True)


# Sent by a worker when it takes a task: the file's time limit counts from here, not from the
# submission, so a worker still starting up (a replacement spawned on a loaded machine takes
# seconds to import its readers) does not eat into the time of the file it was given.
class Started:
    """What a worker sends when it takes a task (a class of its own: no job's result can be it)."""


START_UP_GRACE = 60.0  # seconds a new worker may take to start before its first file's clock runs


def _loop(conn: Connection, job: Job, limits: Limits) -> None:
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        conn.send(Started())
        try:
            result: Any = job(task, limits)
        except DocumentError as exc:
            result = exc
        except MemoryError:
            result = DocumentError(
                Status.TOO_LARGE, "reading this file needed more memory than the worker's limit"
            )
        except RecursionError:
            result = DocumentError(Status.UNREADABLE, "file structure is nested too deeply to read")
        except Exception as exc:
            result = DocumentError(Status.UNREADABLE, f"could not read file ({type(exc).__name__}: {exc})")
        try:
            conn.send(result)
        except Exception as exc:
            conn.send(
                DocumentError(Status.UNREADABLE, f"result could not be returned ({type(exc).__name__})")
            )


def session_members(session: int) -> list[int]:
    """Processes of a session (Linux `/proc`; empty elsewhere), whatever their process group."""
    members: list[int] = []
    if session <= 1:  # init's, or "no session": never a worker's
        return members
    try:
        pids = [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue  # exited meanwhile
        if len(fields) > 3 and int(fields[3]) == session:  # state, ppid, pgrp, session
            members.append(pid)
    return members


def kill_session(leader: int) -> None:
    """SIGKILL the process group and every process of the session `leader` leads.

    Only a session this process does not belong to, led by a process other than init: 0 would
    mean "my own group" to `killpg` and match every process started outside any session.
    """
    if leader <= 1 or leader in (os.getpid(), os.getpgrp(), os.getsid(0)):
        return
    try:
        if os.getpgid(leader) != leader:
            return  # not a group leader, so not a worker of ours (its pid was reused)
    except ProcessLookupError:
        pass  # the leader is gone; processes of its session may not be
    with contextlib.suppress(OSError):
        os.killpg(leader, signal.SIGKILL)
    for pid in session_members(leader):
        if pid != os.getpid():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


class _Worker:
    def __init__(self, context: Any, job: Job, limits: Limits) -> None:
        self.conn, child = context.Pipe()
        self.temp_root = tempfile.mkdtemp(prefix="gaibao-worker-")
        self.process = context.Process(target=_serve, args=(child, job, limits, self.temp_root), daemon=True)
        self.process.start()
        child.close()
        self.task: tuple[Any, Any, float] | None = None

    def submit(self, key: Any, task: Any) -> None:
        # Until the worker says it took the task (`Started`), its clock is set START_UP_GRACE
        # ahead: a worker still starting up is given that long before the file's limit runs.
        self.task = (key, task, time.monotonic() + START_UP_GRACE)
        self.conn.send(task)

    def stop(self, kill: bool = False) -> None:
        """Stop the worker (`kill`: now) with every program it started, and delete its temp folder."""
        if not kill:
            try:
                self.conn.send(None)
            except (BrokenPipeError, OSError):
                kill = True
        pid = self.process.pid
        if pid is not None:
            if not kill:
                kill = not _exited(pid, timeout=5)
            # The worker is alive or a zombie not yet reaped, so no other process can have
            # taken its pid: the session killed is its own.
            kill_session(pid)
        if kill:
            self.process.kill()
        self.process.join()
        self.conn.close()
        shutil.rmtree(self.temp_root, ignore_errors=True)


def _exited(pid: int, timeout: float) -> bool:
    """Wait up to `timeout` for a child to exit, leaving it unreaped (a zombie keeps its pid)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                return True
        except ChildProcessError:  # reaped already
            return True
        except AttributeError:  # no waitid here (macOS)
            return False
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)


def run_isolated(
    items: Iterable[tuple[Key, Any]],
    job: Job,
    limits: Limits,
    workers: int | None = None,
    stop: threading.Event | None = None,
    fork: bool = False,
) -> Iterator[Outcome[Key]]:
    """Run `job(task, limits)` for each (key, task) in worker processes; yield outcomes as they finish.

    The workers start here, in the caller's thread; closing the iterator (or dropping it)
    stops them. Setting `stop` ends the run within a fraction of a second, killing files in
    progress. `fork`: see `start_context`.
    """
    outcomes = _supervise(items, job, limits, workers or default_workers(), stop, start_context(fork))
    next(outcomes)  # starts the pool and arms the generator's `finally`, which stops it
    return cast(Iterator[Outcome[Key]], outcomes)


def start_context(fork: bool) -> Any:
    """How the pool's first workers start: spawned (a fresh interpreter), or forked if asked.

    A spawned worker inherits nothing, whatever its parent has loaded, but imports the readers
    afresh: most of `gaibao parse`'s start-up. A forked one inherits them, so a small,
    single-threaded parent (the command line) may ask for `fork`; it is honoured only while
    no other thread runs (a lock another thread holds would stay held in the child forever).
    A large parent (a Dagster run) spawns: a forked worker's memory cap would count the
    parent's address space too. Replacements (after a timeout or a crash) are always
    spawned: by then the supervising thread may run beside the caller's.
    """
    if fork and "fork" in mp.get_all_start_methods() and threading.active_count() == 1:
        return mp.get_context("fork")
    return mp.get_context("spawn")


def _supervise(
    items: Iterable[tuple[Key, Any]],
    job: Job,
    limits: Limits,
    workers: int,
    stop: threading.Event | None,
    first_start: Any,
) -> Iterator[Outcome[Key] | None]:
    """`run_isolated`'s generator; its first item is None, once the workers are started."""
    context = mp.get_context("spawn")  # replacements: no inherited state, whatever the parent holds
    pending = iter(items)
    pool: list[_Worker] = []
    busy: list[_Worker] = []
    try:
        for _ in range(workers):
            pool.append(_Worker(first_start, job, limits))
        idle = list(pool)
        yield None
        while True:
            while idle:
                item = next(pending, None)
                if item is None:
                    break
                worker = idle.pop()
                worker.submit(*item)
                busy.append(worker)
            if not busy or (stop is not None and stop.is_set()):
                return
            timeout = _next_deadline(busy, limits)
            ready = wait([w.conn for w in busy], timeout=timeout if stop is None else min(timeout, 0.2))
            now = time.monotonic()
            for worker in list(busy):
                assert worker.task is not None
                key, task, started = worker.task
                if worker.conn in ready:
                    value = _receive(worker)
                    if isinstance(value, Started):
                        worker.task = (key, task, now)  # its clock starts now; the result follows
                        continue
                    busy.remove(worker)
                    if value is None:  # the worker died: a crash in native code, or the memory cap
                        value = DocumentError(Status.UNREADABLE, "the reader crashed on this file")
                        worker = _replace(pool, worker, context, job, limits)
                    worker.task = None
                    idle.append(worker)
                    yield Outcome(key, task, value, now - started)
                elif now - started > limits.timeout_seconds:
                    busy.remove(worker)
                    idle.append(_replace(pool, worker, context, job, limits))
                    message = f"reading took longer than the {limits.timeout_seconds:g} s limit"
                    yield Outcome(key, task, DocumentError(Status.TIMEOUT, message), now - started)
    finally:
        for worker in pool:
            worker.stop(kill=worker.task is not None)


def _receive(worker: _Worker) -> Any:
    try:
        return worker.conn.recv()
    except (EOFError, OSError):
        return None


def _replace(pool: list[_Worker], worker: _Worker, context: Any, job: Job, limits: Limits) -> _Worker:
    worker.stop(kill=True)
    fresh = _Worker(context, job, limits)
    pool[pool.index(worker)] = fresh
    return fresh


def _next_deadline(busy: list[_Worker], limits: Limits) -> float:
    now = time.monotonic()
    remaining = [limits.timeout_seconds - (now - w.task[2]) for w in busy if w.task is not None]
    return max(0.05, min(remaining, default=limits.timeout_seconds))


def in_background(
    source: Iterator[Item], depth: int = 64, stop: threading.Event | None = None
) -> Iterator[Item]:
    """Iterate `source` in a thread, up to `depth` items ahead of the consumer.

    `run_isolated` hands a worker its next file only when asked for the next result; a
    consumer that stops to load a chunk or record events would leave the workers idle. Driven
    from a thread, the pool stays busy (its waits on the pipes release the GIL) and its time
    limits keep counting. Closing this iterator sets `stop` (give the same event to
    `run_isolated` so it returns promptly), then closes `source`, which stops the workers; an
    exception in `source` is raised here.
    """
    ahead: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = stop or threading.Event()

    def put(kind: str, value: Any) -> bool:
        while not stop.is_set():
            try:
                ahead.put((kind, value), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def pump() -> None:
        try:
            for item in source:
                if not put("item", item):
                    break
        except BaseException as exc:  # handed to the consumer, raised there
            put("error", exc)
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()
            put("end", None)

    thread = threading.Thread(target=pump, name="gaibao-readers", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = ahead.get()
            if kind == "item":
                yield value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        stop.set()
        thread.join()
