"""Splitting run-together digits: every cut is listed, totals prune them, separators hold."""

from __future__ import annotations

from gaibao_pipeline.parsing.splits import Group, split_prior, split_runs


def test_row_total_pins_the_split() -> None:
    # 71,3,0,0,0,0,74: the only cut whose last cell is the sum of the other six
    assert split_runs(["713000074"], [Group(7, has_total=True)]) == [["71", "3", "0", "0", "0", "0", "74"]]


def test_no_leading_zeros() -> None:
    cuts = split_runs(["1007"], [Group(2)])
    assert ["1", "007"] not in cuts and ["10", "07"] not in cuts
    assert ["100", "7"] in cuts


def test_space_is_a_known_separator() -> None:
    # "500000 5": the space separates the sixth applicant cell from the total
    assert split_runs(["500000", "5"], [Group(7, has_total=True)]) == [["5", "0", "0", "0", "0", "0", "5"]]


def test_block_totals_for_table_four() -> None:
    cuts = split_runs(["10203120001200000"], [Group(5, True)] * 3)
    assert cuts == [["1", "0", "2", "0", "3", "12", "0", "0", "0", "12", "0", "0", "0", "0", "0"]]


def test_decimal_amount_stays_whole() -> None:
    assert split_runs(["24252.311082"], [Group(1)]) == [["24252.311082"]]
    cuts = split_runs(["13318028.5825"], [Group(2)])
    assert all(c[1].endswith(".5825") for c in cuts)


def test_ambiguous_without_total_lists_all_cuts() -> None:
    cuts = split_runs(["693665"], [Group(3)])
    assert ["69", "3", "665"] in cuts and ["6", "93", "665"] in cuts
    assert len(cuts) == 10


def test_too_few_digits_gives_nothing() -> None:
    assert split_runs(["12"], [Group(3)]) == []


def test_prior_prefers_balanced_then_small() -> None:
    assert split_prior(["77", "132", "470"]) < split_prior(["7", "7", "132470"])
    assert split_prior(["69", "3", "665"]) < split_prior(["6", "93", "665"])
