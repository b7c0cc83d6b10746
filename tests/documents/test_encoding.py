"""Decoding undeclared text: UTF-8 (± BOM), UTF-16, GB18030, Big5; wrong declarations ignored."""

from __future__ import annotations

import codecs

import pytest

from gaibao_pipeline.documents.encoding import canonical_encoding, decode_text

TEXT = "平潭综合实验区2021年政府信息公开工作年度报告：本年新收政府信息公开申请数量70件。"
TRADITIONAL = "張掖市環境保護局2012年政府信息公開工作年度報告：申請公開信息總數"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (TEXT.encode("utf-8"), TEXT),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), TEXT),
        (TEXT.encode("utf-16"), TEXT),  # with BOM
        (TEXT.encode("utf-16-le"), TEXT),  # without BOM
        (TEXT.encode("gb18030"), TEXT),
        (TEXT.encode("gbk"), TEXT),
        (TRADITIONAL.encode("big5"), TRADITIONAL),
        (TRADITIONAL.encode("gb18030"), TRADITIONAL),
    ],
)
def test_decodes_every_common_encoding(data: bytes, expected: str) -> None:
    assert decode_text(data).text == expected


def test_gb2312_declaration_reads_characters_outside_gb2312() -> None:
    text = "申请人㛃某的申请" + TEXT  # 㛃 is in GB18030 but not GB2312
    assert decode_text(text.encode("gb18030"), declared="gb2312").text == text


def test_wrong_declaration_falls_back_to_detection() -> None:
    assert decode_text(TEXT.encode("gb18030"), declared="utf-8").text == TEXT


def test_canonical_encoding() -> None:
    assert canonical_encoding("GB2312") == "gb18030"
    assert canonical_encoding("gbk") == "gb18030"
    assert canonical_encoding("UTF8") == "utf-8"
