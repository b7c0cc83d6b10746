"""The 勾稽关系 of spec §4 as data: linear identities over canonical cells.

One definition serves two purposes: the parser uses them to choose between readings of a
damaged row (which cell was lost, how run-together digits split), and the checks report
them. Blank cells count as 0, except a total left blank: it is derived from its parts for
the other identities, and the identity that defines it is not evaluable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from gaibao_pipeline.codes import (
    T3_APPLICANT_COLS,
    T3_COL_CODES,
    T4_COL_CODES,
    T4_ROWS,
    t3_leaf_codes,
)
from gaibao_pipeline.report import CellKey, Number

Values = Mapping[CellKey, Number | None]
TOLERANCE = 1e-6


@dataclass(frozen=True, slots=True)
class Identity:
    """`sum(actual) relation sum(expected)`: the printed total(s) against their parts."""

    check: str  # the check id it belongs to: t3.balance, t3.results_sum, …
    scope: tuple[tuple[str, str], ...]  # what it is about: (("col", "natural_person"),) …
    actual: tuple[CellKey, ...]  # the printed total side
    expected: tuple[CellKey, ...]  # the parts
    defines: CellKey | None = None  # the total this identity defines, if it defines one
    relation: Literal["eq", "le"] = "eq"  # "le": actual <= expected (a lone 其中 part)

    @property
    def cells(self) -> tuple[CellKey, ...]:
        return self.actual + self.expected


@dataclass(frozen=True, slots=True)
class Evaluation:
    identity: Identity
    passed: bool | None  # None: not evaluable (its total was left blank)
    actual: Number
    expected: Number
    derived: bool = False  # some value used was derived from a blank total's parts


def t3_identities(split_other: bool) -> list[Identity]:
    """Row totals, then the results column sums, then the printed balance, per column."""
    leaves = t3_leaf_codes(split_other)
    rows = ("1", "2", *leaves, "3.7", "4")
    out: list[Identity] = []
    for row in rows:
        if row == "3.7":
            continue  # after the column sums, so a blank 3.7 row is derived from leaves first
        out.append(_row_total(row))
    for col in T3_COL_CODES:
        out.append(
            Identity(
                "t3.results_sum",
                (("col", col),),
                (("t3", "3.7", col),),
                tuple(("t3", leaf, col) for leaf in leaves),
                defines=("t3", "3.7", col),
            )
        )
    out.append(_row_total("3.7"))
    for col in T3_COL_CODES:
        out.append(
            Identity(
                "t3.balance",
                (("col", col),),
                (("t3", "3.7", col), ("t3", "4", col)),
                (("t3", "1", col), ("t3", "2", col)),
            )
        )
    return out


def _row_total(row: str) -> Identity:
    return Identity(
        "t3.row_total",
        (("row", row),),
        (("t3", row, "total"),),
        tuple(("t3", row, col) for col in T3_APPLICANT_COLS),
        defines=("t3", row, "total"),
    )


def t4_identities() -> list[Identity]:
    """Per block (复议, 直接起诉, 复议后起诉): total = 维持 + 纠正 + 其他 + 尚未审结."""
    return [
        Identity(
            "t4.block_total",
            (("row", spec.code),),
            (("t4", spec.code, "total"),),
            tuple(("t4", spec.code, col) for col in T4_COL_CODES[:4]),
            defines=("t4", spec.code, "total"),
        )
        for spec in T4_ROWS
    ]


def t3_repair_identities(split_other: bool) -> list[Identity]:
    """Identities that hold in a consistent table but are not checks of their own.

    Row 1 + row 2 = the leaf rows + row 4 follows from the balance and the column sums; it
    still holds when the printed 3.7 row is wrong, so it helps to place a lost cell there.
    """
    leaves = t3_leaf_codes(split_other)
    return [
        Identity(
            "t3.leaves_balance",
            (("col", col),),
            (*(("t3", leaf, col) for leaf in leaves), ("t3", "4", col)),
            (("t3", "1", col), ("t3", "2", col)),
        )
        for col in T3_COL_CODES
    ]


def resolve_blank_totals(
    values: Values, identities: Sequence[Identity]
) -> tuple[dict[CellKey, Number | None], set[CellKey]]:
    """Values with every blank total replaced by the sum of its parts; the derived keys."""
    resolved: dict[CellKey, Number | None] = dict(values)
    derived: set[CellKey] = set()
    for identity in identities:
        key = identity.defines
        if key is None or values.get(key) is not None or key in derived:
            continue
        resolved[key] = _sum(resolved, identity.expected)
        derived.add(key)
    return resolved, derived


def evaluate(values: Values, identities: Sequence[Identity]) -> list[Evaluation]:
    """Evaluate every identity under the blank-total rule of spec §4."""
    resolved, derived = resolve_blank_totals(values, identities)
    results: list[Evaluation] = []
    for identity in identities:
        actual = _sum(resolved, identity.actual)
        expected = _sum(resolved, identity.expected)
        if identity.defines is not None and identity.defines in derived:
            results.append(Evaluation(identity, None, actual, expected, derived=True))
            continue
        if identity.relation == "le":
            passed = actual <= expected + TOLERANCE
        else:
            passed = abs(actual - expected) <= TOLERANCE
        uses_derived = any(k in derived for k in identity.cells)
        results.append(Evaluation(identity, passed, actual, expected, derived=uses_derived))
    return results


def count_violations(values: Values, identities: Iterable[Identity]) -> int:
    """How many identities fail with every blank read as 0: the parser's consistency measure.

    Stricter than the checks on purpose: a reading must not look consistent merely
    because it left a total blank.
    """
    count = 0
    for identity in identities:
        actual = _sum(values, identity.actual)
        expected = _sum(values, identity.expected)
        if identity.relation == "le":
            count += actual > expected + TOLERANCE
        else:
            count += abs(actual - expected) > TOLERANCE
    return count


def _sum(values: Mapping[CellKey, Number | None], keys: Iterable[CellKey]) -> Number:
    total: Number = 0
    for key in keys:
        value = values.get(key)
        if value is not None:
            total += value
    return round(total, 6) if isinstance(total, float) else total
