"""Every read of a landing file: only regular files are opened (a FIFO or a device never blocks or
is hashed), a path that leads outside the landing folder is refused (a link, or a folder swapped
for a link between resolving and opening), and no read goes past its byte limit however the
file grows (issue 24)."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

import pytest

from gaibao_pipeline.errors import Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.runner import boundary
from gaibao_pipeline.runner.boundary import Refused, open_regular, sha256_of
from gaibao_pipeline.runner.stages import read_path


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    landing = tmp_path / "landing"
    outside = tmp_path / "outside"
    landing.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("outside the landing folder")
    (landing / "a.txt").write_text("inside")
    return landing, outside


def test_a_regular_file_inside_is_read_and_hashed(folders: tuple[Path, Path]) -> None:
    landing, _ = folders
    with open_regular(landing / "a.txt", landing) as opened:
        assert opened.read(100) == b"inside" and opened.size == 6
    digest = sha256_of(landing / "a.txt", landing, max_bytes=100)
    assert digest is not None and digest.sha256 == hashlib.sha256(b"inside").hexdigest()
    assert sha256_of(landing / "a.txt", landing, max_bytes=5) is None  # over the limit: not read


def test_links_out_of_the_folder_are_refused_links_inside_are_followed(folders: tuple[Path, Path]) -> None:
    landing, outside = folders
    (landing / "out.txt").symlink_to(outside / "secret.txt")
    (landing / "in.txt").symlink_to(landing / "a.txt")
    (landing / "sub").symlink_to(outside, target_is_directory=True)
    for name in ("out.txt", "sub/secret.txt"):
        with pytest.raises(Refused, match="outside the landing folder"):
            sha256_of(landing / name, landing, max_bytes=100)
        extracted = read_path(landing / name, Limits(), landing)
        assert extracted.status is Status.UNREADABLE and "outside the landing folder" in (
            extracted.message or ""
        )
        assert extracted.source.sha256 == ""  # nothing of it was read
    with open_regular(landing / "in.txt", landing) as opened:
        assert opened.read(100) == b"inside"
    with open_regular(landing / "out.txt") as opened:  # no folder to stay in: a path the operator gave
        assert opened.read(100) == b"outside the landing folder"


def test_fifos_and_devices_are_never_opened_for_reading(folders: tuple[Path, Path]) -> None:
    landing, _ = folders
    os.mkfifo(landing / "pipe.txt")  # opening it for reading would wait for a writer forever
    (landing / "zero.txt").symlink_to("/dev/zero")  # never ends
    started = time.monotonic()
    with pytest.raises(Refused, match="FIFO"):
        sha256_of(landing / "pipe.txt", landing, max_bytes=100)
    with pytest.raises(Refused, match="character device"):
        sha256_of(landing / "zero.txt", None, max_bytes=100)  # even where links out are allowed
    extracted = read_path(landing / "pipe.txt", Limits(), landing)
    assert extracted.status is Status.UNREADABLE and "FIFO" in (extracted.message or "")
    assert time.monotonic() - started < 5


def test_a_folder_swapped_for_a_link_after_resolving_is_caught(
    folders: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    landing, outside = folders
    (landing / "sub").mkdir()
    (landing / "sub" / "secret.txt").write_text("inside, at first")
    real_realpath = os.path.realpath

    def realpath_then_swap(path: bytes) -> bytes:  # the race: resolved, then swapped before open
        resolved = real_realpath(path)
        if path.endswith(b"sub/secret.txt"):
            (landing / "sub" / "secret.txt").unlink()
            (landing / "sub").rmdir()
            (landing / "sub").symlink_to(outside, target_is_directory=True)
        return resolved

    monkeypatch.setattr(boundary.os.path, "realpath", realpath_then_swap)
    with pytest.raises(Refused, match="outside"):
        sha256_of(landing / "sub" / "secret.txt", landing, max_bytes=100)


def test_a_file_growing_while_it_is_hashed_or_read_does_not_hold_the_reader(tmp_path: Path) -> None:
    path = tmp_path / "growing.txt"
    path.write_bytes(b"x" * 1024 * 1024)
    stop = threading.Event()

    def grow() -> None:
        with path.open("ab") as handle:
            while not stop.is_set():
                handle.write(b"y" * 65536)
                handle.flush()

    writer = threading.Thread(target=grow, daemon=True)
    writer.start()
    try:
        started = time.monotonic()
        sha256_of(path, tmp_path, max_bytes=10**12)  # a digest of what was there, or None: it moved
        extracted = read_path(path, Limits(max_file_bytes=4 * 1024 * 1024), tmp_path)
        assert time.monotonic() - started < 10
        assert extracted.status in (Status.OK, Status.TOO_LARGE)  # read as it was, or refused whole
        if extracted.status is Status.OK:  # what was read: never more than the limit
            assert extracted.source.size <= 4 * 1024 * 1024
    finally:
        stop.set()
        writer.join()


def test_a_file_replaced_by_a_fifo_between_scan_and_read(folders: tuple[Path, Path]) -> None:
    from gaibao_pipeline.runner.landing import compare, scan_folder
    from gaibao_pipeline.runner.stages import register

    landing, _ = folders
    found = scan_folder(landing)
    source = register(found.files[0].key, landing, "a.txt")
    (landing / "a.txt").unlink()
    os.mkfifo(landing / "a.txt")
    refused: list = []
    assert list(compare(landing, found.files, {}, refused=refused)) == []  # not hashed, not blocked
    assert refused and "FIFO" in refused[0].reason
    assert source.path is not None and source.root is not None
    extracted = read_path(Path(source.path), Limits(), Path(source.root))
    assert extracted.status is Status.UNREADABLE and "FIFO" in (extracted.message or "")
