"""Asset checks in Dagster, one evaluation per report partition, after one bulk run: each
injected violation fails `report_checks` on exactly its report's partition, naming the
invariant with expected against found, the cells and a review page in the metadata;
`cross_year` links two years of one agency.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus as Status

from gaibao_pipeline.codes import T3_COL_CODES
from gaibao_pipeline.contracts.catalog import BY_ID
from gaibao_pipeline.orchestration.keys import CORE_REPORTS
from gaibao_pipeline.runner.keys import report_key
from gaibao_pipeline.synth import random_report
from gaibao_pipeline.synth.text_builder import build_text
from tests.assets.conftest import materialize_all
from tests.checks.injections import INJECTIONS, consistent_text

INJECTED = ("t3.balance", "t3.row_total", "t4.block_total", "text.matches_tables")
REPORT_CHECKS = dg.AssetCheckKey(CORE_REPORTS, "report_checks")
CROSS_YEAR = dg.AssetCheckKey(CORE_REPORTS, "cross_year")


def outcomes(instance: dg.DagsterInstance, key: dg.AssetCheckKey) -> dict[str, Any]:
    """partition → the check's evaluation on it, from the instance's check history."""
    out: dict[str, Any] = {}
    for record in instance.event_log_storage.get_asset_check_execution_history(key, limit=1000):
        if record.status not in (Status.SUCCEEDED, Status.FAILED):
            continue  # planned for the run's partitions, not evaluated on this one
        out.setdefault(record.partition, record.event.dagster_event.event_specific_data)  # type: ignore[union-attr]
    return out


def values(evaluation: Any) -> dict[str, Any]:
    return {k: v.value for k, v in evaluation.metadata.items()}


@pytest.fixture
def injected_landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing"
    folder.mkdir()
    (folder / "clean.txt").write_text(consistent_text(), encoding="utf-8")
    for check_id in INJECTED:
        (folder / f"{check_id}.txt").write_text(INJECTIONS[check_id](consistent_text()), encoding="utf-8")
    return folder


def test_each_violation_fails_its_reports_check_naming_the_invariant(
    instance: dg.DagsterInstance, injected_landing: Path, db_url: str
) -> None:
    assert materialize_all(instance, injected_landing, db_url).success
    results = outcomes(instance, REPORT_CHECKS)
    assert len(results) == 1 + len(INJECTED)  # one evaluation per report, whatever its invariants
    clean = results[report_key("clean.txt")]
    assert clean.passed and values(clean)["failed_invariants"] == ""
    assert "t3.balance | error | passed" in values(clean)["invariants"].replace("\\", "")
    for check_id in INJECTED:
        evaluation = results[report_key(f"{check_id}.txt")]
        metadata = values(evaluation)
        assert not evaluation.passed
        assert metadata["failed_invariants"] == check_id, check_id
        expected = "error" if BY_ID[check_id].severity == "error" else "warning"
        assert evaluation.severity.value == ("ERROR" if expected == "error" else "WARN")
        assert metadata["file"] == f"{check_id}.txt"
        assert Path(metadata["review_page"]).is_file()
        # the report's page in the review app (`gaibao serve`)
        assert metadata["review_app"] == f"http://127.0.0.1:8000/reports/{report_key(f'{check_id}.txt')}"
        assert {d["id"] for d in metadata["detail"]} == {check_id}
        assert all(detail["cells"] for detail in metadata["detail"])
        # every invariant's outcome in one table: the failed one says how many instances failed
        shown = metadata["invariants"].replace("\\", "")
        assert re.search(rf"\| {re.escape(check_id)} \| {expected} \| failed \(\d+ of \d+\) \|", shown)
        assert "| table_contracts | warning | passed |" in shown
        assert "| renditions.agree | warning | not applicable |" in shown
        # escaped once: no HTML entity reaches the UI, which would print it as `&#x27;`
        assert "&#" not in metadata["failures"] and "&lt;" not in metadata["failures"]
    # the explaining cell (the printed total) leads the cells and is not cut off
    block = values(results[report_key("t4.block_total.txt")])
    cells_column = block["failures"].split("\n")[2].split(" | ")[-1]
    assert cells_column.startswith("review total\\=") and "…" not in cells_column


def test_balance_failure_metadata_names_the_injected_cells_expected_and_found(
    instance: dg.DagsterInstance, injected_landing: Path, db_url: str
) -> None:
    assert materialize_all(instance, injected_landing, db_url).success
    metadata = values(outcomes(instance, REPORT_CHECKS)[report_key("t3.balance.txt")])
    assert {d["col"] for d in metadata["detail"]} == {"natural_person", "total"}
    assert all(["t3", "2", d["col"]] in d["cells"] for d in metadata["detail"])
    assert all(d["expected"] != d["actual"] for d in metadata["detail"])
    header, _, first = metadata["failures"].split("\n")[:3]
    assert "expected" in header and "found" in header and "\\|" not in header
    assert first.startswith("| t3\\.balance | ") and "raw" in first


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
    second = second.__class__(
        second.agency,
        second.year,
        second.template,
        second.report_date,
        second.sections,
        cells,
        second.published_at,
    )
    (folder / "2021.txt").write_bytes(build_text(first, "tab_rows"))
    text = build_text(second, "tab_rows").decode("utf-8")
    if change_carry:
        line = next(x for x in text.split("\n") if x.startswith("二、上年结转"))
        numbers = line.split("\t")
        numbers[3] = str(int(numbers[3]) + 1)
        text = text.replace(line, "\t".join(numbers))
    (folder / "2022.txt").write_text(text, encoding="utf-8")


def run_evaluation(instance: dg.DagsterInstance, key: dg.AssetCheckKey, run_id: str) -> Any:
    """The check's one evaluation in the run (a check across reports is not per partition)."""
    [record] = [
        r
        for r in instance.event_log_storage.get_asset_check_execution_history(key, limit=100)
        if r.run_id == run_id
    ]
    assert record.partition is None and record.status in (Status.SUCCEEDED, Status.FAILED)
    return record.event.dagster_event.event_specific_data  # type: ignore[union-attr]


