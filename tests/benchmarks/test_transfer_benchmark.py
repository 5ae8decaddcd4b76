"""Upload/download of a large file over loopback to nginx, Runway Desktop against curl.

Issue targets: upload ≥ 0.95× curl's MB/s with RSS growth ≤ 64 MB; download ≥ 1.0× curl.
Every transfer runs in a fresh process (ours: ``transfer_driver.py``; curl itself), and the
parent reads that process's CPU time and peak RSS with ``wait4()``. Runs alternate between
the clients (who goes first flips every round); medians and min–max are printed. Targets are
only asserted with ``RUNWAY_BENCH_ASSERT=1``: on a noisy 2-core VM the default is to print
PASS/MISS. Run: ``python -m pytest -m benchmark tests/benchmarks -s`` (see README.md).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .conftest import MIB, BenchSettings, filesystem_type
from .nginx_sink import NginxSink

pytestmark = [pytest.mark.benchmark, pytest.mark.timeout(3600)]

DRIVER = Path(__file__).with_name("transfer_driver.py")
REPO_ROOT = Path(__file__).resolve().parents[2]
MB = 1_000_000  # throughput is in MB/s (10^6 bytes), memory in MiB

UPLOAD_TARGET = 0.95  # × curl's MB/s
UPLOAD_RSS_GROWTH_TARGET_MIB = 64.0
DOWNLOAD_TARGET = 1.0

_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY")


# --- one measured process -------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One transfer by one client in its own process."""

    client: str
    size: int
    seconds: float  # the transfer (ours: timed inside the driver; curl: the process)
    cpu_process: float  # user+sys of the whole process, start-up included
    peak_rss_kib: int  # of the whole process
    server_cpu: float  # nginx's user+sys during the run
    cpu_transfer: float | None = None  # ours: CPU during the transfer only
    rss_growth_kib: int | None = None  # ours: peak during the transfer − RSS just before
    fsync_seconds: float = 0.0  # curl downloads: the fsync we do afterwards, like ours does
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def mb_per_s(self) -> float:
        return self.size / self.seconds / MB

    @property
    def durable_mb_per_s(self) -> float:
        """Throughput counting the time until the bytes are on disk (fsync included)."""
        return self.size / (self.seconds + self.fsync_seconds) / MB


@dataclass(frozen=True)
class ProcessResult:
    wall: float
    cpu: float
    peak_rss_kib: int


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _PROXY_VARIABLES}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


