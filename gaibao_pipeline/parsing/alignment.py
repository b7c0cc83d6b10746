"""Every plausible reading of one row's value cells, each with a penalty.

A row's label is followed by more or fewer cells than the template has columns when
merged-cell slots were emitted as empty cells, when a crawler padded the row, when a page
break lost or duplicated a cell, or when digits ran together. Rather than guess, this
module lists the readings (which empties are structure, which cell was lost, how digits
split) and `repair.py` keeps the one the table's identities agree with.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from gaibao_pipeline.model import Provenance
from gaibao_pipeline.parsing.damage import JOIN_PENALTY, MAX_JOINS, joined_variants, placed_readings
from gaibao_pipeline.parsing.reading import Reading, Slot
from gaibao_pipeline.parsing.splits import Group, split_prior, split_runs
from gaibao_pipeline.parsing.stream import Token, TokenKind
from gaibao_pipeline.parsing.values import Number, ValueKind, parse_value

INSERT_PENALTY = 4.0  # a cell the document lost, filled from the identities
DELETE_PENALTY = 4.0  # a cell too many, dropped
AGAINST_LAYOUT = 3.0  # reading an empty as data where the table uses empties as structure
MISPLACED = 0.4  # a value read into a column other rows of the table do not use for it
MAX_READINGS = 400
KEEP_READINGS = 60


@dataclass(frozen=True, slots=True)
class TableLayout:
    """How a table's text uses empty cells, learnt from all its rows."""

    blanks_are_data: bool = True  # some rows have blank cells between numbers
    trailing_padding: bool = False  # rows carry extra empty cells after their values
    leading_structure: bool = False  # rows carry empty merged-cell slots before their values
    columns: tuple[int | None, ...] = ()  # the grid column each value column sits in, where consistent
    collapsed: bool = False  # the crawler collapsed repeated cells and dropped blank ones (`damage`)
    one_per_line: bool = False  # one cell per line: a blank cell leaves no line (`damage`)


def learn_layout(rows: Sequence[Sequence[Token]], width: int, collapsed: bool = False) -> TableLayout:
    """Infer the table's use of empties, and its value columns, from its unambiguous rows."""
    interior = trailing = leading = 0
    placed: list[list[int | None]] = []
    values = [t for tokens in rows for t in tokens]
    for tokens in rows:
        kinds = [t.kind for t in tokens]
        filled = [i for i, k in enumerate(kinds) if k != TokenKind.EMPTY]
        if not filled:
            if len(kinds) >= width:
                interior += 1  # a whole row left blank: blanks are data here
            continue
        first, last = filled[0], filled[-1]
        core = kinds[first : last + 1]
        if TokenKind.EMPTY in core:
            interior += 1
        if len(core) == width:
            if last < len(kinds) - 1:
                trailing += 1
            if first > 0:
                leading += 1
            placed.append([t.where.col for t in tokens[first : last + 1]])
    return TableLayout(
        blanks_are_data=interior > 0,
        trailing_padding=trailing >= 2,
        leading_structure=leading >= 2,
        columns=_consistent_columns(placed, width),
        collapsed=collapsed,
        one_per_line=bool(values) and all(_own_line(t) for t in values),
    )


def _own_line(token: Token) -> bool:
    """A value alone on its line: a crawl that writes one cell per line (text with no separators)."""
    return token.alone and token.kind != TokenKind.RUN


def _consistent_columns(placed: list[list[int | None]], width: int) -> tuple[int | None, ...]:
    """Per value column, the grid column most rows put it in, if at least 70% of them agree."""
    if len(placed) < 3:
        return ()
    columns: list[int | None] = []
    for i in range(width):
        seen = Counter(row[i] for row in placed if row[i] is not None)
        if not seen:
            columns.append(None)
            continue
        col, count = seen.most_common(1)[0]
        columns.append(col if count >= 0.7 * len(placed) else None)
    return tuple(columns) if any(c is not None for c in columns) else ()


def readings(
    tokens: Sequence[Token],
    cols: Sequence[str],
    kinds: Sequence[str],
    layout: TableLayout,
    groups: Sequence[Group],
) -> list[Reading]:
    """The candidate readings of a row's value tokens, solved within their own row."""
    if any(t.kind == TokenKind.RUN for t in tokens):
        found = _run_readings(tokens, kinds, groups)
    else:
        damaged = _damaged_readings(tokens, kinds, layout, groups)
        # a crawl that writes one cell per line drops blank cells: a short row is placed, not
        # a row that lost cells to a page break
        placed_only = damaged and len(tokens) < len(cols) and (layout.collapsed or layout.one_per_line)
        found = damaged if placed_only else _cell_readings(tokens, len(cols), kinds, layout) + damaged
    solved = [r for r in (_solve_row(r, groups) for r in found) if r is not None]
    # the cheapest readings are enough to choose from; a hostile row must not give thousands.
    # Placements are kept whole (bounded by `damage`): which of them tie says what is not known
    kept = _dedupe(solved or found)
    return kept if kept and all(r.placed for r in kept) else kept[:KEEP_READINGS]


