"""Read files in worker processes: parallel across cores, and safe from hostile files.

A malicious or broken file can make a reader hang in C code (where no signal reaches) or
allocate without bound. Each worker process reads one file at a time under a memory cap;
the supervisor kills a worker that exceeds the per-file time limit, records `timeout` for
that file, starts a fresh worker, and carries on with the rest of the batch.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Generic, TypeVar

from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import Limits

Key = TypeVar("Key")
Item = TypeVar("Item")
Job = Callable[[Path, Limits], Any]  # a module-level function, so spawned workers can import it


@dataclass(frozen=True, slots=True)
class Outcome(Generic[Key]):
    key: Key
    path: Path
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


def _serve(conn: Connection, job: Job, limits: Limits) -> None:
    """Worker loop: read a path, run the job, send the result back; until told to stop."""
    _cap_memory(limits.max_worker_memory_bytes)
    while True:
        try:
            path = conn.recv()
        except EOFError:
            return
        if path is None:
            return
        try:
            result: Any = job(Path(path), limits)
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


class _Worker:
    def __init__(self, context: Any, job: Job, limits: Limits) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, job, limits), daemon=True)
        self.process.start()
        child.close()
        self.task: tuple[Any, Path, float] | None = None

    def submit(self, key: Any, path: Path) -> None:
        self.task = (key, path, time.monotonic())
        self.conn.send(str(path))

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except (BrokenPipeError, OSError):
                self.process.kill()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def run_isolated(
    items: Iterable[tuple[Key, Path]],
    job: Job,
    limits: Limits,
    workers: int | None = None,
    stop: threading.Event | None = None,
) -> Iterator[Outcome[Key]]:
    """Run `job(path, limits)` for each item in worker processes; yield outcomes as they finish.

    Setting `stop` ends the run within a fraction of a second, killing files in progress.
    """
    context = mp.get_context("spawn")  # no inherited state: safe whatever the parent has loaded
    pending = iter(items)
    pool = [_Worker(context, job, limits) for _ in range(workers or default_workers())]
    idle = list(pool)
    busy: list[_Worker] = []
    try:
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
                key, path, started = worker.task
                if worker.conn in ready:
                    value = _receive(worker)
                    busy.remove(worker)
                    if value is None:  # the worker died: a crash in native code, or the memory cap
                        value = DocumentError(Status.UNREADABLE, "the reader crashed on this file")
                        worker = _replace(pool, worker, context, job, limits)
                    worker.task = None
                    idle.append(worker)
                    yield Outcome(key, path, value, now - started)
                elif now - started > limits.timeout_seconds:
                    busy.remove(worker)
                    idle.append(_replace(pool, worker, context, job, limits))
                    message = f"reading took longer than the {limits.timeout_seconds:g} s limit"
                    yield Outcome(key, path, DocumentError(Status.TIMEOUT, message), now - started)
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
