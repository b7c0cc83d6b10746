"""Raw layer: report files as they arrive in the landing folder, registered one partition each."""

import dagster as dg

from gaibao_pipeline.orchestration.instance.bulk_writes import prepare_bulk_writes
from gaibao_pipeline.orchestration.instance.partition_metadata import PartitionMetadata
from gaibao_pipeline.orchestration.keys import RAW_LANDING_FILES
from gaibao_pipeline.orchestration.partitions import BACKFILL_POLICY, REPORTS, observed_states
from gaibao_pipeline.orchestration.resources import LandingFolderResource
from gaibao_pipeline.runner import landing
from gaibao_pipeline.runner.stages import SourceFile, register

GROUP = "raw"

raw_landing_files = dg.AssetSpec(
    RAW_LANDING_FILES,
    description="A report file in the landing folder, observed by the sensor; data version = its SHA-256.",
    group_name=GROUP,
    partitions_def=REPORTS,
    kinds={"file"},
)


@dg.asset(
    partitions_def=REPORTS,
    backfill_policy=BACKFILL_POLICY,
    group_name=GROUP,
    deps=[raw_landing_files],
    code_version="1",
    kinds={"python"},
)
def raw_source_files(
    context: dg.AssetExecutionContext, landing_folder: LandingFolderResource
) -> dict[str, SourceFile]:
    """The report file this run reads: its path in the landing folder, size and (when known) SHA-256."""
    prepare_bulk_writes(context.instance)  # a materialization per report: see instance_writes
    metadata = PartitionMetadata(context)
    root = landing_folder.root()
    paths = landing.index(root)  # one walk of the folder maps every key of the batch to its file
    # what the landing plan recorded of each file: its hash is not computed again while it holds
    known = observed_states(context.instance, context.partition_keys)
    registered: dict[str, SourceFile] = {}
    for key in context.partition_keys:
        source = register(key, root, paths.get(key), known.get(key))
        if source.missing:
            context.log.warning(f"{key} (missing): no file with this key in {root}; database left unchanged")
        metadata.add(
            key,
            {
                "path": source.relative_path,
                "sha256": source.sha256,
                "size_bytes": source.size,
            },
        )
        registered[key] = source
    metadata.write()
    return registered