# A launcher between pytest and the measured program: a child forked straight from the big
# pytest process inherits its RSS high-water mark (Linux carries it through exec), so its
# ru_maxrss would be pytest's. GNU time is ~2 MB; the Python fallback sets a ~10 MB floor.
_GNU_TIME = "/usr/bin/time"
_PY_LAUNCHER = """\
import os, resource, sys
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(f"{usage.ru_utime} {usage.ru_stime} {usage.ru_maxrss}\\n")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_process(argv: Sequence[str]) -> ProcessResult:
    """Run ``argv`` to completion, with its own CPU time and peak RSS (via a launcher)."""
    with tempfile.TemporaryDirectory(prefix="runway-bench-") as scratch:
        figures = Path(scratch) / "rusage"
        errors = Path(scratch) / "stderr"
        if os.access(_GNU_TIME, os.X_OK):
            launcher = [_GNU_TIME, "-f", "%U %S %M", "-o", str(figures)]
        else:
            launcher = [sys.executable, "-c", _PY_LAUNCHER, str(figures)]
        command = list(argv)
        command[0] = shutil.which(command[0]) or command[0]
        with errors.open("wb") as stderr:
            started = time.perf_counter()
            completed = subprocess.run(
                [*launcher, *command],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env=_child_env(),
                check=False,
            )
            wall = time.perf_counter() - started
        if completed.returncode != 0:
            raise AssertionError(
                f"{argv[0]} exited with {completed.returncode}:\n{errors.read_text()}"
            )
        # GNU time puts "Command exited with non-zero status" first; the figures are last.
        user, system, maxrss = figures.read_text().split("\n")[-2].split()
    return ProcessResult(wall, float(user) + float(system), int(maxrss))


# --- the clients ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Client:
    name: str
    run: Callable[[int], Sample]  # round number (negative: warm-up) -> sample


def _curl() -> str:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed (the reference client): apt-get install -y curl")
    return curl


def _check_size(path: Path, size: int) -> None:
    actual = path.stat().st_size
    assert actual == size, f"{path} has {actual} bytes, expected {size}"


def curl_upload(nginx: NginxSink, source: Path, size: int) -> Client:
    curl = _curl()

    def run(round_no: int) -> Sample:
        name = f"up/curl-{round_no}.bin"
        cpu_before = nginx.cpu_seconds()
        result = run_process(
            [curl, "-sS", "-f", "-o", "/dev/null", "-T", str(source), nginx.url(name)]
        )
        server = nginx.cpu_seconds() - cpu_before
        target = nginx.root / name
        _check_size(target, size)
        target.unlink()
        return Sample("curl", size, result.wall, result.cpu, result.peak_rss_kib, server)

    return Client("curl", run)


def curl_download(nginx: NginxSink, source: Path, size: int, dest_dir: Path) -> Client:
    curl = _curl()

    def run(round_no: int) -> Sample:
        target = dest_dir / f"curl-{round_no}.bin"
        cpu_before = nginx.cpu_seconds()
        result = run_process([curl, "-sS", "-f", "-o", str(target), nginx.url(source.name)])
        server = nginx.cpu_seconds() - cpu_before
        # Ours fsyncs before renaming the .part into place; time the same for curl's file.
        started = time.perf_counter()
        fd = os.open(target, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        fsync_seconds = time.perf_counter() - started
        _check_size(target, size)
        target.unlink()
        return Sample(
            "curl",
            size,
            result.wall,
            result.cpu,
            result.peak_rss_kib,
            server,
            fsync_seconds=fsync_seconds,
        )

    return Client("curl", run)


def _driver_sample(
    name: str, nginx: NginxSink, argv: list[str], settings: BenchSettings, tag: str
) -> tuple[Sample, dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="runway-bench-") as scratch:
        out = Path(scratch) / "result.json"
        full = [sys.executable, str(DRIVER), *argv, "--out", str(out)]
        if settings.profile_dir is not None:
            settings.profile_dir.mkdir(parents=True, exist_ok=True)
            full += ["--profile", str(settings.profile_dir / f"{tag}.prof")]
        cpu_before = nginx.cpu_seconds()
        result = run_process(full)
        server = nginx.cpu_seconds() - cpu_before
        data: dict[str, Any] = json.loads(out.read_text())
    growth = int(data["peak_rss_kib"]) - int(data["rss_before_kib"]) if data["peak_reset"] else None
    sample = Sample(
        client=name,
        size=int(data["bytes"]),
        seconds=float(data["seconds"]),
        cpu_process=result.cpu,
        peak_rss_kib=result.peak_rss_kib,
        server_cpu=server,
        cpu_transfer=float(data["cpu_seconds"]),
        rss_growth_kib=growth,
        details=data,
    )
    return sample, data


def ours_upload(
    nginx: NginxSink,
    source: Path,
    size: int,
    settings: BenchSettings,
    *,
    variant: str = "as-is",
    loop: str = "asyncio",
    md5_known: bool = True,
) -> Client:
    """Our upload. ``md5_known``: pass the file's MD5 as ``expected_md5``, as the submit
    pipeline always does (from preflight); False: ``upload_file`` hashes while sending."""
    name = "runway" if (variant, loop) == ("as-is", "asyncio") else f"runway {loop} {variant}"
    if not md5_known:
        name += " (hashing)"

    def run(round_no: int) -> Sample:
        upload = f"up/runway-{round_no}.bin"
        argv = [
            "--op",
            "upload",
            "--url",
            nginx.url(upload),
            "--path",
            str(source),
            "--variant",
            variant,
            "--loop",
            loop,
        ]
        if md5_known:
            argv += ["--expected-md5", file_md5(source)]
        sample, _ = _driver_sample(
            name, nginx, argv, settings, f"upload-{loop}-{variant}-{round_no}"
        )
        target = nginx.root / upload
        _check_size(target, size)
        target.unlink()
        assert sample.size == size
        return sample

    return Client(name, run)


@functools.cache
def file_md5(path: Path) -> str:
    """The source file's MD5, once per session (what preflight hands the pipeline)."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while piece := handle.read(MIB):
            digest.update(piece)
    return digest.hexdigest()


