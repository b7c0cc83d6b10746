"""gaibao_pipeline: 政府信息公开工作年度报告 → clean, checked, queryable tables.

The pure core (`documents`, `parsing`, `contracts`, `db`) has no Dagster import; the
Dagster glue lives in `assets`, `checks`, `sensors`, `schedules` and `definitions`.
"""

__version__ = "0.1.0"
