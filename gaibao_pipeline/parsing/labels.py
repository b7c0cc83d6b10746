"""Match a table label to a canonical row by meaning: wording, typos and numbering vary.

Scores run from 0 to 1. An exact key scores 1; a label that ends with the canonical words
(a group heading glued in front, as run-together text does) scores a little less; anything
else is scored by edit similarity, so 其他法律行政止公开 still finds 其他法律行政法规禁止公开.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from gaibao_pipeline.codes import RowSpec
from gaibao_pipeline.parsing.matching import match_key

MIN_SCORE = 0.8  # 不予公开 vs 予以公开 scores 0.75: headings must not pass for rows
SHORT = 3  # labels this short (其他, 总计) must match exactly and where expected


@dataclass(frozen=True, slots=True)
class LabelMatch:
    row: RowSpec
    score: float


@lru_cache(maxsize=4096)
def _variants(row: RowSpec) -> tuple[str, ...]:
    return tuple(dict.fromkeys(match_key(v) for v in (row.label, *row.aliases)))


@lru_cache(maxsize=1 << 16)
def similarity(key: str, canonical: str) -> float:
    """How well a normalised label matches a normalised canonical label.

    Cached: every report of a template repeats the same labels against the same rows, and the
    edit similarity was most of the parse of a table.
    """
    if not key or not canonical:
        return 0.0
    if key == canonical:
        return 1.0
    if len(canonical) <= SHORT:
        return 0.97 if key.endswith(canonical) and len(key) - len(canonical) <= 1 else 0.0
    if key.endswith(canonical):
        return 0.97
    if key.startswith(canonical):
        # trailing parenthetical notes ("部分公开（区分处理的…）")
        return 0.95 if len(canonical) >= 4 else 0.0
    if canonical in key:
        return 0.9 * len(canonical) / len(key) + 0.05
    if abs(len(key) - len(canonical)) > max(3, len(canonical) // 2):
        return 0.0
    return SequenceMatcher(None, key, canonical, autojunk=False).ratio()


def score_row(text: str, row: RowSpec) -> float:
    key = match_key(text)
    return max((similarity(key, v) for v in _variants(row)), default=0.0)


def best_match(text: str, rows: Iterable[RowSpec], min_score: float = MIN_SCORE) -> LabelMatch | None:
    """The best-scoring row for a label, or None when nothing matches well enough."""
    best: LabelMatch | None = None
    key = match_key(text)
    if not key:
        return None
    for row in rows:
        score = max((similarity(key, v) for v in _variants(row)), default=0.0)
        if score >= min_score and (best is None or score > best.score):
            best = LabelMatch(row, score)
    return best


@lru_cache(maxsize=4096)
def is_short(row: RowSpec) -> bool:
    return min(len(v) for v in _variants(row)) <= SHORT


def contains_any(text: str, phrases: Sequence[str]) -> bool:
    """True when the label's key contains one of the phrases (compared as keys)."""
    key = match_key(text)
    return any(match_key(p) in key for p in phrases)
