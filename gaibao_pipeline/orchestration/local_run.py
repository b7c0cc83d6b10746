"""`gaibao run`: the whole pipeline over a landing folder, in this process, in a few bulk runs.

Registers every file as a partition of a Dagster instance (DAGSTER_HOME when set, so runs
show in the UI; otherwise temporary instances that keep no events and are deleted on exit),
runs `load_reports` over contiguous partition ranges in-process and follows progress through
a tqdm bar fed by the per-report step's progress lines (a count per chunk of reports parsed).
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
from tqdm import tqdm

from gaibao_pipeline.assets import core_reports
from gaibao_pipeline.db import make_engine, settled_sources
from gaibao_pipeline.orchestration.definitions import build_definitions
from gaibao_pipeline.orchestration.instance.bulk_writes import prepare_bulk_writes
from gaibao_pipeline.orchestration.instance.orphans import fail_orphaned_runs, process_tags
from gaibao_pipeline.orchestration.instance.throwaway import throwaway_instance
from gaibao_pipeline.orchestration.jobs import load_reports_job
from gaibao_pipeline.orchestration.landing_plan import plan_landing, record
from gaibao_pipeline.orchestration.partitions import (
    MAX_PARTITIONS_PER_RUN,
    REPORTS_NAME,
    range_keys,
    range_tags,
)
from gaibao_pipeline.orchestration.progress import parsed_count
from gaibao_pipeline.orchestration.resources import DatabaseResource, LandingFolderResource
from gaibao_pipeline.runner.landing import Refusal, Seen

_READ_STEP = core_reports.op.name  # logs a line per chunk of reports parsed, with the count


@dataclass
class RunOutcome:
    """What `run_landing_folder` did."""

    instance_description: str
    run_ids: list[str] = field(default_factory=list)
    failed_runs: list[str] = field(default_factory=list)  # run id: first error
    n_files: int = 0
    n_skipped: int = 0  # unchanged files whose outcome the database already holds
    refused: list[Refusal] = field(default_factory=list)  # in the landing folder, not read: why
    orphans_failed: list[str] = field(default_factory=list)  # runs of killed processes, now failed


TEMPORARY = "temporary (set DAGSTER_HOME to keep run history for the UI)"


@contextmanager
def open_instance() -> Iterator[tuple[dg.DagsterInstance, str]]:
    """The DAGSTER_HOME instance if set, else a throwaway one under the system temp folder."""
    if os.environ.get("DAGSTER_HOME"):
        with dg.DagsterInstance.get() as instance:
            prepare_bulk_writes(instance)  # thousands of events: held connections, batched writes
            yield instance, f"DAGSTER_HOME={os.environ['DAGSTER_HOME']}"
        return
    with (
        tempfile.TemporaryDirectory(prefix="gaibao-dagster-") as temp,
        dg.DagsterInstance.ephemeral(temp) as instance,
    ):
        yield instance, TEMPORARY


@contextmanager
def run_instance(kept: dg.DagsterInstance, keys: list[str], temporary: bool) -> Iterator[dg.DagsterInstance]:
    """The instance one run executes on: the kept instance, or a fresh throwaway one per run.

    A throwaway instance holds just this run's partitions and keeps none of its events
    (`throwaway_instance`): storing them cost half of a bulk run, for an instance deleted
    unread when the run ends. One per run keeps what it does hold in proportion to one run.
    """
    if not temporary:
        yield kept
        return
    with (
        tempfile.TemporaryDirectory(prefix="gaibao-dagster-run-") as temp,
        throwaway_instance(Path(temp)) as fresh,
    ):
        fresh.add_dynamic_partitions(REPORTS_NAME, keys)
        yield fresh


class _ProgressHandler(logging.Handler):
    """Advances the bar by the count of each progress line; prints warnings above it."""

    def __init__(self, bar: tqdm) -> None:
        super().__init__(logging.DEBUG)
        self.bar = bar

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        if meta.get("dagster_event") is not None:  # engine events: the bar says enough
            return
        message = str(meta.get("orig_message", record.getMessage()))
        step = str(meta.get("step_key") or "")
        count = parsed_count(message) if step == _READ_STEP else None
        if count is not None:
            self.bar.update(count)
        elif step and step != _READ_STEP:
            self.bar.set_postfix_str(step, refresh=False)  # checking and loading the batch
        if record.levelno >= logging.WARNING:
            tqdm.write(f"{logging.getLevelName(record.levelno).lower()}: {message}")


def progress_logger(bar: tqdm) -> dg.LoggerDefinition:
    """A Dagster logger that drives `bar` instead of printing every event to the console."""

    def _progress(_init_context: dg.InitLoggerContext) -> logging.Logger:
        log = logging.Logger("gaibao.progress", logging.DEBUG)
        log.addHandler(_ProgressHandler(bar))
        return log

    return dg.LoggerDefinition(_progress, description="tqdm progress bar for gaibao run")


def first_error(result: dg.ExecuteInProcessResult) -> str:
    """The first failure of a run, with what caused it (Dagster wraps the step's own exception)."""
    for event in result.all_events:
        error = getattr(event.event_specific_data, "error", None)
        if event.is_failure and error is not None:
            messages = [error.message.strip()]
            while error.cause is not None:
                error = error.cause
                messages.append(error.message.strip())
            return f"{event.step_key}: " + " <- ".join(messages)
    return "run failed"


def _already_loaded(seen: Sequence[Seen], database_url: str | None) -> set[str]:
    """Keys of files the database holds with the same sha256 and a settled outcome."""
    engine = make_engine(database_url)
    try:
        settled = settled_sources(engine)
    finally:
        engine.dispose()
    return {item.file.key for item in seen if settled.get(item.file.key) == item.state.sha256}


def run_landing_folder(
    root: Path,
    database_url: str | None,
    *,
    batch_size: int | None = None,
    show_progress: bool = True,
    reload_all: bool = False,
) -> RunOutcome:
    """Register every file under `root` and load them, `batch_size` reports per run.

    A file whose bytes (sha256) the database already holds with a settled outcome is skipped
    unless `reload_all` (e.g. after upgrading the parser); everything else is loaded.
    """
    with open_instance() as (instance, description):
        temporary = description == TEMPORARY
        # runs left STARTED by a `gaibao run` that was killed: failed, before starting new ones
        orphans = [] if temporary else fail_orphaned_runs(instance)
        # Hash only what moved since the instance last saw it; observations record the hashes.
        plan = plan_landing(
            root,
            instance,
            rerun="all",
            skip=None if reload_all else (lambda seen: _already_loaded(seen, database_url)),
            max_per_run=batch_size or MAX_PARTITIONS_PER_RUN,
            max_gap=0,  # run exactly this folder's files, even among other folders' partitions
        )
        outcome = RunOutcome(
            description, n_files=len(plan.files), refused=plan.refused, orphans_failed=orphans
        )
        if not plan.files:
            return outcome
        registration = plan.registration
        outcome.n_skipped = len(plan.skipped)
        # The observations are the kept instance's record of each file's hash (the sensor and
        # the next run compare against it); a temporary instance is deleted on exit, and
        # recording one event per file there cost time and memory in proportion to the folder.
        record(instance, plan, observations=not temporary)
        total = sum(len(range_keys(registration.ordered, r)) for r in registration.run_ranges)
        # advanced per chunk of reports read and parsed (loading a chunk takes a second or two)
        with tqdm(total=total, unit="report", disable=not show_progress, desc="read and parse") as bar:
            resources: dict[str, object] = {
                "database": DatabaseResource(url=database_url),
                "landing_folder": LandingFolderResource(path=str(root)),
            }
            defs = build_definitions(resources=resources, loggers={"progress": progress_logger(bar)})
            job = defs.resolve_job_def(load_reports_job.name)
            for key_range in registration.run_ranges:
                keys = range_keys(registration.ordered, key_range)
                with run_instance(instance, keys, temporary) as executing:
                    result = job.execute_in_process(
                        # A logger runs only when the run config names it; then it replaces the console.
                        run_config={"loggers": {"progress": {}}},
                        instance=executing,
                        tags={**range_tags(key_range), **process_tags()},
                        raise_on_error=False,
                    )
                outcome.run_ids.append(result.run_id)
                if not result.success:
                    outcome.failed_runs.append(f"{result.run_id}: {first_error(result)}")
    return outcome
