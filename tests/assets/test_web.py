"""raw_web_listings: materialising a range of source partitions fetches those sources' reports into
the landing folder (against the fixture site on 127.0.0.1), with per-source metadata; the
annual fetch schedule adds the sources as partitions and requests runs over ranges of them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg

from gaibao_pipeline.assets import raw_web_listings
from gaibao_pipeline.orchestration.partitions import WEB_SOURCES_NAME, range_tags
from gaibao_pipeline.orchestration.resources import LandingFolderResource, WebFetchResource
from gaibao_pipeline.orchestration.schedules import annual_fetch_schedule
from gaibao_pipeline.runner.landing import scan
from tests.fetch.conftest import running_site, sources_yaml


def _resources(sources: Path, landing: Path) -> dict[str, object]:
    return {
        "web_fetch": WebFetchResource(
            sources=str(sources), delay=0.05, backoff=0.01, allow_hosts=["127.0.0.1"], recheck_after_hours=0
        ),
        "landing_folder": LandingFolderResource(path=str(landing)),
    }


def test_materialising_sources_fetches_into_the_landing_folder(tmp_path: Path, instance) -> None:
    landing = tmp_path / "landing"
    with running_site() as site:
        sources = tmp_path / "sources.yaml"
        sources.write_text(sources_yaml(site), encoding="utf-8")
        instance.add_dynamic_partitions(WEB_SOURCES_NAME, ["static", "trs", "json"])
        result = dg.materialize(
            [raw_web_listings],
            instance=instance,
            resources=_resources(sources, landing),
            tags=range_tags(dg.PartitionKeyRange("trs", "json")),
        )
    assert result.success
    assert {f.relative_path.split("/", 1)[0] for f in scan(landing)} == {"trs", "json"}
    by_partition = {
        m.partition: m.metadata for m in result.asset_materializations_for_node("raw_web_listings")
    }
    assert set(by_partition) == {"trs", "json"}
    assert by_partition["trs"]["files_new"].value == 2 and by_partition["trs"]["list_pages"].value == 2
    assert by_partition["json"]["reports"].value == 2


def test_the_annual_fetch_schedule_requests_every_source(tmp_path: Path) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n"
        + "".join(f"  - name: s{i}\n    list_url: https://s{i}.gov.cn/ndbg/\n" for i in range(5)),
        encoding="utf-8",
    )
    (tmp_path / "dagster").mkdir()

    def evaluate(instance: dg.DagsterInstance, path: Path) -> list[dg.RunRequest] | dg.SkipReason:
        # entered as a context manager: leaving it restores the test's instance as the current one
        with dg.build_schedule_context(
            instance=instance,
            resources={"web_fetch": WebFetchResource(sources=str(path))},
            scheduled_execution_time=datetime(2025, 2, 1, 2, tzinfo=ZoneInfo("Asia/Shanghai")),
        ) as context:
            return annual_fetch_schedule(context)

    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster")) as instance:
        requests = evaluate(instance, sources)
        assert instance.get_dynamic_partitions(WEB_SOURCES_NAME) == [f"s{i}" for i in range(5)]
        assert isinstance(evaluate(instance, tmp_path / "none.yaml"), dg.SkipReason)
    assert not isinstance(requests, dg.SkipReason)
    assert [r.tags for r in requests] == [range_tags(dg.PartitionKeyRange("s0", "s4"))]