def _damaged_readings(
    tokens: Sequence[Token], kinds: Sequence[str], layout: TableLayout, groups: Sequence[Group]
) -> list[Reading]:
    """Readings that join numbers split over two lines and, where a crawl writes one cell per
    line, place the values among the blank cells it dropped (and the repeats it collapsed)."""
    out: list[Reading] = []
    if len(tokens) == len(kinds):
        return out  # as many cells as columns: no sign of damage
    variants = joined_variants(tokens)
    # the fewest joins that let the row's own totals hold, and one more (the table's identities
    # choose): a number is taken to be split only where that is needed
    held_at: int | None = None
    for joins in range(MAX_JOINS + 1):
        if held_at is not None and joins > held_at + 1:
            break
        for variant, notes in (v for v in variants if len(v[1]) == joins):
            penalty = JOIN_PENALTY * joins
            if notes and len(variant) == len(kinds):
                slots = [_slot(t, kd) for t, kd in zip(variant, kinds, strict=True)]
                out.append(_reading(slots, penalty, layout, "; ".join(notes)))
            elif (layout.collapsed or layout.one_per_line) and len(variant) < len(kinds):
                out += placed_readings(variant, kinds, groups, penalty, notes, repeats=layout.collapsed)
        if held_at is None and any(_totals_hold(r, groups) for r in out):
            held_at = joins
    if held_at is not None:
        out = [r for r in out if _totals_hold(r, groups)]
    return out


def _totals_hold(reading: Reading, groups: Sequence[Group]) -> bool:
    """Whether each group's printed total equals the sum of its parts in this reading."""
    start = 0
    for group in groups:
        cells = reading.slots[start : start + group.size]
        start += group.size
        if not group.has_total:
            continue
        total = cells[-1].value
        if total is None or abs(total - sum(s.value or 0 for s in cells[:-1])) > 1e-6:
            return False
    return True


def _slot(token: Token, kind: str) -> Slot:
    parsed = parse_value(token.text, kind)
    blank = parsed.kind in (ValueKind.BLANK, ValueKind.NOT_APPLICABLE)
    # a number joined from two fragments (`damage`) is inferred: the text never showed it whole
    return Slot(token.text, parsed.value, token.where, parsed.note, inferred=token.joined, blank=blank)


def _missing(where: Provenance | None) -> Slot:
    return Slot(None, None, where, inferred=True)


def _cell_readings(
    tokens: Sequence[Token], n: int, kinds: Sequence[str], layout: TableLayout
) -> list[Reading]:
    m = len(tokens)
    empty = [t.kind == TokenKind.EMPTY for t in tokens]
    lead = next((i for i, e in enumerate(empty) if not e), m)
    trail = next((i for i, e in enumerate(reversed(empty)) if not e), 0) if lead < m else 0
    anchor = tokens[0].where if tokens else None
    exact: list[Reading] = []
    repaired: list[Reading] = []
    for a in range(lead + 1):
        for b in range(min(trail, m - a) + 1):
            core = list(tokens[a : m - b])
            penalty = a * 0.5 + b * 0.2
            if a < lead and layout.leading_structure and core:
                penalty += AGAINST_LAYOUT
            if b < trail and layout.trailing_padding and core:
                penalty += AGAINST_LAYOUT
            k = len(core)
            if k == n:
                exact.append(
                    _reading([_slot(t, kd) for t, kd in zip(core, kinds, strict=True)], penalty, layout)
                )
            elif n - 2 <= k < n:
                for positions in itertools.combinations(range(n), n - k):
                    slots: list[Slot] = []
                    rest = iter(core)
                    for i in range(n):
                        slots.append(_missing(anchor) if i in positions else _slot(next(rest), kinds[i]))
                    note = "lost cell(s) at " + ", ".join(str(p) for p in positions)
                    repaired.append(_reading(slots, penalty + INSERT_PENALTY * (n - k), layout, note))
            elif k == n + 1:
                for drop in range(k):
                    kept = core[:drop] + core[drop + 1 :]
                    cost = DELETE_PENALTY / 2 if core[drop].kind == TokenKind.EMPTY else DELETE_PENALTY
                    slots = [_slot(t, kd) for t, kd in zip(kept, kinds, strict=True)]
                    repaired.append(
                        _reading(slots, penalty + cost, layout, f"extra cell {core[drop].text!r} dropped")
                    )
            if len(exact) + len(repaired) > MAX_READINGS:
                break
    # a reading that needs no repair and fits the table's layout is the reading: identities
    # may only choose among repairs when the cells as printed do not fit
    if any(r.penalty < AGAINST_LAYOUT for r in exact):
        return exact
    if exact or repaired:
        return exact + repaired
    # far fewer or more cells than columns: read what is there, in order, and say so
    slots = [_slot(t, kd) for t, kd in zip(tokens, kinds, strict=False)]
    slots += [_missing(anchor) for _ in range(n - len(slots))]
    return [Reading(tuple(slots), INSERT_PENALTY * 3, (f"{m} cells for {n} columns",))]


