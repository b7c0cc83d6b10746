"""Find the tables in a token stream and each canonical row's label and value tokens.

Tables are located by anchors only their headers print; rows by their labels, matched by
meaning and in template order. A row's values are the value tokens after its label, up to
the next label, whatever grid, page or line they sit in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from gaibao_pipeline.codes import RowSpec
from gaibao_pipeline.parsing.labels import LabelMatch, best_match, is_short, similarity
from gaibao_pipeline.parsing.matching import match_key
from gaibao_pipeline.parsing.stream import Token, TokenKind

MAX_JOINED_FRAGMENTS = 16  # a label broken one character per cell


@dataclass(slots=True)
class RowObservation:
    spec: RowSpec
    label: Token
    values: list[Token]
    index: int  # position of the label token in the stream


@dataclass(frozen=True, slots=True)
class Region:
    table: str  # "t2", "t3", "t4", "legacy"
    start: int
    end: int


_ANCHORS: dict[str, Callable[[str], bool]] = {
    "t2": lambda k: "第二十条" in k or k == "信息内容" or k.startswith("信息内容本年"),
    "t3": lambda k: "本年新收政府信息公开申请" in k or "申请人情况" in k or "勾稽关系" in k,
    "t4": lambda k: "行政复议" in k and ("结果维持" in k or len(k) <= 8),
    "legacy": lambda k: "指标名称" in k or ("计量单位" in k and len(k) <= 12),
}
# a form headed only 项目 / 指标 is a legacy form where its value columns' headers follow
_LEGACY_FIRST_HEADERS = ("项目", "指标", "统计指标", "统计项目")
_LEGACY_VALUE_HEADERS = ("累计", "本年度", "本期", "年末统计", "实际数", "年度")


def find_regions(tokens: Sequence[Token]) -> list[Region]:
    """Where each table starts and ends: from its first anchor to the next table's."""
    starts: dict[str, int] = {}
    for i, token in enumerate(tokens):
        if token.kind != TokenKind.LABEL:
            continue
        key = match_key(token.text)
        for table, is_anchor in _ANCHORS.items():
            if table in starts or not is_anchor(key):
                continue
            if table == "t4" and not _t4_header_follows(tokens, i):
                continue
            starts[table] = i
        if "legacy" not in starts and key in _LEGACY_FIRST_HEADERS and _legacy_header_follows(tokens, i):
            starts["legacy"] = i
    ordered = sorted(starts.items(), key=lambda item: item[1])
    regions = []
    for n, (table, start) in enumerate(ordered):
        end = ordered[n + 1][1] if n + 1 < len(ordered) else len(tokens)
        regions.append(Region(table, start, end))
    return regions


def table_count(tokens: Sequence[Token]) -> int:
    """How many tables 三 the stream holds: each has exactly one row 本年新收…申请数量."""
    return sum(
        1 for t in tokens if t.kind == TokenKind.LABEL and "本年新收政府信息公开申请" in match_key(t.text)
    )


def _legacy_header_follows(tokens: Sequence[Token], i: int) -> bool:
    """Whether a value column's header (本年度, 累计 …) follows within the header row's reach."""
    for token in tokens[i + 1 : i + 5]:
        key = match_key(token.text)
        if token.kind == TokenKind.LABEL and len(key) <= 8 and any(h in key for h in _LEGACY_VALUE_HEADERS):
            return True
    return False


def _t4_header_follows(tokens: Sequence[Token], i: int) -> bool:
    for token in tokens[i : i + 40]:
        if token.kind == TokenKind.LABEL and "结果维持" in match_key(token.text):
            return True
        if token.kind == TokenKind.PARA and token is not tokens[i]:
            return False
    return False


