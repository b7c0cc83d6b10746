"""Settings from the environment (GAIBAO_*), checked once at start-up.

Every value an operator sets is parsed here or by the module that owns it, and a value that is
not accepted is a `ConfigError` naming the variable, what it was set to and what it accepts:
never a bare traceback, a silently absurd limit or a silently ignored value. `check_environment`
runs every check at once, so `gaibao` lists all bad settings before doing any work. Imports
stay light (no SQLAlchemy, no Dagster): `gaibao parse` starts quickly.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from gaibao_pipeline.errors import ConfigError

TRUE = ("1", "yes", "on", "true")
FALSE = ("0", "no", "off", "false")
DEBUG_ENV_VAR = "GAIBAO_DEBUG"
LANDING_ENV_VAR = "GAIBAO_LANDING_DIR"  # the landing folder (`runner.landing`, `gaibao fetch`)
SOURCES_ENV_VAR = "GAIBAO_SOURCES"  # the sources YAML of `gaibao fetch` (`fetch.sources`)
OCR_ENV_VAR = "GAIBAO_OCR"
EXECUTOR_ENV_VAR = "GAIBAO_EXECUTOR"
CELERY_BROKER_ENV_VAR = "GAIBAO_CELERY_BROKER"
CELERY_BACKEND_ENV_VAR = "GAIBAO_CELERY_BACKEND"
CELERY_QUEUE_ENV_VAR = "GAIBAO_CELERY_QUEUE"
# in_process (default): every step in the run's process; multiprocess: Dagster's default, each
# step in a process of its own on the run's machine; celery: each step a task on a Celery worker.
# In-process is the default because the asset graph is a chain whose one heavy step has its
# own reader processes: a process per step bought no parallelism and cost each step a fresh
# interpreter importing Dagster and the code location (bench/instance_cost.py: Dagster's share
# of a 1,000-report backfill's CPU 48% → 26%).
EXECUTORS = ("in_process", "multiprocess", "celery")
DEFAULT_CELERY_BROKER = "pyamqp://guest@127.0.0.1:5672//"
DEFAULT_CELERY_BACKEND = "rpc://"
DEFAULT_CELERY_QUEUE = "dagster"  # dagster-celery's own queue name
# Kombu's transports (the broker URL's scheme) and Celery's result backends, as Celery names them.
BROKER_SCHEMES = (
    "amqp", "amqps", "pyamqp", "librabbitmq", "redis", "rediss", "sentinel", "sqs",
    "memory", "filesystem", "qpid", "zookeeper", "mongodb", "consul", "etcd", "azurestoragequeues",
    "azureservicebus", "gcpubsub", "confluentkafka",
)  # fmt: skip
BACKEND_SCHEMES = (
    "rpc", "redis", "rediss", "sentinel", "db", "cache", "mongodb", "elasticsearch", "cassandra",
    "couchbase", "couchdb", "arangodb", "dynamodb", "s3", "gs", "azureblockblob", "cosmosdbsql",
    "consul", "file",
)  # fmt: skip
_URL = re.compile(r"^([a-z][a-z0-9]*)(?:\+[a-z0-9_]+)?://", re.IGNORECASE)
_QUEUE = re.compile(r"^[A-Za-z0-9_.:-]{1,200}$")


def _shown(raw: str) -> str:
    return repr(raw if len(raw) <= 80 else raw[:77] + "...")


def parse_flag(name: str, raw: str | None, *, default: bool) -> bool:
    """A yes/no setting: 1/yes/on/true or 0/no/off/false (any case); unset or empty: `default`."""
    if raw is None or not raw.strip():
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ConfigError(f"{name}={_shown(raw)}: expected one of {', '.join(TRUE)} or {', '.join(FALSE)}")


def parse_number(name: str, raw: str, *, whole: bool, unit: str) -> int | float:
    """A positive limit: a whole number (`whole`) or a decimal one, in `unit`."""
    accepted = f"expected a {'whole number' if whole else 'number'} above 0 ({unit})"
    try:
        value = float(raw.strip().replace("_", ""))
    except ValueError:
        raise ConfigError(f"{name}={_shown(raw)}: not a number; {accepted}") from None
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{name}={_shown(raw)}: {accepted}")
    if whole:
        if value != int(value):
            raise ConfigError(f"{name}={_shown(raw)}: {accepted}")
        return int(value)
    return value


def debug_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """GAIBAO_DEBUG: show tracebacks (command line, worker logs). A bad value means no."""
    env = os.environ if environ is None else environ
    try:
        return parse_flag(DEBUG_ENV_VAR, env.get(DEBUG_ENV_VAR), default=False)
    except ConfigError:
        return False


def ocr_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """GAIBAO_OCR and the other OCR settings (`documents.ocr.settings`): whether images are read by OCR."""
    from gaibao_pipeline.documents.ocr.settings import OcrSettingsError, ocr_settings

    try:
        return ocr_settings(environ).enabled
    except OcrSettingsError as exc:
        raise ConfigError(str(exc)) from None


@dataclass(frozen=True, slots=True)
class ExecutorSettings:
    """How the steps of a run execute: GAIBAO_EXECUTOR and, for Celery, where its tasks go."""

    kind: str  # one of EXECUTORS
    broker: str = DEFAULT_CELERY_BROKER
    backend: str = DEFAULT_CELERY_BACKEND
    queue: str = DEFAULT_CELERY_QUEUE


def _celery_url(name: str, raw: str | None, default: str, schemes: tuple[str, ...]) -> str:
    if raw is None or not raw.strip():
        return default
    value = raw.strip()
    match = _URL.match(value)
    if match is None or match.group(1).lower() not in schemes:
        raise ConfigError(
            f"{name}={_shown(raw)}: expected a Celery URL such as {default!r} "
            f"(scheme one of {', '.join(schemes)})"
        )
    return value


def executor_settings(environ: Mapping[str, str] | None = None) -> ExecutorSettings:
    """GAIBAO_EXECUTOR (default in_process) and, when it is `celery`, GAIBAO_CELERY_BROKER,
    GAIBAO_CELERY_BACKEND and GAIBAO_CELERY_QUEUE (the queue its workers listen on)."""
    env = os.environ if environ is None else environ
    raw = env.get(EXECUTOR_ENV_VAR)
    kind = (raw or "").strip().lower().replace("-", "_") or "in_process"
    if kind not in EXECUTORS:
        raise ConfigError(f"{EXECUTOR_ENV_VAR}={_shown(raw or '')}: expected one of {', '.join(EXECUTORS)}")
    broker = _celery_url(
        CELERY_BROKER_ENV_VAR, env.get(CELERY_BROKER_ENV_VAR), DEFAULT_CELERY_BROKER, BROKER_SCHEMES
    )
    backend = _celery_url(
        CELERY_BACKEND_ENV_VAR, env.get(CELERY_BACKEND_ENV_VAR), DEFAULT_CELERY_BACKEND, BACKEND_SCHEMES
    )
    raw_queue = env.get(CELERY_QUEUE_ENV_VAR)
    queue = (raw_queue or "").strip() or DEFAULT_CELERY_QUEUE
    if not _QUEUE.match(queue):
        raise ConfigError(
            f"{CELERY_QUEUE_ENV_VAR}={_shown(raw_queue or '')}: expected a queue name "
            "(letters, digits, _ . : -; at most 200)"
        )
    return ExecutorSettings(kind, broker, backend, queue)


def _checks(database: bool) -> list[Callable[[Mapping[str, str]], object]]:
    # imported here: these modules import this one
    from gaibao_pipeline.limits import Limits
    from gaibao_pipeline.runner.boundary import outside_links_allowed

    checks: list[Callable[[Mapping[str, str]], object]] = [
        Limits.from_env,
        ocr_enabled,
        outside_links_allowed,
        executor_settings,
        lambda env: parse_flag(DEBUG_ENV_VAR, env.get(DEBUG_ENV_VAR), default=False),
    ]
    if database:
        from gaibao_pipeline.db.engine import database_url_from_env, parse_database_url

        checks.append(lambda env: parse_database_url(database_url_from_env(env)))
    return checks


def check_environment(environ: Mapping[str, str] | None = None, *, database: bool = False) -> None:
    """Check every GAIBAO_* setting (and the database URL when `database`); one ConfigError for all.

    Each bad setting is one line of the error's message.
    """
    env = os.environ if environ is None else environ
    problems: list[str] = []
    for check in _checks(database):
        try:
            check(env)
        except ConfigError as exc:
            problems.extend(str(exc).splitlines())
    if problems:
        raise ConfigError("\n".join(problems))
