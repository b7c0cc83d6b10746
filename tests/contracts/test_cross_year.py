"""Cross-year checks: the same agency's consecutive reports, linked by name and aliases."""

from __future__ import annotations

import random
from dataclasses import replace

from gaibao_pipeline.codes import T3_COL_CODES
from gaibao_pipeline.contracts.cross_year import YearReport, agency_key, cross_year_checks
from gaibao_pipeline.synth import random_report


def two_years(
    agency_before: str = "某某市生态环境局", agency_after: str = "某某市生态环境局"
) -> tuple[YearReport, YearReport]:
    rng = random.Random(7)
    before = random_report(rng, "2021", 2021, agency_before)
    after = random_report(rng, "2021", 2022, agency_after)
    cells = dict(after.cells)
    for col in T3_COL_CODES:
        # what 2021 carried forward, 2022 carried over
        cells[("t3", "2", col)] = before.cells[("t3", "4", col)]
    for row in ("rules", "normative_docs"):
        issued, repealed = cells[("t2", row, "issued")] or 0, cells[("t2", row, "repealed")] or 0
        cells[("t2", row, "in_force")] = (before.cells[("t2", row, "in_force")] or 0) + issued - repealed
    return (
        YearReport("r-2021", before.agency, 2021, "2021", before.cells),
        YearReport("r-2022", after.agency, 2022, "2021", cells),
    )


def outcome(results: dict, check: str) -> list[bool | None]:
    return [r.passed for r in results.get("r-2022", []) if r.id == check]


def test_consecutive_years_that_agree_pass() -> None:
    results = cross_year_checks(two_years())
    assert outcome(results, "cross_year.carry") and all(outcome(results, "cross_year.carry"))
    assert outcome(results, "cross_year.in_force") and all(outcome(results, "cross_year.in_force"))
    assert "r-2021" not in results  # only the later year of a pair is checked


def test_changing_one_number_fails_carry_for_that_column() -> None:
    before, after = two_years()
    values = dict(after.values)
    values[("t3", "2", "natural_person")] = (values[("t3", "2", "natural_person")] or 0) + 1
    results = cross_year_checks([before, replace(after, values=values)])
    failed = [r for r in results["r-2022"] if r.id == "cross_year.carry" and r.passed is False]
    assert [r.detail["col"] for r in failed] == ["natural_person"]
    assert failed[0].detail["previous_report_id"] == "r-2021"


def test_renamed_agency_is_linked() -> None:
    results = cross_year_checks(two_years("某某市环境保护局", "某某市生态环境局"))
    assert outcome(results, "cross_year.carry")


def test_alias_table_links_other_renames() -> None:
    years = two_years("某某县旅游局", "某某县文化和旅游局")
    assert not cross_year_checks(years)
    assert cross_year_checks(years, {"某某县旅游局": "某某县文化和旅游局"})


def test_agency_key_ignores_script_spacing_and_notes() -> None:
    assert agency_key("張掖市 環境保護局（辦公室）") == agency_key("张掖市生态环境局")
