"""Dagster asset checks built from `contracts/`: thin wrappers, evaluated per report partition.

- `report_invariants` (on core_reports): the single-report invariants of spec §4.
- `table_contracts` (on core_reports): the pandera contracts of the rows each report loads.
- `cross_year_checks` (on out_loaded_reports): carry-over and documents in force across years.

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
from .report_checks import report_invariants  # noqa: E402
from .table_checks import table_contracts  # noqa: E402

ALL_CHECKS = [report_invariants, table_contracts, cross_year]

__all__ = ["ALL_CHECKS", "AgencyAliasesResource", "cross_year", "report_invariants", "table_contracts"]
