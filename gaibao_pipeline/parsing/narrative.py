"""Counts the narrative states in words ("共收到申请7件"), for cross-checking the tables.

They serve twice: as hints when run-together digits split more than one way, and as the
`text.matches_tables` check. Each statement keeps the sentence it came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from gaibao_pipeline.chinese import to_simplified
from gaibao_pipeline.contracts.invariants import Statement
from gaibao_pipeline.parsing.matching import nfkc
from gaibao_pipeline.report import CellKey

_N = r"(\d[\d,]*)"
_GAP = r"[^，。；;,\d]{0,24}?"
# "较上年减少5件", "同比增长15件": a change, not the count (NFKC has made "，" a ",")
_CHANGE = re.compile(r"较|同比|环比|比上年|比去年|增长|增加|减少|下降|上升|增幅|降幅")


# (cell, what, pattern): the first group is the number
_PATTERNS: tuple[tuple[CellKey, str, re.Pattern[str]], ...] = (
    (
        ("t3", "1", "total"),
        "applications received",
        re.compile(
            rf"(?:收到|受理|接收|新收|办理)[^，。；;,\d]{{0,16}}?申请{_GAP}(?:共计?|合计|总计)?\s*{_N}\s*(?:件|个|条|宗)"
        ),
    ),
    (
        ("t3", "1", "total"),
        "applications received",
        re.compile(
            rf"(?:共|全年|本年度?)?(?:收到|受理|接收)[^，。；;,\d]{{0,6}}?{_N}\s*(?:件|个|宗)[^，。；;,\d]{{0,12}}?申请"
        ),
    ),
    (
        ("t3", "3.7", "total"),
        "applications answered",
        re.compile(rf"(?:办结|答复|已办结|已答复)[^，。；;,\d]{{0,12}}?{_N}\s*(?:件|个|宗)"),
    ),
    (
        ("t3", "4", "total"),
        "applications carried forward",
        re.compile(rf"{_N}\s*(?:件|个|宗)\s*结转下年度"),
    ),
    (
        ("t2", "normative_docs", "issued"),
        "normative documents issued",
        re.compile(rf"(?:制发|印发|出台)(?:的)?(?:行政)?规范性文件{_GAP}{_N}\s*(?:件|份|个)"),
    ),
    (
        ("t2", "normative_docs", "in_force"),
        "normative documents in force",
        re.compile(rf"现行有效(?:的)?(?:行政)?规范性文件{_GAP}{_N}\s*(?:件|份|个)"),
    ),
    (
        ("t2", "normative_docs", "repealed"),
        "normative documents repealed",
        re.compile(rf"废止(?:的)?(?:行政)?规范性文件{_GAP}{_N}\s*(?:件|份|个)"),
    ),
    (
        ("legacy", "主动公开信息数", "period"),
        "information proactively disclosed",
        re.compile(rf"主动公开(?:政府)?信息{_GAP}{_N}\s*条"),
    ),
)


def statements(paragraphs: Iterable[str]) -> list[Statement]:
    """The numbers the narrative states for table cells."""
    found: list[Statement] = []
    seen: set[tuple[CellKey, int]] = set()
    for paragraph in paragraphs:
        text = to_simplified(nfkc(paragraph))
        for sentence in re.split(r"(?<=[。；;！!])", text):
            compact = re.sub(r"\s+", "", sentence)
            for cell, what, pattern in _PATTERNS:
                match = pattern.search(compact)
                if not match or _CHANGE.search(compact[match.start() : match.start(1)]):
                    continue
                try:
                    value = int(match.group(1).replace(",", ""))
                except ValueError:
                    continue
                if (cell, value) in seen:
                    continue
                seen.add((cell, value))
                found.append(Statement(cell, value, compact[:200], what))
    return found
