"""OCR readings of table cells: joined when a cell holds several text boxes, and ranked.

A value cell holds one text box, whose reading keeps a confidence per character (what lets
the identities pin one doubtful digit). A label cell may hold several boxes; its reading is
their text as the cell shows it, with the lowest of their confidences.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from gaibao_pipeline.model import OcrReading

BLANK = OcrReading("", 1.0)  # a cell without ink: certainly blank
UNREADABLE = OcrReading("", 0.0)  # a cell with ink in which nothing could be read


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


# no digit, no CJK, no not-applicable mark: letters and symbols only (O, U, l, □, ○, ·)
_SYMBOL_ONLY = re.compile(r"^[^\d\u4e00-\u9fff/\\\-—–－~～]+$")
_DIGITS = re.compile(r"^[+\-]?\d[\d.,]*$")


def digits_for_symbols(reading: OcrReading) -> OcrReading:
    """A cell read as letters or symbols (O, U, □, ·) where digit decodings agree: the digits.

    Table cells of a report hold no Latin letters; such readings are what a faint or blurred
    0 or 1 turns into. A real mark that says "not applicable" (/, —) is not one of them. The
    symbol stays as an alternative and the confidence is the digits' own, low: the
    identities still check it.
    """
    if not _SYMBOL_ONLY.match(reading.text.strip()):
        return reading
    digits = [a for a in reading.alternatives if _DIGITS.match(a.text.strip())]
    if not digits or len({a.text.strip() for a in digits}) > 1:
        return reading  # no digit, or readings that disagree: the cell stays unread, and is reported
    best = max(digits, key=lambda a: a.confidence)
    others = [_bare(reading), *(a for a in reading.alternatives if a is not best)]
    return OcrReading(best.text, best.confidence, best.char_confidences, tuple(others))
