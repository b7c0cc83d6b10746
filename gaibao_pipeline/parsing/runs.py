"""Recover tables from text whose cells ran together (`规章000行政规范性文件693665…`).

Web pages scraped to text sometimes lose every separator between table cells. Within the
stretch of such a paragraph that holds the tables, this module cuts the text into label
cells and digit-run cells and returns them as a `Grid` marked `run_together`, so the one
normaliser reads it like any other table. Which digits belong to which cell is decided
later, from the template and the identities (`splits.py`, `repair.py`).
"""

from __future__ import annotations

import re

from gaibao_pipeline.chinese import to_simplified
from gaibao_pipeline.model import Block, Cell, Grid, Paragraph, Provenance
from gaibao_pipeline.parsing.matching import loose_key, nfkc

# Phrases that only a table's header or first row prints: where the tables start.
TABLE_ANCHORS = (
    "第二十条第",
    "信息内容",
    "申请人情况",
    "本年新收政府信息公开申请数量",
    "结果维持结果纠正",
    "指标名称",
    "计量单位",
)
# Where the tables end: the section after table 四, or the legacy form's end.
_TAIL = re.compile(
    r"[五六七][、.．]\s*(?:政府信息公开工作)?(?:存在的?主要问题|存在问题|主要问题|其他需要报告)"
)

# A digit run: digits with decimal points inside, and spaces only between digit groups.
# A sign starts a new cell ("2229-5161530" is 2229, -516…).
_RUN = re.compile(r"\d+(?:[.．]\d+)*(?:(?:[ \u3000\xa0]+|(?=[+\-－−]\d))[+\-－−]?\d+(?:[.．]\d+)*)*")
_RUN_SEPARATOR = re.compile(r"[ \u3000\xa0]+|(?=[+\-－−])")
_UNIT_AFTER = re.compile(r"^\s*(?:亿元|万元|元)")
# Digits that belong to the text around them, not to a cell: years, dates, counts in headers.
_EMBEDDED_AFTER = re.compile(
    r"^(?:年|月|日|号|号令|%|％|位|项|条第|款|版|届|次会议|周年|个百分点|亿(?!元)|万(?!元)|[)）])"
)
_EMBEDDED_BEFORE = re.compile(r"(?:第|[(（〔\[【]|国令|令)$")
_NUMBERING_NEXT = re.compile(r"^[.．、]\s*(?=\D)")


def has_run_together_tables(text: str) -> bool:
    """True when a paragraph holds table labels with digits glued to them."""
    key = loose_key(text)
    anchors = sum(1 for a in TABLE_ANCHORS if a in key)
    return anchors >= 2 and bool(
        re.search(r"[\u4e00-\u9fff]\d{3,}[\u4e00-\u9fff(（]", nfkc(text).replace(" ", ""))
    )


def split_run_together(paragraph: Paragraph, grid_index: int) -> list[Block]:
    """The paragraph as narrative before the tables, one run-together grid, narrative after.

    Anchors, the tables' end and the words around digits are looked for in the simplified
    text, so a table printed in traditional script (指標名稱) is found too; simplifying maps
    one character to one, so its offsets are the raw text's, and cells keep the raw text.
    """
    text = paragraph.text
    key = to_simplified(text)
    start = _table_start(key)
    if start is None:
        return [paragraph]
    tail = _TAIL.search(key, start)
    end = tail.start() if tail else len(text)
    blocks: list[Block] = []
    if text[:start].strip():
        blocks.append(Paragraph(text[:start].strip(), paragraph.where))
    cells = _cells(text[start:end], key[start:end], paragraph.where, grid_index)
    if cells:
        blocks.append(Grid(cells, index=grid_index, run_together=True))
    if text[end:].strip():
        blocks.append(Paragraph(text[end:].strip(), paragraph.where))
    return blocks


def _table_start(text: str) -> int | None:
    """The offset where the first table starts: its section heading, or its first anchor."""
    positions = []
    for anchor in TABLE_ANCHORS:
        pattern = r"\s*".join(re.escape(ch) for ch in anchor)
        match = re.search(pattern, text)
        if match:
            positions.append(match.start())
    if not positions:
        return None
    first = min(positions)
    # include the section heading just before the first table ("二、主动公开政府信息情况")
    heading = None
    for match in re.finditer(r"[一二三四五六七八九十][、.．]\s*[^\d。；;，,]{2,30}$", text[:first][-60:]):
        heading = match
    if heading is not None:
        return first - (len(text[:first][-60:]) - heading.start())
    return first


def _cells(region: str, key: str, where: Provenance, grid_index: int) -> list[Cell]:
    """Alternate label and digit-run cells; item numbers glued to digits go with the label.

    `key` is the region simplified (same length): the words around a run are read there.
    """
    pieces: list[tuple[str, int]] = []  # (text, kind) kind 0 = label, 1 = run
    label_start = 0
    for match in _RUN.finditer(key):
        begin, end = match.span()
        run = match.group(0)
        before, after = key[:begin], key[end:]
        if _EMBEDDED_AFTER.match(after.lstrip()) or _EMBEDDED_BEFORE.search(before.rstrip()):
            continue  # part of the label text
        if _NUMBERING_NEXT.match(after):
            # "…3252." + "没有现成信息": the last digit(s) number the next label
            number_len = _numbering_length(run, pieces)
            values = run[: len(run) - number_len].rstrip()
            if not values:
                continue  # "（四）无法提供1.本机关…": only the next label's number
            pieces.append((region[label_start:begin], 0))
            pieces.append((values, 1))
            label_start = begin + len(values)
            continue
        pieces.append((region[label_start:begin], 0))
        for part in _RUN_SEPARATOR.split(run):
            if part:
                pieces.append((part, 1))
        unit = _UNIT_AFTER.match(after)
        # an amount's unit belongs to the amount, not to the next label
        label_start = end + (unit.end() if unit else 0)
    pieces.append((region[label_start:], 0))
    cells: list[Cell] = []
    for text, _kind in pieces:
        text = text.strip()
        if not text:
            continue
        col = len(cells)
        cell_where = Provenance(table_index=grid_index, row=0, col=col, line=where.line, page=where.page)
        cells.append(Cell(0, col, text, where=cell_where))
    return cells


def _numbering_length(run: str, pieces: list[tuple[str, int]]) -> int:
    """How many trailing digits of a run are the next label's item number (1 or 2).

    Items are numbered 1, 2, 3… within a group; the previous label's number tells which
    number comes next, so "…00010." before the 10th item keeps its "10".
    """
    previous = None
    for text, kind in reversed(pieces):
        if kind == 0:
            match = re.match(r"^\s*(?:其中[:：]?)?\s*(\d{1,2})\s*[.．、]", nfkc(text))
            previous = int(match.group(1)) if match else None
            break
    expected = (previous + 1) if previous is not None else 1
    digits = run.replace(" ", "")
    if expected >= 10 and digits.endswith(str(expected)) and len(digits) > 2:
        return 2
    return 1
