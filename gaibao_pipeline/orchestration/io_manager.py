"""Storage of asset values between steps: one pickle file per report partition.

Dagster's filesystem IO manager refuses an output that covers several partitions, which is
exactly what a bulk run produces. Here a partitioned asset returns `{partition_key: value}`
for the partitions of its run and each value is written to its own file; downstream steps
always receive `{partition_key: value}` as well, whether the run covers one report or 500.
A file holds a `Packed` value's bytes: a value already packed (by the worker that produced
it) is written as it is, anything else is packed here; reading always gives the value.

`RunMemoryIOManager` keeps the same values in memory for the length of one in-process run
instead: what `gaibao run` uses on an instance deleted when its run ends, where the files
would be written for a re-execution that cannot happen and deleted unread.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import dagster as dg

from gaibao_pipeline.runner.packed import Packed

SUFFIX = ".pickle.z"  # zlib-compressed pickle


class ReportFilesIOManager(dg.ConfigurableIOManagerFactory):  # type: ignore[type-arg]
    """One file per partition: <base_dir>/<asset>/<partition>.pickle.z (default base: instance storage)."""

    base_dir: str | None = None

    def create_io_manager(self, context: dg.InitResourceContext) -> PartitionFiles:
        if self.base_dir:
            return PartitionFiles(Path(self.base_dir))
        if context.instance is None:
            raise dg.DagsterInvariantViolationError("ReportFilesIOManager needs base_dir outside a run")
        return PartitionFiles(Path(context.instance.storage_directory()))


class PartitionFiles(dg.IOManager):
    """Reads and writes the files; see `ReportFilesIOManager`."""

    def __init__(self, base: Path) -> None:
        self.base = base

    def _path(self, context: dg.InputContext | dg.OutputContext, partition: str | None) -> Path:
        folder = self.base.joinpath(*context.asset_key.path)
        # Report keys are ASCII already; quoting keeps any other key inside its folder.
        if partition is None:
            return folder.with_name(folder.name + SUFFIX)
        return folder / f"{quote(partition, safe='')}{SUFFIX}"

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        if not context.has_asset_partitions:
            _dump(self._path(context, None), obj)
            return
        keys = _partition_keys(context, obj)
        for key in keys:
            _dump(self._path(context, key), obj[key])
        context.add_output_metadata(
            {"stored_in": dg.MetadataValue.path(str(self._path(context, keys[0]).parent))}
        )

    def load_input(self, context: dg.InputContext) -> Any:
        if not context.has_asset_partitions:
            return _load(self._path(context, None))
        return {key: _load(self._path(context, key)) for key in context.asset_partition_keys}


class RunMemoryIOManager(dg.ConfigurableIOManagerFactory):  # type: ignore[type-arg]
    """The values of one in-process run, in memory, with the semantics of `ReportFilesIOManager`."""

    def create_io_manager(self, context: dg.InitResourceContext) -> RunMemory:
        return RunMemory()


class RunMemory(dg.IOManager):
    """Holds a run's step outputs by asset and partition; see `RunMemoryIOManager`."""

    def __init__(self) -> None:
        self.values: dict[tuple[tuple[str, ...], str | None], Any] = {}

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        asset = tuple(context.asset_key.path)
        if not context.has_asset_partitions:
            self.values[asset, None] = obj
            return
        for key in _partition_keys(context, obj):
            self.values[asset, key] = obj[key]

    def load_input(self, context: dg.InputContext) -> Any:
        asset = tuple(context.asset_key.path)
        if not context.has_asset_partitions:
            return _unpacked(self.values[asset, None])
        return {key: _unpacked(self.values[asset, key]) for key in context.asset_partition_keys}


def _partition_keys(context: dg.OutputContext, obj: Any) -> list[str]:
    """The run's partition keys, once `obj` is checked to hold one value for each."""
    keys = list(context.asset_partition_keys)
    if not isinstance(obj, Mapping) or set(obj) != set(keys):
        got = sorted(obj)[:5] if isinstance(obj, Mapping) else type(obj).__name__
        raise dg.DagsterInvariantViolationError(
            f"{context.asset_key.to_user_string()} must return a dict with one value per partition of "
            f"the run ({len(keys)} keys), got {got}"
        )
    return keys


def _unpacked(value: Any) -> Any:
    return value.unpack() if isinstance(value, Packed) else value


def _dump(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_bytes((obj if isinstance(obj, Packed) else Packed.of(obj)).data)
    os.replace(temp, path)  # a concurrent reader sees the old file or the new one, never half of one


def _load(path: Path) -> Any:
    stored: Packed[Any] = Packed(path.read_bytes())
    return stored.unpack()
