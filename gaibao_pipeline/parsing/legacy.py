"""Pre-2019 statistics forms (统计表): indicators with a period and a cumulative value.

Forms differ by province and year, so columns are found from the form's own header (指标
名称 / 计量单位 / 代码 / 本期 / 累计). A row is keyed by its printed code where the form
has codes, else by its label as printed. The 其中 hierarchy (parts listed under a total)
gives the `legacy.sums` identities, which also split run-together digits. A form copied
from a PDF as space-separated lines has its header as one cell: its columns go by order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from gaibao_pipeline.chinese import to_simplified
from gaibao_pipeline.codes import LEGACY_COLS, LEGACY_CUMULATIVE_HEADERS, LEGACY_PERIOD_HEADERS
from gaibao_pipeline.contracts.identities import Identity
from gaibao_pipeline.parsing.alignment import Reading, TableLayout, readings
from gaibao_pipeline.parsing.matching import match_key, nfkc, squeeze
from gaibao_pipeline.parsing.repair import choose_readings
from gaibao_pipeline.parsing.rows import Region
from gaibao_pipeline.parsing.splits import Group
from gaibao_pipeline.parsing.stream import Token, TokenKind
from gaibao_pipeline.report import ReportCell

_UNITS = r"(?:人次|万元|千元|元|条|件|次|人|个|项|份|篇|期|场|天|小时)"
_CODE = re.compile(r"^\d{1,3}$")
_HEADER_WORDS = ("指标名称", "计量单位", "代码", "单位")


@dataclass(slots=True)
class LegacyRow:
    key: str  # printed code, or label as printed
    label: str
    level: int  # 0 for a total, 1 for "1." parts, 2 for "(1)" parts
    values: list[Token] = field(default_factory=list)
    unit: str | None = None


@dataclass(slots=True)
class LegacyResult:
    cells: list[ReportCell] = field(default_factory=list)
    identities: list[Identity] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows: list[LegacyRow] = field(default_factory=list)


def parse_legacy(tokens: Sequence[Token], region: Region) -> LegacyResult:
    span = tokens[region.start : region.end]
    rows = _glued_rows(span) if any(t.glued for t in span) else _grid_rows(span)
    result = LegacyResult(rows=rows)
    if not rows:
        return result
    result.identities = _sum_identities(rows)
    kinds = ["count", "count"]
    layout = TableLayout(blanks_are_data=True, trailing_padding=True, leading_structure=False)
    options = {row.key: readings(row.values, LEGACY_COLS, kinds, layout, [Group(2)]) for row in rows}

    def plausibility(_row: str, reading: Reading) -> float:
        period, cumulative = reading.values[0], reading.values[1] if len(reading.values) > 1 else None
        if period is not None and cumulative is not None and cumulative < period:
            return 1.0  # a running total includes this period
        return 0.0

    chosen = choose_readings(
        "legacy", options, {r.key: LEGACY_COLS for r in rows}, result.identities, plausibility
    )
    for row in rows:
        reading = chosen.get(row.key)
        if reading is None or not row.values:
            # the form has no cells for this indicator (a half-year indicator, say)
            result.cells += [ReportCell("legacy", row.key, col, None, None) for col in LEGACY_COLS]
            continue
        for col, slot in zip(LEGACY_COLS, reading.slots, strict=False):
            note = slot.note or (f"unit: {row.unit}" if row.unit else None)
            result.cells.append(
                ReportCell("legacy", row.key, col, slot.value, slot.raw, slot.inferred, slot.where, note)
            )
        for note in reading.notes:
            if note.startswith("run-together") and len(row.values) > 0:
                result.warnings.append(f"legacy {row.key}: {note}")
    return result


def _grid_rows(span: Sequence[Token]) -> list[LegacyRow]:
    """Rows of a form read from a grid, columns placed by the form's header row."""
    lines = _lines(span)
    header_at = next(
        (i for i, line in enumerate(lines) if any("指标名称" in match_key(t.text) for t in line)), None
    )
    if header_at is None:
        return []
    header = lines[header_at]
    if len(header) == 1 and len(header[0].text.split()) >= 3:
        return _spaced_rows(header[0], lines[header_at + 1 :])
    roles = _roles(header)
    rows: list[LegacyRow] = []
    for line in lines[header_at + 1 :]:
        by_col = {t.where.col if t.where.col is not None else i: t for i, t in enumerate(line)}
        label_token = by_col.get(roles.get("label", 0))
        if label_token is None or label_token.kind != TokenKind.LABEL:
            continue
        label = _printed(label_token.text)
        code_token = by_col.get(roles["code"]) if "code" in roles else None
        code = squeeze(nfkc(code_token.text)) if code_token is not None else ""
        if "code" in roles and not _CODE.match(code) and rows and _no_values(line):
            # a coded form's label cut by a page break: its rest is no indicator of its own
            rows[-1].label += label
            continue
        key = code if _CODE.match(code) else label
        unit_token = by_col.get(roles["unit"]) if "unit" in roles else None
        values = [by_col[roles[c]] for c in ("period", "cumulative") if c in roles and roles[c] in by_col]
        values = [v for v in values if v.is_value] or [t for t in line if t.is_value and t is not code_token]
        unit = (
            squeeze(unit_token.text)
            if unit_token is not None and unit_token.kind == TokenKind.LABEL
            else None
        )
        rows.append(LegacyRow(key, label, _level(label), values, unit))
    return _unique(rows)


