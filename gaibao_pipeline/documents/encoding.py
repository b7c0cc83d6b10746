"""Decode report bytes whose encoding nobody declared: UTF-8 (± BOM), UTF-16, GB18030, Big5.

Chinese government text is overwhelmingly one of these. Where two decodings both succeed
(GB18030 and Big5 accept many of the same byte sequences), the one that yields more of the
characters such reports are made of wins.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from charset_normalizer import from_bytes

# Characters every report uses, in simplified and traditional forms. A wrong decoding of
# CJK bytes produces rare characters instead, so counting these separates the candidates.
_COMMON = set(
    "的年政府信息公开工作报告情况申请行人民局市县区省机关本数量和在中对有不予处理提供总计条件"
    "政府資訊開報告機關縣區省對處與條務數為國們這會來時個說業經"
)

_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "big5-hkscs": "big5hkscs",
    "utf8": "utf-8",
    "utf-8-sig": "utf-8",
}


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    lossy: bool = False  # some bytes could not be decoded and were replaced


def canonical_encoding(name: str) -> str:
    """A declared charset as the codec that reads it correctly (`gb2312` means GB18030)."""
    key = name.strip().strip("\"'").lower()
    try:
        key = codecs.lookup(key).name
    except LookupError:
        return _ALIASES.get(key, key)
    return _ALIASES.get(key, key)


def _score(text: str) -> float:
    if not text:
        return 0.0
    sample = text[:20000]
    common = sum(1 for ch in sample if ch in _COMMON)
    bad = sum(1 for ch in sample if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\r\n\f"))
    return (common - 5 * bad) / len(sample)


def utf16_byte_order(data: bytes) -> str | None:
    """`utf-16-le` or `utf-16-be` for UTF-16 text without a BOM, else None.

    The digits, spaces and line breaks of a report are ASCII, whose high byte is zero, so
    UTF-16 text has zero bytes where other text has none. A byte order is the text's when it
    decodes cleanly into the characters reports are made of (common report characters, or
    mostly ASCII for markup), the more of them the better; binary data decodes into broken
    surrogates, control or unrelated characters.
    """
    sample = data[:4096]
    sample = sample[: len(sample) - len(sample) % 2]
    if b"\x00" not in sample:
        return None
    best: tuple[int, str] | None = None
    for codec in ("utf-16-le", "utf-16-be"):
        text = sample.decode(codec, errors="replace")
        if not reads_cleanly(text):
            continue
        common = sum(1 for ch in text if ch in _COMMON)
        ascii_text = sum(1 for ch in text if " " <= ch <= "~" or ch in "\t\r\n")
        if common < len(text) * 0.05 and ascii_text < len(text) * 0.8:
            continue
        if best is None or common + ascii_text > best[0]:
            best = (common + ascii_text, codec)
    return best[1] if best else None


def reads_cleanly(text: str) -> bool:
    """At most 1% broken (U+FFFD) or control characters: text, not binary decoded as text."""
    bad = sum(1 for ch in text if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\r\n\f"))
    return bad <= len(text) * 0.01


def decode_text(data: bytes, declared: str | None = None) -> Decoded:
    """Decode bytes to text, trusting a BOM first, then a declaration, then the content."""
    if data.startswith(codecs.BOM_UTF8):
        return Decoded(data[3:].decode("utf-8", errors="replace"), "utf-8-sig")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Decoded(data.decode("utf-16", errors="replace"), "utf-16")
    utf16 = utf16_byte_order(data)
    if utf16:
        return Decoded(data.decode(utf16, errors="replace"), utf16)
    if declared:
        codec = canonical_encoding(declared)
        try:
            return Decoded(data.decode(codec), codec)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration is common: fall through to detection
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    candidates: list[Decoded] = []
    for codec in ("gb18030", "big5", "big5hkscs"):
        try:
            candidates.append(Decoded(data.decode(codec), codec))
        except UnicodeDecodeError:
            continue
    if not candidates:
        guess = from_bytes(data[:200_000]).best()
        codec = canonical_encoding(guess.encoding) if guess is not None else "gb18030"
        try:
            text = data.decode(codec, errors="replace")
        except LookupError:
            codec, text = "gb18030", data.decode("gb18030", errors="replace")
        candidates.append(Decoded(text, codec, lossy=True))
        # a file with a few broken bytes is still mostly UTF-8 or GB18030
        candidates.append(Decoded(data.decode("utf-8", errors="replace"), "utf-8", lossy=True))
        candidates.append(Decoded(data.decode("gb18030", errors="replace"), "gb18030", lossy=True))
    return max(candidates, key=lambda d: _score(d.text))
