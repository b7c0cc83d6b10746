"""Choose one reading per row so that the table's identities hold as well as they can.

Each row comes with its candidate readings (`alignment.py`). Most rows have one; a row
that lost a cell or whose digits ran together has several, and the 勾稽关系 between rows
decide: the combination with the fewest violated identities wins, then the one with the
smallest penalty (fewest assumptions about the layout).
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

from gaibao_pipeline.contracts.identities import Identity, count_violations
from gaibao_pipeline.parsing.reading import Reading
from gaibao_pipeline.report import CellKey, Number

VIOLATION_WEIGHT = 10.0
EXHAUSTIVE_LIMIT = 512
PAIR_LIMIT = 400  # joint readings of two rows tried together in the local search
MAX_SWAP_PARTNERS = 12  # rows tried one at a time as partners of an exchange of two columns
SEARCH_BUDGET = 20_000  # changes the local search may try: a hostile table must not take minutes

RowPenalty = Callable[[str, Reading], float]


def choose_readings(
    table: str,
    options: Mapping[str, Sequence[Reading]],
    cols: Mapping[str, Sequence[str]],
    identities: Sequence[Identity],
    extra_penalty: RowPenalty | None = None,
) -> dict[str, Reading]:
    """The reading of every row that best satisfies the identities.

    Readings that differ only in which cells are blank and which are 0 are alike to every
    identity (a blank counts as 0): only the cheapest of them takes part in the search.
    """
    full = options
    options = {r: _distinct_sums(opts) for r, opts in full.items()}
    rows = [r for r in options if options[r]]
    scorer = _Scorer(table, options, cols, identities, extra_penalty)
    chosen = {r: min(range(len(scorer.costs[r])), key=scorer.costs[r].__getitem__) for r in rows}
    ambiguous = [r for r in rows if len(options[r]) > 1]
    if not ambiguous or not identities:
        return {r: options[r][chosen[r]] for r in rows}
    combinations = math.prod(len(options[r]) for r in ambiguous)
    if combinations <= EXHAUSTIVE_LIMIT:
        best, best_cost = dict(chosen), math.inf
        for combo in itertools.product(*(range(len(options[r])) for r in ambiguous)):
            trial = dict(chosen)
            trial.update(zip(ambiguous, combo, strict=True))
            cost = scorer.total(trial)
            if cost < best_cost - 1e-9:
                best, best_cost = trial, cost
        chosen = best
    else:
        chosen = _descend(chosen, ambiguous, scorer)
    return {r: options[r][chosen[r]] for r in rows}


def _no_penalty(_row: str, _reading: Reading) -> float:
    return 0.0


def _distinct_sums(readings: Sequence[Reading]) -> list[Reading]:
    """One reading per distinct set of values with blanks as 0, the cheapest (the first on a tie)."""
    best: dict[tuple[Number, ...], Reading] = {}
    for reading in readings:
        sums = tuple(v or 0 for v in reading.values)
        if sums not in best or reading.penalty < best[sums].penalty - 1e-9:
            best[sums] = reading
    return list(best.values())


class _Scorer:
    """The cost of a choice of readings, and what changing a few rows of it would cost.

    A change is judged only on the identities that involve the rows it changes, so the local
    search stays fast on tables with many ambiguous rows (a crawl that dropped blank cells).
    """

    def __init__(
        self,
        table: str,
        options: Mapping[str, Sequence[Reading]],
        cols: Mapping[str, Sequence[str]],
        identities: Sequence[Identity],
        extra_penalty: RowPenalty | None,
    ) -> None:
        extra: RowPenalty = extra_penalty or _no_penalty
        self.table, self.options, self.cols, self.identities = table, options, cols, identities
        self.costs = {r: [opt.penalty + extra(r, opt) for opt in options[r]] for r in options if options[r]}
        touching: dict[str, set[int]] = defaultdict(set)
        for n, identity in enumerate(identities):
            for _, row, _ in identity.cells:
                touching[row].add(n)
        self.touching = {row: sorted(found) for row, found in touching.items()}

    def cells(self, row: str, index: int) -> dict[CellKey, Number | None]:
        slots = self.options[row][index].slots
        return {(self.table, row, col): slot.value for col, slot in zip(self.cols[row], slots, strict=False)}

    def values(self, choice: Mapping[str, int]) -> dict[CellKey, Number | None]:
        out: dict[CellKey, Number | None] = {}
        for row, index in choice.items():
            out.update(self.cells(row, index))
        return out

    def total(self, choice: Mapping[str, int]) -> float:
        violations = count_violations(self.values(choice), self.identities)
        return VIOLATION_WEIGHT * violations + sum(self.costs[r][choice[r]] for r in choice)

    def delta(
        self, choice: Mapping[str, int], values: dict[CellKey, Number | None], changes: Mapping[str, int]
    ) -> float:
        """Cost of `choice` with `changes` applied, minus the cost of `choice` (whose cells are `values`).

        `values` is changed in place while the changed rows' identities are counted, then restored.
        """
        affected = sorted({n for row in changes for n in self.touching.get(row, ())})
        subset = [self.identities[n] for n in affected]
        before = count_violations(values, subset)
        saved: dict[CellKey, Number | None] = {}
        for row, index in changes.items():
            for key, value in self.cells(row, index).items():
                saved.setdefault(key, values.get(key))
                values[key] = value
        after = count_violations(values, subset)
        values.update(saved)
        penalty = sum(self.costs[r][i] - self.costs[r][choice[r]] for r, i in changes.items())
        return VIOLATION_WEIGHT * (after - before) + penalty


def unpinned(
    table: str,
    options: Mapping[str, Sequence[Reading]],
    chosen: Mapping[str, Reading],
    cols: Mapping[str, Sequence[str]],
    identities: Sequence[Identity],
    extra_penalty: RowPenalty | None = None,
    tolerance: float = 1e-9,
) -> dict[tuple[str, str], str]:
    """Cells of placed rows that the identities do not pin, each with what it could also be.

    Where a crawler dropped blank cells or collapsed repeated ones, a row's cells were placed,
    not read (`damage`): where another placement of the same row is as likely (within
    `tolerance`) and as consistent with the identities, the cells on which the two differ
    are not known, and are left blank rather than guessed.
    """
    scorer = _Scorer(table, options, cols, identities, extra_penalty)
    choice = {r: options[r].index(reading) for r, reading in chosen.items() if reading in options.get(r, ())}
    values = scorer.values(choice)
    possible: dict[tuple[str, str], list[Number | None]] = {}

    def note(row: str, mine: Sequence[Number | None], theirs: Sequence[Number | None]) -> None:
        for col, a, b in zip(cols[row], mine, theirs, strict=False):
            if a != b:
                seen = possible.setdefault((row, col), [a])
                if b not in seen:
                    seen.append(b)

    for row, reading in chosen.items():
        if not reading.placed or row not in choice:
            continue
        for i, other in enumerate(options[row]):
            if other is reading or not other.placed or other.values == reading.values:
                continue
            if scorer.delta(choice, values, {row: i}) <= tolerance:
                note(row, reading.values, other.values)
                continue
            # the same two columns exchanged in other rows too: the text does not say which is which
            partners = _swap_partners(row, i, choice, scorer)
            joints = [{row: i, **partners}] + [{row: i, other: j} for other, j in partners.items()]
            for joint in joints[: 1 + MAX_SWAP_PARTNERS]:
                if len(joint) > 1 and scorer.delta(choice, values, joint) <= tolerance:
                    for changed, index in joint.items():
                        note(
                            changed, options[changed][choice[changed]].values, options[changed][index].values
                        )
                    break
    return {
        cell: "the crawler dropped blank cells or collapsed repeated ones, and the identities do not pin "
        "this one (" + " or ".join("blank" if v is None else str(v) for v in values) + "); left blank"
        for cell, values in possible.items()
    }


def _swap_partners(row: str, index: int, choice: Mapping[str, int], scorer: _Scorer) -> dict[str, int]:
    """Other rows' placed readings that exchange the same two columns `row`'s reading `index` does.

    Empty when the reading is no exchange of two columns. Tried all together and one at a
    time: a joint exchange that costs nothing means neither row's placement is known.
    """
    mine, theirs = scorer.options[row][choice[row]].values, scorer.options[row][index].values
    differ = [n for n, (a, b) in enumerate(zip(mine, theirs, strict=False)) if a != b]
    if len(differ) != 2 or (mine[differ[0]], mine[differ[1]]) != (theirs[differ[1]], theirs[differ[0]]):
        return {}
    first, second = (scorer.cols[row][n] for n in differ)
    changes = {row: index}
    for other, current in choice.items():
        if other == row:
            continue
        cols = list(scorer.cols[other])
        if first not in cols or second not in cols:
            continue
        values = list(scorer.options[other][current].values)
        a, b = cols.index(first), cols.index(second)
        if values[a] == values[b]:
            continue
        values[a], values[b] = values[b], values[a]
        match = next(
            (n for n, r in enumerate(scorer.options[other]) if r.placed and list(r.values) == values), None
        )
        if match is None:
            return {}
        changes[other] = match
    return changes


def _descend(chosen: dict[str, int], ambiguous: Sequence[str], scorer: _Scorer) -> dict[str, int]:
    """Local search: change one row, then two rows at once, until nothing improves.

    Pairs matter: a carried-over count and a carried-forward count that split two ways each
    only balance when both change together.
    """
    options = scorer.options
    values = scorer.values(chosen)
    budget = SEARCH_BUDGET

    def better(changes: dict[str, int]) -> bool:
        """Try a change; keep it if it lowers the cost."""
        nonlocal budget
        budget -= 1
        if scorer.delta(chosen, values, changes) >= -1e-9:
            return False
        chosen.update(changes)
        for row, index in changes.items():
            values.update(scorer.cells(row, index))
        return True

    for _ in range(6):
        improved = False
        for row in ambiguous:
            for i in range(len(options[row])):
                if i != chosen[row] and budget > 0:
                    improved |= better({row: i})
        if not improved:
            for first, second in itertools.combinations(ambiguous, 2):
                if len(options[first]) * len(options[second]) > PAIR_LIMIT:
                    continue
                if not set(scorer.touching.get(first, ())) & set(scorer.touching.get(second, ())):
                    continue  # no identity links them: the single changes already covered it
                for i, j in itertools.product(range(len(options[first])), range(len(options[second]))):
                    if budget > 0:
                        improved |= better({first: i, second: j})
        if not improved or budget <= 0:
            break
    return chosen
