"""Locate the report's sections 一…六 by meaning, whatever numbering the report printed."""

from __future__ import annotations

import re
from collections.abc import Iterable

from gaibao_pipeline.chinese import to_simplified
from gaibao_pipeline.codes import SECTION_TITLES
from gaibao_pipeline.parsing.matching import chinese_number, nfkc
from gaibao_pipeline.report import Section

# Canonical section number → words its title uses (first match wins, in this order).
_MEANINGS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (6, ("其他需要报告", "其他需要说明", "其他事项")),
    (5, ("存在的主要问题", "存在问题", "主要问题", "问题及改进", "改进情况", "改进措施")),
    (4, ("行政复议", "行政诉讼")),
    (3, ("收到和处理", "依申请公开", "申请情况", "处理政府信息公开申请")),
    (2, ("主动公开",)),
    (1, ("总体情况", "概述", "基本情况", "总体")),
)
# a heading starts a line, or follows punctuation or digits in text whose breaks were lost;
# never a word ("统一、规范") or an ordinal ("第三、")
_HEADING = re.compile(
    r"(?<![\u4e00-\u9fff〇○])([一二三四五六七八九十]{1,2})\s*[、.．]\s*"
    r"|第([一二三四五六七八九十]{1,2})部分\s*[、:：.．]?\s*"  # "第一部分 总体情况"
)
_TITLE_END = re.compile(r"(情况|事项|措施|概述|问题|意见)")
MAX_TITLE = 40


def find_sections(paragraphs: Iterable[str]) -> list[Section]:
    """The canonical sections found in the narrative, in document order, each once."""
    sections: dict[int, Section] = {}
    for text in paragraphs:
        for section in _headings(to_simplified(nfkc(text))):
            sections.setdefault(section.no, section)
    return sorted(sections.values(), key=lambda s: s.no)


def _headings(text: str) -> list[Section]:
    found = []
    for match in _HEADING.finditer(text):
        printed = match.group(1) or match.group(2)
        tail = text[match.end() : match.end() + MAX_TITLE]
        title = _title(tail)
        if not title:
            continue
        no = _meaning(title)
        if no is None:
            continue
        found.append(Section(no, title, printed_no=printed if chinese_number(printed) != no else None))
    return found


def _title(tail: str) -> str:
    """The heading's title: up to the end of its line, or where the title ends in running text."""
    line = re.split(r"[\n。；;：:]", tail, maxsplit=1)[0].strip()
    for canonical in SECTION_TITLES:
        # running text glued to the official title: "存在的主要问题及改进情况存在的问题主要有…"
        if line.startswith(canonical) and len(line) - len(canonical) >= 8:
            return canonical
    if len(line) <= 30 and not re.search(r"\d{3,}|[(（]", line):
        return line
    bracket = re.search(r"[(（]", line)
    if bracket and 2 <= bracket.start() <= 30:
        return line[: bracket.start()].strip()
    end = None
    for match in _TITLE_END.finditer(line[:30]):
        end = match.end()
        break
    return line[:end].strip() if end else ""


def _meaning(title: str) -> int | None:
    compact = re.sub(r"\s+", "", title)
    if len(compact) > 30:
        return None
    for no, words in _MEANINGS:
        if any(w in compact for w in words):
            # row labels of table 三 start with 二、三、四、 too; they never read like a title
            if no == 3 and ("上年结转" in compact or "本年度办理结果" in compact):
                return None
            if no == 2 and ("上年结转" in compact or "本年新收" in compact):
                return None
            return no
    return None
