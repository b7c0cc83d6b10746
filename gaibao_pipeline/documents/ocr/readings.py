"""OCR readings of table cells: joined when a cell holds several text boxes, and ranked.

A value cell holds one text box, whose reading keeps a confidence per character (what lets
the identities pin one doubtful digit). A label cell may hold several boxes; its reading is
their text as the cell shows it, with the lowest of their confidences.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from gaibao_pipeline.model import OcrReading

# Chinese characters a lone digit is read as (一 for a serif 1, 〇 or 口 for 0): alone in a
# cell they are read as a value could be, never taken for a label
DIGIT_LOOKALIKES = frozenset({"一", "丨", "〇", "口", "囗"})
_NO_CHINESE = re.compile(r"^[^\u4e00-\u9fff]{1,16}$")

MARKS = frozenset("-+.")  # the thin characters of a number a reading may drop
CONFIDENT = 0.9  # a reading this sure of itself may stand for a more confident one that dropped a mark

BLANK = OcrReading("", 1.0)  # a cell without ink: certainly blank
UNREADABLE = OcrReading("", 0.0)  # a cell with ink in which nothing could be read


def looks_like_value(text: str) -> bool:
    """No Chinese (a number, or letters and symbols a digit became), or a lone digit look-alike."""
    stripped = text.strip()
    return bool(_NO_CHINESE.match(stripped)) or stripped in DIGIT_LOOKALIKES


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
    # a reading that only adds a sign or a decimal point to the best one saw a stroke the best
    # one let go (its confidence never counted the dropped minus): it is taken when sure enough
    signed = [r for r in everyone if r.confidence >= CONFIDENT and adds_marks(r.text, best.text)]
    if signed:
        best = max(signed, key=lambda r: r.confidence)
    kept: dict[str, OcrReading] = {}
    for reading in everyone:
        if reading.text != best.text and reading.text not in kept:
            kept[reading.text] = reading
    return OcrReading(best.text, best.confidence, best.char_confidences, tuple(kept.values()))


def adds_marks(longer: str, shorter: str) -> bool:
    """True when `longer` is `shorter` with one or more of - + . added."""
    if len(longer) <= len(shorter):
        return False
    rest = iter(longer)
    if not all(ch in rest for ch in shorter):
        return False
    extra = list(longer)
    for ch in shorter:
        extra.remove(ch)
    return set(extra) <= MARKS


def _bare(reading: OcrReading) -> OcrReading:
    return OcrReading(reading.text, reading.confidence, reading.char_confidences)


# no digit, no CJK, no not-applicable mark: letters and symbols only (O, U, l, □, ○, ·)
_SYMBOL_ONLY = re.compile(r"^[^\d\u4e00-\u9fff/\\\-—–－~～]+$")
_DIGITS = re.compile(r"^[+\-]?\d[\d.,]*$")


def digits_for_symbols(reading: OcrReading) -> OcrReading:
    """A cell read as letters or symbols (O, U, □, ■, ·): the digits when their readings agree,
    else unreadable (confidence 0) with every reading kept as an alternative.

    Table cells of a report hold no Latin letters; such readings are what a faint or blurred
    0 or 1 turns into. A real mark that says "not applicable" (/, —) is not one of them. A
    symbol kept as the cell's text would read as a label and cost the parser its row; an
    unreadable cell keeps its place, and the identities may pin it or choose among the
    digit readings (`parsing.ocr_repair`).
    """
    text = reading.text.strip()
    if not _SYMBOL_ONLY.match(text) and text not in DIGIT_LOOKALIKES:
        return reading
    digits = [a for a in reading.alternatives if _DIGITS.match(a.text.strip())]
    others = (_bare(reading), *(_bare(a) for a in reading.alternatives))
    if not digits or len({a.text.strip() for a in digits}) > 1:
        if text in DIGIT_LOOKALIKES and not digits:
            return reading  # 一 with no digit reading at all: a dash, as printed
        return OcrReading("", 0.0, (), others)
    best = max(digits, key=lambda a: a.confidence)
    rest = tuple(a for a in others if a.text != best.text)
    return OcrReading(best.text, best.confidence, best.char_confidences, rest)
