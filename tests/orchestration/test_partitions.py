"""Turning scanned files into partitions and runs: contiguous ranges of at most N partitions,
small gaps bridged instead of starting another run, new keys appended in path order, one
observation (data version = SHA-256) per new or changed file, stable run keys.
"""

from __future__ import annotations

import dagster as dg
import pytest

from gaibao_pipeline.orchestration.partitions import (
    DATA_VERSION_TAG,
    plan_ranges,
    range_keys,
    range_tags,
    register,
    run_requests,
)
from gaibao_pipeline.runner.landing import FileState, LandedFile, Seen

KEYS = [f"r{i:016x}" for i in range(10)]


@pytest.mark.parametrize(
    ("wanted", "max_per_run", "max_gap", "expected"),
    [
        ([], 5, 0, []),  # nothing to do
        (KEYS, 100, 0, [(0, 9)]),  # everything: one run
        (KEYS, 4, 0, [(0, 3), (4, 7), (8, 9)]),  # split at the batch size
        ([KEYS[1], KEYS[3]], 100, 0, [(1, 1), (3, 3)]),  # gap not bridged
        ([KEYS[1], KEYS[3]], 100, 1, [(1, 3)]),  # gap of one bridged
        ([KEYS[9], KEYS[0], "unknown"], 100, 0, [(0, 0), (9, 9)]),  # order of `wanted` is irrelevant
    ],
)
def test_plan_ranges(
    wanted: list[str], max_per_run: int, max_gap: int, expected: list[tuple[int, int]]
) -> None:
    ranges = plan_ranges(KEYS, wanted, max_per_run=max_per_run, max_gap=max_gap)
    assert [(KEYS.index(r.start), KEYS.index(r.end)) for r in ranges] == expected
    covered = {k for r in ranges for k in range_keys(KEYS, r)}
    assert {k for k in wanted if k in KEYS} <= covered
    assert all(len(range_keys(KEYS, r)) <= max_per_run for r in ranges)


def _seen(path: str, kind: str, sha: str = "ab" * 32) -> Seen:
    return Seen(LandedFile(path, 10, 5), FileState(10, 5, sha), kind)  # type: ignore[arg-type]


def test_register_appends_new_keys_and_observes_new_and_changed() -> None:
    old = _seen("old.txt", "unchanged")
    changed = _seen("changed.txt", "changed", "cd" * 32)
    new = [_seen(f"new{i}.txt", "new") for i in range(3)]
    existing = [changed.file.key, old.file.key]  # the unchanged file sits between changed and new
    plan = register([old, changed, *new], existing, max_gap=0)
    assert plan.new_partitions == [s.file.key for s in new]
    assert plan.ordered == [*existing, *plan.new_partitions]
    assert [(r.start, r.end) for r in plan.run_ranges] == [
        (changed.file.key, changed.file.key),
        (new[0].file.key, new[2].file.key),  # a batch of new files is one run
    ]
    observed = {o.partition: o for o in plan.observations}
    assert set(observed) == {changed.file.key, *(s.file.key for s in new)}
    assert observed[changed.file.key].tags[DATA_VERSION_TAG] == "cd" * 32


def test_register_without_changes_requests_nothing() -> None:
    item = _seen("old.txt", "unchanged")
    plan = register([item], [item.file.key])
    assert plan.run_ranges == [] and plan.observations == [] and plan.new_partitions == []


def test_register_skips_keys_whose_outcome_is_known_but_still_registers_them() -> None:
    new = [_seen(f"new{i}.txt", "new") for i in range(3)]
    known = new[1].file.key
    plan = register(new, [], max_gap=0, also_run=[s.file.key for s in new], skip={known})
    assert plan.new_partitions == [s.file.key for s in new]  # registered, visible in the UI
    assert {o.partition for o in plan.observations} == {s.file.key for s in new}
    runs = {k for r in plan.run_ranges for k in range_keys(plan.ordered, r)}
    assert runs == {new[0].file.key, new[2].file.key}


def test_run_requests_carry_the_range_and_a_stable_run_key() -> None:
    plan = register([_seen("a.txt", "new"), _seen("b.txt", "new")], [])
    [request] = run_requests(plan, run_key_prefix="landing")
    assert request.tags == range_tags(plan.run_ranges[0])
    assert request.run_key == run_requests(plan, run_key_prefix="landing")[0].run_key
    assert isinstance(request, dg.RunRequest)
    again = register([_seen("a.txt", "changed", "ef" * 32), _seen("b.txt", "new")], [])
    assert run_requests(again, run_key_prefix="landing")[0].run_key != request.run_key
