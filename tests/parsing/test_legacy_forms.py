"""Legacy 统计表 forms in shapes the sample corpus does not show: traditional script with cells
run together, the way pre-2019 pages were scraped (regression: the table was not found), and
a form copied from a PDF as space-separated lines (regression: the header was one cell, so
units stayed in the labels and codes were read as values)."""

from __future__ import annotations

import pytest

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


def _page(title: str, table: list[str], signature: list[str]) -> bytes:
    """A crawled legacy report: header fields, narrative, the form one cell per line, signature."""
    lines = [
        f"标题：{title}",
        "发布时间：2016-03-01 10:00",
        "正文：",
        "一、概述",
        "本年度工作稳步推进。",
        "附表：",
    ]
    return "\n".join([*lines, *table, *signature]).encode("utf-8")


_CITY_FORM = [
    "指标名称", "计量单位", "2015", "年", "历年累计",
    "主动公开文件数", "条", "2403", "18577",
    "其中：1.政府网站公开数", "条", "2380", "18012",
    "2.政府公报数", "条", "23", "23",
    "二、依申请公开情况",  # a heading between the form's rows
    "受理政府信息公开申请总数", "条", "12", "160",
    "其中：1.当面申请数", "条", "5", "71",
    "2.网络申请数", "条", "6", "80",
    "3.信函、", "传真申请数", "条", "1", "9",  # a label broken over two lines
    "对申请的答复总数", "条", "12", "160",
    "其中：1.同意公开答复数", "条", "9", "130",
    "2.同意部分公开答复数", "条", "1", "10",
    "3.不予公开答复数", "条", "2", "20",
    "依申请提供信息收取的费用", "元", "251000", "300000",  # 元: held in 万元
    "政务微博发布条数", "条", "88", "300",  # a row no code names
    "行政复议数", "件", "0", "1",
]  # fmt: skip


@pytest.mark.parametrize(
    ("agency", "year"),
    [("三明市沙县人民政府", 2015), ("莆田市仙游县人民政府", 2015), ("三明市人民政府", 2015)],
)
def test_crawled_form_with_a_unit_column(agency: str, year: int) -> None:
    place = agency.removesuffix("人民政府")
    signature = ["三明市政务公开工作领导小组", "2016年", "2", "月", "15", "日"]
    report = parse_bytes(_page(f"{place}{year}年政府信息公开工作年度报告", _CITY_FORM, signature), "p.txt")
    assert (report.report.agency, report.report.year, report.report.template) == (agency, year, "legacy")
    assert report.report.report_date == "2016-02-15"  # the date crawled in fragments
    cells = _legacy_cells(report)
    assert cells[("proactive_total", "period")] == 2403 and cells[("proactive_total", "cumulative")] == 18577
    assert cells[("proactive_gazette", "cumulative")] == 23
    assert cells[("requests_letter_fax", "period")] == 1 and cells[("requests_letter_fax", "cumulative")] == 9
    assert cells[("replies_refused", "period")] == 2
    assert cells[("fees_total", "period")] == 25.1 and cells[("fees_total", "cumulative")] == 30  # 万元
    assert cells[("政务微博发布条数", "period")] == 88  # kept under its label: nothing dropped
    assert cells[("admin_reviews", "cumulative")] == 1
    assert len(cells) == 2 * 14  # fourteen indicators, two columns; no heading or signature row
    requests = next(c for c in report.cells if c.row == "requests_total")
    assert requests.raw_label == "受理政府信息公开申请总数"
    letter = next(c for c in report.cells if c.row == "requests_letter_fax")
    assert letter.raw_label == "3.信函、传真申请数" and letter.raw_code is None
    sums = [c for c in report.checks if c.id == "legacy.sums"]
    assert sums and all(c.passed for c in sums)  # requests and replies add up