def ours_download(
    nginx: NginxSink, source: Path, size: int, dest_dir: Path, settings: BenchSettings
) -> Client:
    def run(round_no: int) -> Sample:
        argv = [
            "--op",
            "download",
            "--url",
            nginx.url(source.name),
            "--dest-dir",
            str(dest_dir),
            "--name",
            f"runway-{round_no}.bin",
            "--size",
            str(size),
        ]
        tag = f"download-{filesystem_type(dest_dir)}-{round_no}"
        sample, data = _driver_sample("runway", nginx, argv, settings, tag)
        target = Path(data["path"])
        _check_size(target, size)
        target.unlink()
        return sample

    return Client("runway", run)


# --- running and reporting --------------------------------------------------------------------


def run_rounds(clients: Sequence[Client], settings: BenchSettings) -> dict[str, list[Sample]]:
    """Warm-up rounds (discarded), then ``repeat`` rounds; the order flips every round."""
    for warm in range(settings.warmup):
        for client in clients:
            client.run(-1 - warm)
    samples: dict[str, list[Sample]] = {client.name: [] for client in clients}
    for round_no in range(settings.repeat):
        order = clients if round_no % 2 == 0 else list(reversed(clients))
        for client in order:
            samples[client.name].append(client.run(round_no))
    return samples


def _spread(values: Sequence[float], digits: int = 0) -> str:
    return (
        f"{statistics.median(values):.{digits}f} "
        f"({min(values):.{digits}f}–{max(values):.{digits}f})"
    )


def _median_or_dash(values: Sequence[float | None], digits: int = 2) -> str:
    present = [v for v in values if v is not None]
    return f"{statistics.median(present):.{digits}f}" if present else "–"


def format_table(title: str, samples: dict[str, list[Sample]], *, durable: bool = False) -> str:
    header = (
        f"{'client':<26} {'MB/s median (min–max)':>22} {'s':>6} {'CPU s proc':>10} "
        f"{'CPU s xfer':>10} {'peak RSS MiB':>12} {'RSS growth MiB':>14} {'nginx CPU s':>11}"
    )
    if durable:
        header += f" {'MB/s incl. fsync':>22}"
    lines = [title, header, "-" * len(header)]
    for name, runs in samples.items():
        line = (
            f"{name:<26} {_spread([s.mb_per_s for s in runs]):>22} "
            f"{statistics.median(s.seconds for s in runs):>6.2f} "
            f"{statistics.median(s.cpu_process for s in runs):>10.2f} "
            f"{_median_or_dash([s.cpu_transfer for s in runs]):>10} "
            f"{statistics.median(s.peak_rss_kib / 1024 for s in runs):>12.1f} "
            f"{_median_or_dash([_kib_to_mib(s.rss_growth_kib) for s in runs], 1):>14} "
            f"{statistics.median(s.server_cpu for s in runs):>11.2f}"
        )
        if durable:
            line += f" {_spread([s.durable_mb_per_s for s in runs]):>22}"
        lines.append(line)
    return "\n".join(lines)


def _kib_to_mib(kib: int | None) -> float | None:
    return None if kib is None else kib / 1024


@dataclass(frozen=True)
class Verdict:
    text: str
    met: bool


def throughput_ratio(
    ours: Sequence[Sample],
    curl: Sequence[Sample],
    target: float,
    label: str,
    *,
    durable: bool = False,
) -> Verdict:
    """Ratio of median MB/s, plus the min–max of the round-by-round ratios."""

    def rate(s: Sample) -> float:
        return s.durable_mb_per_s if durable else s.mb_per_s

    ratio = statistics.median(map(rate, ours)) / statistics.median(map(rate, curl))
    pairs = [rate(o) / rate(c) for o, c in zip(ours, curl, strict=True)]
    met = ratio >= target
    return Verdict(
        f"{label}: {ratio:.2f}× curl (rounds {min(pairs):.2f}–{max(pairs):.2f}); "
        f"target ≥ {target:.2f}× → {'PASS' if met else 'MISS'}",
        met,
    )


