"""Tables that survive only as lines of text: `规章 0 5 5`, or a label line then its numbers.

Text copied from a PDF, a PDF whose tables have no vertical rules, or a page flattened one
cell per line keeps a table's rows as lines: a label followed by numbers separated by
spaces, or the numbers on lines of their own. A run of such lines, among short label lines,
is a table; a sentence that merely ends in a number is not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# a cell value on its own: a number (maybe signed, with a unit) or a not-applicable mark
_VALUE_TOKEN = re.compile(
    r"^(?:(?:增加?|减少?|[+＋\-－−])?\d[\d,]*(?:[.．]\d+)?(?:亿元|万元|元|件|条|个|项|次)?|[/／—–\-－]{1,4}|无)$"
)
MAX_LABEL_LINE = 40  # a label line inside a table; longer lines are narrative
MIN_VALUE_LINES = 3  # short lines become a table only with this many lines of values


def spaced_cells(text: str) -> list[str] | None:
    """A line of values, or a label followed by values, separated by spaces; else None."""
    parts = text.split()
    values = 0
    while values < len(parts) and _VALUE_TOKEN.match(parts[len(parts) - 1 - values]):
        values += 1
    if values == 0:
        return None
    label = " ".join(parts[: len(parts) - values])
    if label and (len(label) > 2 * MAX_LABEL_LINE or not re.search(r"[\u4e00-\u9fff]", label)):
        return None
    if label and values < 2 and not re.search(r"[\u4e00-\u9fff]$", label):
        return None
    if label and re.search(r"[，。；,;]$|[年月日号]$", label):
        return None  # a sentence ending in a number, not a table row
    cells = parts[len(parts) - values :]
    return ([label] if label else []) + cells


def is_label_line(text: str) -> bool:
    """A short line, or a header of short words separated by spaces (no sentence in it)."""
    text = text.strip()
    if not text or re.search(r"[。；;！!？]", text):
        return False  # a sentence, not a label
    if len(text) <= MAX_LABEL_LINE:
        return True
    words = text.split()
    return len(words) >= 3 and not re.search(r"[，。；;]", text) and all(len(w) <= 12 for w in words)


def table_segments(texts: Sequence[str | None]) -> list[tuple[int, int]]:
    """Index ranges [start, end) of lines that form a table (None: a blank line inside one).

    A segment is a run of value lines and short label lines; it is a table when it has
    enough lines of values (or values in all) to be more than a list in the narrative.
    """
    segments: list[tuple[int, int]] = []
    i = 0
    while i < len(texts):
        text = texts[i]
        if text is None or not (spaced_cells(text) is not None or is_label_line(text)):
            i += 1
            continue
        j, last = i, i
        while j < len(texts):
            current = texts[j]
            if current is not None and spaced_cells(current) is None and not is_label_line(current):
                break
            if current is not None:
                last = j
            j += 1
        value_rows = [spaced_cells(t) for t in texts[i : last + 1] if t is not None]
        filled = [cells for cells in value_rows if cells is not None]
        if len(filled) >= MIN_VALUE_LINES or sum(len(c) for c in filled) >= 2 * MIN_VALUE_LINES:
            segments.append((i, last + 1))
        i = last + 1
    return segments


def row_cells(text: str) -> list[str]:
    """The cells of one line of a line table: label and values, or the whole line as a label."""
    return spaced_cells(text) or [text.strip()]