_YEAR_END_FORM = [
    "指", "标", "名", "称", "计量单位", "年末统计",
    "主动公开信息数", "条", "5210",
    "其中： 1.政府公报", "条", "120",
    "2.政府网站", "条", "5210",
    "公开查阅点查阅人数", "人次", "410",
    "受理依申请公开信息总数", "条", "31",
    "其中： 1.当面申请数", "条", "20",
    "2.网上申请数", "条", "11",
    "本年度对申请的答复总数", "条", "31",
    "其中： 1.公开同意答复数", "条", "25",
    "2.同意部分公开答复数", "条", "6",
    "行政诉讼数", "件", "0",
]  # fmt: skip


def test_crawled_form_with_one_value_column() -> None:
    report = parse_bytes(_page("莆田市2009年度政府信息公开工作年度报告", _YEAR_END_FORM, []), "p.txt")
    assert (report.report.agency, report.report.template) == ("莆田市人民政府", "legacy")
    cells = _legacy_cells(report)
    assert {col for _, col in cells} == {"period"}  # the form has no total to date
    assert cells[("proactive_gov_site", "period")] == 5210
    assert cells[("reading_room_visitors", "period")] == 410
    assert cells[("requests_online", "period")] == 11
    assert cells[("replies_partial", "period")] == 6
    assert cells[("lawsuits", "period")] == 0


def test_crawled_coded_form_whose_blank_cells_left_no_line() -> None:
    table = [
        "指标名称", "计量单位", "代码", "本期", "累计",  # the total to date never filled in
        "主动公开信息总数", "条", "01", "339",
        "其中：1.通过省级政府网站公开信息数", "条", "02",  # blank: no line at all
        "2.通过本市政府网站公开信息数", "条", "03", "118",
        "申请公开信息总数", "次", "19", "4",
        "其中：1.当面申请数", "次", "20", "4",
    ]  # fmt: skip
    report = parse_bytes(_page("张掖市环境保护局2015年政府信息公开工作年度报告", table, []), "p.txt")
    cells = _legacy_cells(report)
    assert cells[("proactive_total", "period")] == 339 and cells[("proactive_total", "cumulative")] is None
    assert cells[("proactive_provincial_site", "period")] is None
    assert cells[("proactive_gov_site", "period")] == 118
    assert cells[("requests_in_person", "period")] == 4
    assert {c.raw_code for c in report.cells} == {"01", "02", "03", "19", "20"}


def test_crawled_form_row_of_one_value_among_rows_of_two_is_not_guessed() -> None:
    # a blank year (0 left blank) and a blank total to date both leave one line: not known which
    table = [
        "指标名称", "计量单位", "本年度", "累计",
        "主动公开信息数", "条", "120", "300",
        "行政复议数", "件", "2",
        "行政诉讼数", "件", "1", "3",
    ]  # fmt: skip
    report = parse_bytes(_page("某某县人民政府2013年政府信息公开工作年度报告", table, []), "p.txt")
    cells = _legacy_cells(report)
    assert cells[("admin_reviews", "period")] is None and cells[("admin_reviews", "cumulative")] is None
    assert any(w.startswith("legacy admin_reviews.period:") and "do not pin" in w for w in report.warnings)
    assert cells[("lawsuits", "cumulative")] == 3


@pytest.mark.parametrize("first", ["项目", "指标"])
def test_form_headed_only_by_its_value_columns(first: str) -> None:
    text = (
        "标题：某某县2012年政府信息公开工作年度报告\n一、概述\n2012年工作稳步推进。\n附表：\n"
        f"{first} | 单位 | 2012年度 | 累计 |\n"
        "主动公开信息数 | 条 | 120 | 900 |\n"
        "受理依申请公开信息总数 | 件 | 5 | 30 |\n"
        "行政复议数 | 件 | 0 | 1 |\n"
    )
    report = parse_bytes(text.encode("utf-8"), "report.txt", Limits())
    assert report.report.template == "legacy"
    assert _legacy_cells(report) == {
        ("proactive_total", "period"): 120,
        ("proactive_total", "cumulative"): 900,
        ("requests_total", "period"): 5,
        ("requests_total", "cumulative"): 30,
        ("admin_reviews", "period"): 0,
        ("admin_reviews", "cumulative"): 1,
    }
