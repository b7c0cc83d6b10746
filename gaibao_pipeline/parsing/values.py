"""Cell text → value, by the rules of spec §3.

Blank stays distinct from 0; "not applicable" marks are blank too; signed changes keep
their remark; amounts are converted to 万元; annotations beside a number are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache

from gaibao_pipeline.chinese import to_simplified
from gaibao_pipeline.parsing.matching import nfkc

Number = int | float


class ValueKind(StrEnum):
    NUMBER = "number"
    BLANK = "blank"  # nothing in the cell
    NOT_APPLICABLE = "not_applicable"  # "/", "—", "无": a mark, not a number
    TEXT = "text"  # not a value at all: a label or a sentence


@dataclass(frozen=True, slots=True)
class ParsedValue:
    kind: ValueKind
    value: Number | None = None
    note: str | None = None  # remark or annotation kept beside the value
    unit: str | None = None  # unit printed in the cell ("万元", "元", "件")

    @property
    def is_value(self) -> bool:
        """A cell the tables hold data in: a number, blank or a not-applicable mark."""
        return self.kind != ValueKind.TEXT


BLANK = ParsedValue(ValueKind.BLANK)
NOT_APPLICABLE = ParsedValue(ValueKind.NOT_APPLICABLE)

_NA_MARKS = {
    "/",
    "／",
    "\\",
    "-",
    "--",
    "---",
    "----",
    "—",
    "——",
    "－",
    "－－",
    "–",
    "无",
    "暂无",
    "不适用",
    "N/A",
    "n/a",
    "NA",
    "×",
    "x",
    "*",
}
_BLANK_MARKS = {"", "&nbsp;", "nbsp", "\u3000"}

_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?|\.\d+"
_VALUE = re.compile(
    rf"^(?P<sign>增加?|减少?|[+＋\-－−]|↑|↓)?\s*(?P<num>{_NUMBER})\s*"
    r"(?P<unit>亿元|万元|千元|元|万|亿|件|条|个|项|次|人次|人|宗|份|篇|家|户)?\s*"
    r"(?P<rest>.*)$"
)
# What may follow a number: a bracketed remark, or nothing.
_REMARK = re.compile(r"^[(（\[【](?P<note>.*)[)）\]】]$")
# Amounts are held in 万元 (spec §3): the factor from each money unit to 万元.
UNIT_FACTORS = {"亿元": Decimal(10000), "万元": Decimal(1), "千元": Decimal("0.1"), "元": Decimal("0.0001")}
# A bare 万 or 亿 beside a number: of 元 in an amount column (`16` `万` is 16万元), a multiplier elsewhere.
_BARE_UNITS = {"万": (Decimal(1), Decimal(10000)), "亿": (Decimal(10000), Decimal(100000000))}


@lru_cache(maxsize=65536)
def parse_value(raw: str | None, kind: str = "count") -> ParsedValue:
    """Parse one cell's raw text. `kind` is the column's kind: count, change or amount."""
    if raw is None:
        return BLANK
    text = nfkc(raw).replace("\xa0", " ").strip()
    text = re.sub(r"\s+", " ", text)
    if text in _BLANK_MARKS or not text.strip(" ?"):
        return BLANK
    if text in _NA_MARKS or re.fullmatch(r"[-—–－/／\\]+", text):
        return NOT_APPLICABLE
    match = _VALUE.match(text)
    if not match:
        return ParsedValue(ValueKind.TEXT)
    rest = match.group("rest").strip()
    note: str | None = None
    if rest:
        remark = _REMARK.match(rest)
        if not remark:
            return ParsedValue(ValueKind.TEXT)
        note = to_simplified(remark.group("note").strip()) or None
    try:
        number = Decimal(match.group("num").replace(",", ""))
    except InvalidOperation:
        return ParsedValue(ValueKind.TEXT)
    sign = match.group("sign") or ""
    if sign.startswith(("减", "-", "－", "−", "↓")):
        number = -number
    unit = match.group("unit")
    if unit in UNIT_FACTORS:
        number *= UNIT_FACTORS[unit]
    elif unit in _BARE_UNITS:
        as_amount, as_count = _BARE_UNITS[unit]
        number *= as_amount if kind == "amount" else as_count
    elif kind == "amount" and unit is None and "元" in text and "万元" not in text:
        number *= UNIT_FACTORS["元"]
    return ParsedValue(ValueKind.NUMBER, _as_number(number), note=note, unit=unit)


def _as_number(number: Decimal) -> Number:
    """Whole numbers printed without decimals stay int; anything else is a float."""
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= 0:
        return int(number)
    return float(number)


def is_value_text(raw: str) -> bool:
    """True when a cell holds a value (number, blank or n/a mark), False for a label."""
    return parse_value(raw).is_value


def amount_factor(header: str) -> Decimal:
    """The factor to 万元 for an amount column whose header names its unit ("单位：元")."""
    text = nfkc(header)
    unit = re.search(r"单位[:：]?\s*(亿元|万元|千元|元)", text)
    if unit:
        return UNIT_FACTORS[unit.group(1)]
    return Decimal(1)
