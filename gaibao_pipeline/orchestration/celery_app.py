"""The Celery app of a gaibao worker: `celery -A gaibao_pipeline.orchestration.celery_app worker -Q QUEUE`.

dagster-celery's own `dagster_celery.app` reads its broker from a generated config module
(`dagster-celery worker start -y`); this one reads the same GAIBAO_CELERY_* settings as the
executor of the runs (`executors.executor_from_env`), and registers dagster-celery's tasks.
"""

from __future__ import annotations

from dagster_celery.executor import CeleryExecutor
from dagster_celery.make_app import make_app
from dagster_celery.tasks import create_execute_job_task, create_resume_job_task, create_task

from gaibao_pipeline.config import executor_settings
from gaibao_pipeline.orchestration.executors import celery_executor_config

_config = celery_executor_config(executor_settings())
app = make_app(CeleryExecutor.for_cli(**_config).app_args())
execute_plan = create_task(app)
execute_job = create_execute_job_task(app)
resume_job = create_resume_job_task(app)
