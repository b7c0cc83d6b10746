"""Legacy (pre-2019) report values: a 统计表 drawn consistently, and the narrative around it.

`random_legacy_report` picks a form family (`legacy_form.py`), draws every indicator so
that the form's 其中 hierarchy holds in each column (a total with two or more parts is
their sum, a lone part is at most its total, the cumulative value is at least the period's),
and writes the narrative the way reports of 2008–2018 read (概述, 主动公开, 依申请公开,
收费及减免, 行政复议和行政诉讼, 问题及改进). Blanks are drawn the two ways real forms show them:
every zero left blank, or a few zero parts left blank; either way a blank counts as 0 in a
sum and a total is blank only when everything under it is.
"""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from opencc import OpenCC

from gaibao_pipeline.chinese import to_simplified
from gaibao_pipeline.codes import LEGACY_CODES, LEGACY_COLS
from gaibao_pipeline.synth.legacy_form import FORMS, LegacyForm, LegacyTable
from gaibao_pipeline.synth.values import CellKey, SynthReport, Value

YEARS = range(2008, 2019)
# One year's magnitude per kind of row: (low, high, probability of zero); log-uniform between.
_MAGNITUDE = {
    "items": (20, 3000, 0.0),
    "few": (1, 40, 0.5),
    "documents": (1, 60, 0.3),
    "rare": (1, 5, 0.7),
    "visits": (300, 400000, 0.05),
    "consultations": (5, 2000, 0.3),
    "requests": (1, 150, 0.2),
    "answers": (1, 150, 0.2),
    "cases": (1, 4, 0.75),
    "fees": (5, 800, 0.6),  # 元
    "staff": (1, 9, 0.0),
    "budget": (1, 30, 0.2),  # 万元
}
# How a total's parts share it: a channel that carries most items weighs more.
_WEIGHT = {"items": 10.0, "documents": 5.0, "requests": 5.0, "answers": 8.0, "consultations": 3.0}
_CENTS = ("fees", "budget")  # amounts, drawn in hundredths and printed with up to two decimals
_HEADINGS = (
    ("概述",),
    ("主动公开政府信息情况", "主动公开政府信息的情况"),
    ("依申请公开政府信息情况", "政府信息依申请公开工作情况"),
    ("政府信息公开的收费及减免情况",),
    ("因政府信息公开申请行政复议、提起行政诉讼的情况",),
    ("政府信息公开工作存在的主要问题及改进措施", "存在的主要问题及改进情况"),
)
_PEOPLE = ("王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴")
_GIVEN = ("建国", "立新", "海燕", "志强", "红梅", "文华", "晓东", "玉兰", "卫东", "秀英")


def _log_uniform(rng: random.Random, low: int, high: int, zero: float) -> int:
    """A count spread over orders of magnitude from `low` to `high`, zero with probability `zero`."""
    if high <= 0 or rng.random() < zero:
        return 0
    return round(low * math.pow(max(high / low, 1.0), rng.random()))


