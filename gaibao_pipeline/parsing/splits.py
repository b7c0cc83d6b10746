"""Split digits that ran together (`713000074`) back into cells.

A run has lost its separators, so every way of cutting it into the row's cells is a
candidate. Cells never have leading zeros (`07` is two cells), a decimal number stays
whole, and where the row has a total (t3 rows, t4 blocks) only cuts whose total equals the
sum of its parts survive. What remains is ranked later by the table's identities; the
prior here (`split_prior`) only breaks ties that no identity decides.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

MAX_DIGITS = 9  # no count in these tables has more digits than this
MAX_CANDIDATES = 4000  # cuts kept per row: a hostile run of digits must not explode

_PIECE = re.compile(r"[+\-]?\d+(?:\.\d+)?")


@dataclass(frozen=True, slots=True)
class Group:
    """Consecutive cells of a row; with `has_total`, the last one is the sum of the others."""

    size: int
    has_total: bool = False


def atoms(runs: Sequence[str]) -> list[list[str]]:
    """Each run as a list of indivisible pieces: single digits, or a whole decimal tail."""
    out: list[list[str]] = []
    for run in runs:
        pieces: list[str] = []
        for match in _PIECE.finditer(run.replace("−", "-").replace("－", "-").replace("＋", "+")):
            text = match.group(0)
            sign = text[0] if text[0] in "+-" else ""
            whole, _, frac = text[len(sign) :].partition(".")
            digits = list(whole)
            digits[0] = sign + digits[0]  # a sign stays with the first digit of its number
            pieces.extend(digits[:-1])
            pieces.append(digits[-1] + ("." + frac if frac else ""))
        if pieces:
            out.append(pieces)
    return out


def _valid(part: str) -> bool:
    whole = part.lstrip("+-").split(".")[0]
    if len(whole) > MAX_DIGITS:
        return False
    return not (len(whole) > 1 and whole.startswith("0"))


class _Cutter:
    """Cuts of a flat list of atoms; a cell never spans a boundary between two runs."""

    def __init__(self, flat: list[str], forced: set[int]) -> None:
        self.flat = flat
        self.forced = forced

    def part(self, i: int, j: int) -> str | None:
        """Atoms i..j as one cell, or None when that is not a possible cell."""
        if any(f in self.forced for f in range(i + 1, j)):
            return None
        text = "".join(self.flat[i:j])
        return text if _valid(text) else None

    def free(self, start: int, k: int, max_end: int) -> Iterator[tuple[list[str], int]]:
        """k cells from `start`, ending anywhere up to `max_end`."""
        if k == 0:
            yield [], start
            return
        for end in range(start + 1, max_end - (k - 1) + 1):
            text = self.part(start, end)
            if text is None:
                if end - start > 1:
                    break  # longer cells fail the same way (leading zero, a boundary, too long)
                continue
            for rest, stop in self.free(end, k - 1, max_end):
                yield [text, *rest], stop

    def summing(self, start: int, end: int, k: int, target: float) -> Iterator[list[str]]:
        """k cells covering exactly atoms start..end whose values add up to `target`."""
        if k == 0:
            if start == end and abs(target) < 1e-9:
                yield []
            return
        if k == 1:
            text = self.part(start, end)
            if text is not None and abs(float(text) - target) < 1e-9:
                yield [text]
            return
        for stop in range(start + 1, end - (k - 1) + 1):
            text = self.part(start, stop)
            if text is None:
                if stop - start > 1:
                    break
                continue
            value = float(text)
            if value > target + 1e-9 and value >= 0:
                break  # counts are not negative: a longer first cell only grows
            for rest in self.summing(stop, end, k - 1, target - value):
                yield [text, *rest]


def split_runs(runs: Sequence[str], groups: Sequence[Group], enforce_totals: bool = True) -> list[list[str]]:
    """Every way to cut the runs into the groups' cells (each run gives at least one cell)."""
    pieces = atoms(runs)
    flat: list[str] = []
    forced: set[int] = set()
    for run in pieces:
        flat.extend(run)
        forced.add(len(flat))
    n = sum(g.size for g in groups)
    if not flat or len(flat) < n:
        return []
    cutter = _Cutter(flat, forced)
    results: list[list[str]] = []

    def walk(index: int, start: int, acc: list[str]) -> None:
        if len(results) >= MAX_CANDIDATES:
            return
        if index == len(groups):
            if start == len(flat):
                results.append(acc)
            return
        group = groups[index]
        later = sum(g.size for g in groups[index + 1 :])
        max_end = len(flat) - later
        if not (enforce_totals and group.has_total):
            for parts, end in cutter.free(start, group.size, max_end):
                walk(index + 1, end, acc + parts)
                if len(results) >= MAX_CANDIDATES:
                    return
            return
        # the total is the group's last cell: choose where the group ends and how long the
        # total is, then only cuts of the rest that add up to it
        last = index == len(groups) - 1
        for end in range(start + group.size, max_end + 1):
            if last and end != len(flat):
                continue
            for length in range(1, min(MAX_DIGITS, end - start - group.size + 1) + 1):
                total = cutter.part(end - length, end)
                if total is None:
                    continue
                for parts in cutter.summing(start, end - length, group.size - 1, float(total)):
                    walk(index + 1, end, [*acc, *parts, total])
                    if len(results) >= MAX_CANDIDATES:
                        return

    walk(0, 0, [])
    return results


def split_prior(parts: Sequence[str]) -> tuple[int, float]:
    """Tie-breaker among cuts no identity decides: balanced digit counts, then small numbers.

    Figures in one row of these tables are usually of similar size; among equally
    balanced cuts, the one with the smaller numbers is the likelier reading.
    """
    longest = max((len(p.lstrip("+-").split(".")[0]) for p in parts), default=0)
    size = sum(math.log10(abs(float(p)) + 1) for p in parts)
    return longest, size
