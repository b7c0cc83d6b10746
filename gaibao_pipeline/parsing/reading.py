"""A reading of one table row: the canonical cells its tokens are taken to be, and at what cost.

`alignment` and `damage` list the readings of a row; `repair` chooses among them with the
table's identities. A reading's penalty counts what it had to assume about the document
(a cell lost, an empty slot that is structure, a number split over two lines).
"""

from __future__ import annotations

from dataclasses import dataclass

from gaibao_pipeline.model import Provenance
from gaibao_pipeline.parsing.values import Number


@dataclass(frozen=True, slots=True)
class Slot:
    """One canonical cell in a reading."""

    raw: str | None
    value: Number | None
    where: Provenance | None
    note: str | None = None
    inferred: bool = False  # not in the document: filled from the identities (or left None)
    blank: bool = False  # an empty cell read as a blank value


@dataclass(frozen=True, slots=True)
class Reading:
    slots: tuple[Slot, ...]
    penalty: float
    notes: tuple[str, ...] = ()
    placed: bool = False  # cells placed, not read: the crawler dropped blank cells or collapsed repeats

    @property
    def values(self) -> tuple[Number | None, ...]:
        return tuple(s.value for s in self.slots)
