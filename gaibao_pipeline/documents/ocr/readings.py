"""OCR readings of table cells: joined when a cell holds several text boxes, and ranked.

A value cell holds one text box, whose reading keeps a confidence per character (what lets
the identities pin one doubtful digit). A label cell may hold several boxes; its reading is
their text as the cell shows it, with the lowest of their confidences.
"""

from __future__ import annotations

from collections.abc import Sequence

from gaibao_pipeline.model import OcrReading

BLANK = OcrReading("", 1.0)  # a cell without ink: certainly blank


def joined(text: str, parts: Sequence[OcrReading]) -> OcrReading:
    """The reading of a cell whose text was assembled from several boxes' readings."""
    if not parts:
        return BLANK if not text.strip() else OcrReading(text, 0.0)
    if len(parts) == 1 and parts[0].text == text:
        return parts[0]
    confidence = min(p.confidence for p in parts)
    return OcrReading(text, confidence, alternatives=())


def with_alternatives(first: OcrReading, others: Sequence[OcrReading]) -> OcrReading:
    """The most confident of the readings, keeping the differing others as its alternatives."""
    everyone = [_bare(first), *(_bare(r) for r in first.alternatives), *(_bare(r) for r in others)]
    best = max(everyone, key=lambda r: r.confidence)
    kept: dict[str, OcrReading] = {}
    for reading in everyone:
        if reading.text != best.text and reading.text not in kept:
            kept[reading.text] = reading
    return OcrReading(best.text, best.confidence, best.char_confidences, tuple(kept.values()))


def _bare(reading: OcrReading) -> OcrReading:
    return OcrReading(reading.text, reading.confidence, reading.char_confidences)