def rss_growth_verdict(ours: Sequence[Sample], limit_mib: float) -> Verdict:
    growth = [s.rss_growth_kib / 1024 for s in ours if s.rss_growth_kib is not None]
    if not growth:
        return Verdict("RSS growth: not measurable (no /proc/self/clear_refs)", True)
    worst = max(growth)
    met = worst <= limit_mib
    return Verdict(
        f"RSS growth during the upload: median {statistics.median(growth):.1f} MiB, "
        f"max {worst:.1f} MiB; target ≤ {limit_mib:.0f} MB → {'PASS' if met else 'MISS'}",
        met,
    )


def report(title: str, table: str, verdicts: Sequence[Verdict], settings: BenchSettings) -> None:
    print(f"\n{table}")
    for verdict in verdicts:
        print(f"  {verdict.text}")
    sys.stdout.flush()
    missed = [v.text for v in verdicts if not v.met]
    if settings.assert_targets and missed:
        pytest.fail(f"{title}: " + "; ".join(missed))


def _title(what: str, settings: BenchSettings) -> str:
    return (
        f"== {what}: {settings.size // MIB} MiB, {settings.repeat} runs "
        f"(+{settings.warmup} warm-up), medians (min–max) =="
    )


# --- the benchmarks ---------------------------------------------------------------------------


def test_upload(nginx: NginxSink, source_file: Path, bench_settings: BenchSettings) -> None:
    """PUT to nginx (WebDAV, body on tmpfs): ``upload_file`` against ``curl -T``.

    "runway" passes the preflight MD5 (``expected_md5``) as the submit pipeline always does;
    "runway (hashing)" leaves it out, so ``upload_file`` hashes while sending (information)."""
    size = bench_settings.size
    curl = curl_upload(nginx, source_file, size)
    ours = ours_upload(nginx, source_file, size, bench_settings)
    hashing = ours_upload(nginx, source_file, size, bench_settings, md5_known=False)
    file_md5(source_file)  # before any timing
    samples = run_rounds([curl, ours, hashing], bench_settings)
    title = _title("upload → nginx PUT, body on tmpfs", bench_settings)
    notes = samples["runway"][0].details
    verdicts = [
        throughput_ratio(samples["runway"], samples["curl"], UPLOAD_TARGET, "upload MB/s"),
        rss_growth_verdict(samples["runway"], UPLOAD_RSS_GROWTH_TARGET_MIB),
        Verdict(
            throughput_ratio(
                samples[hashing.name], samples["curl"], UPLOAD_TARGET, f"  ({hashing.name})"
            )
            .text.replace("PASS", "pass")
            .replace("MISS", "miss"),
            True,
        ),
        Verdict(f"ETag check: {notes.get('etag_checked')} ({notes.get('etag_note')})", True),
    ]
    report(title, format_table(title, samples), verdicts, bench_settings)


@pytest.mark.parametrize("where", ["disk", "tmpfs"])
def test_download(
    where: str,
    nginx: NginxSink,
    source_file: Path,
    disk_dir: Path,
    shm_dir: Path,
    bench_settings: BenchSettings,
) -> None:
    """GET from nginx (sendfile from tmpfs): ``download_file`` against ``curl -o`` into the
    same folder. Ours fsyncs before publishing the file; curl does not, so the table also
    shows curl with an fsync afterwards ("incl. fsync") for a like-with-like comparison."""
    size = bench_settings.size
    dest = disk_dir if where == "disk" else shm_dir / "downloads"
    dest.mkdir(exist_ok=True)
    clients = [
        curl_download(nginx, source_file, size, dest),
        ours_download(nginx, source_file, size, dest, bench_settings),
    ]
    samples = run_rounds(clients, bench_settings)
    title = _title(f"download → {dest} ({filesystem_type(dest)})", bench_settings)
    verdicts = [
        throughput_ratio(samples["runway"], samples["curl"], DOWNLOAD_TARGET, "download MB/s"),
        Verdict(
            throughput_ratio(
                samples["runway"],
                samples["curl"],
                DOWNLOAD_TARGET,
                "  (like with like, both incl. fsync)",
                durable=True,
            )
            .text.replace("PASS", "pass")
            .replace("MISS", "miss"),
            True,
        ),
    ]
    report(title, format_table(title, samples, durable=True), verdicts, bench_settings)


