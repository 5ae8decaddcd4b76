"""GUI benchmarks: event-loop lateness during a large upload, and cold start.

Issue targets:

- event-loop lateness (10 ms PreciseTimer) during a 1 GiB upload through the real Submit
  screen, and during the 1 GiB file check before it: max ≤ 16 ms. The sandbox runs in its own
  process, as ``runway-desktop --sandbox`` runs it (a real S3 is remote too);
- cold start of ``runway-desktop`` with a configured profile to a usable main window:
  ≤ 1.5× a bare PySide6 QMainWindow measured in the same run.

Each measurement runs in a fresh process (``gui_lateness_driver.py``; ``cold_start_driver.py``
for the commands). Targets are only asserted with ``RUNWAY_BENCH_ASSERT=1``; otherwise the
tables end with PASS/MISS. Run: ``python -m pytest -m benchmark tests/benchmarks -s``.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from . import cold_start_driver as cold
from .conftest import GIB, MIB, BenchSettings
from .gui_lateness_driver import EXECUTOR_DELAY_SECONDS, start_sandbox_process, write_csv

pytestmark = [pytest.mark.benchmark, pytest.mark.timeout(3600)]

LATENESS_DRIVER = Path(__file__).with_name("gui_lateness_driver.py")
REPO_ROOT = Path(__file__).resolve().parents[2]
LATENESS_TARGET_MS = 16.0
COLD_START_TARGET = 1.5  # × the bare QMainWindow
SANDBOX_LABELS = {"process": "sandbox in its own process"}


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def _verdict(text: str, met: bool, failures: list[str]) -> None:
    print(f"  {text} → {'PASS' if met else 'MISS'}")
    if not met:
        failures.append(text)


def _finish(title: str, failures: list[str], settings: BenchSettings) -> None:
    sys.stdout.flush()
    if settings.assert_targets and failures:
        pytest.fail(f"{title}: " + "; ".join(failures))


def machine_load() -> str:
    """The load averages and the busiest other processes: a contended 2-vCPU VM shifts every
    figure here, so each table says how busy the machine was."""
    try:
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "load: unknown"
    busy = subprocess.run(
        ["ps", "-eo", "pcpu=,comm=", "--sort=-pcpu"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.splitlines()[:3]
    top = ", ".join(" ".join(line.split()) for line in busy)
    return f"load average {load} on {os.cpu_count()} CPUs; busiest (%CPU since start): {top}"


def _spread(values: Sequence[float], digits: int = 0) -> str:
    return (
        f"{statistics.median(values):.{digits}f} "
        f"({min(values):.{digits}f}–{max(values):.{digits}f})"
    )


@pytest.fixture
def tmpfs_dir() -> Iterator[Path]:
    """Where the sandboxes keep uploaded objects: tmpfs if present, as nginx's root is."""
    base = "/dev/shm" if Path("/dev/shm").is_dir() else None
    path = Path(tempfile.mkdtemp(prefix="runway-gui-bench-", dir=base))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# --- event-loop lateness ----------------------------------------------------------------------


def _lateness_env(home: Path) -> dict[str, str]:
    env = cold.child_env(home, secret="")
    # The driver passes the sandbox's secret itself; no keyring backend is needed.
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    return env


def _run_lateness(csv_path: Path, sandbox: str, workdir: Path, timeout: float) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix="home-", dir=workdir))
    out = workdir / f"result-{sandbox}.json"
    try:
        completed = subprocess.run(
            [
                sys.executable,
                str(LATENESS_DRIVER),
                "--csv",
                str(csv_path),
                "--out",
                str(out),
                "--timeout",
                str(timeout),
            ],
            env=_lateness_env(home),
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=3 * timeout,
            check=False,
        )
        if completed.returncode != 0:
            raise AssertionError(
                f"the lateness driver ({sandbox}) exited with {completed.returncode}:\n"
                f"{completed.stderr[-4000:]}"
            )
        data: dict[str, Any] = json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)
        shutil.rmtree(home, ignore_errors=True)
    if data.get("outcome") != "started":
        raise AssertionError(f"the submission did not start the job: {data}")
    return data


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _lateness_table(title: str, runs: dict[str, list[dict[str, Any]]]) -> str:
    header = (
        f"{'sandbox':<9} {'phase':<10} {'run':>3} {'s':>6} {'ticks':>6} {'p50 ms':>7} "
        f"{'p99 ms':>7} {'max ms':>7} {'>16ms':>5} {'worst at':>8} {'runq@max':>8} "
        f"{'own max':>7} {'GC max':>6} {'MB/s':>6} "
        f"{'app CPU s':>9} {'sandbox CPU s':>13}"
    )
    lines = [title, header, "-" * len(header)]
    for sandbox, results in runs.items():
        for phase in ("idle", "preflight", "upload"):
            for number, data in enumerate(results, 1):
                figures = data["phases"][phase]
                if not figures.get("ticks"):
                    lines.append(f"{sandbox:<9} {phase:<10} {number:>3}   (no ticks)")
                    continue
                line = (
                    f"{sandbox:<9} {phase:<10} {number:>3} {figures['seconds']:>6.2f} "
                    f"{figures['ticks']:>6} {figures['p50_ms']:>7.2f} {figures['p99_ms']:>7.2f} "
                    f"{figures['max_ms']:>7.1f} {figures['over_16ms']:>5} "
                    f"{figures['worst'][0]['at_ms']:>8.0f} "
                    f"{_ms(figures['worst'][0].get('runq_ms')):>8} "
                    f"{_ms(figures.get('max_own_ms')):>7} {_ms(figures.get('gc_max_ms')):>6}"
                )
                if phase == "upload":
                    server = data.get("server_cpu_seconds")
                    line += (
                        f" {data['upload_mb_s']:>6.0f} {data['upload_cpu_seconds']:>9.2f} "
                        f"{'–' if server is None else f'{server:.2f}':>13}"
                    )
                lines.append(line)
    return "\n".join(lines)


