"""Violations injected one at a time into consistent real reports, each breaking exactly one invariant.

河南省生态环境厅 2019 (tab-separated rows) passes every identity; each edit below changes
numbers so that one invariant fails and every other one still holds (a row total moved
between two rows of one column breaks the row totals only, and so on).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.conftest import corpus_file

CONSISTENT = "002_730fd97f12cf432f"  # 河南省生态环境厅 2019: every identity holds
CONSISTENT_LEGACY = "pingtan-county2011"  # 平潭县人民政府 2011: every 其中 sum holds


def consistent_text(stem: str = CONSISTENT) -> str:
    return corpus_file(stem).read_text(encoding="utf-8")


def _edit_row(text: str, label: str, changes: dict[int, int]) -> str:
    """Add `delta` to the n-th number after `label` on its (tab-separated) line."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if label not in line:
            continue
        cells = line.split("\t")
        start = next(j for j, c in enumerate(cells) if label in c)
        numbers = [j for j in range(start + 1, len(cells)) if re.fullmatch(r"-?\d+", cells[j].strip())]
        for n, delta in changes.items():
            cells[numbers[n]] = str(int(cells[numbers[n]]) + delta)
        lines[i] = "\t".join(cells)
        return "\n".join(lines)
    raise AssertionError(f"no row labelled {label}")


def _t4_row(text: str, change: Callable[[list[str]], list[str]]) -> str:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        cells = line.split("\t")
        if len(cells) >= 15 and all(re.fullmatch(r"\d+", c.strip()) for c in cells):
            lines[i] = "\t".join(change(cells))
            return "\n".join(lines)
    raise AssertionError("no table 四 data row")


def _drop_table_four(text: str) -> str:
    head, rest = text.split("四、政府信息公开行政复议、行政诉讼情况", 1)
    _, tail = rest.split("五、存在的主要问题及改进情况", 1)
    return head + "五、存在的主要问题及改进情况" + tail


def _bump(cells: list[str], index: int, delta: int) -> list[str]:
    cells = list(cells)
    cells[index] = str(int(cells[index]) + delta)
    return cells


# check id → how to break exactly it (columns: 0 自然人 … 5 其他, 6 总计)
INJECTIONS: dict[str, Callable[[str], str]] = {
    # one application moved from 本机关不掌握 to 予以公开 in the 自然人 column only: both rows'
    # totals are off by one, the column sums are not
    "t3.row_total": lambda t: _edit_row(_edit_row(t, "(一) 予以公开", {0: 1}), "1.本机关不掌握", {0: -1}),
    # 总计 one up and 结转下年度 one down (with their totals): the balance still holds
    "t3.results_sum": lambda t: _edit_row(
        _edit_row(t, "(七) 总计", {0: 1, 6: 1}), "四、结转下年度继续办理", {0: -1, 6: -1}
    ),
    # one more carried over from last year (row and total): nothing else accounts for it
    "t3.balance": lambda t: _edit_row(t, "二、上年结转政府信息公开申请数量", {0: 1, 6: 1}),
    "t4.block_total": lambda t: _t4_row(t, lambda c: _bump(c, 0, 1)),
    "values.domain": lambda t: _edit_row(t, "规范性文件", {0: -5}),
    "report.complete": _drop_table_four,
    "text.matches_tables": lambda t: t.replace(
        "一、总体情况\n", "一、总体情况\n\n本年度共收到政府信息公开申请100件。\n", 1
    ),
    "report.timely": lambda t: "发布时间: 2020-06-30 10:00\n" + t,
}


def legacy_sum_broken() -> str:
    """平潭县 2011 with one 当面 application to date: requests_total 0 ≠ the channels' 1."""
    return consistent_text(CONSISTENT_LEGACY).replace("1.当面申请数条00", "1.当面申请数条01")