_HASH_SCRIPT = """\
import hashlib, json, resource, sys, time
digest = hashlib.md5(usedforsecurity=False) if sys.argv[2] == "md5" else None
usage, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
with open(sys.argv[1], "rb") as handle:
    while piece := handle.read(1 << 20):
        if digest is not None:
            digest.update(piece)
seconds, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF)
cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
print(json.dumps({"seconds": seconds, "cpu": cpu}))
"""


def test_md5_cost(source_file: Path, bench_settings: BenchSettings) -> None:
    """What hashing the file costs on its own (one core): ``upload_file`` does this in line
    with sending, so it bounds the upload at about this rate unless it overlaps the send."""
    print(f"\n== reading {bench_settings.size // MIB} MiB from tmpfs in 1 MiB pieces, one core ==")
    for label, mode in (("read only", "read"), ("read + MD5", "md5")):
        runs = []
        for _ in range(3):
            completed = subprocess.run(
                [sys.executable, "-c", _HASH_SCRIPT, str(source_file), mode],
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append(json.loads(completed.stdout))
        seconds = statistics.median(r["seconds"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        rate = bench_settings.size / seconds / MB
        print(f"  {label:<12} {cpu:6.2f} CPU s  {seconds:6.2f} s  {rate:6.0f} MB/s")


def test_upload_qasync(nginx: NginxSink, source_file: Path, bench_settings: BenchSettings) -> None:
    """The same upload inside a qasync loop with an offscreen QApplication and a progress bar."""
    if not bench_settings.qasync:
        pytest.skip("RUNWAY_BENCH_QASYNC=0")
    pytest.importorskip("qasync")
    pytest.importorskip("PySide6.QtWidgets")
    size = bench_settings.size
    clients = [
        curl_upload(nginx, source_file, size),
        ours_upload(nginx, source_file, size, bench_settings),
        ours_upload(nginx, source_file, size, bench_settings, loop="qasync"),
    ]
    samples = run_rounds(clients, bench_settings)
    title = _title("upload under qasync (offscreen PySide6)", bench_settings)
    name = clients[2].name
    verdicts = [
        throughput_ratio(samples[name], samples["curl"], UPLOAD_TARGET, f"{name} MB/s"),
        rss_growth_verdict(samples[name], UPLOAD_RSS_GROWTH_TARGET_MIB),
    ]
    report(title, format_table(title, samples), verdicts, bench_settings)


def test_upload_diagnosis(
    nginx: NginxSink, source_file: Path, bench_settings: BenchSettings
) -> None:
    """Where the upload's time goes: the shipped code against variants that drop the MD5,
    read on the loop thread, or read one piece ahead through ``asyncio.to_thread`` (the body
    shipped before 2026-12-04) (RUNWAY_BENCH_DIAGNOSE=1)."""
    if not bench_settings.diagnose:
        pytest.skip("set RUNWAY_BENCH_DIAGNOSE=1 for the upload variants")
    size = bench_settings.size
    clients = [curl_upload(nginx, source_file, size)] + [
        ours_upload(nginx, source_file, size, bench_settings, variant=variant)
        for variant in ("as-is", "no-md5", "sync-read", "one-ahead")
    ]
    samples = run_rounds(clients, bench_settings)
    title = _title(
        "upload variants (diagnosis; variants patch the driver process only)", bench_settings
    )
    # Informational only: the targets are judged by test_upload on the shipped code.
    verdicts = [
        Verdict(
            throughput_ratio(samples[c.name], samples["curl"], UPLOAD_TARGET, f"{c.name} MB/s")
            .text.replace("PASS", "pass")
            .replace("MISS", "miss"),
            True,
        )
        for c in clients[1:]
    ]
    report(title, format_table(title, samples), verdicts, bench_settings)
