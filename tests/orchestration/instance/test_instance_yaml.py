"""The two committed instance configurations differ only in where Dagster keeps its storage:
run queue, launcher, run monitoring, retention and telemetry are the same for SQLite and
PostgreSQL (a timeout raised in one and not the other once failed runs on PostgreSQL only).
"""

from __future__ import annotations

from pathlib import Path

import yaml

HOME = Path(__file__).resolve().parents[3] / "dagster_home"


def _load(name: str) -> dict[str, object]:
    loaded = yaml.safe_load((HOME / name).read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_postgres_instance_differs_from_the_default_only_in_its_storage() -> None:
    default, postgres = _load("dagster.yaml"), _load("dagster.postgres.yaml")
    assert "storage" not in default  # SQLite files under DAGSTER_HOME, Dagster's default
    assert "postgres" in postgres.pop("storage")  # type: ignore[operator]
    assert postgres == default


def test_postgres_instance_reads_every_connection_setting_from_the_environment() -> None:
    settings = _load("dagster.postgres.yaml")["storage"]["postgres"]["postgres_db"]  # type: ignore[index]
    assert settings.pop("scheme") == "postgresql+psycopg2"  # the driver the project ships
    assert settings and all(set(value) == {"env"} for value in settings.values()), settings
