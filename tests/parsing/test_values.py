"""Cell text → value: the rules of spec §3 (blank vs 0, n/a marks, signs, 万元, annotations)."""

from __future__ import annotations

import pytest

from gaibao_pipeline.parsing.values import ValueKind, amount_factor, parse_value


@pytest.mark.parametrize(
    ("raw", "kind", "value", "note"),
    [
        ("0", "count", 0, None),  # a printed zero is a number
        ("12", "count", 12, None),
        ("１２", "count", 12, None),  # full-width digits are digits
        (" 7 ", "count", 7, None),  # padding around the number
        ("1,234", "count", 1234, None),  # thousands separator
        ("增16", "change", 16, None),  # signed change words
        ("增加3", "change", 3, None),
        ("+16", "change", 16, None),
        ("减11(划至市行政审批管理局)", "change", -11, "划至市行政审批管理局"),  # remark kept beside the value
        ("减少2", "change", -2, None),
        ("-516", "change", -516, None),
        ("－5", "change", -5, None),  # full-width minus
        ("2192.315913万元", "amount", 2192.315913, None),
        ("240万元", "amount", 240, None),
        ("251000元", "amount", 25.1, None),  # yuan converted to 万元
        ("1.5亿元", "amount", 15000, None),
        ("21（其中修订 16 件）", "count", 21, "其中修订 16 件"),  # annotation kept
        ("16件", "count", 16, None),  # a unit word after a count
    ],
)
def test_numbers(raw: str, kind: str, value: float, note: str | None) -> None:
    parsed = parse_value(raw, kind)
    assert parsed.kind == ValueKind.NUMBER
    assert parsed.value == pytest.approx(value)
    assert parsed.note == note


@pytest.mark.parametrize("raw", ["", "   ", "&nbsp;", "\u3000", "\xa0"])
def test_blank_is_not_zero(raw: str) -> None:
    parsed = parse_value(raw)
    assert parsed.kind == ValueKind.BLANK
    assert parsed.value is None


@pytest.mark.parametrize("raw", ["/", "—", "----", "无", "——", "-", "／", "不适用"])
def test_not_applicable_marks_are_null(raw: str) -> None:
    parsed = parse_value(raw)
    assert parsed.kind == ValueKind.NOT_APPLICABLE
    assert parsed.value is None


@pytest.mark.parametrize(
    "raw", ["规章", "第二十条第（一）项", "1.属于国家秘密", "2023年", "本年增/减", "12个工作日内"]
)
def test_labels_are_not_values(raw: str) -> None:
    assert parse_value(raw).kind == ValueKind.TEXT


def test_integer_count_stays_int() -> None:
    assert isinstance(parse_value("7").value, int)


def test_amount_unit_from_header() -> None:
    assert float(amount_factor("本年收费金额（单位：元）")) == pytest.approx(0.0001)
    assert float(amount_factor("本年收费金额（单位：万元）")) == 1
