"""Legacy 统计表 forms in shapes the sample corpus does not show: traditional script with cells
run together, the way pre-2019 pages were scraped (regression: the table was not found), and
a form copied from a PDF as space-separated lines (regression: the header was one cell, so
units stayed in the labels and codes were read as values)."""

from __future__ import annotations

from gaibao_pipeline.limits import Limits
from gaibao_pipeline.report import Report
from gaibao_pipeline.runner.parse import parse_bytes

_NARRATIVE = "一、概述 {y}年，本縣政府信息公開工作穩步推進。 某某縣人民政府 二〇一三年三月十日 "
_TRADITIONAL = (
    "某某縣人民政府2012年政府信息公開工作年度報告 "
    + _NARRATIVE.format(y=2012)
    + "附件：某某縣人民政府2012年政府信息公開情況統計表 "
    "指標名稱計量單位2012年度歷年累計主動公開信息數條120340其中：1.網站公開條100290"
    "2.政府公報公開條2050對申請的答覆數件35行政復議數件01"
)
_EXPECTED = {
    ("proactive_total", "period"): 120,
    ("proactive_total", "cumulative"): 340,
    ("proactive_gov_site", "period"): 100,
    ("proactive_gov_site", "cumulative"): 290,
    ("proactive_gazette", "period"): 20,
    ("proactive_gazette", "cumulative"): 50,
    # 答覆 is 答复 only phrase by phrase: the label is read by its words either way
    ("replies_total", "period"): 3,
    ("replies_total", "cumulative"): 5,
    ("admin_reviews", "period"): 0,
    ("admin_reviews", "cumulative"): 1,
}


def _legacy_cells(report: Report) -> dict[tuple[str, str], object]:
    return {(c.row, c.col): c.value for c in report.cells if c.table == "legacy"}


def test_traditional_run_together_form_is_found() -> None:
    report = parse_bytes(_TRADITIONAL.encode("utf-8"), "report.txt", Limits())
    assert report.ok
    assert (report.report.agency, report.report.year, report.report.template) == (
        "某某县人民政府",
        2012,
        "legacy",
    )
    assert _legacy_cells(report) == _EXPECTED
    assert not [c for c in report.checks if c.id == "legacy.sums" and c.passed is False]


_SPACED = """某某市民政局2015年政府信息公开工作年度报告
一、概述
2015年，我局政府信息公开工作稳步推进。
某某市民政局
2016年3月10日
附件：政府信息公开情况统计表
指标名称 计量单位 代码 本期 累计
主动公开信息总数 条 01 310 1250
其中：1.通过政府网站公开信息数 条 02 300 1200
　　2.通过其他形式公开信息数 条 03 10 50
提供公开信息收取的费用 元 04 12.5 80.25
政府信息公开工作人数 人 05 3 ----
注：本表由办公室填报。
"""


def test_space_separated_coded_form() -> None:
    report = parse_bytes(_SPACED.encode("utf-8"), "report.txt", Limits())
    assert report.ok and report.report.template == "legacy"
    assert _legacy_cells(report) == {
        ("proactive_total", "period"): 310,
        ("proactive_total", "cumulative"): 1250,
        ("proactive_gov_site", "period"): 300,
        ("proactive_gov_site", "cumulative"): 1200,
        ("proactive_other", "period"): 10,
        ("proactive_other", "cumulative"): 50,
        # printed in 元, held in 万元
        ("fees_total", "period"): 0.00125,
        ("fees_total", "cumulative"): 0.008025,
        ("staff_total", "period"): 3,
        ("staff_total", "cumulative"): None,
    }
    codes = {c.row: (c.raw_code, c.raw_label) for c in report.cells}
    assert codes["fees_total"] == ("04", "提供公开信息收取的费用")
    assert codes["proactive_other"] == ("03", "2.通过其他形式公开信息数")
    assert not [c for c in report.checks if c.id == "legacy.sums" and c.passed is False]


def test_space_separated_uncoded_form_in_traditional_script() -> None:
    text = (
        _SPACED.replace(" 代码", "")
        .replace(" 01 ", " ")
        .replace(" 02 ", " ")
        .replace(" 03 ", " ")
        .replace(" 04 ", " ")
        .replace(" 05 ", " ")
        .replace("条", "條")
        .replace("计量单位", "計量單位")
        .replace("指标名称", "指標名稱")
    )
    report = parse_bytes(text.encode("utf-8"), "report.txt", Limits())
    cells = _legacy_cells(report)
    assert cells[("proactive_total", "period")] == 310  # the unit 條 is no part of the label
    assert cells[("proactive_gov_site", "cumulative")] == 1200
    assert cells[("fees_total", "cumulative")] == 0.008025


def test_coded_form_label_cut_by_a_page_break_is_no_row() -> None:
    # a PDF's table continues on the next page with the rest of the label and no code or values
    text = (
        "某某市民政局2015年政府信息公开工作年度报告\n一、概述\n2015年，我局工作稳步推进。\n"
        "附件：政府信息公开情况统计表\n"
        "指标名称 | 计量单位 | 代码 | 本期 | 累计 |\n"
        "否决公开答复总数 | 条 | 01 | 7 | 9 |\n"
        "其中：(1)“免予公开范围 | 条 | 02 | 3 | 4 |\n"
        "1”数 | | | | |\n"
        "(2)其它原因 | 条 | 03 | 4 | 5 |\n"
    )
    report = parse_bytes(text.encode("utf-8"), "report.txt", Limits())
    assert {row for row, _ in _legacy_cells(report)} == {
        "replies_refused",
        "refused_exempt_1",
        "refused_other",
    }
    assert _legacy_cells(report)[("refused_other", "cumulative")] == 5
