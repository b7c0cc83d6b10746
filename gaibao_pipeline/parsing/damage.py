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
                    merged.append(replace(a, text=text, parsed=parse_value(text)))
                    notes.append(f"split number {a.text.strip()!r} {b.text.strip()!r} read as {text}")
                    i += 2
                else:
                    merged.append(tokens[i])
                    i += 1
            out.append((merged, notes))
    return out


def collapsed_readings(
    tokens: Sequence[Token],
    kinds: Sequence[str],
    groups: Sequence[Group],
    penalty: float,
    notes: Sequence[str],
) -> list[Reading]:
    """Every reading of the row's cells as collapsed into `tokens`, with the fewest dropped blanks.

    Where no way of placing the tokens lets each group's total equal its parts, the ways
    with no blank at all are returned anyway (the identities then say what is wrong).
    """
    n = len(kinds)
    m = len(tokens)
    if m == 0 or m >= n or any(t.kind != TokenKind.VALUE for t in tokens):
        return []
    if any(_same(a, b) for a, b in itertools.pairwise(tokens)):
        return []  # a collapsed row never shows one value twice in a row
    values = [parse_value(t.text, k).value for t, k in zip(tokens, kinds, strict=False)]
    found: list[tuple[list[int | None], int]] = []
    for budget in range(0, n - m + 1):
        found = list(_placements(values, n, groups, budget, strict=True))
        if found:
            break
    if not found:
        found = list(_placements(values, n, groups, 0, strict=False))
    out = []
    for placement, blanks in found[:MAX_EXPANSIONS]:
        slots = _slots(tokens, placement, kinds)
        shown = "|".join("" if s.value is None else _text(s.value) for s in slots)
        note = f"collapsed: read {' '.join(t.text.strip() for t in tokens)!r} as {shown}"
        out.append(
            Reading(
                tuple(slots),
                penalty + COLLAPSE_PENALTY + BLANK_PENALTY * blanks,
                (*notes, note),
                collapsed=True,
            )
        )
    return out


def _text(value: Number) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _placements(
    values: Sequence[Number | None], n: int, groups: Sequence[Group], budget: int, strict: bool
) -> Iterator[tuple[list[int | None], int]]:
    """Assignments of the n cells to token indices (None: a dropped blank), in order.

    Tokens appear in order, each in one or more cells (its repeats), blanks anywhere; with
    `strict`, a group with a total only where the total equals the sum of its parts.
    """
    m = len(values)
    ends = set(itertools.accumulate(g.size for g in groups))
    group_of = [g for g in groups for _ in range(g.size)]
    placement: list[int | None] = []
    count = 0

    def group_ok(end: int) -> bool:
        group = group_of[end - 1]
        if not (strict and group.has_total):
            return True
        cells = [None if j is None else values[j] for j in placement[end - group.size : end]]
        total, parts = cells[-1], cells[:-1]
        if total is None:
            return all(p is None for p in parts)
        return abs(float(total) - sum(float(p) for p in parts if p is not None)) < TOLERANCE

    def walk(i: int, j: int, blanks: int) -> Iterator[tuple[list[int | None], int]]:
        nonlocal count
        if count >= MAX_EXPANSIONS:
            return
        if i == n:
            if j == m - 1:
                count += 1
                yield list(placement), blanks
            return
        if n - i < m - 1 - j:
            return
        options: list[int | None] = []
        if j + 1 < m:
            options.append(j + 1)
        if j >= 0:
            options.append(j)
        if blanks < budget:
            options.append(None)
        for choice in options:
            placement.append(choice)
            if i + 1 not in ends or group_ok(i + 1):
                yield from walk(i + 1, j if choice is None else choice, blanks + (choice is None))
            placement.pop()

    yield from walk(0, -1, 0)


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
            slots.append(Slot(tokens[j].text, parsed.value, tokens[j].where, parsed.note, blank=blank))
        seen.add(j)
    return slots
