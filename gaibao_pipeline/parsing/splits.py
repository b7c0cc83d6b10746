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
MAX_CANDIDATES = 20000

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


def _value(part: str) -> float:
    return float(part)


def split_runs(runs: Sequence[str], groups: Sequence[Group], enforce_totals: bool = True) -> list[list[str]]:
    """Every way to cut the runs into the groups' cells (each run gives at least one cell)."""
    pieces = atoms(runs)
    n = sum(g.size for g in groups)
    # a boundary between runs is a known separator: cuts must fall there
    forced: set[int] = set()
    flat: list[str] = []
    for run in pieces:
        flat.extend(run)
        forced.add(len(flat))
    if len(flat) < n or not flat:
        return []
    results: list[list[str]] = []

    def cells_from(start: int, remaining: int) -> Iterator[tuple[str, int]]:
        """Next cell starting at `start`, leaving room for `remaining` more cells."""
        for end in range(start + 1, len(flat) - remaining + 1):
            part = "".join(flat[start:end])
            if not _valid(part):
                break
            yield part, end
            if end in forced:
                break  # a cell cannot span a known separator

    def walk(group_index: int, start: int, acc: list[str]) -> None:
        if len(results) >= MAX_CANDIDATES:
            return
        if group_index == len(groups):
            if start == len(flat):
                results.append(list(acc))
            return
        group = groups[group_index]
        after = sum(g.size for g in groups[group_index + 1 :])

        def fill(k: int, pos: int) -> None:
            if len(results) >= MAX_CANDIDATES:
                return
            cells_left = group.size - k
            if cells_left == 0:
                if enforce_totals and group.has_total:
                    parts = acc[len(acc) - group.size : len(acc) - 1]
                    if not math.isclose(sum(_value(p) for p in parts), _value(acc[-1]), abs_tol=1e-6):
                        return
                walk(group_index + 1, pos, acc)
                return
            if enforce_totals and group.has_total and cells_left == 1:
                # the total is determined: only its own digits can follow
                total = sum(_value(p) for p in acc[len(acc) - k :])
                text = _format_total(total)
                end = pos + len(atoms([text])[0]) if text else pos
                fits = "".join(flat[pos:end]) == text and not any(f in forced for f in range(pos + 1, end))
                if fits:
                    acc.append(text)
                    fill(k + 1, end)
                    acc.pop()
                return
            for part, end in cells_from(pos, cells_left - 1 + after):
                acc.append(part)
                fill(k + 1, end)
                acc.pop()

        fill(0, start)

    walk(0, 0, [])
    return results


def _format_total(total: float) -> str:
    if math.isclose(total, round(total), abs_tol=1e-9):
        return str(round(total))
    return repr(round(total, 6))


def split_prior(parts: Sequence[str]) -> tuple[int, float]:
    """Tie-breaker among cuts no identity decides: balanced digit counts, then small numbers.

    Figures in one row of these tables are usually of similar size; among equally
    balanced cuts, the one with the smaller numbers is the likelier reading.
    """
    longest = max((len(p.lstrip("+-").split(".")[0]) for p in parts), default=0)
    size = sum(math.log10(abs(_value(p)) + 1) for p in parts)
    return longest, size
