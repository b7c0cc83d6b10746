"""The Dagster wiring around the assets and checks: definitions, jobs, sensors, schedules,
resources, partitions and progress lines; `instance/` holds what works around Dagster internals.

`definitions.defs` is the project's one `Definitions` (workspace.yaml, `[tool.dagster]`);
`local_run` is `gaibao run`.
"""
