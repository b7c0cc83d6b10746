"""Settings are checked once, each bad one named with what it accepts (issue 24:
GAIBAO_TIMEOUT_SECONDS=abc was a bare traceback, GAIBAO_MAX_FILE_BYTES=-5 a silently absurd
limit, GAIBAO_OCR=maybe silently ignored)."""

from __future__ import annotations

import pytest

from gaibao_pipeline.config import check_environment, ocr_enabled, parse_flag
from gaibao_pipeline.errors import ConfigError
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.runner.boundary import outside_links_allowed


def test_limits_accept_numbers_above_zero() -> None:
    limits = Limits.from_env({"GAIBAO_TIMEOUT_SECONDS": "2.5", "GAIBAO_MAX_FILE_BYTES": "1e6"})
    assert (limits.timeout_seconds, limits.max_file_bytes) == (2.5, 1_000_000)
    assert Limits.from_env({"GAIBAO_MAX_PAGES": " "}) == Limits()  # empty: the default


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("GAIBAO_TIMEOUT_SECONDS", "abc", "not a number"),
        ("GAIBAO_TIMEOUT_SECONDS", "0", "above 0 (seconds)"),
        ("GAIBAO_TIMEOUT_SECONDS", "inf", "above 0"),
        ("GAIBAO_MAX_FILE_BYTES", "-5", "a whole number above 0 (bytes)"),
        ("GAIBAO_MAX_PAGES", "2.5", "a whole number above 0 (pages)"),
        ("GAIBAO_MAX_WORKER_MEMORY_BYTES", "nan", "above 0"),
    ],
)
def test_a_bad_limit_names_the_variable_and_what_it_accepts(name: str, value: str, says: str) -> None:
    with pytest.raises(ConfigError) as error:
        Limits.from_env({name: value})
    assert str(error.value).startswith(f"{name}={value!r}: ") and says in str(error.value)


def test_flags() -> None:
    assert parse_flag("X", "Yes", default=False) is True
    assert parse_flag("X", "off", default=True) is False
    assert parse_flag("X", None, default=True) is True
    assert ocr_enabled({}) is True and ocr_enabled({"GAIBAO_OCR": "0"}) is False
    assert outside_links_allowed({}) is False
    assert outside_links_allowed({"GAIBAO_LANDING_ALLOW_OUTSIDE_LINKS": "1"}) is True
    assert ocr_enabled({"GAIBAO_OCR": "tesseract"}) is True
    with pytest.raises(ConfigError, match=r"GAIBAO_OCR='maybe' is not understood; accepted values: .*0"):
        ocr_enabled({"GAIBAO_OCR": "maybe"})
    with pytest.raises(ConfigError, match=r"GAIBAO_OCR_SECONDS_PER_PAGE='-1' is not valid"):
        ocr_enabled({"GAIBAO_OCR_SECONDS_PER_PAGE": "-1"})


def test_every_bad_setting_is_listed_at_once() -> None:
    env = {
        "GAIBAO_TIMEOUT_SECONDS": "abc",
        "GAIBAO_MAX_FILE_BYTES": "-5",
        "GAIBAO_OCR": "maybe",
        "GAIBAO_LANDING_ALLOW_OUTSIDE_LINKS": "sure",
        "GAIBAO_DATABASE_URL": "not a url",
    }
    with pytest.raises(ConfigError) as error:
        check_environment(env, database=True)
    lines = str(error.value).splitlines()
    assert [line.split("=")[0] for line in lines[:4]] == [
        "GAIBAO_MAX_FILE_BYTES",
        "GAIBAO_TIMEOUT_SECONDS",
        "GAIBAO_OCR",
        "GAIBAO_LANDING_ALLOW_OUTSIDE_LINKS",
    ]
    assert "GAIBAO_DATABASE_URL" in lines[4] and "expected sqlite:///PATH" in lines[4]
    check_environment({}, database=True)  # the defaults are fine