def _share(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """`total` split into whole parts in proportion to random shares of `weights`."""
    raw = [w * rng.random() for w in weights]
    scale = sum(raw) or 1.0
    parts = [math.floor(total * r / scale) for r in raw]
    parts[max(range(len(parts)), key=raw.__getitem__)] += total - sum(parts)
    return parts


def _draw(rng: random.Random, form: LegacyForm, scale: float) -> list[int]:
    """Whole values (amounts in hundredths) for every indicator, consistent with the hierarchy."""
    rows = form.indicators
    kids = form.children()
    values = [0] * len(rows)
    requests: int | None = None

    def block_total(i: int) -> int:
        kind = rows[i].kind
        low, high, zero = _MAGNITUDE[kind]
        if kind == "answers" and requests is not None:
            return max(0, requests - rng.randint(0, 2))  # answers follow the applications
        value = _log_uniform(rng, low, max(low, round(high * scale)), zero)
        if kind in _CENTS:  # whole amounts, or with fen (角分) on about half of them
            value = value * 100 + (rng.randint(1, 99) if value and rng.random() < 0.5 else 0)
        return value

    def fill(i: int, total: int) -> None:
        values[i] = total
        parts = kids.get(i, [])
        if len(parts) == 1:
            fill(parts[0], rng.randint(0, total))  # a lone part is at most its total
        elif parts:
            weights = [_WEIGHT.get(rows[k].kind, 1.0) for k in parts]
            for k, share in zip(parts, _share(rng, total, weights), strict=True):
                fill(k, share)

    for i, row in enumerate(rows):
        if row.level == 0:
            fill(i, block_total(i))
            if row.kind == "requests" and requests is None:
                requests = values[i]
    return values


def _amount(hundredths: int, kind: str) -> Value:
    if kind not in _CENTS:
        return hundredths
    return hundredths // 100 if hundredths % 100 == 0 else hundredths / 100


def _cells(rng: random.Random, form: LegacyForm, keys: tuple[str, ...], year: int) -> dict[CellKey, Value]:
    """Period and cumulative values per row as printed, blanks as the form's filler would leave them."""
    rows = form.indicators
    period = _draw(rng, form, 1.0)
    # the total to date is this year plus a stock drawn the same way: every identity still holds
    prior = _draw(rng, form, max(0.2, (year - 2007) / 2))
    cumulative_filled = rng.random() < 0.6
    half_year_blank = rng.random() < 0.5
    zeros_blank = rng.random() < 0.4  # many forms leave every zero blank
    has_parts = form.children()
    cells: dict[CellKey, Value] = {}
    for i, (row, key) in enumerate(zip(rows, keys, strict=True)):
        now: Value = _amount(period[i], row.kind)
        total: Value = _amount(period[i] + prior[i], row.kind)
        if not cumulative_filled or not row.running:
            total = None
        if row.half_year and half_year_blank:
            now = total = None
        for col, value in zip(LEGACY_COLS, (now, total), strict=True):
            if col not in form.cols:
                continue
            blank = value == 0 and (zeros_blank or (i not in has_parts and rng.random() < 0.15))
            cells[("legacy", key, col)] = None if blank else value
    return cells


def held(form: LegacyForm, keys: tuple[str, ...], printed: dict[CellKey, Value]) -> dict[CellKey, Value]:
    """The values a report holds: amounts printed in 元 in 万元 (spec §3), the rest as printed."""
    units = dict(zip(keys, (row.unit for row in form.indicators), strict=True))
    out: dict[CellKey, Value] = {}
    for key, value in printed.items():
        if value is not None and units[key[1]] == "元":
            value = float(Decimal(str(value)) / 10000)
            value = int(value) if value.is_integer() else value
        out[key] = value
    return out


def _cn_date(day: date) -> str:
    """A date in Chinese numerals, as older reports sign: 二〇一三年三月二十日."""
    digits = "〇一二三四五六七八九"

    def small(n: int) -> str:
        tens, ones = divmod(n, 10)
        return ("" if tens == 0 else ("十" if tens == 1 else digits[tens] + "十")) + (
            digits[ones] if ones else ""
        )

    return f"{''.join(digits[int(c)] for c in str(day.year))}年{small(day.month)}月{small(day.day)}日"


def signature_date(report: SynthReport, chinese: bool) -> str:
    """The date under the signature, in Arabic or Chinese numerals."""
    day = report.report_date
    return _cn_date(day) if chinese else f"{day.year}年{day.month}月{day.day}日"


def _preamble(rng: random.Random, agency: str, day: date) -> tuple[str, ...]:
    """The national form's header fields: they share the codes 01–05 but are not indicators."""

    def person() -> str:
        return rng.choice(_PEOPLE) + rng.choice(_GIVEN)

    code = f"{rng.randint(10000000, 99999999)}-{rng.randint(0, 9)}"
    return (
        f"01单位名称(盖章)：{agency}　单位负责人：{person()}",
        f"02地区及部门编号：□□□□□□　03单位法人代码：{code}",
        f"04主管单位名称：{agency}　05主管单位法人代码：{code}",
        f"填报人：{person()}　联系电话：1{rng.randint(3, 8)}{rng.randint(100000000, 999999999)}　"
        f"报出日期：{day.year}年{day.month}月{day.day}日",
    )


def _number(cells: dict[CellKey, Value], key: str, unit: str) -> str | None:
    value = cells.get(("legacy", key, "period"))
    return None if value is None else f"{value}{unit}"


def _sections(agency: str, year: int, table: LegacyTable, cells: dict[CellKey, Value]) -> tuple[str, ...]:
    rows = table.form.indicators
    # the first total of each kind: 主动公开信息总数, not the later 提供服务类信息数
    first: dict[str, tuple[str, str]] = {}
    for row, key in zip(rows, table.keys, strict=True):
        if row.level == 0:
            first.setdefault(row.kind, (key, row.unit))
    published = _number(cells, *first["items"])
    requests = _number(cells, *first["requests"])
    fees = _number(cells, *first["fees"]) if "fees" in first else None
    return (
        f"{year}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》（以下简称《条例》），"
        f"健全工作机制，规范公开程序，政府信息公开工作稳步推进。\n"
        f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
        (f"全年主动公开政府信息{published}。" if published else "全年通过门户网站等渠道主动公开政府信息。")
        + "主动公开的信息主要包括机构职能、政策法规、规划计划、行政许可和办事指南等。",
        (f"全年共受理政府信息公开申请{requests}，均在规定期限内予以答复。" if requests else "")
        + "依申请公开工作严格按照《条例》规定的程序办理。",
        (f"全年收取检索、复制、邮寄等费用{fees}。" if fees else "全年未收取政府信息公开相关费用。")
        + "对符合条件的申请人依法减免费用。",
        "因政府信息公开申请行政复议、提起行政诉讼的情况详见附表。",
        "政府信息公开工作仍存在公开内容不够全面、信息更新不够及时等问题。"
        "下一步将进一步完善工作制度，加强人员培训，不断提高政府信息公开工作水平。",
    )


def random_legacy_report(
    rng: random.Random, year: int, agency: str, form: LegacyForm | None = None
) -> SynthReport:
    """A pre-2019 report on one of the form families (or `form`), values consistent with it."""
    if year not in YEARS:
        raise ValueError(f"legacy reports are of 2008–2018, not {year}")
    form = form or rng.choices(FORMS, weights=(30, 20, 15, 20, 15))[0]
    keys = tuple(row.key for row in form.indicators)
    report_date = date(year + 1, rng.randint(1, 3), rng.randint(1, 28))
    table = LegacyTable(
        form=form,
        keys=keys,
        period_header=rng.choice(form.period_headers).format(year=year),
        cumulative_header=rng.choice(form.cumulative_headers) if form.cumulative_headers else "",
        title=f"附件：{agency}{year}年政府信息公开情况统计表",
        preamble=_preamble(rng, agency, report_date) if form.coded else (),
        dashes=rng.random() < 0.6,
        cn_date=rng.random() < 0.5,
    )
    printed = _cells(rng, form, keys, year)
    table = replace(table, printed=printed)
    cells = held(form, keys, printed)
    moment = datetime(
        report_date.year, report_date.month, report_date.day, rng.randint(8, 18), rng.randint(0, 59)
    )
    return SynthReport(
        agency=agency,
        year=year,
        template="legacy",
        report_date=report_date,
        sections=_sections(agency, year, table, printed),
        cells=cells,
        published_at=moment,
        legacy=table,
        headings=tuple(rng.choice(options) for options in _HEADINGS),
    )


def whole_values(report: SynthReport) -> SynthReport:
    """Every value printed, as whole numbers: for text whose blank cells leave no trace.

    Space-separated and run-together text cannot show a blank (the row would lose a cell),
    and run-together text cannot keep two decimal amounts apart. So a blank period is 0, a
    blank total to date is the year's value, amounts are rounded down, and totals are
    summed again from their parts, so the hierarchy and cumulative ≥ period still hold; the
    narrative states the new values.
    """
    table = report.legacy
    if table is None or table.printed is None:
        return report
    before = table.printed
    kids = table.form.children()
    printed: dict[CellKey, Value] = dict(before)

    def whole(i: int, col: str) -> int:
        value = before[("legacy", table.keys[i], col)]
        if value is None and col == "cumulative":
            value = before[("legacy", table.keys[i], "period")]
        return math.floor(value or 0)

    def settle(i: int, col: str) -> int:
        parts = kids.get(i, [])
        value = sum(settle(k, col) for k in parts) if len(parts) >= 2 else whole(i, col)
        if len(parts) == 1:
            settle(parts[0], col)  # a lone part rounded down stays at most its total
        printed[("legacy", table.keys[i], col)] = value
        return value

    for col in table.form.cols:
        for i, row in enumerate(table.form.indicators):
            if row.level == 0:
                settle(i, col)
    return replace(
        report,
        cells=held(table.form, table.keys, printed),
        sections=_sections(report.agency, report.year, table, printed),
        legacy=replace(table, printed=printed),
    )


@lru_cache(maxsize=1)
def _s2t() -> OpenCC:
    return OpenCC("s2t")


def to_traditional(text: str) -> str:
    """Text in traditional script, phrase by phrase (答复 → 答覆), as such reports print."""
    return str(_s2t().convert(text))


def in_traditional(report: SynthReport) -> SynthReport:
    """The values a parser reads back from the report printed in traditional script.

    The agency is read back character by character into simplified script (a phrase printed
    答覆 reads back as 答覆, not 答复), and so is the key of an indicator no code names: its
    label as printed, simplified that way. Canonical codes do not change with the script.
    """
    table = report.legacy
    agency = to_simplified(to_traditional(report.agency))
    if table is None:
        return replace(report, agency=agency)
    keys = tuple(key if key in LEGACY_CODES else to_simplified(to_traditional(key)) for key in table.keys)
    renamed = dict(zip(table.keys, keys, strict=True))

    def rekey(cells: dict[CellKey, Value]) -> dict[CellKey, Value]:
        return {(t, renamed[row], col): value for (t, row, col), value in cells.items()}

    printed = rekey(table.printed) if table.printed is not None else None
    legacy = replace(table, keys=keys, printed=printed)
    return replace(report, agency=agency, cells=rekey(report.cells), legacy=legacy)
