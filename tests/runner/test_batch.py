"""A run's batch, streamed: each report is reported parsed, then loaded in chunks; a missing
file is not loaded, a bad one is loaded as its status; the same batch twice gives the same rows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from gaibao_pipeline.db import make_engine, upgrade_schema
from gaibao_pipeline.db.schema import TABLES
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.runner.batch import Loaded, Parsed, process_batch
from gaibao_pipeline.runner.stages import register
from tests.conftest import corpus_file

AT = datetime(2026, 3, 31, tzinfo=UTC)


def _counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one() for t in TABLES}


def test_reports_stream_parsed_then_loaded(tmp_path: Path) -> None:
    for name in ("pingtan2021", "pingtan2023"):
        source = corpus_file(name)
        (tmp_path / source.name).write_bytes(source.read_bytes())
    (tmp_path / "garbage.pdf").write_bytes(b"\x00\xff" * 500)
    files = sorted(p.name for p in tmp_path.iterdir())
    sources = [register(f"r{i:016x}", tmp_path, name) for i, name in enumerate(files)]
    sources.append(register("r" + "f" * 16, tmp_path, None))  # its file is gone
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade_schema(engine)

    def run() -> list[Parsed | Loaded]:
        return list(process_batch(sources, Limits(), 2, engine, run_id="run", loaded_at=AT, chunk=2))

    events = run()
    parsed = {e.key: e for e in events if isinstance(e, Parsed)}
    loaded = {e.key: e for e in events if isinstance(e, Loaded)}
    assert set(parsed) == set(loaded) == {s.report_id for s in sources}
    for key in parsed:  # a report is loaded after it is parsed, never before
        assert events.index(parsed[key]) < events.index(loaded[key])
    by_name = {s.relative_path: s.report_id for s in sources}
    assert loaded["r" + "f" * 16].result is None
    garbage = loaded[by_name["garbage.pdf"]].result
    assert garbage is not None and garbage.status != "ok" and garbage.total_cells == 0
    for name in files:
        if name.endswith(".txt"):
            result = loaded[by_name[name]].result
            assert result is not None and result.status == "ok" and result.total_cells > 100
            assert result.contract_failures == () and result.refused is None
            assert parsed[by_name[name]].file.report.ok
            assert loaded[by_name[name]].report is parsed[by_name[name]].file.report
    first = _counts(engine)
    assert first["source_files"] == 3 and first["reports"] == 3
    run()
    assert _counts(engine) == first  # the same batch again replaces, never duplicates
    engine.dispose()
