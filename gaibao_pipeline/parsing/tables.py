"""Tables 二, 三 and 四 from the token stream to canonical cells.

For each table: find its rows (`rows.py`), list each row's readings (`alignment.py`),
choose the readings the identities agree with (`repair.py`) and emit one `ReportCell` per
canonical cell, with its raw text, provenance, and a warning for anything inferred.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from gaibao_pipeline.codes import (
    T2_HEADERS_2019,
    T2_HEADERS_2021,
    T2_ROWS,
    T3_COL_CODES,
    T3_GROUP_LABELS,
    T3_SPLIT_MARKERS,
    T4_COL_CODES,
    T4_ROWS,
    RowSpec,
    column_kind,
    t3_rows,
)
from gaibao_pipeline.contracts.identities import Identity, t3_identities, t3_repair_identities, t4_identities
from gaibao_pipeline.parsing.alignment import TableLayout, learn_layout, readings
from gaibao_pipeline.parsing.labels import contains_any
from gaibao_pipeline.parsing.matching import match_key
from gaibao_pipeline.parsing.reading import Reading, Slot
from gaibao_pipeline.parsing.repair import choose_readings, unpinned
from gaibao_pipeline.parsing.rows import Region, RowObservation, collect_block, collect_rows, match_row
from gaibao_pipeline.parsing.splits import Group
from gaibao_pipeline.parsing.stream import Token, TokenKind
from gaibao_pipeline.parsing.values import amount_factor, parse_value
from gaibao_pipeline.report import CellKey, Number, ReportCell

Hints = Mapping[CellKey, Sequence[Number]]
AMBIGUOUS = 0.15  # readings of table 二 this close in plausibility are reported as ambiguous


@dataclass(slots=True)
class TableResult:
    table: str
    cells: list[ReportCell] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows_found: set[str] = field(default_factory=set)
    rows_expected: tuple[str, ...] = ()


def region_of(regions: Sequence[Region], table: str) -> Region | None:
    return next((r for r in regions if r.table == table), None)


def t3_is_split(tokens: Sequence[Token], region: Region | None) -> bool:
    """Whether （六）其他处理 is broken into the three rows of the 2021 template."""
    if region is None:
        return False
    return any(
        t.kind == TokenKind.LABEL and contains_any(t.text, T3_SPLIT_MARKERS)
        for t in tokens[region.start : region.end]
    )


def t2_template_votes(tokens: Sequence[Token], region: Region | None) -> tuple[int, int]:
    """How many table 二 column headers are the 2019 template's, and how many 2021's."""
    if region is None:
        return 0, 0
    keys = [match_key(t.text) for t in tokens[region.start : region.end] if t.kind == TokenKind.LABEL]
    votes_2019 = sum(1 for h in T2_HEADERS_2019 if any(match_key(h) in k for k in keys))
    votes_2021 = sum(1 for h in T2_HEADERS_2021 if any(match_key(h) in k for k in keys))
    return votes_2019, votes_2021


def parse_t3(
    tokens: Sequence[Token], region: Region, split_other: bool, collapsed: bool = False
) -> TableResult:
    rows = t3_rows(split_other)
    widths = {r.code: len(r.cols) for r in rows}
    found = collect_rows(tokens, region, rows, widths, skip=_t3_skip(split_other))
    kinds = [column_kind("t3", c) for c in T3_COL_CODES]
    layout = learn_layout([obs.values for obs in found.values()], len(T3_COL_CODES), collapsed)
    options = {
        code: readings(obs.values, T3_COL_CODES, kinds, layout, [Group(7, has_total=True)])
        for code, obs in found.items()
    }
    identities = t3_identities(split_other) + t3_repair_identities(split_other)
    cols = {r.code: r.cols for r in rows}
    chosen = choose_readings("t3", options, cols, identities)
    return _emit("t3", rows, found, chosen, unpinned("t3", options, chosen, cols, identities))


def _t3_skip(split_other: bool) -> tuple[str, ...]:
    groups = tuple(g for g in T3_GROUP_LABELS if not (g == "其他处理" and not split_other))
    return (*groups, "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构")


def parse_t4(tokens: Sequence[Token], region: Region, collapsed: bool = False) -> TableResult:
    """Table 四: one headed row of 15 cells, or (transposed) a row per 复议/诉讼 kind."""
    if _t4_transposed(tokens, region):
        return _parse_t4_rows(tokens, region, collapsed)
    result = TableResult("t4", rows_expected=tuple(r.code for r in T4_ROWS))
    label, values = collect_block(tokens, region)
    if label is None:
        return result
    # the three blocks of five as one row of 15, so a lost or split cell can move between them
    cols = tuple(f"{r.code}.{c}" for r in T4_ROWS for c in T4_COL_CODES)
    layout = learn_layout([values], len(cols), collapsed)
    groups = [Group(len(T4_COL_CODES), has_total=True)] * len(T4_ROWS)
    options = readings(values, cols, ["count"] * len(cols), layout, groups)
    identities = [_flatten_t4(i) for i in t4_identities()]
    reading = choose_readings("t4", {"block": options}, {"block": cols}, identities)["block"]
    open_cells = unpinned("t4", {"block": options}, {"block": reading}, {"block": cols}, identities)
    result.rows_found = {r.code for r in T4_ROWS}
    width = len(T4_COL_CODES)
    for n, spec in enumerate(T4_ROWS):
        for m, col in enumerate(T4_COL_CODES):
            slot = reading.slots[n * width + m]
            if (why := open_cells.get(("block", f"{spec.code}.{col}"))) is not None:
                slot = replace(slot, value=None, inferred=True)
                result.warnings.append(f"t4 {spec.code}.{col}: {why}")
            result.cells.append(_cell("t4", spec.code, col, slot))
    result.warnings += _reading_warnings("t4", RowSpec("block", "行政复议、行政诉讼", cols), reading)
    return result


def _parse_t4_rows(tokens: Sequence[Token], region: Region, collapsed: bool) -> TableResult:
    widths = {r.code: len(T4_COL_CODES) for r in T4_ROWS}
    found = collect_rows(tokens, region, T4_ROWS, widths)
    layout = learn_layout([o.values for o in found.values()], len(T4_COL_CODES), collapsed)
    kinds = ["count"] * len(T4_COL_CODES)
    options = {
        code: readings(obs.values, T4_COL_CODES, kinds, layout, [Group(len(T4_COL_CODES), True)])
        for code, obs in found.items()
    }
    cols = {r.code: r.cols for r in T4_ROWS}
    chosen = choose_readings("t4", options, cols, t4_identities())
    return _emit("t4", T4_ROWS, found, chosen, unpinned("t4", options, chosen, cols, t4_identities()))


def _flatten_t4(identity: Identity) -> Identity:
    """A t4 identity over the one 15-cell block row used while choosing its reading."""

    def key(k: CellKey) -> CellKey:
        return ("t4", "block", f"{k[1]}.{k[2]}")

    return Identity(
        identity.check,
        identity.scope,
        tuple(key(k) for k in identity.actual),
        tuple(key(k) for k in identity.expected),
        key(identity.defines) if identity.defines else None,
    )


def _t4_transposed(tokens: Sequence[Token], region: Region) -> bool:
    """Rows labelled 行政复议 / 未经复议直接起诉 / 复议后起诉, each followed by its values."""
    hits = 0
    for i in range(region.start, region.end - 1):
        token = tokens[i]
        if token.kind != TokenKind.LABEL or match_row(token.text, T4_ROWS, 0, set()) is None:
            continue
        following = [t for t in tokens[i + 1 : i + 6] if t.kind != TokenKind.EMPTY]
        if len(following) >= 4 and all(t.kind == TokenKind.VALUE for t in following[:4]):
            hits += 1
    return hits >= 2


def parse_t2(
    tokens: Sequence[Token], region: Region, template: str, hints: Hints, collapsed: bool = False
) -> TableResult:
    rows = T2_ROWS[template]
    widths = {r.code: len(r.cols) for r in rows}
    found = collect_rows(tokens, region, rows, widths)
    options: dict[str, list[Reading]] = {}
    for code, obs in found.items():
        spec = next(r for r in rows if r.code == code)
        kinds = [column_kind("t2", c) for c in spec.cols]
        layout = learn_layout([o.values for o in found.values()], len(spec.cols))
        options[code] = readings(
            obs.values, spec.cols, kinds, _t2_layout(layout, collapsed), [Group(len(spec.cols))]
        )

    def plausibility(row: str, reading: Reading) -> float:
        spec = next(r for r in rows if r.code == row)
        return _t2_penalty(spec, reading, hints)

    cols = {r.code: r.cols for r in rows}
    chosen = choose_readings("t2", options, cols, [], plausibility)
    open_cells = unpinned("t2", options, chosen, cols, [], plausibility, tolerance=AMBIGUOUS)
    result = _emit("t2", rows, found, chosen, open_cells)
    _apply_header_units(result, _header_units(tokens, region))
    for code, reading in chosen.items():
        # no identity checks table 二: say so when another cut of the digits was nearly as likely
        cost = reading.penalty + plausibility(code, reading)
        rivals = [
            r
            for r in options[code]
            if r is not reading and not r.placed and r.penalty + plausibility(code, r) - cost < AMBIGUOUS
        ]
        if rivals:
            others = "; ".join("|".join(str(v) for v in r.values) for r in rivals[:3])
            result.warnings.append(
                f"t2 {code}: ambiguous split of run-together digits; also possible: {others}"
            )
    return result


# The amount columns of table 二 and the words of their header, which may name the unit.
_AMOUNT_HEADERS = {"procurement_amount": "采购总金额", "fee_amount": "收费金额"}
_HEADER_SPAN = 8  # tokens after the header's words that may still belong to it (broken at brackets)


def _header_units(tokens: Sequence[Token], region: Region) -> dict[str, Decimal]:
    """Amount columns whose header prints a unit other than 万元 ("采购总金额（元）"): the factor to 万元."""
    factors: dict[str, Decimal] = {}
    for i in range(region.start, region.end):
        token = tokens[i]
        if token.kind != TokenKind.LABEL:
            continue
        for col, words in _AMOUNT_HEADERS.items():
            if words not in match_key(token.text) or col in factors:
                continue
            header = token.text
            for nxt in tokens[i + 1 : min(region.end, i + 1 + _HEADER_SPAN)]:
                if nxt.kind != TokenKind.LABEL or match_row(nxt.text, T2_ROWS["2019"], 0, set()):
                    break
                header += nxt.text
            factor = amount_factor(re.sub(r"[(（]\s*(亿元|万元|千元|元)\s*[)）]", r"(单位:\1)", header))
            if factor != 1:
                factors[col] = factor
    return factors


def _apply_header_units(result: TableResult, factors: Mapping[str, Decimal]) -> None:
    """Values of an amount column whose header names 元 (and whose cells name no unit) in 万元."""
    for n, cell in enumerate(result.cells):
        factor = factors.get(cell.col)
        if factor is None or cell.value is None or parse_value(cell.raw or "").unit is not None:
            continue
        value = Decimal(str(cell.value)) * factor
        scaled = int(value) if value == value.to_integral_value() else float(round(value, 6))
        note = f"header in {'元' if factor == Decimal('0.0001') else 'another unit'}; held in 万元"
        result.cells[n] = replace(cell, value=scaled, note=cell.note or note)


def _t2_layout(layout: TableLayout, collapsed: bool) -> TableLayout:
    # table 二's rows differ in width, so its padding statistics say little: trust blanks
    return TableLayout(
        blanks_are_data=True,
        trailing_padding=layout.trailing_padding,
        leading_structure=False,
        collapsed=collapsed,
        one_per_line=layout.one_per_line,
    )


def _t2_penalty(spec: RowSpec, reading: Reading, hints: Hints) -> float:
    """Plausibility of a table 二 reading that no identity checks (run-together digits)."""
    values = dict(zip(spec.cols, reading.values, strict=False))
    penalty = 0.0
    for col, value in values.items():
        if value is not None and value < 0 and column_kind("t2", col) != "change":
            penalty += 2.0  # a count or an amount is never negative: this cell is the change
    issued, in_force = values.get("issued"), values.get("in_force")
    if issued is not None and in_force is not None and in_force < issued:
        penalty += 1.0  # documents issued this year are still in force at its end
    repealed = values.get("repealed")
    if issued is not None and repealed is not None and repealed > issued:
        penalty += 0.02  # the stock of documents grows: most years issue more than they repeal
    if repealed is not None and in_force is not None and in_force < repealed:
        penalty += 0.3  # a clean-up repealing more than it leaves in force is rare
    published, total = values.get("new_published"), values.get("total_published")
    if published is not None and total is not None and total < published:
        penalty += 1.0  # the total published includes this year's
    for col, value in values.items():
        for hint in hints.get(("t2", spec.code, col), ()):
            if value is None:
                continue
            if math.isclose(value, hint):
                penalty -= 0.5
            else:
                penalty += 0.1 * abs(math.log10(abs(value) + 1) - math.log10(abs(hint) + 1))
    return penalty


def _emit(
    table: str,
    rows: Sequence[RowSpec],
    found: Mapping[str, RowObservation],
    chosen: Mapping[str, Reading],
    open_cells: Mapping[tuple[str, str], str],
) -> TableResult:
    result = TableResult(table, rows_expected=tuple(r.code for r in rows))
    for spec in rows:
        reading = chosen.get(spec.code)
        if reading is None or spec.code not in found:
            result.cells += [ReportCell(table, spec.code, col, None, None) for col in spec.cols]
            continue
        result.rows_found.add(spec.code)
        for col, slot in zip(spec.cols, reading.slots, strict=False):
            if (why := open_cells.get((spec.code, col))) is not None:
                slot = replace(slot, value=None, inferred=True)
                result.warnings.append(f"{table} {spec.code}.{col}: {why}")
            result.cells.append(_cell(table, spec.code, col, slot))
        result.warnings += _reading_warnings(table, spec, reading)
    missing = [code for code in result.rows_expected if code not in result.rows_found]
    if missing and len(missing) < len(result.rows_expected):
        result.warnings.append(f"{table}: rows not found: {', '.join(missing)}")
    return result


def _cell(table: str, row: str, col: str, slot: Slot) -> ReportCell:
    return ReportCell(table, row, col, slot.value, slot.raw, slot.inferred, slot.where, slot.note)


def _reading_warnings(table: str, spec: RowSpec, reading: Reading) -> list[str]:
    """What a reviewer should know about a row: cells inferred, digits split, cells dropped."""
    out = []
    if reading.placed:
        # one warning for the row: how its cells were placed (repeats, dropped blanks)
        return [f"{table} {spec.code}: {note}" for note in reading.notes]
    for col, slot in zip(spec.cols, reading.slots, strict=False):
        if not slot.inferred or slot.raw is not None:
            continue  # read, or joined from fragments (the row's note says which)
        if slot.value is None:
            out.append(
                f"{table} {spec.code}.{col}: a cell was lost in extraction and the identities do not pin it"
            )
        else:
            out.append(
                f"{table} {spec.code}.{col}: lost in extraction; inferred as {slot.value} from the identities"
            )
    out += [
        f"{table} {spec.code}: {note}"
        for note in reading.notes
        if note.startswith(("run-together", "extra cell", "split number"))
    ]
    return out
