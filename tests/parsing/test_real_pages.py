"""Real report pages that are not in the sample corpus, with values checked by hand against the page.

`shanghai-office-2019.html`: 2019年上海市人民政府办公厅政府信息公开工作年度报告 as the
shanghai.gov.cn page serves it (published 2020-01-31): its tables rebuilt cell for cell
(spans, the blanks the office left, "251000元"), the narrative abridged to the title, the
statistics period and the paragraph that states the request counts. Its title names the
agency between the year and the words (`2019年上海市人民政府办公厅政府信息公开…`), which
once made the parser take a phrase of the narrative for the agency.
"""

from __future__ import annotations

from pathlib import Path

from gaibao_pipeline.runner.parse import parse_file

DOCUMENTS = Path(__file__).parents[1] / "data" / "documents"


def test_shanghai_office_2019_page() -> None:
    report = parse_file(DOCUMENTS / "shanghai-office-2019.html").to_dict()
    assert report["status"] == "ok"
    meta = report["report"]
    assert (meta["agency"], meta["year"], meta["template"]) == ("上海市人民政府办公厅", 2019, "2019")
    assert meta["published_at"] == "2020-01-31"
    cells = {(c["table"], c["row"], c["col"]): c for c in report["cells"]}
    value = {key: c["value"] for key, c in cells.items()}
    # table 三: the rows the office filled in, and the totals it left blank (blank, not 0)
    assert [
        value["t3", "1", col] for col in ("natural_person", "commercial", "legal_service", "other", "total")
    ] == [
        821,
        35,
        2,
        1,
        859,
    ]
    assert value["t3", "1", "research"] is None
    assert (value["t3", "2", "natural_person"], value["t3", "2", "total"]) == (18, 18)
    assert (value["t3", "3.1", "natural_person"], value["t3", "3.1", "total"]) == (258, None)
    assert (value["t3", "3.3.6", "natural_person"], value["t3", "3.3.6", "commercial"]) == (3, 1)
    assert (value["t3", "3.4.1", "natural_person"], value["t3", "3.5.2", "commercial"]) == (252, 4)
    assert (value["t3", "3.7", "natural_person"], value["t3", "3.7", "total"], value["t3", "4", "total"]) == (
        767,
        805,
        72,
    )
    # table 二 of the 2019 template; the amount is printed in 元 and stored in 万元
    assert (value["t2", "rules", "new_made"], value["t2", "rules", "total_published"]) == (13, 524)
    assert (
        value["t2", "procurement", "procurement_count"],
        value["t2", "procurement", "procurement_amount"],
    ) == (
        6,
        25.1,
    )
    assert cells["t2", "procurement", "procurement_amount"]["raw"] == "251000元"
    # table 四: one row of fifteen cells under two header rows
    assert [value["t4", "review", col] for col in ("upheld", "corrected", "pending", "total")] == [
        5,
        None,
        2,
        7,
    ]
    assert (value["t4", "litigation_direct", "pending"], value["t4", "litigation_direct", "total"]) == (1, 9)
    assert value["t4", "litigation_after_review", "total"] is None
    # the page is consistent: nothing fails; the blank totals are not evaluable, not failures
    checks = report["checks"]
    assert not [c for c in checks if c["passed"] is False]
    assert {c["id"] for c in checks if c["passed"] is True} >= {
        "t3.balance",
        "t3.results_sum",
        "t3.row_total",
        "t4.block_total",
        "text.matches_tables",
    }
    assert {c["id"] for c in report["not_evaluable"]} == {"t3.row_total", "t3.results_sum", "t4.block_total"}