def _reading(slots: list[Slot], penalty: float, layout: TableLayout, note: str | None = None) -> Reading:
    if not layout.blanks_are_data:
        penalty += AGAINST_LAYOUT * sum(
            1 for s in slots if s.blank and s.raw is not None and not s.raw.strip()
        )
    for slot, expected in zip(slots, layout.columns, strict=False):
        # a cell read into a column other than the one the table's other rows use
        if (
            expected is not None
            and not slot.inferred
            and slot.where is not None
            and slot.where.col is not None
        ):
            penalty += MISPLACED * (slot.where.col != expected)
    return Reading(tuple(slots), penalty, (note,) if note else ())


def _run_readings(tokens: Sequence[Token], kinds: Sequence[str], groups: Sequence[Group]) -> list[Reading]:
    runs = [t for t in tokens if t.kind == TokenKind.RUN]
    texts = [t.text for t in runs]
    cuts = split_runs(texts, groups) or split_runs(texts, groups, enforce_totals=False)
    where = runs[0].where
    if not cuts:
        # fewer digits than cells: keep the digits we have, the rest is lost
        slots = [Slot(p, parse_value(p, kd).value, where) for p, kd in zip(texts, kinds, strict=False)]
        slots += [_missing(where) for _ in range(len(kinds) - len(slots))]
        return [Reading(tuple(slots), INSERT_PENALTY * 3, (f"digits {''.join(texts)} too few for the row",))]
    ranked = sorted(cuts, key=split_prior)
    out = []
    for parts in ranked:
        slots = []
        for part, kind in zip(parts, kinds, strict=True):
            parsed = parse_value(part, kind)
            slots.append(Slot(part, parsed.value, where, parsed.note))
        note = f"run-together digits {' '.join(texts)} read as {'|'.join(parts)}"
        longest, size = split_prior(parts)
        prior = 0.1 * longest + 0.01 * size  # only breaks ties that no identity decides
        out.append(Reading(tuple(slots), prior, (note,) if len(ranked) > 1 or len(parts) > 1 else ()))
    return out


def _solve_row(reading: Reading, groups: Sequence[Group]) -> Reading | None:
    """Fill a lost cell from its group's total; None when the reading cannot hold."""
    slots = list(reading.slots)
    start = 0
    for group in groups:
        cells = slots[start : start + group.size]
        unknown = [i for i, s in enumerate(cells) if s.inferred and s.value is None and not s.blank]
        if group.has_total and len(unknown) == 1:
            i = unknown[0]
            parts = [s.value or 0 for s in cells[:-1]]
            if i == group.size - 1:
                value: Number = sum(parts)
            else:
                total = cells[-1].value
                if total is None:
                    start += group.size
                    continue
                value = total - sum(p for j, p in enumerate(parts) if j != i)
                if value < 0:
                    return None  # the lost cell cannot have been here
            slots[start + i] = replace(cells[i], value=_tidy(value))
        start += group.size
    return replace(reading, slots=tuple(slots))


def _tidy(value: Number) -> Number:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _dedupe(found: list[Reading]) -> list[Reading]:
    """One reading per distinct set of values, the cheapest.

    Where a lost cell could have been at several places with the same outcome (a row of
    zeros), the latest place is kept: it is where a page break usually cuts a row.
    """
    best: dict[tuple[Number | None, ...], Reading] = {}
    for reading in found:
        kept = best.get(reading.values)
        if (
            kept is None
            or reading.penalty < kept.penalty - 1e-9
            or (abs(reading.penalty - kept.penalty) < 1e-9 and _inferred_last(reading) > _inferred_last(kept))
        ):
            best[reading.values] = reading
    return sorted(best.values(), key=lambda r: r.penalty)


def _inferred_last(reading: Reading) -> int:
    return max((i for i, s in enumerate(reading.slots) if s.inferred), default=-1)
