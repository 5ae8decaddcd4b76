"""STAR, three files of ~200 MB each, from Submit to a started job: Runway Desktop against
Runway's Python client (``requests``) on the same sandbox.

Issue target: our wall time ≤ 0.7× the reference's. Both run in a fresh process each time
(``star_driver.py``) against one sandbox child process (``python -m runway_desktop.sandbox``,
its objects on tmpfs when there is room, its executor held back so that no run reads the
inputs during a measurement); the sandbox is reset after every run. Rounds alternate (who goes
first flips every round) after a discarded warm-up; medians and min–max are printed, with the
CPU each side used. The target is only asserted with ``RUNWAY_BENCH_ASSERT=1``. Run:
``python -m pytest -m benchmark tests/benchmarks/test_star_benchmark.py -s`` (README.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from runway_desktop.base.resources import samples_dir
from runway_desktop.core.practice_server import PracticeServer

from .conftest import TMPFS, BenchSettings, _env_int

pytestmark = [pytest.mark.benchmark, pytest.mark.timeout(3600)]

DRIVER = Path(__file__).with_name("star_driver.py")
REPO_ROOT = Path(__file__).resolve().parents[2]
MB = 1_000_000
TARGET = 0.7  # × the reference's wall time
# Long enough that no started job is processed (its inputs read) while anything is timed.
EXECUTOR_DELAY = 3600.0
STAR_FILES = {
    "INPUT_FILE": "SR_sample_anonymized_file.csv",
    "INPUT_FILE_DS": "SR_Dashboard_Standards_v2_sample_anonymized_file.csv",
    "INPUT_FILE_SA": "SR_SkillArea_v1_sample_anonymized_file.csv",
}


@dataclass(frozen=True)
class StarFiles:
    paths: dict[str, Path]
    md5: dict[str, str]

    @property
    def total(self) -> int:
        return sum(p.stat().st_size for p in self.paths.values())


def star_file(sample: Path, target: Path, size: int) -> Path:
    """The sample's header, then its data rows over and over until about ``size`` bytes."""
    header, *rows = sample.read_bytes().splitlines(keepends=True)
    block = b"".join(r if r.endswith(b"\n") else r + b"\n" for r in rows)
    repeats = max(1, (size - len(header)) // len(block))
    with target.open("wb") as out:
        out.write(header)
        batch = block * 1000
        for _ in range(repeats // 1000):
            out.write(batch)
        out.write(block * (repeats % 1000))
    return target


def file_md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while piece := handle.read(1 << 20):
            digest.update(piece)
    return digest.hexdigest()


@pytest.fixture(scope="module")
def star_files(tmp_path_factory: pytest.TempPathFactory) -> StarFiles:
    size = _env_int("RUNWAY_BENCH_STAR_MB", 200) * MB
    folder = tmp_path_factory.mktemp("star")
    source = samples_dir() / "STAR"
    paths = {env: star_file(source / name, folder / name, size) for env, name in STAR_FILES.items()}
    # Hashed once here, before any timing: what the history must record afterwards.
    return StarFiles(paths, {env: file_md5(p) for env, p in paths.items()})


@dataclass
class Sandbox:
    server: PracticeServer
    profile_file: Path
    control_url: str
    data_dir: Path
    http: httpx.Client = field(default_factory=lambda: httpx.Client(trust_env=False))

    def cpu_seconds(self) -> float:
        pid = self.server.pid
        assert pid is not None
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def uploaded_sizes(self, job_uid: str) -> list[int]:
        """The sizes of the job's input objects in the sandbox's store, smallest first."""
        jobs = self.http.get(self.control_url + "/jobs", timeout=30).json()["jobs"]
        [job] = [j for j in jobs if j["uid"].lower() == job_uid.lower()]
        stored = self.http.get(self.control_url + "/objects", timeout=30).json()["objects"]
        sizes = {str(o["key"]): int(o["size"]) for o in stored}
        return sorted(sizes.get(f["key"], -1) for f in job["files"])

    def reset(self) -> None:
        self.http.post(self.control_url + "/reset", timeout=60).raise_for_status()


@pytest.fixture(scope="module")
def sandbox(star_files: StarFiles, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    if not sys.platform.startswith("linux"):
        pytest.skip("the STAR benchmark reads CPU times from /proc (Linux)")
    room = shutil.disk_usage(TMPFS).free if TMPFS.is_dir() else 0
    parent = TMPFS if room > 3 * star_files.total else tmp_path_factory.mktemp("sandbox")
    data_dir = Path(tempfile.mkdtemp(prefix="runway-star-sandbox-", dir=parent))
    server = PracticeServer(data_dir, executor_delay=EXECUTOR_DELAY)
    try:
        profile = server.start()
        profile_file = tmp_path_factory.mktemp("profile") / "sandbox.json"
        profile_file.write_text(json.dumps(profile))
        running = Sandbox(server, profile_file, str(profile["control_url"]), data_dir)
        try:
            yield running
        finally:
            running.http.close()
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


# --- one measured run -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    client: str
    seconds: float  # from the first request / submit() to the started job
    cpu: float  # the client process, same span
    worker_cpu: float  # its worker processes (ours), same span
    sandbox_cpu: float  # the sandbox child, from before the process started to its end
    details: dict[str, Any]


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(name, None)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def run_once(client: str, sandbox: Sandbox, files: StarFiles) -> Sample:
    """``client``: "reference", "runway", or "runway <variant>" (star_driver.py's)."""
    mode, _, variant = client.partition(" ")
    with tempfile.TemporaryDirectory(prefix="runway-star-") as scratch:
        out = Path(scratch) / "result.json"
        argv = [sys.executable, str(DRIVER), "--mode", mode, "--profile", str(sandbox.profile_file)]
        argv += ["--variant", variant or "as-is"]
        argv += [f"--file={env}={path}" for env, path in files.paths.items()]
        before = sandbox.cpu_seconds()
        completed = subprocess.run(
            [*argv, "--out", str(out)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=_child_env(),
            check=False,
        )
        sandbox_cpu = sandbox.cpu_seconds() - before
        if completed.returncode != 0:
            raise AssertionError(f"{mode} run failed ({completed.returncode}):\n{completed.stderr}")
        data: dict[str, Any] = json.loads(out.read_text())
    # Outside the timing: what arrived, and (ours) what the history recorded.
    sizes = sorted(p.stat().st_size for p in files.paths.values())
    assert sandbox.uploaded_sizes(data["job_uid"]) == sizes
    if mode == "runway":
        assert data["md5"] == files.md5, "the recorded MD5s are not the files'"
        assert all(data["etag_checked"].values()), data["etag_checked"]
        whole = [status for step, _, status in data["steps"] if step == "CHECK_FILE"]
        assert whole == ["done"] * len(files.paths), data["steps"]
    else:
        assert data["start_status"] == 202
    sandbox.reset()
    return Sample(
        client,
        float(data["seconds"]),
        float(data["cpu_seconds"]),
        float(data.get("worker_cpu_seconds", 0.0)),
        sandbox_cpu,
        data,
    )


def run_rounds(
    sandbox: Sandbox, files: StarFiles, settings: BenchSettings
) -> dict[str, list[Sample]]:
    modes = ["reference", "runway"]
    if settings.diagnose:
        modes += ["runway two-workers", "runway free-scans"]
    for _ in range(settings.warmup):
        for mode in modes:
            run_once(mode, sandbox, files)
    samples: dict[str, list[Sample]] = {mode: [] for mode in modes}
    for round_no in range(settings.repeat):
        for mode in modes if round_no % 2 == 0 else reversed(modes):
            samples[mode].append(run_once(mode, sandbox, files))
    return samples


# --- reporting ------------------------------------------------------------------------------------


def _spread(values: Sequence[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def _median(values: Sequence[float | None]) -> float:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else float("nan")


def phase_lines(runs: Sequence[Sample]) -> list[str]:
    """When each of our phases ended (median seconds from submit()), and the scans' times."""
    names: list[str] = []
    for run in runs:
        names += [n for n in run.details["phases"] if n not in names]
    timed = {n: _median([r.details["phases"][n] for r in runs if n in r.details["phases"]])
             for n in names}  # fmt: skip
    ordered = sorted(timed.items(), key=lambda item: item[1])
    scans = {env: _median([r.details["scan_seconds"].get(env) for r in runs]) for env in STAR_FILES}
    return [
        "runway, when each phase ended (median s after submit()): "
        + " · ".join(f"{name} {at:.2f}" for name, at in ordered),
        "runway, each file's whole-file scan in the worker (median s): "
        + " · ".join(f"{env} {s:.2f}" for env, s in scans.items()),
    ]


def md5_rate() -> float:
    """MB/s of MD5 on one core of this machine, on 64 MiB in memory."""
    data = os.urandom(64 << 20)
    started = time.perf_counter()
    hashlib.md5(data, usedforsecurity=False).hexdigest()
    return len(data) / (time.perf_counter() - started) / MB


def test_star_submit_against_the_python_client(
    sandbox: Sandbox, star_files: StarFiles, bench_settings: BenchSettings
) -> None:
    samples = run_rounds(sandbox, star_files, bench_settings)
    ref, ours = samples["reference"], samples["runway"]
    each = star_files.total / len(star_files.paths) / MB
    title = (
        f"== STAR, 3 × {each:.0f} MB, Submit → started job; {bench_settings.repeat} rounds "
        f"(+{bench_settings.warmup} warm-up); sandbox data on {sandbox.data_dir.parent}; "
        f"{os.cpu_count()} CPUs =="
    )
    header = (
        f"{'client':<22} {'wall s median (min–max)':>24} {'MB/s':>6} {'client CPU s':>12} "
        f"{'worker CPU s':>12} {'sandbox CPU s':>13}"
    )
    lines = [title, header, "-" * len(header)]
    for name, runs in samples.items():
        wall = statistics.median(s.seconds for s in runs)
        lines.append(
            f"{name:<22} {_spread([s.seconds for s in runs]):>24} "
            f"{star_files.total / wall / MB:>6.0f} "
            f"{statistics.median(s.cpu for s in runs):>12.2f} "
            f"{statistics.median(s.worker_cpu for s in runs):>12.2f} "
            f"{statistics.median(s.sandbox_cpu for s in runs):>13.2f}"
        )
    ratio = statistics.median(s.seconds for s in ours) / statistics.median(s.seconds for s in ref)
    rounds = [o.seconds / r.seconds for o, r in zip(ours, ref, strict=True)]
    met = ratio <= TARGET
    verdict = (
        f"runway ÷ reference wall time: {ratio:.2f}× (rounds {min(rounds):.2f}–{max(rounds):.2f}); "
        f"target ≤ {TARGET:.2f}× → {'PASS' if met else 'MISS'}"
    )
    cpu_ours = statistics.median(s.cpu + s.worker_cpu + s.sandbox_cpu for s in ours)
    cpu_ref = statistics.median(s.cpu + s.sandbox_cpu for s in ref)
    budget = (
        f"CPU used by everything (client + workers + sandbox), median: reference {cpu_ref:.2f} s, "
        f"runway {cpu_ours:.2f} s; on {os.cpu_count()} CPUs that alone takes ≥ "
        f"{cpu_ours / (os.cpu_count() or 1):.2f} s of wall time for runway"
    )
    ref_wall = statistics.median(s.seconds for s in ref)
    diagnosis = [
        f"({name}: {statistics.median(s.seconds for s in runs) / ref_wall:.2f}× the reference)"
        for name, runs in samples.items()
        if name not in ("reference", "runway")
    ]
    notes = [*phase_lines(ours), budget, f"MD5 on one core here: {md5_rate():.0f} MB/s"]
    notes += diagnosis
    print("\n" + "\n".join(lines))
    for text in [verdict, *notes]:
        print(f"  {text}")
    sys.stdout.flush()
    if bench_settings.assert_targets and not met:
        pytest.fail(verdict)
