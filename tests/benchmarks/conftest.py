"""Fixtures of the transfer benchmark: settings from the environment, nginx, the source file.

Everything here is session-scoped: one nginx and one random source file serve all benchmarks,
and both are removed at the end even when a benchmark fails.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .nginx_sink import INSTALL_HINT, NginxSink, find_nginx, start_nginx

MIB = 1 << 20
GIB = 1 << 30
TMPFS = Path("/dev/shm")


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class BenchSettings:
    """What to run, from ``RUNWAY_BENCH_*`` variables (see README.md)."""

    size: int  # bytes of the source file
    repeat: int  # measured runs per client
    warmup: int  # unmeasured runs per client first (the first run of a batch is often slow)
    assert_targets: bool  # fail on a missed target instead of printing MISS
    qasync: bool  # also the upload under qasync + offscreen PySide6
    diagnose: bool  # also upload variants that find where the time goes
    profile_dir: Path | None  # write cProfile dumps of our transfers here

    @classmethod
    def from_env(cls) -> BenchSettings:
        profile = os.environ.get("RUNWAY_BENCH_PROFILE_DIR", "").strip()
        return cls(
            size=_env_int("RUNWAY_BENCH_SIZE_MIB", 1024) * MIB,
            repeat=max(1, _env_int("RUNWAY_BENCH_REPEAT", 5)),
            warmup=max(0, _env_int("RUNWAY_BENCH_WARMUP", 1)),
            assert_targets=_env_flag("RUNWAY_BENCH_ASSERT"),
            qasync=os.environ.get("RUNWAY_BENCH_QASYNC", "1").strip() != "0",
            diagnose=_env_flag("RUNWAY_BENCH_DIAGNOSE"),
            profile_dir=Path(profile) if profile else None,
        )


@pytest.fixture(scope="session")
def bench_settings() -> BenchSettings:
    return BenchSettings.from_env()


@pytest.fixture(scope="session")
def shm_dir(bench_settings: BenchSettings) -> Iterator[Path]:
    """A private folder on tmpfs, with room for the source, one upload and its temp copy."""
    if sys.platform != "linux" or not TMPFS.is_dir():
        pytest.skip("the transfer benchmark needs Linux with a tmpfs at /dev/shm")
    needed = 3 * bench_settings.size
    free = shutil.disk_usage(TMPFS).free
    if free < needed:
        pytest.skip(
            f"/dev/shm has {free / GIB:.1f} GiB free; the benchmark needs {needed / GIB:.1f} GiB "
            "(source file, one uploaded copy and nginx's temporary copy)"
        )
    path = Path(tempfile.mkdtemp(prefix="runway-bench-", dir=TMPFS))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def nginx(shm_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NginxSink]:
    binary = find_nginx()
    if binary is None:
        print(f"\n{INSTALL_HINT}", file=sys.stderr)
        pytest.skip(INSTALL_HINT)
    sink = start_nginx(binary, workdir=tmp_path_factory.mktemp("nginx"), root=shm_dir / "root")
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture(scope="session")
def source_file(nginx: NginxSink, bench_settings: BenchSettings) -> Iterator[Path]:
    """Random bytes on tmpfs, inside nginx's root so the download benchmarks can GET it."""
    path = nginx.root / "source.bin"
    remaining = bench_settings.size
    with path.open("wb") as handle:
        while remaining:
            piece = min(remaining, 4 * MIB)
            handle.write(os.urandom(piece))
            remaining -= piece
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def filesystem_type(path: Path) -> str:
    """The file system type of ``path`` from /proc/mounts (longest matching mount point)."""
    best, kind = "", "unknown"
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return kind
    resolved = str(path.resolve())
    for line in mounts:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = resolved == point or resolved.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best):
            best, kind = point, fields[2]
    return kind


@pytest.fixture(scope="session")
def disk_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Where downloads land "on disk": pytest's temporary folder, or RUNWAY_BENCH_DISK_DIR."""
    chosen = os.environ.get("RUNWAY_BENCH_DISK_DIR", "").strip()
    if not chosen:
        yield tmp_path_factory.mktemp("downloads")
        return
    path = Path(tempfile.mkdtemp(prefix="runway-bench-dl-", dir=chosen))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
