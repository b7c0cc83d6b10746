"""What a bulk run stores in a kept Dagster instance, per report: one planned and one actual
materialization of core_reports and one `report_checks` evaluation, and no log line;
everything else (the `cross_year` evaluation among it) is per run, whatever the run's size.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import dagster as dg

from tests.db.conftest import db_url  # noqa: F401 - the SQLite / PostgreSQL database fixture

from .conftest import materialize_all

PER_RUN_BOUND = 120  # step, output and engine events of the ~8 steps, and a few log lines


def _events(instance: dg.DagsterInstance, run_id: str) -> Counter[tuple[str, str]]:
    """The run's stored events by (type, what they are about), per-report ones apart."""
    counts: Counter[tuple[str, str]] = Counter()
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None:
            counts["log", entry.step_key or ""] += 1
            continue
        name = event.event_type_value
        if event.is_asset_materialization_planned or event.is_step_materialization:
            about = event.asset_key.to_user_string() if event.asset_key else ""
            counts[name, f"{about} per report" if event.partition else about] += 1
        elif name == dg.DagsterEventType.ASSET_CHECK_EVALUATION.value:
            evaluation = event.event_specific_data
            counts[name, f"{evaluation.check_name} per report" if evaluation.partition else ""] += 1  # type: ignore[union-attr]
        else:
            counts[name, ""] += 1
    return counts


def _copies(landing: Path, n: int) -> int:
    """Copies of the text reports in `n` sub-folders: each copy is a report of its own."""
    texts = sorted(landing.glob("*.txt"))
    for i in range(n):
        folder = landing / f"copy{i}"
        folder.mkdir()
        for path in texts:
            shutil.copy(path, folder / path.name)
    return len(list(p for p in landing.rglob("*") if p.is_file()))


def test_a_kept_instance_stores_a_few_events_per_report(
    instance: dg.DagsterInstance,
    landing: Path,
    db_url: str,  # noqa: F811
) -> None:
    n = _copies(landing, 3)
    result = materialize_all(instance, landing, db_url)
    assert result.success
    events = _events(instance, result.run_id)
    per_report = {key: count for key, count in events.items() if key[1].endswith("per report")}
    assert per_report.pop(("ASSET_MATERIALIZATION", "core_reports per report")) == n
    assert per_report.pop(("ASSET_MATERIALIZATION_PLANNED", "core_reports per report")) == n
    assert per_report.pop(("ASSET_CHECK_EVALUATION", "report_checks per report")) == n
    assert per_report == {}  # nothing else is recorded per report
    per_run = sum(count for key, count in events.items() if not key[1].endswith("per report"))
    assert per_run <= PER_RUN_BOUND, events
    assert events["ASSET_CHECK_EVALUATION", ""] == 1  # cross_year, once for the run
    assert sum(events.values()) <= 3 * n + PER_RUN_BOUND  # it was ~19 per report
