"""The agency_year_panel view on SQLite and PostgreSQL: one row per agency and year whatever the
template (a legacy form's canonical indicators, tables 三 and 四 of the 2019/2021 forms), the
report and template each year came from, one row when a year arrived twice; and one series for
三明市人民政府 from its real 2018 (legacy form) and 2022 (2021 template) reports as parsed."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gaibao_pipeline.db import load_report
from gaibao_pipeline.db.schema import agency_year_panel
from gaibao_pipeline.runner.parse import parse_file
from tests.conftest import corpus_file


def _panel(db: Engine) -> list[Any]:
    with db.connect() as conn:
        query = sa.select(agency_year_panel).order_by(
            agency_year_panel.c.agency_normalized, agency_year_panel.c.year
        )
        return list(conn.execute(query))


def test_legacy_and_2021_years_of_one_agency_are_one_series(db: Engine, helpers: Any) -> None:
    agency = "淮安市洪泽区人民政府"
    load_report(db, helpers.legacy(agency=agency, year=2012), report_id="rlegacy", source_path="a.txt")
    load_report(db, helpers.hongze(agency=agency, year=2023), report_id="r2023", source_path="b.pdf")
    load_report(db, helpers.failed(), report_id="rfailed", source_path="c.pdf")  # not ok: not a year
    rows = _panel(db)
    assert [(r.agency_normalized, r.year, r.template, r.report_id) for r in rows] == [
        (agency, 2012, "legacy", "rlegacy"),
        (agency, 2023, "2021", "r2023"),
    ]
    legacy, recent = rows
    # legacy: requests_total, replies_granted, replies_partial, admin_reviews, lawsuits (period)
    assert (legacy.applications_received, legacy.granted, legacy.partly_granted) == (9, 6, 2)
    assert (legacy.admin_reviews, legacy.lawsuits) == (1, 0)
    # 2021 template: t3 rows 1, 3.1, 3.2 totals; t4 review; both litigation totals summed
    assert (recent.applications_received, recent.granted, recent.partly_granted) == (21, 0, 4)
    assert (recent.admin_reviews, recent.lawsuits) == (0, 0)
    assert {r.n_reports_agency_year for r in rows} == {1}


def test_a_year_that_arrived_twice_is_one_row(db: Engine, helpers: Any) -> None:
    load_report(db, helpers.hongze(), report_id="rpdf", source_path="a.pdf")
    load_report(
        db, helpers.hongze(agency="淮安市洪澤區 人民政府（转载）"), report_id="rweb", source_path="b.txt"
    )
    (row,) = _panel(db)
    assert (row.year, row.n_reports_agency_year, row.report_id) == (2023, 2, "rpdf")


def test_sanming_2018_form_and_2022_template_give_one_series(db: Engine) -> None:
    for stem, rid in (("sanming2018", "rsm2018"), ("sanming2022", "rsm2022")):
        report = parse_file(corpus_file(stem))
        assert report.ok, report.message
        load_report(db, report, report_id=rid, source_path=f"{stem}.txt")
    rows = [r for r in _panel(db) if r.agency_normalized == "三明市人民政府"]
    assert [(r.year, r.template) for r in rows] == [(2018, "legacy"), (2022, "2021")]
    assert [r.applications_received for r in rows] == [157, 347]
    assert [r.granted for r in rows] == [11, 243]
    assert [r.partly_granted for r in rows] == [2, 11]
    assert [(r.admin_reviews, r.lawsuits) for r in rows] == [(0, 0), (4, 0)]
