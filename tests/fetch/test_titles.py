"""Which titles are annual disclosure reports: the variants agencies use, and the lookalikes that are not."""

from __future__ import annotations

import pytest

from gaibao_pipeline.fetch.titles import TitleFilter, is_truncated, title_year

DEFAULT = TitleFilter.of()


@pytest.mark.parametrize(
    "title",
    [
        "三明市人民政府2023年政府信息公开工作年度报告",  # the usual form
        "2023年度政府信息公开工作年度报告",  # no agency, 年度
        "三明市教育局2022年政府信息公开年报",  # 年报
        "福州市人民政府2010年政府信息公开工作报告",  # before 2019: 工作报告
        "国家税务总局三明市税务局2023年信息公开年度报告",  # 信息公开 without 政府
        "三明市人民政府办公室2019年政务公开工作年度报告",  # 政务公开
        "张掖市环境保护局二〇一二年政府信息公开工作年度报告",  # year in Chinese numerals
        "張掖市環境保護局2012年政府信息公開工作年度報告",  # traditional script
        "中共三明市委机构编制委员会办公室2023年政府信息公开工作年度报告",  # 编制 in the agency's name
        "三明市人民政府 2023 年 政府信息公开 工作年度报告",  # spaces
    ],
)
def test_report_titles_are_kept(title: str) -> None:
    assert DEFAULT.matches(title)


@pytest.mark.parametrize(
    "title",
    [
        "关于做好2023年政府信息公开工作年度报告编制发布工作的通知",  # a notice about the reports
        "一图读懂三明市人民政府2023年政府信息公开工作年度报告",  # an infographic
        "图解：2023年政府信息公开工作年度报告",
        "三明市2023年国民经济和社会发展统计公报",
        "2024年三明市人民政府工作报告",  # the government work report, not disclosure
        "三明市人民政府信息公开指南",
        "中华人民共和国政府信息公开条例",
        "政府信息公开工作年度报告格式模板",
    ],
)
def test_lookalikes_are_dropped(title: str) -> None:
    assert not DEFAULT.matches(title)


def test_years_and_custom_patterns() -> None:
    recent = TitleFilter.of(years=[2022, 2023])
    assert recent.matches("三明市人民政府2023年政府信息公开工作年度报告")
    assert not recent.matches("三明市人民政府2019年政府信息公开工作年度报告")
    assert recent.matches("政府信息公开工作年度报告")  # no year in the title: kept, the report says
    custom = TitleFilter.of(include=["年度报告"], exclude=[])
    assert custom.matches("关于2023年度报告的通知")


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("三明市2023年政府信息公开", 2023),
        ("2023年度报告", 2023),
        ("二〇二二年报告", 2022),
        ("工作报告", None),
    ],
)
def test_title_year(title: str, year: int | None) -> None:
    assert title_year(title) == year


def test_truncated_titles() -> None:
    assert is_truncated("三明市人民政府2023年政府信息公开工作...") and is_truncated(
        "某某局2023年政府信息公开…"
    )
    assert not is_truncated("三明市人民政府2023年政府信息公开工作年度报告")
    assert DEFAULT.may_match("三明市人民政府2023年政府信息公开工作...")
    assert not DEFAULT.may_match("关于印发通知...")