def test_gui_lateness(
    bench_settings: BenchSettings, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """QTimer lateness on the real Submit screen while it uploads a large CSV to a sandbox."""
    pytest.importorskip("qasync")
    pytest.importorskip("PySide6.QtWidgets")
    pytest.importorskip("aiohttp")  # the sandbox
    size = bench_settings.size
    repeat = max(1, _env_int("RUNWAY_BENCH_GUI_REPEAT", 3))
    workdir = tmp_path_factory.mktemp("gui-lateness")
    for where, needed in ((workdir, size), (Path("/dev/shm"), 2 * size)):
        if where.is_dir() and shutil.disk_usage(where).free < needed:
            pytest.skip(f"{where} has less than {needed / GIB:.1f} GiB free")
    load_before = machine_load()
    csv_path = workdir / "practice-large.csv"
    write_csv(csv_path, size)  # before any timing; on disk (pytest's tmp), not tmpfs
    # Generous: a 1 GiB preflight scan took ~50 s on this 2-vCPU VM before the fast path.
    timeout = max(300.0, 1.2 * size / MIB)
    runs: dict[str, list[dict[str, Any]]] = {"process": []}
    try:
        for number in range(repeat):
            order = list(runs) if number % 2 == 0 else list(reversed(runs))
            for sandbox in order:
                runs[sandbox].append(_run_lateness(csv_path, sandbox, workdir, timeout))
    finally:
        csv_path.unlink(missing_ok=True)

    title = (
        f"== event-loop lateness (10 ms PreciseTimer), Submit screen, "
        f"{size // MIB} MiB CSV → sandbox S3 (MAP_Growth), {repeat} runs =="
    )
    print(f"\n{_lateness_table(title, runs)}")
    print(f"  before: {load_before}\n  after:  {machine_load()}")
    print(
        "  phases: idle = 1 s with the filled form; preflight = set_file → Submit enabled "
        "(CSV scan + MD5 in a worker process); upload = Step.UPLOAD started → finished. "
        "'worst at' = ms into the phase of the worst tick; 'runq@max' = ms the GUI thread "
        "waited for a CPU (run queue, /proc schedstat) in that tick's interval; 'own max' = "
        "the largest lateness left after taking off each interval's run-queue wait (this "
        "process's own doing: GIL, loop work, painting); 'GC max' = the longest garbage "
        "collection in the phase (Python's automatic collector, as in the app)."
    )
    failures: list[str] = []
    for sandbox, results in runs.items():
        maxima = [r["phases"]["upload"]["max_ms"] for r in results]
        p99 = [r["phases"]["upload"]["p99_ms"] for r in results]
        rates = [r["upload_mb_s"] for r in results]
        pre = [r["phases"]["preflight"]["max_ms"] for r in results]
        pre_rates = [size / r["phases"]["preflight"]["seconds"] / 1e6 for r in results]
        pre_gc = [r["phases"]["preflight"].get("gc_max_ms") or 0.0 for r in results]
        pre_gc_cpu = [r["phases"]["preflight"].get("gc_cpu_max_ms") or 0.0 for r in results]
        pre_gcs = [sum(r["phases"]["preflight"].get("gc_by_generation") or [0]) for r in results]
        own = [r["phases"]["upload"].get("max_own_ms") for r in results]
        own_known = [float(v) for v in own if v is not None]
        own_text = (
            f", without run-queue waits ≤ {max(own_known):.1f} ms"
            if len(own_known) == len(own)
            else ""
        )
        summary = (
            f"{SANDBOX_LABELS[sandbox]}: upload lateness max {max(maxima):.1f} ms over all runs "
            f"(per-run maxima {_spread(maxima, 1)}{own_text}), "
            f"p99 median {statistics.median(p99):.2f} ms; "
            f"upload {_spread(rates)} MB/s"
        )
        preflight = (
            f"{SANDBOX_LABELS[sandbox]}: preflight lateness max {max(pre):.1f} ms over all runs "
            f"(per-run maxima {_spread(pre, 1)}), p99 median "
            f"{statistics.median(r['phases']['preflight']['p99_ms'] for r in results):.2f} ms; "
            f"GC: {_spread(pre_gcs)} collections per run, longest pause {max(pre_gc):.1f} ms, "
            f"most CPU in one {max(pre_gc_cpu):.1f} ms; "
            f"preflight {_spread(pre_rates)} MB/s"
        )
        _verdict(
            f"{summary}; target upload max ≤ {LATENESS_TARGET_MS:.0f} ms",
            max(maxima) <= LATENESS_TARGET_MS,
            failures,
        )
        # The budget is for the upload; the same budget applies to the preflight
        # (the CSV scan + MD5 in a worker process: the window must stay responsive).
        _verdict(
            f"{preflight}; target preflight max ≤ {LATENESS_TARGET_MS:.0f} ms",
            max(pre) <= LATENESS_TARGET_MS,
            failures,
        )
    _finish(title, failures, bench_settings)


# --- cold start -------------------------------------------------------------------------------


SERIES = (("bare", "paint"), ("app", "paint"), ("app", "ready"))


def test_cold_start(
    bench_settings: BenchSettings, tmp_path_factory: pytest.TempPathFactory, tmpfs_dir: Path
) -> None:
    """Spawn → usable main window (signed in, the partner list shown): ``python -m
    runway_desktop --profile X`` against a bare PySide6 QMainWindow's first paint, alternating,
    in fresh processes."""
    pytest.importorskip("PySide6.QtWidgets")
    pytest.importorskip("aiohttp")  # the sandbox
    repeat = max(1, _env_int("RUNWAY_BENCH_COLD_REPEAT", 7))
    warmup = max(0, _env_int("RUNWAY_BENCH_COLD_WARMUP", 1))
    load_before = machine_load()
    sandbox = start_sandbox_process(tmpfs_dir, EXECUTOR_DELAY_SECONDS)
    try:
        home = tmp_path_factory.mktemp("cold-start-home")
        env = cold.child_env(home, cold.configure_profile(home, sandbox.profile))
        setup_note = cold.verify_setup(env)
        bytecode_note = cold.prepare_bytecode(env)

        def start(kind: str, probe: str) -> cold.Launch:
            argv, extra = cold.commands(kind, probe)
            marker = cold.READY if probe == "ready" else cold.FIRST_PAINT
            return cold.launch(argv, {**env, **extra}, marker)

        for _ in range(warmup):
            for kind, probe in SERIES:
                start(kind, probe)
        samples: dict[tuple[str, str], list[cold.Launch]] = {s: [] for s in SERIES}
        for number in range(repeat):
            order = SERIES if number % 2 == 0 else tuple(reversed(SERIES))
            for kind, probe in order:
                samples[(kind, probe)].append(start(kind, probe))
        imports = cold.import_times(env)
    finally:
        sandbox.stop()

    title = (
        f"== cold start to a usable main window (offscreen): {repeat} runs each "
        f"(+{warmup} warm-up), alternating, medians (min–max) in ms =="
    )
    header = (
        f"{'program':<44} {'ready at':<11} {'spawn→line (wall)':>19} {'spawn→stamp':>17} "
        f"{'spawn→exit':>17}"
    )
    names = {
        "bare": "bare PySide6 QMainWindow (python -c)",
        "app": f"python -m runway_desktop --profile {cold.PROFILE_NAME}",
    }
    print(f"\n{title}\n{header}\n{'-' * len(header)}")
    for (kind, probe), runs in samples.items():
        print(
            f"{names[kind]:<44} {'partners' if probe == 'ready' else 'first paint':<11} "
            f"{_spread([r.wall * 1000 for r in runs]):>19} "
            f"{_spread([r.probe * 1000 for r in runs]):>17} "
            f"{_spread([r.exit * 1000 for r in runs]):>17}"
        )
    print(f"  before: {load_before}\n  after:  {machine_load()}")
    print(
        f"  setup: keyring backend and API of the profile: {setup_note}; the app's bytecode: "
        f"{bytecode_note}\n"
        "  'first paint' = after the window's first paint pass; 'partners' = the app signed in"
        " and its Submit screen offers the partners (RUNWAY_DESKTOP_STARTUP_PROBE=usable)."
    )

    def ratio(probe: str) -> tuple[float, float, float]:
        app, bare = samples[("app", probe)], samples[("bare", "paint")]
        value = statistics.median(r.wall for r in app) / statistics.median(r.wall for r in bare)
        pairs = [a.wall / b.wall for a, b in zip(app, bare, strict=True)]
        return value, min(pairs), max(pairs)

    failures: list[str] = []
    value, low, high = ratio("ready")
    _verdict(
        f"app partner list shown ÷ bare first paint: {value:.2f}× (rounds {low:.2f}–{high:.2f});"
        f" target ≤ {COLD_START_TARGET:.1f}×",
        value <= COLD_START_TARGET,
        failures,
    )
    value, low, high = ratio("paint")
    print(f"  app ÷ bare (first paint, information): {value:.2f}× (rounds {low:.2f}–{high:.2f})")
    print(
        "  where the app's start-up goes (one run under -X importtime, imports before the "
        "startup-ready line; cumulative / self ms):"
    )
    for cumulative, own, package in imports:
        print(f"    {cumulative:7.1f} {own:7.1f}  {package}")
    _finish(title, failures, bench_settings)
