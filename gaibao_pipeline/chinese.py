"""Chinese text as reports print it: traditional → simplified, and agency names as a comparison key.

Reports from Taiwan-style or Hong Kong-style sources, and older mainland pages, print
traditional characters; labels and agency names are compared in simplified form. OpenCC's
character table is applied with `str.translate` (C speed); its phrase-level rules matter
for prose, not for the labels and names compared here.

Reports print the same agency as `洪泽区人民政府`, `洪泽区 人民政府`, `洪泽區人民政府` or
`洪泽区人民政府（办公室）`. `normalize_agency` maps all of these to one key so that a
database join across years (`cross_year.carry`) or sources finds them. The printed name is
kept beside the key; the key is never shown as the agency's name.
"""

from __future__ import annotations

import re
import unicodedata
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


# A bracketed note holding no other bracket, so that nested notes come off from the inside
# out. NFKC has already turned full-width （）［］ into ASCII; 【】 and 〔〕 have no
# compatibility form and are listed as they are.
_NOTE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕")
# A note whose closing bracket was cut off (a title truncated by a web page).
_OPEN_NOTE_AT_END = re.compile(r"[(\[【〔][^)\]】〕]*$")
_SPACE = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]+")


def normalize_agency(name: str | None) -> str | None:
    """The agency name as a key: simplified, no whitespace, no bracketed notes.

    Returns None when nothing is left (no name, or a name that was only a note).
    """
    if name is None:
        return None
    text = unicodedata.normalize("NFKC", name)
    text = to_simplified(text)
    text = _SPACE.sub("", text)
    previous = None
    while previous != text:
        previous = text
        text = _NOTE.sub("", text)
    text = _OPEN_NOTE_AT_END.sub("", text)
    return text or None
