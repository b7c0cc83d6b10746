"""Dagster asset checks built from `contracts/`: thin wrappers, evaluated per report partition.

- on core_reports, evaluated by the per-report step as each report is parsed and loaded
  (`assets.per_report`): the single-report invariants of spec §4 (`report_checks`) and
  `table_contracts`, the pandera contracts of the rows each report loads (`table_checks`).
- `cross_year_checks` (on out_loaded_reports), a step of its own after the loads: carry-over
  and documents in force across years.

The module does not use `from __future__ import annotations`: Dagster reads the check
functions' annotations (context and input types) when they are defined.
"""

import warnings

import dagster as dg

# Partitioned check specs are "preview" in Dagster 1.13, yet they are what records a check's
# outcome per report partition (a bulk run covers hundreds of reports). The warning asks
# nothing of an operator, so it is silenced here and nowhere else.
warnings.filterwarnings(
    "ignore", message="Specifying a partitions_def on an AssetCheckSpec", category=dg.PreviewWarning
)

from .cross_year_checks import AgencyAliasesResource, cross_year  # noqa: E402
from .report_checks import SPECS as REPORT_CHECK_SPECS  # noqa: E402
from .table_checks import SPEC as TABLE_CONTRACTS_SPEC  # noqa: E402

# Checks that run as steps of their own; those on core_reports are part of the per-report step.
ALL_CHECKS = [cross_year]
PER_REPORT_CHECK_SPECS = [*REPORT_CHECK_SPECS, TABLE_CONTRACTS_SPEC]

__all__ = ["ALL_CHECKS", "PER_REPORT_CHECK_SPECS", "AgencyAliasesResource", "cross_year"]