def _no_values(line: Sequence[Token]) -> bool:
    return not any(t.is_value and t.kind != TokenKind.EMPTY for t in line)


def _spaced_rows(header: Token, lines: Sequence[Sequence[Token]]) -> list[LegacyRow]:
    """Rows of a form copied as text from a PDF: `指标名称 计量单位 代码 本期 累计` is one cell.

    A line of such text keeps its label (the unit after it, a space apart) as one cell and
    each number as a cell of its own, so columns are known by order, not by grid position:
    on a coded form the first number is the code, the next ones are the values.
    """
    coded = any(_role(match_key(word)) == "code" for word in header.text.split())
    rows: list[LegacyRow] = []
    for line in lines:
        if not line or line[0].kind != TokenKind.LABEL:
            continue
        words = line[0].text.split()
        unit = words.pop() if len(words) > 1 and re.fullmatch(_UNITS, to_simplified(words[-1])) else None
        label = _printed("".join(words))
        values = [t for t in line[1:] if t.is_value]
        code = squeeze(nfkc(values[0].text)) if coded and values else ""
        if _CODE.match(code):
            values = values[1:]
        rows.append(LegacyRow(code if _CODE.match(code) else label, label, _level(label), values, unit))
    return _unique(rows)


def _lines(span: Sequence[Token]) -> list[list[Token]]:
    lines: list[list[Token]] = []
    for token in span:
        if token.kind == TokenKind.PARA:
            continue
        if token.row_start or not lines:
            lines.append([])
        lines[-1].append(token)
    return lines


def _roles(header: Sequence[Token]) -> dict[str, int]:
    roles: dict[str, int] = {}
    for i, token in enumerate(header):
        role = _role(match_key(token.text))
        if role is not None:
            roles.setdefault(role, token.where.col if token.where.col is not None else i)
    return roles


def _role(key: str) -> str | None:
    """What a header cell names: label, code, unit, period or cumulative (None: nothing known)."""
    if "指标" in key or "名称" in key:
        return "label"
    if "代码" in key or "编号" in key:
        return "code"
    if "单位" in key:
        return "unit"
    if any(h in key for h in LEGACY_CUMULATIVE_HEADERS):
        return "cumulative"
    if any(h in key for h in LEGACY_PERIOD_HEADERS) or re.search(r"\d{4}年", key):
        return "period"
    return None


def _glued_rows(span: Sequence[Token]) -> list[LegacyRow]:
    """Rows of a form whose cells ran together: label+unit, then the row's digits."""
    rows: list[LegacyRow] = []
    current: LegacyRow | None = None
    for token in span:
        if token.kind == TokenKind.LABEL:
            text = _printed(token.text)
            if "指标名称" in text:
                # the first label carries the form's header: the row label is what follows it
                for word in (*LEGACY_CUMULATIVE_HEADERS, *LEGACY_PERIOD_HEADERS, *_HEADER_WORDS):
                    if word in text:
                        text = text[text.rindex(word) + len(word) :]
            unit_match = re.search(rf"{_UNITS}$", text)
            unit = unit_match.group(0) if unit_match else None
            label = text[: unit_match.start()] if unit_match else text
            current = LegacyRow(label, label, _level(label), [], unit) if label else None
            if current is not None:
                rows.append(current)
        elif token.kind == TokenKind.RUN and current is not None:
            current.values.append(token)
    return _unique([r for r in rows if r.values])


def _printed(text: str) -> str:
    """A label as printed: simplified, without spaces or the '?' that replaced them."""
    return squeeze(to_simplified(text)).strip("*")


def _level(label: str) -> int:
    text = nfkc(label)
    text = re.sub(r"^其中[:：]?", "", text)
    if re.match(r"^\(\d+\)", text):
        return 2
    if re.match(r"^\d+[.、]", text):
        return 1
    return 0


def _unique(rows: list[LegacyRow]) -> list[LegacyRow]:
    seen: set[str] = set()
    out = []
    for row in rows:
        if row.key in seen:
            continue
        seen.add(row.key)
        out.append(row)
    return out


def _sum_identities(rows: Sequence[LegacyRow]) -> list[Identity]:
    """A total equals its 其中 parts; a lone part is at most its total."""
    children: dict[int, list[int]] = {}
    stack: list[int] = []
    for i, row in enumerate(rows):
        while stack and rows[stack[-1]].level >= row.level:
            stack.pop()
        if stack:
            children.setdefault(stack[-1], []).append(i)
        stack.append(i)
    identities = []
    for parent, kids in children.items():
        for col in LEGACY_COLS:
            total = ("legacy", rows[parent].key, col)
            parts = tuple(("legacy", rows[k].key, col) for k in kids)
            scope = (("row", rows[parent].key), ("col", col))
            if len(kids) >= 2:
                identities.append(Identity("legacy.sums", scope, (total,), parts, defines=total))
            else:
                identities.append(Identity("legacy.sums", scope, parts, (total,), relation="le"))
    return identities
