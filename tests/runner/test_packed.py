"""Packed values: what a worker packs unpacks to an equal value, and is the stored file's bytes."""

from __future__ import annotations

import zlib

from gaibao_pipeline.limits import Limits
from gaibao_pipeline.runner.packed import Packed
from gaibao_pipeline.runner.stages import ReadTask, read_and_parse
from tests.conftest import corpus_file


def test_a_parsed_report_round_trips_and_is_compressed() -> None:
    parsed = read_and_parse(ReadTask(str(corpus_file("pingtan2023"))), Limits())
    assert parsed.report.ok and parsed.stored_report.unpack() == parsed.report
    document = parsed.stored_document.unpack()
    assert document.document is not None
    assert len(document.document.paragraphs) == parsed.document.paragraphs
    raw = zlib.decompress(parsed.stored_report.data)
    assert len(parsed.stored_report.data) < len(raw) / 2  # stored compressed


def test_equal_values_pack_to_equal_bytes() -> None:
    value = {"cells": [("t3", "r1", "c1", 1.0)], "text": "政府信息公开"}
    assert Packed.of(value) == Packed.of(dict(value))
    assert Packed.of(value).unpack() == value
