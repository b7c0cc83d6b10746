"""Asset checks over the pure core's `contracts/`: thin wrappers, both on core_reports.

- `report_checks`, partitioned like core_reports and evaluated by the per-report step
  (`assets.core`) as each report is loaded: the single-report invariants of spec §4, the
  renditions' agreement and the pandera table contracts of the rows each report loads, one
  evaluation per report partition (`report_checks`).
- `cross_year` (`cross_year_checks`), a step of its own after the loads: carry-over and
  documents in force against the same agency's year before, one evaluation per run over the
  run's reports (a check across reports).

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
from .report_checks import SPEC as REPORT_CHECKS  # noqa: E402

# Checks that run as steps of their own; `report_checks` is part of the per-report step.
ALL_CHECKS = [cross_year]

__all__ = ["ALL_CHECKS", "REPORT_CHECKS", "AgencyAliasesResource", "cross_year"]
