"""Cross-year results recomputed for the agencies a load touched equal a recomputation over
the whole database, and leave other agencies' stored results alone."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gaibao_pipeline.db import ReportToLoad, load_reports, refresh_cross_year
from gaibao_pipeline.db.schema import cross_year_results


def _stored(engine: Engine) -> list[tuple[Any, ...]]:
    columns = ("report_id", "seq", "check_id", "passed", "previous_report_id")
    with engine.connect() as conn:
        query = sa.select(*(cross_year_results.c[c] for c in columns)).order_by("report_id", "seq")
        return [tuple(row) for row in conn.execute(query)]


def _load(engine: Engine, helpers: Any, agency: str, years: range, tag: str) -> list[str]:
    items = [
        ReportToLoad(helpers.hongze(agency=agency, year=year), f"r{tag}{year:012x}", f"{tag}/{year}.pdf")
        for year in years
    ]
    load_reports(engine, items, run_id="run")
    return [item.report_id for item in items]


def test_refresh_of_touched_agencies_equals_full_recompute(db: Engine, helpers: Any) -> None:
    county = _load(db, helpers, "某某县人民政府", range(2021, 2024), "000a")
    city = _load(db, helpers, "某某市环境保护局", range(2021, 2023), "000b")
    refresh_cross_year(db, None, run_id="full")
    everything = _stored(db)
    assert {row[0] for row in everything} == {county[1], county[2], city[1]}

    # a later year of the city's agency, under its new name after the reform: only that agency
    newer = _load(db, helpers, "某某市生态环境局", range(2023, 2024), "000c")
    before_county = [row for row in _stored(db) if row[0] in county]
    refreshed = refresh_cross_year(db, newer, run_id="scoped")
    assert set(refreshed.results) == {city[1], newer[0]}  # the county was not read
    assert {r.report_id for r in refreshed.reports} == {*city, *newer}
    assert [row for row in _stored(db) if row[0] in county] == before_county
    scoped = _stored(db)
    refresh_cross_year(db, None, run_id="full-again")
    assert _stored(db) == scoped  # the same as recomputing every agency


def test_refresh_drops_results_whose_predecessor_left_the_agency(db: Engine, helpers: Any) -> None:
    first, second = _load(db, helpers, "某某县人民政府", range(2021, 2023), "000d")
    refresh_cross_year(db, [second])
    assert {row[0] for row in _stored(db)} == {second}
    # the 2021 report is reloaded as another agency's: the 2022 result loses its predecessor
    load_reports(
        db, [ReportToLoad(helpers.hongze(agency="另一个县人民政府", year=2021), first, "000d/2021.pdf")]
    )
    refresh_cross_year(db, [first])
    assert _stored(db) == []
