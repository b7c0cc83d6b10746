"""Label matching by meaning: typos, numbering styles, traditional script, broken labels."""

from __future__ import annotations

import pytest

from gaibao_pipeline.codes import t3_rows
from gaibao_pipeline.parsing.labels import best_match
from gaibao_pipeline.parsing.matching import leading_number, match_key, strip_numbering

ROWS = t3_rows(split_other=True)


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("2.其他法律行政止公开", "3.3.2"),  # a typo in a real report (洪泽区 2023)
        ("2、其他法律行政法规禁止公开", "3.3.2"),  # 、 for .
        ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "3.2"),
        ("(二) 部分公开(区分处理的,只记这一情形,不计其他情形)", "3.2"),  # 记 for 计, half-width
        ("三、本年度办理结果（一）予以公开", "3.1"),  # group heading glued in front
        ("1. 屬於國家秘密", "3.3.1"),  # traditional script
        ("危及\u201c三安全一稳定\u201d", "3.3.3"),
        ("4.无正当理由大量反复 申请", "3.5.4"),  # broken by a line wrap
        ("一、本年新收政府信息公开申请数量", "1"),
        ("四、结转下年度继续办理", "4"),
        ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "3.6.1"),
    ],
)
def test_labels_match_their_row(label: str, code: str) -> None:
    match = best_match(label, ROWS)
    assert match is not None and match.row.code == code


@pytest.mark.parametrize(
    "label", ["（三）不予公开", "申请人情况", "法人或其他组织", "第二十条第（一）项", "结 果"]
)
def test_headings_match_no_row(label: str) -> None:
    assert best_match(label, ROWS) is None


def test_numbering_stripped_in_every_style() -> None:
    for text in (
        "（三）不予公开",
        "(三)不予公开",
        "三、不予公开",
        "3.不予公开",
        "3、不予公开",
        "（3）不予公开",
        "其中：3.不予公开",
    ):
        assert match_key(text) == "不予公开", text
    assert strip_numbering("第一、建立") == "建立"


def test_leading_number() -> None:
    assert leading_number("12.重复") == 12
    assert leading_number("（十二）其他") == 12
    assert leading_number("其中：1.网站公开") == 1
    assert leading_number("规章") is None
