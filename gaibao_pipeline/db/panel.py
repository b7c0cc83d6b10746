"""An agency's panel over the years: applications received, granted, reviews, lawsuits (spec §2).

One function, `agency_panel`, computes the series from the reviewed cell views (so reviewers'
corrections count) of the 2019/2021 templates and the legacy forms:

| measure | 2019 / 2021 | legacy (本年度) |
|---|---|---|
| received | t3 row 1 total | requests_total |
| granted | t3 row 3.1 total | replies_granted |
| partly granted | t3 row 3.2 total | replies_partial |
| administrative reviews | t4 review total | admin_reviews |
| lawsuits | t4 litigation_direct total + litigation_after_review total | lawsuits |

The view `agency_year_panel` holds the same measures for SQL users, one row per agency and
year (one report picked where a year has two). Reviewers need more than that view gives: every
report of a year (a PDF and its web page may disagree) and which measure a correction changed,
so this reads the same reviewed cell views per report.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gaibao_pipeline.db.schema import REVIEWED_CELL_VIEWS, reports

MEASURES = ("received", "granted", "partly_granted", "admin_reviews", "lawsuits")
MEASURE_LABELS = {
    "received": "applications received 新收申请",
    "granted": "granted 予以公开",
    "partly_granted": "partly granted 部分公开",
    "admin_reviews": "administrative reviews 行政复议",
    "lawsuits": "lawsuits 行政诉讼",
}
# (cell table, row, col) → measure; the two litigation rows of t4 add up to one measure
_SOURCES: dict[tuple[str, str, str], str] = {
    ("t3", "1", "total"): "received",
    ("t3", "3.1", "total"): "granted",
    ("t3", "3.2", "total"): "partly_granted",
    ("t4", "review", "total"): "admin_reviews",
    ("t4", "litigation_direct", "total"): "lawsuits",
    ("t4", "litigation_after_review", "total"): "lawsuits",
    ("legacy", "requests_total", "period"): "received",
    ("legacy", "replies_granted", "period"): "granted",
    ("legacy", "replies_partial", "period"): "partly_granted",
    ("legacy", "admin_reviews", "period"): "admin_reviews",
    ("legacy", "lawsuits", "period"): "lawsuits",
}
FIRST_YEAR = 2008  # the first year of reports under the 2008 regulations


@dataclass(slots=True)
class PanelYear:
    """One report's measures (None: not printed or blank); `corrected` names measures a reviewer changed."""

    report_id: str
    year: int
    template: str | None
    values: dict[str, float | None] = field(default_factory=dict)
    corrected: set[str] = field(default_factory=set)


def agency_panel(engine: Engine, agency_normalized: str) -> list[PanelYear]:
    """The agency's ok reports from 2008 on, by year, with the panel measures (reviewed values)."""
    r = reports.c
    with engine.connect() as conn:
        heads = conn.execute(
            sa.select(r.report_id, r.year, r.template)
            .where(r.agency_normalized == agency_normalized, r.status == "ok", r.year >= FIRST_YEAR)
            .order_by(r.year, r.report_id)
        ).all()
        panel = {report_id: PanelYear(report_id, year, template) for report_id, year, template in heads}
        if not panel:
            return []
        sums: dict[tuple[str, str], list[float]] = defaultdict(list)
        for code in ("t3", "t4", "legacy"):
            view = REVIEWED_CELL_VIEWS[code]
            rows = sorted({row for (table, row, _) in _SOURCES if table == code})
            query = sa.select(
                view.c.report_id, view.c.row_code, view.c.col_code, view.c.value, view.c.corrected
            ).where(view.c.report_id.in_(list(panel)), view.c.row_code.in_(rows))
            for report_id, row, col, value, corrected in conn.execute(query):
                measure = _SOURCES.get((code, row, col))
                if measure is None:
                    continue
                if value is not None:
                    sums[(report_id, measure)].append(float(value))
                if corrected:
                    panel[report_id].corrected.add(measure)
    for (report_id, measure), values in sums.items():
        panel[report_id].values[measure] = sum(values)
    for year in panel.values():
        for measure in MEASURES:
            year.values.setdefault(measure, None)
    return list(panel.values())
