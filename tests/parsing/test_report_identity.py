"""What a file is before what it says: the issuing agency when a title names only the place
(三明市2021年… → 三明市人民政府), a file that is no report (a README, a notice about the
reports) is `not_a_report` with no template, and a 2021 report carrying a stray table 二 of
the 2019 form is read by its own template (issue 24: its real table 二 was re-read under
2019 codes, 69/3/665 becoming 69/36/65)."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from gaibao_pipeline.errors import Status
from gaibao_pipeline.synth.crawl import Crawl, crawl_text
from gaibao_pipeline.synth.text_builder import _table, build_text, table_rows
from gaibao_pipeline.synth.values import random_report
from tests.parsing.crawled import parse_text, report_with, values

_T3 = {"1": [7, 0, 0, 0, 0, 0, 7], "3.1": [7, 0, 0, 0, 0, 0, 7], "3.7": [7, 0, 0, 0, 0, 0, 7]}


@pytest.mark.parametrize(
    ("government", "year", "template"),
    [
        ("三明市人民政府", 2021, "2021"),
        ("莆田市荔城区人民政府", 2020, "2019"),
        ("福州市鼓楼区东街街道办事处", 2023, "2021"),
        ("南平市顺昌县人民政府", 2022, "2021"),
    ],
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_title_naming_only_the_place_gives_its_government(
    government: str, year: int, template: str, seed: int
) -> None:
    page = crawl_text(report_with(government, year, template, t3=_T3), Crawl(place_title=True), seed).decode()
    place = government.removesuffix("人民政府").removesuffix("办事处")
    assert f"标题：{place}{year}年" in page  # the title names the place alone
    parsed = parse_text(page)
    assert (parsed.report.agency, parsed.report.year, parsed.report.template) == (government, year, template)


def test_department_title_is_kept() -> None:
    page = crawl_text(report_with("三明市教育局", 2021, "2021", t3=_T3), Crawl(place_title=True)).decode()
    assert parse_text(page).report.agency == "三明市教育局"


_README = """# 某某数据管道

把政府信息公开工作年度报告（政府信息公开年度报告）转成表格。表三的勾稽关系：第一项加第二项之和，
等于第三项加第四项之和。

| 表 | 内容 |
|---|---|
| 一、本年新收政府信息公开申请数量 | 申请人情况 |
| 行政复议 | 结果维持 |
"""
_NOTICE = """关于做好2021年政府信息公开工作年度报告编制和发布工作的通知
各县（市、区）人民政府，市直各单位：
请按照国办公开办函〔2021〕30号的要求，于2022年1月31日前发布2021年政府信息公开工作年度报告。
附件：一、本年新收政府信息公开申请数量填报说明
"""


@pytest.mark.parametrize("text", [_README, _NOTICE], ids=["readme", "notice"])
def test_a_file_that_is_no_report_is_not_a_report_and_has_no_template(text: str) -> None:
    parsed = parse_text(text)
    assert parsed.status == Status.NOT_A_REPORT
    assert parsed.report.template is None and parsed.cells == []


def test_a_report_without_tables_is_still_a_report() -> None:
    page = crawl_text(report_with("三明市财政局", 2022, "2021", t3=_T3), Crawl()).decode()
    cut = page.index("二、主动公开政府信息情况")
    narrative = page[:cut] + "二、主动公开政府信息情况\n详见附件。\n六、其他需要报告的事项\n无。\n"
    assert parse_text(narrative).ok


def _with_stray_t2(layout: str, seed: int, before: bool) -> tuple[str, dict[tuple[str, str, str], object]]:
    rng = random.Random(f"stray:{seed}")
    real = random_report(rng, "2021", 2022, "某某市某某局")
    stray = random_report(rng, "2019", 2020, "某某市某某局")
    if layout == "run_together":  # text whose cells ran together shows no blank cell
        real = replace(real, cells={k: 0 if v is None else v for k, v in real.cells.items()})
        stray = replace(stray, cells={k: 0 if v is None else v for k, v in stray.cells.items()})
    text = build_text(real, layout).decode()
    glue = " " if layout == "run_together" else "\n"
    stray_text = glue.join(_table(list(table_rows(stray, "t2")), layout)) + glue
    at = text.index("第二十条") if before else text.index("三、收到和处理政府信息公开申请情况")
    return text[:at] + stray_text + text[at:], real.cells


@pytest.mark.parametrize("layout", ["pipe_rows", "tab_rows", "spaced", "run_together"])
@pytest.mark.parametrize("before", [True, False], ids=["stray-first", "stray-second"])
def test_stray_2019_table_two_does_not_change_the_template(layout: str, before: bool) -> None:
    for seed in (0, 1, 2):
        text, cells = _with_stray_t2(layout, seed, before)
        parsed = parse_text(text)
        assert parsed.ok and parsed.report.template == "2021", (layout, seed)
        got = {c.key: c.value for c in parsed.cells if c.table == "t2"}
        want = {k: v for k, v in cells.items() if k[0] == "t2"}
        if layout != "run_together":  # run-together digits may split two ways (and say so)
            assert got == want, (layout, seed)
        assert any("stray" in w and "2019" in w for w in parsed.warnings), (layout, seed)


def test_stray_table_issue_24_numbers() -> None:
    # the numbers of the report that showed it: 行政规范性文件 69 issued, 3 repealed, 665 in force
    report = report_with("某某市人民政府", 2022, "2021", t3=_T3, t2={"normative_docs": [69, 3, 665]})
    stray = report_with("某某市人民政府", 2020, "2019", t3=_T3, t2={"normative_docs": [12, 12, 360]})
    text = build_text(report, "pipe_rows").decode()
    stray_text = "\n".join(_table(list(table_rows(stray, "t2")), "pipe_rows")) + "\n"
    at = text.index("第二十条")
    parsed = parse_text(text[:at] + stray_text + text[at:])
    assert parsed.report.template == "2021"
    assert values(parsed, "t2", "normative_docs") == [69, 3, 665]


def test_gaibao_parse_of_the_projects_readme_says_not_a_report(capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    from gaibao_pipeline.cli import main

    readme = Path(__file__).resolve().parents[2] / "README.md"
    assert main(["parse", str(readme)]) == 1  # was: ok, template 2021, all-blank tables
    out = capsys.readouterr()
    assert "not_a_report" in out.out + out.err


@pytest.mark.parametrize(
    "opening",
    [
        "根据条例，现将三明市人民政府2021年政府信息公开工作情况报告如下。",
        "2021年，三明市人民政府工作稳步推进。",
    ],
)
def test_title_with_the_year_first_and_the_place_alone(opening: str) -> None:
    text = (
        f"2021年三明市政府信息公开工作年度报告\n{opening}\n一、总体情况\n全年工作稳步推进。\n"
        "二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n"
    )
    assert parse_text(text).report.agency == "三明市人民政府"
