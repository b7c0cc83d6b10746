"""Raw layer, from the web: sources' report listings, downloaded into the landing folder.

One partition per source of the sources file; a run covers a range of sources (up to
`partitions.WEB_SOURCES_PER_RUN`), crawled together, different sites in parallel (`fetch.crawl`): their
list pages, the report articles and every attachment, each file saved with its record.
The landing-folder sensor then registers the new and changed files and the load job reads
them like any other file. A site that cannot be read is a warning on its partition, not a
failed run: the other sources of the run still land.
"""

import dagster as dg

from gaibao_pipeline.fetch.crawl import SourceOutcome, crawl
from gaibao_pipeline.fetch.sources import SourcesError
from gaibao_pipeline.orchestration.instance.partition_metadata import PartitionMetadata
from gaibao_pipeline.orchestration.keys import RAW_WEB_LISTINGS
from gaibao_pipeline.orchestration.partitions import WEB_SOURCES, WEB_SOURCES_PER_RUN
from gaibao_pipeline.orchestration.resources import LandingFolderResource, WebFetchResource

GROUP = "raw"
_LISTED = 50  # paths shown in the metadata; the counts cover all


def outcome_metadata(outcome: SourceOutcome, list_url: str) -> dict[str, object]:
    return {
        "list_url": dg.MetadataValue.url(list_url),
        "list_pages": outcome.list_pages,
        "reports": outcome.reports,
        **{f"files_{event}": outcome.count(event) for event in ("new", "changed", "unchanged", "skipped")},
        "refused": len(outcome.refused),
        "failed": len(outcome.failed),
        "written": dg.MetadataValue.json(outcome.written[:_LISTED]),
        "problems": dg.MetadataValue.json((outcome.failed + outcome.refused)[:_LISTED]),
    }


@dg.asset(
    key=RAW_WEB_LISTINGS,
    partitions_def=WEB_SOURCES,
    backfill_policy=dg.BackfillPolicy.multi_run(max_partitions_per_run=WEB_SOURCES_PER_RUN),
    group_name=GROUP,
    code_version="1",
    kinds={"python"},
)
def raw_web_listings(
    context: dg.AssetExecutionContext, web_fetch: WebFetchResource, landing_folder: LandingFolderResource
) -> None:
    """Each source's annual reports (pages, attachments) downloaded to the landing folder, a record each."""
    try:
        by_name = {source.name: source for source in web_fetch.load()}
    except SourcesError as exc:
        raise dg.Failure(str(exc)) from exc
    missing = [key for key in context.partition_keys if key not in by_name]
    if missing:
        raise dg.Failure(f"no source named {', '.join(missing)} in {web_fetch.sources_path()}")
    sources = [by_name[key] for key in context.partition_keys]
    root = landing_folder.root()

    def progress(name: str, event: str, what: str) -> None:
        if event in ("refused", "failed"):
            context.log.warning(f"{name}: {event}: {what}")
        elif event in ("new", "changed"):
            context.log.info(f"{name}: {event}: {what}")

    metadata = PartitionMetadata(context)
    for source, outcome in zip(sources, crawl(sources, root, web_fetch.settings(), progress), strict=True):
        if outcome.list_pages == 0:
            context.log.warning(f"{source.name}: no list page of {source.list_url} could be read")
        metadata.add(source.name, outcome_metadata(outcome, source.list_url))
    metadata.write()
