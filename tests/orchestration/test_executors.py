"""GAIBAO_EXECUTOR picks the executor of the jobs; a bad executor or Celery setting is named at start-up."""

from __future__ import annotations

import sys

import dagster as dg
import pytest

from gaibao_pipeline.config import ExecutorSettings, check_environment, executor_settings
from gaibao_pipeline.errors import ConfigError
from gaibao_pipeline.orchestration.definitions import build_definitions
from gaibao_pipeline.orchestration.executors import (
    celery_executor_config,
    celery_worker_command,
    executor_from_env,
)
from gaibao_pipeline.orchestration.jobs import load_reports_job


def test_defaults_are_the_in_process_executor_and_the_local_rabbitmq() -> None:
    assert executor_settings({}) == ExecutorSettings(
        "in_process", "pyamqp://guest@127.0.0.1:5672//", "rpc://", "dagster"
    )
    assert executor_from_env({}) is dg.in_process_executor
    assert executor_from_env({"GAIBAO_EXECUTOR": "multiprocess"}) is dg.multiprocess_executor


def test_celery_settings_are_read_and_given_to_the_executor_and_the_workers() -> None:
    env = {
        "GAIBAO_EXECUTOR": " Celery ",
        "GAIBAO_CELERY_BROKER": "redis://10.0.0.5:6379/3",
        "GAIBAO_CELERY_BACKEND": "redis://10.0.0.5:6379/4",
        "GAIBAO_CELERY_QUEUE": "gaibao-backfill",
    }
    settings = executor_settings(env)
    assert settings == ExecutorSettings(
        "celery", "redis://10.0.0.5:6379/3", "redis://10.0.0.5:6379/4", "gaibao-backfill"
    )
    assert celery_executor_config(settings) == {
        "broker": "redis://10.0.0.5:6379/3",
        "backend": "redis://10.0.0.5:6379/4",
        "config_source": {"task_default_queue": "gaibao-backfill"},
    }
    command = celery_worker_command(settings, name="w1")
    assert command[:4] == ["celery", "-A", "gaibao_pipeline.orchestration.celery_app", "worker"]
    assert "--pool=solo" in command  # the step starts reader processes: no daemonic pool child
    assert command[command.index("-Q") + 1] == "gaibao-backfill"
    # the default queue is dagster-celery's own: nothing to override
    assert "config_source" not in celery_executor_config(executor_settings({"GAIBAO_EXECUTOR": "celery"}))


def test_the_jobs_run_on_the_executor_the_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("dagster_celery")
    monkeypatch.setenv("GAIBAO_EXECUTOR", "celery")
    job = build_definitions().resolve_job_def(load_reports_job.name)
    assert job.executor_def.name == "celery"
    monkeypatch.setenv("GAIBAO_EXECUTOR", "in_process")
    assert build_definitions().resolve_job_def(load_reports_job.name).executor_def.name == "in_process"
    monkeypatch.setenv("GAIBAO_EXECUTOR", "multiprocess")
    assert build_definitions().resolve_job_def(load_reports_job.name).executor_def.name == "multiprocess"
    monkeypatch.delenv("GAIBAO_EXECUTOR")
    assert build_definitions().resolve_job_def(load_reports_job.name).executor_def.name == "in_process"


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("GAIBAO_EXECUTOR", "k8s", "expected one of in_process, multiprocess, celery"),
        ("GAIBAO_CELERY_BROKER", "127.0.0.1:5672", "expected a Celery URL such as 'pyamqp://"),
        ("GAIBAO_CELERY_BROKER", "http://broker", "scheme one of amqp"),
        ("GAIBAO_CELERY_BACKEND", "rpc:", "expected a Celery URL such as 'rpc://'"),
        ("GAIBAO_CELERY_QUEUE", "two words", "expected a queue name"),
    ],
)
def test_a_bad_setting_names_the_variable_and_what_it_accepts(name: str, value: str, says: str) -> None:
    with pytest.raises(ConfigError) as error:
        executor_settings({name: value})
    assert str(error.value).startswith(f"{name}={value!r}: ") and says in str(error.value)
    with pytest.raises(ConfigError, match=name):
        check_environment({name: value})  # at start-up, with every other bad setting


def test_other_brokers_and_backends_celery_knows_are_accepted() -> None:
    for broker in ("amqp://u:p@mq//vhost", "rediss://cache:6380/0", "sqs://", "sentinel://a:26379"):
        assert executor_settings({"GAIBAO_CELERY_BROKER": broker}).broker == broker
    for backend in ("db+postgresql://db/celery", "redis://r:6379/1", "rpc://"):
        assert executor_settings({"GAIBAO_CELERY_BACKEND": backend}).backend == backend


def test_celery_without_dagster_celery_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "dagster_celery", None)  # as if not installed
    with pytest.raises(ConfigError, match=r"needs dagster-celery: pip install 'gaibao-pipeline\[celery\]'"):
        executor_from_env({"GAIBAO_EXECUTOR": "celery"})
