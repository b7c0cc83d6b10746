"""Which executor runs the steps of a run: Dagster's default, in-process, or Celery (GAIBAO_EXECUTOR).

With `celery`, each step of a run is a task on the broker's queue (GAIBAO_CELERY_BROKER,
GAIBAO_CELERY_QUEUE) and runs on whichever Celery worker takes it, on any machine. A worker
rebuilds the job from the code location's definitions and reaches the run's instance from the
instance reference in the task, so every worker needs this package, the same GAIBAO_*
environment, the PostgreSQL instance storage and report database, and the landing and review
folders at the same path (no step passes a value to another: there are no step outputs to share).
Start workers with `celery_worker_command` (`celery -A gaibao_pipeline.orchestration.celery_app
worker ...`): the worker app is built from the same settings, so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg

from gaibao_pipeline.config import DEFAULT_CELERY_QUEUE, ExecutorSettings, executor_settings
from gaibao_pipeline.errors import ConfigError

CELERY_APP_MODULE = "gaibao_pipeline.orchestration.celery_app"
_MISSING = (
    "GAIBAO_EXECUTOR=celery needs dagster-celery: pip install 'gaibao-pipeline[celery]' "
    "on the machine that starts runs and on every worker"
)


def celery_executor_config(settings: ExecutorSettings) -> dict[str, Any]:
    """The `celery_executor` config for these settings: broker, backend and, unless default, queue."""
    config: dict[str, Any] = {"broker": settings.broker, "backend": settings.backend}
    if settings.queue != DEFAULT_CELERY_QUEUE:
        # dagster-celery sends each step to the app's default queue (or a step's own queue tag)
        config["config_source"] = {"task_default_queue": settings.queue}
    return config


def executor_from_env(environ: Mapping[str, str] | None = None) -> dg.ExecutorDefinition:
    """The executor GAIBAO_EXECUTOR names (see `config.EXECUTORS` for why in-process is the default)."""
    settings = executor_settings(environ)
    if settings.kind == "in_process":
        return dg.in_process_executor
    if settings.kind == "multiprocess":
        return dg.multiprocess_executor
    try:
        from dagster_celery import celery_executor
    except ImportError:
        raise ConfigError(_MISSING) from None
    configured: dg.ExecutorDefinition = celery_executor.configured(
        celery_executor_config(settings), name="celery"
    )
    return configured


def celery_worker_command(settings: ExecutorSettings, *, name: str) -> list[str]:
    """The command that starts a worker for runs made with `settings` (same broker, backend, queue).

    `--pool=solo`: the worker runs one step at a time in its own main process. The per-report
    step starts reader processes of its own (`parse_settings.read_workers`, one per core), and
    the children of Celery's default prefork pool are daemonic, which may start no process.
    Start one worker per machine (more on a machine with many cores, each with fewer
    `read_workers`). `--prefetch-multiplier=1`: a step is minutes of work, and a task
    prefetched behind it would wait while another worker is idle.
    """
    return [
        "celery",
        "-A",
        CELERY_APP_MODULE,
        "worker",
        "--loglevel=INFO",
        "--pool=solo",
        "--prefetch-multiplier=1",
        "-Q",
        settings.queue,
        "-n",
        f"{name}@%h",
    ]