@pytest.mark.parametrize("change_carry", [False, True])
def test_cross_year_carry_over_two_consecutive_years(
    instance: dg.DagsterInstance, tmp_path: Path, db_url: str, change_carry: bool
) -> None:
    folder = tmp_path / "landing"
    folder.mkdir()
    two_years(folder, change_carry)
    result = materialize_all(instance, folder, db_url)
    assert result.success
    evaluation = run_evaluation(instance, CROSS_YEAR, result.run_id)
    metadata = values(evaluation)
    # both reports checked; only 2022 has a year before, so 2021's invariants do not apply
    assert (metadata["reports_checked"], metadata["reports_with_year_before"]) == (2, 1)
    counts = metadata["invariants"]
    assert re.search(r"cross\\_year\\.carry \| warning \| (\d) \| (\d) \| 0 \| 1 \|", counts), counts
    failed = set(metadata["failed_invariants"].split(", ")) - {""}
    assert ("cross_year.carry" in failed) is change_carry  # in force is left to the random values
    assert evaluation.passed is not bool(failed)
    assert metadata["reports_failed"] == (1 if failed else 0)
    if change_carry:
        carry = [d for d in metadata["detail"] if d["id"] == "cross_year.carry"]
        assert [d["col"] for d in carry] == ["natural_person"]
        assert carry[0]["report_id"] == report_key("2022.txt")
        assert carry[0]["previous_report_id"] == report_key("2021.txt")
        assert carry[0]["review_app"].endswith(f"/reports/{report_key('2022.txt')}")
        assert report_key("2022.txt") in metadata["failures"]
    assert re.match(r"r[0-9a-f]{16}$", report_key("2022.txt"))
