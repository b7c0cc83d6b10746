"""Asset checks in Dagster, per report partition, after one bulk run: each injected
violation fails exactly its check on exactly its report's partition, with the cells and a
review page in the metadata; cross-year checks link two years of one agency.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus as Status

from gaibao_pipeline.checks.report_checks import CORE_REPORTS
from gaibao_pipeline.codes import T3_COL_CODES
from gaibao_pipeline.contracts.catalog import INVARIANTS
from gaibao_pipeline.runner.keys import report_key
from gaibao_pipeline.synth import random_report
from gaibao_pipeline.synth.text_builder import build_text
from tests.assets.conftest import materialize_all
from tests.checks.injections import INJECTIONS, consistent_text

INJECTED = ("t3.balance", "t3.row_total", "t4.block_total", "text.matches_tables")


def outcomes(instance: dg.DagsterInstance, asset: dg.AssetKey) -> dict[str, dict[str, tuple[bool, dict]]]:
    """partition → check name → (passed, metadata), from the instance's check history."""
    out: dict[str, dict[str, tuple[bool, dict]]] = {}
    for invariant in INVARIANTS:
        key = dg.AssetCheckKey(asset, invariant.check_name)
        for record in instance.event_log_storage.get_asset_check_execution_history(key, limit=1000):
            if record.status not in (Status.SUCCEEDED, Status.FAILED):
                continue  # planned for the run's partitions, not applicable to this one (shown as skipped)
            evaluation = record.event.dagster_event.event_specific_data  # type: ignore[union-attr]
            metadata = {k: v.value for k, v in evaluation.metadata.items()}
            out.setdefault(record.partition, {})[invariant.check_name] = (evaluation.passed, metadata)
    return out


@pytest.fixture
def injected_landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing"
    folder.mkdir()
    (folder / "clean.txt").write_text(consistent_text(), encoding="utf-8")
    for check_id in INJECTED:
        (folder / f"{check_id}.txt").write_text(INJECTIONS[check_id](consistent_text()), encoding="utf-8")
    return folder


def test_each_violation_fails_exactly_its_check_on_its_partition(
    instance: dg.DagsterInstance, injected_landing: Path, db_url: str
) -> None:
    assert materialize_all(instance, injected_landing, db_url).success
    results = outcomes(instance, CORE_REPORTS)
    clean = results[report_key("clean.txt")]
    assert clean and all(passed for passed, _ in clean.values())
    for check_id in INJECTED:
        partition = results[report_key(f"{check_id}.txt")]
        failed = {name for name, (passed, _) in partition.items() if not passed}
        assert failed == {check_id.replace(".", "_")}, check_id
        _, metadata = partition[check_id.replace(".", "_")]
        assert metadata["failed"] >= 1 and metadata["file"] == f"{check_id}.txt"
        assert Path(metadata["review_page"]).is_file()
        # the report's page in the review app (`gaibao serve`)
        assert metadata["review_app"] == f"http://127.0.0.1:8000/reports/{report_key(f'{check_id}.txt')}"
        assert all(detail["cells"] for detail in metadata["detail"])
        # escaped once: no HTML entity reaches the UI, which would print it as `&#x27;`
        assert "&#" not in metadata["failures"] and "&lt;" not in metadata["failures"]
    # the explaining cell (the printed total) leads the cells and is not cut off
    _, block = results[report_key("t4.block_total.txt")]["t4_block_total"]
    cells_column = block["failures"].split("\n")[2].split(" | ")[-1]
    assert cells_column.startswith("review total\\=") and "…" not in cells_column


def test_balance_failure_metadata_names_the_injected_cells(
    instance: dg.DagsterInstance, injected_landing: Path, db_url: str
) -> None:
    assert materialize_all(instance, injected_landing, db_url).success
    _, metadata = outcomes(instance, CORE_REPORTS)[report_key("t3.balance.txt")]["t3_balance"]
    assert {d["col"] for d in metadata["detail"]} == {"natural_person", "total"}
    assert all(["t3", "2", d["col"]] in d["cells"] for d in metadata["detail"])
    assert "raw" in metadata["failures"] and "\\|" not in metadata["failures"].split("\n")[0]


def two_years(folder: Path, change_carry: bool) -> None:
    rng = random.Random(11)
    first = random_report(rng, "2021", 2021, "某某县人民政府")
    second = random_report(rng, "2021", 2022, "某某县人民政府")
    cells = dict(second.cells)
    for col in T3_COL_CODES:
        cells[("t3", "2", col)] = first.cells[("t3", "4", col)]
        # keep year 2022's own identities: what is carried over is received in the balance
        delta = (cells[("t3", "2", col)] or 0) - (second.cells[("t3", "2", col)] or 0)
        cells[("t3", "1", col)] = (second.cells[("t3", "1", col)] or 0) - delta
    second = (
        type(second)(**{**second.__dict__, "cells": cells})
        if False
        else second.__class__(
            second.agency,
            second.year,
            second.template,
            second.report_date,
            second.sections,
            cells,
            second.published_at,
        )
    )
    (folder / "2021.txt").write_bytes(build_text(first, "tab_rows"))
    text = build_text(second, "tab_rows").decode("utf-8")
    if change_carry:
        line = next(x for x in text.split("\n") if x.startswith("二、上年结转"))
        numbers = line.split("\t")
        numbers[3] = str(int(numbers[3]) + 1)
        text = text.replace(line, "\t".join(numbers))
    (folder / "2022.txt").write_text(text, encoding="utf-8")


@pytest.mark.parametrize("change_carry", [False, True])
def test_cross_year_carry_over_two_consecutive_years(
    instance: dg.DagsterInstance, tmp_path: Path, db_url: str, change_carry: bool
) -> None:
    folder = tmp_path / "landing"
    folder.mkdir()
    two_years(folder, change_carry)
    assert materialize_all(instance, folder, db_url).success
    results = outcomes(instance, dg.AssetKey("out_loaded_reports"))
    passed, metadata = results[report_key("2022.txt")]["cross_year_carry"]
    assert report_key("2021.txt") not in results  # the first year has no year before it
    assert passed is not change_carry
    if change_carry:
        assert [d["col"] for d in metadata["detail"]] == ["natural_person"]
        assert metadata["detail"][0]["previous_report_id"] == report_key("2021.txt")
    assert re.match(r"r[0-9a-f]{16}$", report_key("2022.txt"))