def collect_rows(
    tokens: Sequence[Token],
    region: Region,
    rows: Sequence[RowSpec],
    widths: dict[str, int],
    skip: Sequence[str] = (),
) -> dict[str, RowObservation]:
    """Each row's label token and value tokens, matching labels in template order."""
    found: dict[str, RowObservation] = {}
    skip_keys = {match_key(s) for s in skip}
    expected = 0
    orphans: list[Token] = []  # values no label claimed: a label centred below its numbers
    i = region.start
    while i < region.end:
        token = tokens[i]
        if token.kind != TokenKind.LABEL:
            if token.is_value:
                orphans.append(token)
            elif token.kind == TokenKind.PARA:
                orphans = []
            i += 1
            continue
        match, consumed = _match_at(tokens, i, region.end, rows, expected, skip_keys)
        if match is None:
            i += 1
            continue
        position = rows.index(match.row)
        width = widths.get(match.row.code, 1)
        values, nxt = _gather(tokens, i + consumed, region.end, width, rows, position, skip_keys)
        filled = [v for v in orphans if v.kind != TokenKind.EMPTY]
        if not any(v.kind != TokenKind.EMPTY for v in values) and len(filled) * 2 >= width:
            # text copied from a PDF puts a two-line label's values on the line above it
            values = orphans
        if match.row.code not in found:
            found[match.row.code] = RowObservation(match.row, token, values, i)
        expected = position + 1
        orphans = []
        i = nxt
    return found


def _match_at(
    tokens: Sequence[Token], i: int, end: int, rows: Sequence[RowSpec], expected: int, skip_keys: set[str]
) -> tuple[LabelMatch | None, int]:
    """The row a label token names (trying it joined with following fragments)."""
    text = tokens[i].text
    match = match_row(text, rows, expected, skip_keys, glued=tokens[i].glued)
    if match is not None:
        return match, 1
    # a label broken into fragments, one character or word per cell
    joined = text
    for j in range(i + 1, min(end, i + MAX_JOINED_FRAGMENTS)):
        if tokens[j].kind != TokenKind.LABEL or len(match_key(tokens[j].text)) > 4:
            break
        joined += tokens[j].text
        match = match_row(joined, rows, expected, skip_keys, glued=False)
        if match is not None:
            return match, j - i + 1
    return None, 1


def match_row(
    text: str, rows: Sequence[RowSpec], expected: int, skip_keys: set[str], glued: bool = False
) -> LabelMatch | None:
    """The best row for a label among the rows not yet passed; short labels only where due."""
    key = match_key(text)
    if not key or key in skip_keys:
        return None
    candidates = [r for n, r in enumerate(rows) if n >= expected and (not is_short(r) or n - expected <= 2)]
    match = best_match(text, candidates)
    if match is None and glued:
        # "…其他一、本年新收政府信息公开申请数量": the row's own label is the text's tail
        for row in candidates:
            for variant in (row.label, *row.aliases):
                canonical = match_key(variant)
                if key.endswith(canonical) or similarity(key[-len(canonical) - 2 :], canonical) >= 0.85:
                    return LabelMatch(row, 0.9)
    return match


def _gather(
    tokens: Sequence[Token],
    i: int,
    end: int,
    width: int,
    rows: Sequence[RowSpec],
    position: int,
    skip_keys: set[str],
) -> tuple[list[Token], int]:
    """The value tokens after a label, up to the next label or paragraph."""
    values: list[Token] = []
    while i < end:
        token = tokens[i]
        if token.kind == TokenKind.PARA:
            break
        if token.kind == TokenKind.LABEL:
            if values or match_row(token.text, rows, position + 1, skip_keys) is not None:
                break
            i += 1  # a fragment of the label itself, or a group heading beside it
            continue
        if token.row_start and not token.alone and len(values) >= width:
            break  # a full row already: the next grid row's empty slots are not ours
        values.append(token)
        i += 1
    return values, i


def collect_block(tokens: Sequence[Token], region: Region) -> tuple[Token | None, list[Token]]:
    """A headed block of values (table 四): the tokens after the header's last label."""
    first_value = next(
        (
            i
            for i in range(region.start, region.end)
            if tokens[i].kind in (TokenKind.VALUE, TokenKind.RUN)
            or (tokens[i].kind == TokenKind.PARA and i > region.start)
        ),
        None,
    )
    if first_value is None or tokens[first_value].kind == TokenKind.PARA:
        return None, []
    header_end = max(
        (i for i in range(region.start, first_value) if tokens[i].kind == TokenKind.LABEL),
        default=region.start,
    )
    values: list[Token] = []
    i = header_end + 1
    while i < region.end and tokens[i].is_value:
        values.append(tokens[i])
        i += 1
    return tokens[header_end], values
