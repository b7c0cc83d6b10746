"""Traditional → simplified Chinese, character by character, fast enough for every cell.

Reports from Taiwan-style or Hong Kong-style sources, and older mainland pages, print
traditional characters. Labels and agency names are compared in simplified form. OpenCC's
character table is applied with `str.translate` (C speed); its phrase-level rules matter
for prose, not for the labels and names compared here.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    text = (resources.files("opencc") / "dictionary" / "TSCharacters.txt").read_text(encoding="utf-8")
    table: dict[int, str] = {}
    for line in text.splitlines():
        traditional, _, simplified = line.partition("\t")
        if len(traditional) == 1 and simplified:
            table[ord(traditional)] = simplified.split()[0]
    return table


def to_simplified(text: str) -> str:
    """The text with every traditional character replaced by its simplified form."""
    if text.isascii():
        return text
    return text.translate(_table())
