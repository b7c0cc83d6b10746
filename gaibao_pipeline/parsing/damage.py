"""Readings of rows a crawler damaged: repeated cells collapsed, blank cells dropped, numbers split.

Some crawlers write a table one cell per line and then collapse runs of identical
consecutive lines and drop empty ones, so the row 15|0|0|0|0|0|15 reads `15 0 15` and an
all-zero row reads `0`. Others break a number over two lines (`1` then `60` for 160). The
text no longer says which cells a value stood in; the template's row shape (how many
cells, which one is the total) and the identities still do. This module lists every way
the row's cells could have produced its tokens, with the fewest dropped blanks that let the
row's own total hold; `repair` lets the table's identities choose, and a cell they do not
pin stays blank with a warning (`repair.unpinned`). Each recovered cell is `inferred`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace

from gaibao_pipeline.parsing.reading import Reading, Slot
from gaibao_pipeline.parsing.splits import Group
from gaibao_pipeline.parsing.stream import Token, TokenKind
from gaibao_pipeline.parsing.values import Number, ValueKind, parse_value

COLLAPSE_PENALTY = 0.5  # reading a row as collapsed at all
BLANK_PENALTY = 1.0  # each blank cell the crawler is taken to have dropped
BLANK_TOTAL_PENALTY = 2.0  # a total taken to be left blank beside parts that are not
JOIN_PENALTY = 1.5  # each number taken to be split over two lines
MAX_JOINS = 2
MAX_EXPANSIONS = 400
_FRAGMENT = re.compile(r"^\d+$")
TOLERANCE = 1e-6


def value_runs(tokens: Sequence[Token], start: int, end: int) -> list[list[Token]]:
    """The runs of consecutive value cells between labels in tokens[start:end], up to the narrative after."""
    runs: list[list[Token]] = [[]]
    for token in tokens[start:end]:
        if token.kind == TokenKind.PARA and any(runs):
            break
        if token.is_value:
            runs[-1].append(token)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


def is_collapsed_crawl(runs: Sequence[Sequence[Token]], short_rows: int) -> bool:
    """Whether the tables' text shows the collapsing crawler: no blank cell, never two equal
    values in a row (a real table has many: 0 beside 0), and rows shorter than their template's."""
    if short_rows < 2:
        return False
    values = [t for run in runs for t in run]
    if not values or any(t.kind in (TokenKind.EMPTY, TokenKind.RUN) for t in values):
        return False
    return not any(_same(a, b) for run in runs for a, b in itertools.pairwise(run))


def _same(a: Token, b: Token) -> bool:
    return a.parsed.kind == b.parsed.kind and a.parsed.value == b.parsed.value


def joined_variants(tokens: Sequence[Token]) -> list[tuple[list[Token], list[str]]]:
    """The row's tokens as printed, then with one or two adjacent number fragments joined.

    `1` `60` may be the cell 160 split by the page's markup: the joined reading is a
    candidate the identities may prefer. Only plain digits join, never a number that starts
    with 0 (0 is a cell of its own).
    """
    out: list[tuple[list[Token], list[str]]] = [(list(tokens), [])]
    joinable = [
        i
        for i in range(len(tokens) - 1)
        if _FRAGMENT.match(tokens[i].text.strip())
        and _FRAGMENT.match(tokens[i + 1].text.strip())
        and not tokens[i].text.strip().startswith("0")
    ]
    for count in range(1, MAX_JOINS + 1):
        for chosen in itertools.combinations(joinable, count):
            if any(b - a < 2 for a, b in itertools.pairwise(chosen)):
                continue  # one number split in three is beyond this
            merged: list[Token] = []
            notes = []
            i = 0
            while i < len(tokens):
                if i in chosen:
                    a, b = tokens[i], tokens[i + 1]
                    text = a.text.strip() + b.text.strip()
                    merged.append(replace(a, text=text, parsed=parse_value(text), joined=True))
                    notes.append(f"split number {a.text.strip()!r} {b.text.strip()!r} read as {text}")
                    i += 2
                else:
                    merged.append(tokens[i])
                    i += 1
            out.append((merged, notes))
    return out


