"""Sections 一…六 by meaning: renumbered, skipped, or glued into running text."""

from __future__ import annotations

from gaibao_pipeline.parsing.sections import find_sections


def numbers(lines: list[str]) -> list[tuple[int, str | None]]:
    return [(s.no, s.printed_no) for s in find_sections(lines)]


def test_official_sections() -> None:
    lines = [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
    assert numbers(lines) == [(n, None) for n in range(1, 7)]


def test_renumbered_sections_keep_their_meaning() -> None:
    lines = [
        "一、概述",
        "二、主动公开政府信息情况",
        "三、政府信息依申请公开工作情况",
        "四、政府信息公开工作存在的主要问题及改进情况",
    ]
    assert numbers(lines) == [(1, None), (2, None), (3, None), (5, "四")]


def test_sections_in_running_text() -> None:
    text = (
        "前言。一、总体情况2021年，我区……。二、主动公开政府信息情况 第二十条第（一）项规章000"
        "三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：…）"
        "五、存在的主要问题及改进情况（一）存在的主要问题"
    )
    assert [s.title for s in find_sections([text])] == [
        "总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况", "存在的主要问题及改进情况",
    ]  # fmt: skip


def test_table_labels_and_ordinals_are_not_sections() -> None:
    lines = [
        "二、上年结转政府信息公开申请数量",
        "三、本年度办理结果",
        "四、结转下年度继续办理",
        "第一、建立健全机制",
        "统一、规范",
    ]
    assert find_sections(lines) == []


def test_part_numbering() -> None:
    assert numbers(["第一部分 总体情况", "第二部分 主动公开政府信息情况"]) == [(1, None), (2, None)]
