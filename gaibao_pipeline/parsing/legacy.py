"""Pre-2019 statistics forms (统计表) → legacy cells on the canonical codes of spec §2.

The form's rows are read in whatever shape the text kept them (`legacy_rows`), each
indicator is named by its canonical code where one names it, else keyed by its normalised
label (`legacy_codes`), and each row's values are read into the value columns the form
prints (`period`, `cumulative`, or one of them). Amounts printed in 元 are converted to 万元;
the printed label and code stay beside every value. The legacy identities (legacy.sums) are
checked and, with the form's own 其中 sums, choose between readings of damaged rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from gaibao_pipeline.codes import LEGACY_CODES, legacy_kind
from gaibao_pipeline.contracts.identities import Identity
from gaibao_pipeline.parsing.alignment import TableLayout, readings
from gaibao_pipeline.parsing.damage import is_collapsed_crawl
from gaibao_pipeline.parsing.legacy_codes import assign_codes, hierarchy_identities, sum_identities
from gaibao_pipeline.parsing.legacy_rows import (
    LegacyForm,
    glued_form,
    grid_form,
    stream_form,
    token_lines,
)
from gaibao_pipeline.parsing.matching import match_key
from gaibao_pipeline.parsing.reading import Reading
from gaibao_pipeline.parsing.repair import choose_readings, unpinned
from gaibao_pipeline.parsing.rows import Region
from gaibao_pipeline.parsing.splits import Group
from gaibao_pipeline.parsing.stream import Token, TokenKind
from gaibao_pipeline.parsing.values import UNIT_FACTORS
from gaibao_pipeline.report import Number, ReportCell

ONE_CELL_PER_LINE = 0.8  # share of a form's grid rows holding a single cell: crawled one per line


@dataclass(slots=True)
class LegacyResult:
    cells: list[ReportCell] = field(default_factory=list)
    identities: list[Identity] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # each row's key, in form order


def read_form(tokens: Sequence[Token], region: Region) -> LegacyForm:
    """The form's rows in the shape the text kept them."""
    span = tokens[region.start : region.end]
    if any(t.glued for t in span):
        return glued_form(span)
    lines = token_lines(span)
    header_at = next(
        (i for i, line in enumerate(lines) if any(_is_header_cell(t) for t in line) and len(line) > 1),
        None,
    )
    single = sum(1 for line in lines if len(line) == 1)
    if header_at is None or (lines and single >= ONE_CELL_PER_LINE * len(lines)):
        spaced = next((i for i, line in enumerate(lines) if len(line) == 1 and _spaced_header(line[0])), None)
        if spaced is not None:
            return grid_form(lines, spaced)
        return stream_form(span)
    return grid_form(lines, header_at)


def _is_header_cell(token: Token) -> bool:
    key = match_key(token.text)
    return "指标名称" in key or "计量单位" in key or key in ("指标", "项目")


def _spaced_header(token: Token) -> bool:
    return _is_header_cell(token) and len(token.text.split()) >= 3


def parse_legacy(tokens: Sequence[Token], region: Region) -> LegacyResult:
    form = read_form(tokens, region)
    rows, cols = form.rows, form.cols
    result = LegacyResult()
    if not rows:
        return result
    keys = assign_codes([r.label for r in rows], [r.level for r in rows], [r.raw_code for r in rows])
    result.keys = keys
    result.identities = sum_identities(keys, cols)
    repair = list(result.identities)
    if any(t.kind == TokenKind.RUN for r in rows for t in r.values):
        # digits that ran together split best where the form's own 其中 sums hold; no other
        # reading is judged by them (the channels of proactive disclosure overlap)
        repair += hierarchy_identities(keys, [r.level for r in rows], cols)
    # a collapsed crawl shows itself in rows that kept two values: never two equal ones
    short = sum(1 for r in rows if 0 < len(r.values) < len(cols))
    full = [r.values for r in rows if len(r.values) >= 2]
    collapsed = form.one_per_line and len(full) >= 3 and is_collapsed_crawl(full, short)
    layout = TableLayout(
        blanks_are_data=True, trailing_padding=True, collapsed=collapsed, one_per_line=form.one_per_line
    )
    options = {
        key: readings(row.values, cols, ["any"] * len(cols), layout, [Group(len(cols))])
        for key, row in zip(keys, rows, strict=True)
    }

    # a form whose rows never print a total to date (the column left blank throughout) keeps
    # the year's value in a row of one value; where others print both, which one a row kept
    # is not known (a blank year and a blank total to date both occur): the identities or
    # nothing decide, and a cell nothing decides stays blank, with a warning
    totals_printed = any(len(r.values) >= 2 for r in rows)

    def plausibility(row: str, reading: Reading) -> float:
        values = dict(zip(cols, reading.values, strict=False))
        period, cumulative = values.get("period"), values.get("cumulative")
        if period is not None and cumulative is not None and cumulative < period:
            return 1.0  # a running total includes this period
        indicator = LEGACY_CODES.get(row)
        head_count = indicator is not None and not indicator.running  # staff: no total to date
        if head_count and cumulative is not None and len(cols) == 2:
            return 1.5
        if len(cols) == 2 and period is None and cumulative is not None:
            return 0.3 if not totals_printed else 0.0
        return 0.0

    col_map = {key: cols for key in keys}
    chosen = choose_readings("legacy", options, col_map, repair, plausibility)
    open_cells = unpinned("legacy", options, chosen, col_map, repair, plausibility)
    for key, row in zip(keys, rows, strict=True):
        reading = chosen.get(key)
        if reading is None or not row.values:
            # the form has no cells for this indicator (a half-year indicator, say)
            result.cells += [
                ReportCell("legacy", key, col, None, None, raw_label=row.raw_label, raw_code=row.raw_code)
                for col in cols
            ]
            continue
        factor = UNIT_FACTORS.get(row.unit or "") if legacy_kind(key) != "count" else None
        for col, slot in zip(cols, reading.slots, strict=False):
            value, note = slot.value, slot.note
            if (key, col) in open_cells:
                value = None
                slot = replace(slot, inferred=True)
            elif factor is not None and factor != 1 and value is not None:
                value = _scaled(value, factor)
                note = note or f"printed in {row.unit}"
            result.cells.append(
                ReportCell(
                    "legacy",
                    key,
                    col,
                    value,
                    slot.raw,
                    slot.inferred,
                    slot.where,
                    note,
                    raw_label=row.raw_label,
                    raw_code=row.raw_code,
                )
            )
        result.warnings += [f"legacy {key}: {note}" for note in reading.notes if _worth_saying(note)]
        result.warnings += [
            f"legacy {key}.{col}: {open_cells[(key, col)]}" for col in cols if (key, col) in open_cells
        ]
    return result


def _scaled(value: Number, factor: Decimal) -> Number:
    scaled = Decimal(str(value)) * factor
    return int(scaled) if scaled == scaled.to_integral_value() else float(round(scaled, 6))


def _worth_saying(note: str) -> bool:
    return note.startswith(("run-together", "extra cell", "the crawler", "split", "lost"))