def placed_readings(
    tokens: Sequence[Token],
    kinds: Sequence[str],
    groups: Sequence[Group],
    penalty: float,
    notes: Sequence[str],
    repeats: bool,
) -> list[Reading]:
    """Every reading of the row's cells placed so that they read as `tokens`.

    Without `repeats` (a crawl that only dropped blank cells) each token is one cell and the
    other cells are blank; with `repeats` (it also collapsed runs of equal cells) a token may
    stand for several, and the fewest blanks are assumed. Only placements where each group's
    total equals its parts are kept; where there is none, all placements with the fewest
    blanks are returned (the identities then say what is wrong).
    """
    n, m = len(kinds), len(tokens)
    if m > n or any(t.kind != TokenKind.VALUE for t in tokens) or (repeats and m == n):
        return []
    if m == 0:
        blank = Slot(None, None, None, blank=True)
        return [Reading(tuple(blank for _ in kinds), penalty, tuple(notes))]
    if repeats and any(_same(a, b) for a, b in itertools.pairwise(tokens)):
        return []  # a collapsed row never shows one value twice in a row
    values = [parse_value(t.text, k).value for t, k in zip(tokens, kinds, strict=False)]
    budgets = range(0, n - m + 1) if repeats else range(n - m, n - m + 1)
    found: list[tuple[list[int | None], int, int]] = []
    # totals that hold first, then totals left blank beside their parts, then anything
    for strict, allow_blank in ((True, False), (True, True), (False, False)):
        for budget in budgets if strict else budgets[:1]:
            found = list(_placements(values, n, groups, budget, repeats, strict, allow_blank))
            if found:
                break
        if found:
            break
    shown_tokens = " ".join(t.text.strip() for t in tokens)
    what = "collapsed repeated cells and dropped blank ones" if repeats else "dropped blank cells"
    out = []
    for placement, blanks, blank_totals in found[:MAX_EXPANSIONS]:
        slots = _slots(tokens, placement, kinds)
        shown = "|".join("" if s.value is None else _text(s.value) for s in slots)
        note = f"the crawler {what}: read {shown_tokens!r} as {shown}"
        cost = penalty + (COLLAPSE_PENALTY if repeats else 0.0) + BLANK_PENALTY * blanks
        cost += BLANK_TOTAL_PENALTY * blank_totals
        out.append(Reading(tuple(slots), cost, (*notes, note), placed=True))
    return out


def _text(value: Number) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _placements(
    values: Sequence[Number | None],
    n: int,
    groups: Sequence[Group],
    budget: int,
    repeats: bool,
    strict: bool,
    blank_totals: bool = False,
) -> Iterator[tuple[list[int | None], int, int]]:
    """Assignments of the n cells to token indices (None: a dropped blank), in order.

    Tokens appear in order, each in one cell (or, with `repeats`, several), blanks anywhere,
    at most `budget` of them; with `strict`, a group with a total only where the total equals
    the sum of its parts (or, with `blank_totals`, was left blank). Yields (placement, blanks,
    blank totals).
    """
    m = len(values)
    ends = set(itertools.accumulate(g.size for g in groups))
    group_of = [g for g in groups for _ in range(g.size)]
    placement: list[int | None] = []
    count = 0

    def blank_total(end: int) -> bool | None:
        """None when the group ending at `end` breaks its total; else whether its total is blank."""
        group = group_of[end - 1]
        if not (strict and group.has_total):
            return False
        cells = [None if j is None else values[j] for j in placement[end - group.size : end]]
        total, parts = cells[-1], cells[:-1]
        if total is None:
            filled = any(p is not None for p in parts)
            return None if filled and not blank_totals else filled  # a total left blank costs
        ok = abs(float(total) - sum(float(p) for p in parts if p is not None)) < TOLERANCE
        return False if ok else None

    def walk(i: int, j: int, blanks: int, totals: int) -> Iterator[tuple[list[int | None], int, int]]:
        nonlocal count
        if count >= MAX_EXPANSIONS:
            return
        if i == n:
            if j == m - 1:
                count += 1
                yield list(placement), blanks, totals
            return
        if n - i < m - 1 - j:
            return
        options: list[int | None] = []
        if j + 1 < m:
            options.append(j + 1)
        if repeats and j >= 0:
            options.append(j)
        if blanks < budget:
            options.append(None)
        for choice in options:
            placement.append(choice)
            blank = blank_total(i + 1) if i + 1 in ends else False
            if blank is not None:
                yield from walk(
                    i + 1, j if choice is None else choice, blanks + (choice is None), totals + blank
                )
            placement.pop()

    yield from walk(0, -1, 0, 0)


def _slots(tokens: Sequence[Token], placement: Sequence[int | None], kinds: Sequence[str]) -> list[Slot]:
    """The cells of a placement: a token's first cell is read, its repeats and the blanks inferred."""
    slots = []
    seen: set[int] = set()
    anchor = tokens[0].where
    for j, kind in zip(placement, kinds, strict=True):
        if j is None:
            slots.append(Slot(None, None, anchor, inferred=True, blank=True))
            continue
        parsed = parse_value(tokens[j].text, kind)
        blank = parsed.kind in (ValueKind.BLANK, ValueKind.NOT_APPLICABLE)
        if j in seen:
            slots.append(Slot(None, parsed.value, tokens[j].where, parsed.note, inferred=True, blank=blank))
        else:
            joined = tokens[j].joined  # a number read from two fragments is a reading, not a cell
            slots.append(
                Slot(tokens[j].text, parsed.value, tokens[j].where, parsed.note, inferred=joined, blank=blank)
            )
        seen.add(j)
    return slots
