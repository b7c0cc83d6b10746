"""Choose one reading per row so that the table's identities hold as well as they can.

Each row comes with its candidate readings (`alignment.py`). Most rows have one; a row
that lost a cell or whose digits ran together has several, and the 勾稽关系 between rows
decide: the combination with the fewest violated identities wins, then the one with the
smallest penalty (fewest assumptions about the layout).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence

from gaibao_pipeline.contracts.identities import Identity, count_violations
from gaibao_pipeline.parsing.reading import Reading
from gaibao_pipeline.report import CellKey, Number

VIOLATION_WEIGHT = 10.0
EXHAUSTIVE_LIMIT = 512
PAIR_LIMIT = 400  # joint readings of two rows tried together in the local search

RowPenalty = Callable[[str, Reading], float]


def choose_readings(
    table: str,
    options: Mapping[str, Sequence[Reading]],
    cols: Mapping[str, Sequence[str]],
    identities: Sequence[Identity],
    extra_penalty: RowPenalty | None = None,
) -> dict[str, Reading]:
    """The reading of every row that best satisfies the identities."""
    rows = [r for r in options if options[r]]
    costs = _row_costs(options, extra_penalty)
    chosen = {r: min(range(len(costs[r])), key=costs[r].__getitem__) for r in rows}
    ambiguous = [r for r in rows if len(options[r]) > 1]
    if not ambiguous or not identities:
        return {r: options[r][chosen[r]] for r in rows}
    total_cost = _total_cost(table, options, cols, identities, costs)

    combinations = math.prod(len(options[r]) for r in ambiguous)
    if combinations <= EXHAUSTIVE_LIMIT:
        best, best_cost = dict(chosen), math.inf
        for combo in itertools.product(*(range(len(options[r])) for r in ambiguous)):
            trial = dict(chosen)
            trial.update(zip(ambiguous, combo, strict=True))
            cost = total_cost(trial)
            if cost < best_cost - 1e-9:
                best, best_cost = trial, cost
        chosen = best
    else:
        chosen = _descend(chosen, ambiguous, options, total_cost)
    return {r: options[r][chosen[r]] for r in rows}


def _no_penalty(_row: str, _reading: Reading) -> float:
    return 0.0


def _row_costs(
    options: Mapping[str, Sequence[Reading]], extra_penalty: RowPenalty | None
) -> dict[str, list[float]]:
    extra: RowPenalty = extra_penalty or _no_penalty
    return {r: [opt.penalty + extra(r, opt) for opt in options[r]] for r in options if options[r]}


def _total_cost(
    table: str,
    options: Mapping[str, Sequence[Reading]],
    cols: Mapping[str, Sequence[str]],
    identities: Sequence[Identity],
    costs: Mapping[str, Sequence[float]],
) -> Callable[[Mapping[str, int]], float]:
    def total_cost(choice: Mapping[str, int]) -> float:
        values = _values(table, options, cols, choice)
        violations = count_violations(values, identities)
        return VIOLATION_WEIGHT * violations + sum(costs[r][choice[r]] for r in choice)

    return total_cost


def unpinned(
    table: str,
    options: Mapping[str, Sequence[Reading]],
    chosen: Mapping[str, Reading],
    cols: Mapping[str, Sequence[str]],
    identities: Sequence[Identity],
    extra_penalty: RowPenalty | None = None,
    tolerance: float = 1e-9,
) -> dict[tuple[str, str], str]:
    """Cells of collapsed rows that the identities do not pin, each with what it could also be.

    A collapsed row's cells were placed, not read: where another placement of the same row
    is as likely (within `tolerance`) and as consistent with the identities, the cells on
    which the two differ are not known, and are left blank rather than guessed.
    """
    costs = _row_costs(options, extra_penalty)
    choice = {r: options[r].index(reading) for r, reading in chosen.items() if reading in options.get(r, ())}
    total_cost = _total_cost(table, options, cols, identities, costs)
    best = total_cost(choice)
    possible: dict[tuple[str, str], list[Number | None]] = {}
    for row, reading in chosen.items():
        if not reading.collapsed or row not in choice:
            continue
        for i, other in enumerate(options[row]):
            if other is reading or not other.collapsed or other.values == reading.values:
                continue
            if total_cost({**choice, row: i}) > best + tolerance:
                continue
            for col, mine, theirs in zip(cols[row], reading.values, other.values, strict=False):
                if mine != theirs:
                    seen = possible.setdefault((row, col), [mine])
                    if theirs not in seen:
                        seen.append(theirs)
    return {
        cell: "the crawler collapsed repeated cells and the identities do not pin this one ("
        + " or ".join("blank" if v is None else str(v) for v in values)
        + "); left blank"
        for cell, values in possible.items()
    }


def _descend(
    chosen: dict[str, int],
    ambiguous: Sequence[str],
    options: Mapping[str, Sequence[Reading]],
    total_cost: Callable[[Mapping[str, int]], float],
) -> dict[str, int]:
    """Local search: change one row, then two rows at once, until nothing improves.

    Pairs matter: a carried-over count and a carried-forward count that split two ways each
    only balance when both change together.
    """
    current = total_cost(chosen)
    for _ in range(6):
        improved = False
        for row in ambiguous:
            for i in range(len(options[row])):
                trial = {**chosen, row: i}
                cost = total_cost(trial)
                if cost < current - 1e-9:
                    chosen, current, improved = trial, cost, True
        if not improved:
            for first, second in itertools.combinations(ambiguous, 2):
                if len(options[first]) * len(options[second]) > PAIR_LIMIT:
                    continue
                for i, j in itertools.product(range(len(options[first])), range(len(options[second]))):
                    trial = {**chosen, first: i, second: j}
                    cost = total_cost(trial)
                    if cost < current - 1e-9:
                        chosen, current, improved = trial, cost, True
        if not improved:
            break
    return chosen


def _values(
    table: str,
    options: Mapping[str, Sequence[Reading]],
    cols: Mapping[str, Sequence[str]],
    choice: Mapping[str, int],
) -> dict[CellKey, Number | None]:
    values: dict[CellKey, Number | None] = {}
    for row, index in choice.items():
        for col, slot in zip(cols[row], options[row][index].slots, strict=False):
            values[(table, row, col)] = slot.value
    return values
