"""Every private Dagster name the project relies on, pinned: a Dagster upgrade that moves or
changes one fails here, loudly, naming what to re-check, before it fails somewhere in a run.

The project reaches into `dagster._core` where Dagster has no public way to do what it needs:

- `orchestration/instance/throwaway.py` builds `gaibao run`'s throwaway instance from the
  same parts as `DagsterInstance.ephemeral`, with an event log (`UnkeptEventLogStorage`, a
  subclass of `InMemoryEventLogStorage`) that keeps no events;
- `orchestration/instance/partition_metadata.py` adds a run's per-partition metadata to the
  step's `_metadata_accumulator` in one write;
- `orchestration/instance/bulk_writes.py` asks whether a storage overrides
  `EventLogStorage.store_event_batch`;
- `bench/phases.py` times `EventMethods.handle_new_event` to measure event storage.

Each check states what the code assumes. Functional tests (test_throwaway.py,
test_partition_metadata.py, test_bulk_writes.py) check the behaviour; these say which
assumption broke.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import dagster as dg
import pytest

UPGRADE_NOTE = (
    "Dagster {version}: a private name gaibao_pipeline relies on has changed: {what}. "
    "On a Dagster upgrade re-check {where} against the new Dagster's source (see this test's "
    "docstring), then update the code and this test together."
)


def _fail(what: str, where: str) -> None:
    pytest.fail(UPGRADE_NOTE.format(version=dg.__version__, what=what, where=where), pytrace=False)


def _private(module: str, name: str, where: str) -> Any:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        _fail(f"`from {module} import {name}` fails ({type(exc).__name__}: {exc})", where)


def _parameters(function: Any) -> dict[str, inspect.Parameter]:
    return dict(inspect.signature(function).parameters)


THROWAWAY = "orchestration/instance/throwaway.py"
METADATA = "orchestration/instance/partition_metadata.py"
BULK = "orchestration/instance/bulk_writes.py"
BENCH = "bench/phases.py (_watching_events)"

# (module, name, where it is used)
PRIVATE_NAMES = [
    ("dagster._core.instance", "InstanceType", THROWAWAY),
    ("dagster._core.launcher.sync_in_memory_run_launcher", "SyncInMemoryRunLauncher", THROWAWAY),
    ("dagster._core.run_coordinator", "DefaultRunCoordinator", THROWAWAY),
    ("dagster._core.storage.event_log", "InMemoryEventLogStorage", THROWAWAY),
    ("dagster._core.storage.noop_compute_log_manager", "NoOpComputeLogManager", THROWAWAY),
    ("dagster._core.storage.root", "LocalArtifactStorage", THROWAWAY),
    ("dagster._core.storage.runs", "InMemoryRunStorage", THROWAWAY),
    ("dagster._core.execution.context.metadata_logging", "AssetMetadataHandle", METADATA),
    ("dagster._core.execution.context.metadata_logging", "OutputMetadataAccumulator", METADATA),
    ("dagster._core.storage.event_log.base", "EventLogStorage", BULK),
    ("dagster._core.instance.methods.event_methods", "EventMethods", BENCH),
]


@pytest.mark.parametrize(("module", "name", "where"), PRIVATE_NAMES, ids=[n for _, n, _ in PRIVATE_NAMES])
def test_each_private_name_imports(module: str, name: str, where: str) -> None:
    _private(module, name, where)


def test_the_project_modules_import_against_this_dagster() -> None:
    for module in (
        "gaibao_pipeline.orchestration.instance.throwaway",
        "gaibao_pipeline.orchestration.instance.partition_metadata",
        "gaibao_pipeline.orchestration.instance.bulk_writes",
    ):
        try:
            importlib.import_module(module)
        except ImportError as exc:
            _fail(f"{module} does not import ({exc})", module)


def test_the_instance_is_built_from_the_parts_the_throwaway_instance_passes() -> None:
    """`throwaway_instance` calls `DagsterInstance(...)` with these keywords, as Dagster's own
    ephemeral instance does; the parts are built without arguments (or the artifacts path)."""
    parameters = _parameters(dg.DagsterInstance.__init__)
    wanted = {
        "instance_type",
        "local_artifact_storage",
        "run_storage",
        "event_storage",
        "compute_log_manager",
        "run_coordinator",
        "run_launcher",
    }
    if missing := wanted - parameters.keys():
        _fail(f"DagsterInstance.__init__ no longer takes {sorted(missing)}", THROWAWAY)
    instance_type = _private("dagster._core.instance", "InstanceType", THROWAWAY)
    if not hasattr(instance_type, "EPHEMERAL"):
        _fail("InstanceType.EPHEMERAL is gone", THROWAWAY)
    for module, name in (
        ("dagster._core.storage.runs", "InMemoryRunStorage"),
        ("dagster._core.storage.event_log", "InMemoryEventLogStorage"),
        ("dagster._core.storage.noop_compute_log_manager", "NoOpComputeLogManager"),
        ("dagster._core.run_coordinator", "DefaultRunCoordinator"),
        ("dagster._core.launcher.sync_in_memory_run_launcher", "SyncInMemoryRunLauncher"),
    ):
        cls = _private(module, name, THROWAWAY)
        required = [
            p
            for p in list(_parameters(cls.__init__).values())[1:]
            if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
        if required:
            _fail(f"{name}() now requires {[p.name for p in required]}", THROWAWAY)
    artifacts = _private("dagster._core.storage.root", "LocalArtifactStorage", THROWAWAY)
    if len([p for p in _parameters(artifacts.__init__) if p != "self"]) < 1:
        _fail("LocalArtifactStorage(base_dir) no longer takes the folder", THROWAWAY)


def test_dagster_ephemeral_instance_is_still_built_from_those_parts() -> None:
    """The throwaway instance copies Dagster's ephemeral one; if Dagster's changes parts, ours
    should follow (a new storage, a different launcher)."""
    factory = _private("dagster._core.instance.factory", "create_ephemeral_instance", THROWAWAY)
    source = inspect.getsource(factory)
    for part in (
        "InstanceType.EPHEMERAL",
        "InMemoryRunStorage",
        "InMemoryEventLogStorage",
        "NoOpComputeLogManager",
        "DefaultRunCoordinator",
        "SyncInMemoryRunLauncher",
        "LocalArtifactStorage",
    ):
        if part not in source:
            _fail(f"Dagster's ephemeral instance no longer uses {part}", THROWAWAY)


def test_the_event_log_methods_the_unkept_storage_overrides() -> None:
    """`UnkeptEventLogStorage` drops events by overriding these; a renamed method would store them again."""
    base = _private("dagster._core.storage.event_log.base", "EventLogStorage", THROWAWAY)
    memory = _private("dagster._core.storage.event_log", "InMemoryEventLogStorage", THROWAWAY)
    if not issubclass(memory, base):
        _fail("InMemoryEventLogStorage is no longer an EventLogStorage", THROWAWAY)
    for method, parameters in (("store_event", ["self", "event"]), ("store_event_batch", ["self", "events"])):
        if not callable(getattr(memory, method, None)):
            _fail(f"InMemoryEventLogStorage.{method} is gone", THROWAWAY)
        if list(_parameters(getattr(base, method))) != parameters:
            _fail(f"EventLogStorage.{method} now takes {list(_parameters(getattr(base, method)))}", THROWAWAY)
    planned = "supports_partition_subset_in_asset_materialization_planned_events"
    if not isinstance(inspect.getattr_static(base, planned, None), property):
        _fail(f"EventLogStorage.{planned} is no longer a property", THROWAWAY)


def test_a_batch_write_is_an_override_of_the_base_method() -> None:
    base = _private("dagster._core.storage.event_log.base", "EventLogStorage", BULK)
    if "store_event_batch" not in vars(base):
        _fail("EventLogStorage no longer defines store_event_batch itself", BULK)
    if list(_parameters(dg.DagsterInstance.optimize_for_webserver))[1:] != [
        "statement_timeout",
        "pool_recycle",
        "max_overflow",
    ]:
        _fail("DagsterInstance.optimize_for_webserver's parameters changed", BULK)


def test_the_metadata_accumulator_partition_metadata_replaces() -> None:
    handle = _private("dagster._core.execution.context.metadata_logging", "AssetMetadataHandle", METADATA)
    accumulator = _private(
        "dagster._core.execution.context.metadata_logging", "OutputMetadataAccumulator", METADATA
    )
    built = handle(asset_key=dg.AssetKey("a"), partition_key="p")
    if (built.asset_key, built.partition_key) != (dg.AssetKey("a"), "p"):
        _fail("AssetMetadataHandle(asset_key=, partition_key=) no longer holds its fields", METADATA)
    filled = accumulator(per_output_metadata={built: {"n": 1}})
    if filled.get_asset_metadata(dg.AssetKey("a"), "p") != {"n": 1}:
        _fail("OutputMetadataAccumulator(per_output_metadata=) no longer keys metadata by handle", METADATA)
    step_context = _private("dagster._core.execution.context.system", "StepExecutionContext", METADATA)
    if "_metadata_accumulator" not in inspect.getsource(step_context):
        _fail("StepExecutionContext no longer keeps `_metadata_accumulator`", METADATA)


def test_the_event_handler_the_benchmark_times() -> None:
    methods = _private("dagster._core.instance.methods.event_methods", "EventMethods", BENCH)
    if not issubclass(dg.DagsterInstance, methods):
        _fail("DagsterInstance no longer takes handle_new_event from EventMethods", BENCH)
    if list(_parameters(methods.handle_new_event))[:2] != ["self", "event"]:
        _fail("EventMethods.handle_new_event(self, event, ...) changed", BENCH)
