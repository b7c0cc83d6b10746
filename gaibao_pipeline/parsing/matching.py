"""Text normalisation for matching labels by meaning, whatever the script or punctuation.

`match_key` is what labels are compared on: simplified characters, half-width forms, no
whitespace, no punctuation that reports use inconsistently, no leading item numbering.
Raw text is never replaced by these keys; they are only for comparison.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from gaibao_pipeline.chinese import to_simplified

# ASCII "?" stands for a lost space or a character the scraper could not encode.
_SPACE_LIKE = re.compile(r"[\s\u3000\u00a0?？]+")
_PUNCT = re.compile(r"[\"'“”‘’「」『』《》〈〉,，、。.．:：;；!！·•\-—－_~～*＊/／\\]+")
_BRACKETS = str.maketrans(
    {"（": "(", "）": ")", "【": "(", "】": ")", "［": "(", "］": ")", "〔": "(", "〕": ")"}
)

CN_NUMERALS = "〇零一二三四五六七八九十"
_NUMBERING = re.compile(
    r"^(?:其中[:：]?)?\s*(?:"
    r"第?[一二三四五六七八九十]{1,3}\s*[、.．,，:：]"  # 一、  第一、
    r"|[(（]\s*[一二三四五六七八九十]{1,3}\s*[)）]\s*[、.．]?"  # （一）
    r"|[(（]\s*\d{1,2}\s*[)）]\s*[、.．]?"  # (1)
    r"|\d{1,2}\s*[、.．](?!\d)"  # 1. 1、 (not a decimal number)
    r"|[①②③④⑤⑥⑦⑧⑨⑩]"
    r")\s*"
)


def nfkc(text: str) -> str:
    """Full-width digits and letters as ASCII, compatibility forms folded."""
    return unicodedata.normalize("NFKC", text)


def squeeze(text: str) -> str:
    """Whitespace (and the '?' that stands for lost spaces) removed."""
    return _SPACE_LIKE.sub("", text)


@lru_cache(maxsize=65536)
def match_key(text: str) -> str:
    """The form labels are compared on: simplified, half-width, no spaces, punctuation or numbering."""
    key = squeeze(nfkc(to_simplified(text)).translate(_BRACKETS))
    key = strip_numbering(key)
    return _PUNCT.sub("", key)


@lru_cache(maxsize=65536)
def loose_key(text: str) -> str:
    """Like `match_key` but keeps numbering: for finding labels inside run-together text."""
    key = squeeze(nfkc(to_simplified(text)).translate(_BRACKETS))
    return _PUNCT.sub("", key)


def strip_numbering(text: str) -> str:
    """Leading item numbering removed: "（三）不予公开" → "不予公开", "2.重复申请" → "重复申请"."""
    previous = None
    while previous != text:
        previous = text
        text = _NUMBERING.sub("", text, count=1)
    return text


def leading_number(text: str) -> int | None:
    """The item number a label starts with ("3." → 3, "（二）" → 2), if any."""
    match = re.match(
        r"^\s*(?:其中[:：]?)?\s*[(（]?\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）、.．]", nfkc(text)
    )
    if not match:
        return None
    token = match.group(1)
    return int(token) if token.isdigit() else chinese_number(token)


def chinese_number(token: str) -> int | None:
    """一 → 1, 十二 → 12, 二十 → 20; None for anything else."""
    digits = {
        "〇": 0,
        "零": 0,
        "一": 1,
        "二": 2,
        "三": 3,
        "四": 4,
        "五": 5,
        "六": 6,
        "七": 7,
        "八": 8,
        "九": 9,
    }
    if not token:
        return None
    if token == "十":
        return 10
    if "十" in token:
        tens, _, ones = token.partition("十")
        tens_value = digits.get(tens) if tens else 1
        ones_value = digits.get(ones) if ones else 0
        if tens_value is None or ones_value is None:
            return None
        return tens_value * 10 + ones_value
    value = 0
    for ch in token:
        if ch not in digits:
            return None
        value = value * 10 + digits[ch]
    return value
