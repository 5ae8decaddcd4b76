"""Event-loop lateness of the real Submit screen during a large upload, in a fresh process.

Run by ``test_gui_benchmark.py`` once per measurement (offscreen Qt). It builds the main
window the way ``runway_desktop.app`` does (``Session.create()``, ``MainWindow``,
``connect(...)``, ``window.set_connection``) against a sandbox, fills the form (partner,
tenant, school year, MAP_Growth), puts a large CSV in the ``INPUT_FILE`` slot, waits until the
slot's preflight (CSV scan + MD5) has finished and Submit is enabled, then clicks Submit.

A ``QTimer`` (PreciseTimer, 10 ms) runs from before the file is chosen to after the
submission has finished. Each tick records its lateness: the interval since the previous tick
minus 10 ms. Ticks are grouped by phase; a tick counts toward a phase when its interval
overlaps the phase (a stall straddling the start of the upload is counted in the upload):

- ``idle``: one second with the filled form and nothing running (the machine's noise floor);
- ``preflight``: from ``slot.set_file`` until Submit is enabled;
- ``upload``: from ``runner.events (StepStarted)(Step.UPLOAD)`` to ``runner.stepFinished`` (UPLOAD);
  this is the phase the issue's target ("max ≤ 16 ms") is about.

The sandbox runs in its own process, as ``runway-desktop --sandbox`` runs it
(``runway_desktop.core.practice_server``, the app's own code), which is also the realistic
case: a real S3 is remote. Its executor delay is set high so the started job never processes
the large file while we are measuring. Garbage collection is Python's automatic one: the
worse case for pauses (the app collects from a Qt timer on its own thread, for safety).

Usage::

    QT_QPA_PLATFORM=offscreen python tests/benchmarks/gui_lateness_driver.py \\
        --csv big.csv --out result.json [--generate-mib 1024]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TIMER_MS = 10
IDLE_SECONDS = 1.0
EXECUTOR_DELAY_SECONDS = 3600.0  # the started job must not parse 1 GiB while we measure
CSV_HEADER = "StudentID,LastName,FirstName,TestDate,Total,Reading,Math\n"
_MIB = 1 << 20


# --- the input file -------------------------------------------------------------------------


def write_csv(path: Path, size: int) -> int:
    """A MAP_Growth-shaped CSV of about ``size`` bytes (whole rows); returns its real size."""
    rows = [
        f"{600000 + i % 90000},Doe{i % 97},Jane{i % 89},2026-03-{1 + i % 28:02d},"
        f"{1100 + i % 300},{500 + i % 150},{500 + i % 160}\n"
        for i in range(20000)
    ]
    block = "".join(rows).encode("ascii")
    written = 0
    with path.open("wb") as handle:
        head = CSV_HEADER.encode("ascii")
        handle.write(head)
        written += len(head)
        while written + len(block) <= size:
            handle.write(block)
            written += len(block)
        rest = block[: size - written]
        rest = rest[: rest.rfind(b"\n") + 1]
        handle.write(rest)
        written += len(rest)
    return written


# --- lateness ---------------------------------------------------------------------------------


@dataclass
class Tick:
    start_ns: int  # the previous tick
    end_ns: int  # this tick
    late_ms: float
    # How long the GUI thread sat runnable but not running (waiting for a CPU) in this
    # interval, from /proc schedstat: lateness that other processes on the machine caused.
    runq_ms: float | None = None


def _schedstat_path() -> Path | None:
    """This thread's schedstat (CPU ns, run-queue wait ns, slices); None if unavailable."""
    path = Path(f"/proc/self/task/{threading.get_native_id()}/schedstat")
    return path if path.exists() else None


def _runq_wait_ns(path: Path | None) -> int | None:
    if path is None:
        return None
    try:
        return int(path.read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None


@dataclass
class Window:
    start_ns: int
    end_ns: int | None = None


class StallWatch:
    """Diagnosis only (``--stall-stacks``): a thread that looks at the GUI thread every 2 ms
    and, when no tick has come for ``threshold_ms`` past due, saves the GUI thread's Python
    stack once per stall. It wakes often and takes the GIL, so it perturbs the figures."""

    def __init__(self, recorder: LatenessRecorder, threshold_ms: float = 8.0) -> None:
        self.recorder = recorder
        self.threshold_ns = int((recorder.interval_ms + threshold_ms) * 1e6)
        self.stacks: list[dict[str, Any]] = []
        self._main = threading.main_thread().ident
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="stall-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _watch(self) -> None:
        reported_for: int | None = None
        while not self._stop.wait(0.002):
            last = self.recorder.last_tick_ns
            if last is None or last == reported_for:
                continue
            now = time.perf_counter_ns()
            if now - last < self.threshold_ns:
                continue
            frame = sys._current_frames().get(self._main or 0)
            stack = traceback.format_stack(frame)[-12:] if frame is not None else []
            phase = next(
                (p for p, w in self.recorder.windows.items() if w.end_ns is None), "between"
            )
            self.stacks.append(
                {"phase": phase, "since_tick_ms": (now - last) / 1e6, "stack": stack}
            )
            reported_for = last


@dataclass
class LatenessRecorder:
    interval_ms: int = TIMER_MS
    ticks: list[Tick] = field(default_factory=list)
    windows: dict[str, Window] = field(default_factory=dict)
    # start, end, generation, and the GUI thread's CPU time in it (a pause can be longer than
    # the collection's own work: the GIL can go to a worker in a callback, or the CPU to others)
    gc_pauses: list[tuple[int, int, int, int]] = field(default_factory=list)
    _gc_started: int | None = None
    _gc_cpu_started: int = 0
    _last_ns: int | None = None
    _last_runq_ns: int | None = None
    _schedstat: Path | None = None
    _timer: Any = None

    def start(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        timer = QTimer()
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        timer.setInterval(self.interval_ms)
        timer.timeout.connect(self._tick)
        self._timer = timer
        self._schedstat = _schedstat_path()  # of the GUI thread: start() runs on it
        self._last_runq_ns = _runq_wait_ns(self._schedstat)
        self._last_ns = time.perf_counter_ns()
        gc.callbacks.append(self._on_gc)
        timer.start()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)

    def _on_gc(self, event: str, info: dict[str, int]) -> None:
        """Times every collection (the app collects on the Qt thread, from a timer)."""
        if event == "start":
            self._gc_started = time.perf_counter_ns()
            self._gc_cpu_started = time.thread_time_ns()
        elif self._gc_started is not None:
            cpu = time.thread_time_ns() - self._gc_cpu_started
            self.gc_pauses.append(
                (self._gc_started, time.perf_counter_ns(), info["generation"], cpu)
            )
            self._gc_started = None

    @property
    def last_tick_ns(self) -> int | None:
        return self._last_ns

    def _tick(self) -> None:
        now = time.perf_counter_ns()
        assert self._last_ns is not None
        late = (now - self._last_ns) / 1e6 - self.interval_ms
        runq = _runq_wait_ns(self._schedstat)
        waited = None
        if runq is not None and self._last_runq_ns is not None:
            waited = (runq - self._last_runq_ns) / 1e6
        self.ticks.append(Tick(self._last_ns, now, late, waited))
        self._last_ns, self._last_runq_ns = now, runq

    def begin(self, phase: str) -> None:
        self.windows[phase] = Window(time.perf_counter_ns())

    def end(self, phase: str) -> None:
        window = self.windows.get(phase)
        if window is not None and window.end_ns is None:
            window.end_ns = time.perf_counter_ns()

    def summary(self, phase: str) -> dict[str, Any]:
        window = self.windows.get(phase)
        if window is None or window.end_ns is None:
            return {"ticks": 0}
        end_ns = window.end_ns
        inside = [t for t in self.ticks if t.end_ns > window.start_ns and t.start_ns < end_ns]
        if not inside:
            return {"ticks": 0, "seconds": (end_ns - window.start_ns) / 1e9}
        late = sorted(t.late_ms for t in inside)
        worst = sorted(inside, key=lambda t: t.late_ms, reverse=True)[:5]
        waits = [t.runq_ms for t in inside if t.runq_ms is not None]
        collections = [p for p in self.gc_pauses if p[1] > window.start_ns and p[0] < end_ns]
        pauses = [(end - start) / 1e6 for start, end, _gen, _cpu in collections]
        longest = max(collections, key=lambda p: p[1] - p[0], default=None)
        own = [t.late_ms - (t.runq_ms or 0.0) for t in inside if t.runq_ms is not None]
        return {
            "ticks": len(inside),
            "seconds": (end_ns - window.start_ns) / 1e9,
            "p50_ms": statistics.median(late),
            "p99_ms": _percentile(late, 0.99),
            "max_ms": late[-1],
            "over_16ms": sum(1 for v in late if v > 16.0),
            "gc_count": len(pauses),
            "gc_max_ms": max(pauses) if pauses else 0.0,
            # The longest pause's generation, and the most CPU any collection took (its work).
            "gc_max_generation": longest[2] if longest else None,
            "gc_cpu_max_ms": max(cpu for *_, cpu in collections) / 1e6 if collections else 0.0,
            "gc_by_generation": [sum(1 for p in collections if p[2] == g) for g in (0, 1, 2)],
            # Run-queue wait of the GUI thread: total in the phase, and in the worst interval.
            "runq_total_ms": sum(waits) if waits else None,
            # Lateness left after taking off each interval's run-queue wait: what this process
            # did to itself (GIL, Python work on the loop, Qt painting), not other processes.
            "max_own_ms": max(own) if own else None,
            # Where the worst ticks ended, in ms since the phase began (can be < 0: straddling).
            "worst": [
                {
                    "at_ms": (t.end_ns - window.start_ns) / 1e6,
                    "late_ms": t.late_ms,
                    "runq_ms": t.runq_ms,
                }
                for t in worst
            ],
        }


def _percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    index = max(0, min(len(ordered) - 1, int(-(-q * len(ordered) // 1)) - 1))
    return ordered[index]


# --- the sandbox ----------------------------------------------------------------------------


@dataclass
class RunningSandbox:
    profile: dict[str, Any]
    stop: Callable[[], None]
    pid: int | None


def _process_cpu_seconds(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_sandbox_process(data_dir: Path, executor_delay: float) -> RunningSandbox:
    """The practice server child, started and stopped as the app does it."""
    from runway_desktop.core.practice_server import PracticeServer

    server = PracticeServer(data_dir, executor_delay=executor_delay)
    return RunningSandbox(server.start(), server.stop, server.pid)


# --- the measured session -----------------------------------------------------------------


async def wait_for(condition: Callable[[], bool], limit: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError(f"timed out after {limit:.0f} s waiting for {what}")
        await asyncio.sleep(0.05)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def measure(args: argparse.Namespace, sandbox: RunningSandbox) -> dict[str, Any]:

    from runway_desktop.core.session import Session, connect
    from runway_desktop.core.submit.events import (
        Finished,
        Step,
        StepFinished,
        StepStarted,
        SubmissionResult,
    )
    from runway_desktop.settings import Profile
    from runway_desktop.ui.event_adapter import connect_handlers
    from runway_desktop.ui.main_window import MainWindow
    from runway_desktop.ui.submit.upload_slot import UploadSlot

    csv_path = Path(args.csv)
    size: int = args.size
    services = Session.create()
    recorder = LatenessRecorder()
    out: dict[str, Any] = {"bytes": size}
    try:
        profile, secret = Profile.from_sandbox_json(sandbox.profile, name="Sandbox")
        window = MainWindow(services, practice=True)  # as with runway-desktop --sandbox
        window.resize(1000, 780)
        # The screens built after the first paint must exist before anything is measured.
        pages_built: list[bool] = []
        window.deferredPagesBuilt.connect(lambda: pages_built.append(True))
        window.show()
        window.set_connection(connect(services.http, profile, secret or ""))
        page, form = window.submit_page, window.submit_page.form
        await wait_for(lambda: bool(window.partners), 30, "the partner list")
        form.partner.setCurrentText("acme")
        form.tenant.setEditText("district-a")
        form.select_school_year("2026")
        form.assessment.select_path("assessments/MAP_Growth")
        await wait_for(lambda: bool(pages_built), 30, "the screens built after the first paint")
        slot = form.slots.slot("INPUT_FILE")
        assert isinstance(slot, UploadSlot), "MAP_Growth has no INPUT_FILE slot"

        recorder.start()
        watch = StallWatch(recorder) if args.stall_stacks else None
        if watch is not None:
            watch.start()
        recorder.begin("idle")
        await asyncio.sleep(IDLE_SECONDS)
        recorder.end("idle")

        recorder.begin("preflight")
        slot.set_file(csv_path)
        await wait_for(page.submit_button.isEnabled, args.timeout, "the preflight (Submit enabled)")
        recorder.end("preflight")
        report = slot.report()
        assert report is not None and report.ok, f"preflight refused the file: {report}"
        out["preflight_md5"] = bool(report.md5)

        marks: dict[str, float] = {}
        finished: list[SubmissionResult] = []

        def on_started(step: Step) -> None:
            if step is Step.UPLOAD:
                recorder.begin("upload")
                marks["cpu_before"] = _cpu_seconds()
                server = _process_cpu_seconds(sandbox.pid)
                if server is not None:
                    marks["server_before"] = server

        def on_finished(event: StepFinished) -> None:
            if event.step is Step.UPLOAD:
                recorder.end("upload")
                marks["cpu_after"] = _cpu_seconds()
                marks["step_seconds"] = event.seconds
                server = _process_cpu_seconds(sandbox.pid)
                if server is not None:
                    marks["server_after"] = server
                out["upload_status"] = event.status

        connect_handlers(
            page.runner.events,
            {
                StepStarted: lambda e: on_started(e.step),
                StepFinished: on_finished,
                Finished: lambda e: finished.append(e.result),
            },
        )
        page.submit_button.click()
        await wait_for(lambda: bool(finished), args.timeout, "the submission to finish")
        recorder.stop()
        if watch is not None:
            watch.stop()
            out["stalls"] = watch.stacks

        result = finished[0]
        out["outcome"] = result.outcome.value
        if result.error is not None:
            out["error"] = f"{result.error.message} {result.error.server_message or ''}".strip()
        upload = recorder.summary("upload")
        out["phases"] = {p: recorder.summary(p) for p in ("idle", "preflight", "upload")}
        if upload.get("seconds"):
            out["upload_seconds"] = upload["seconds"]
            out["upload_mb_s"] = size / upload["seconds"] / 1e6
            out["upload_cpu_seconds"] = marks["cpu_after"] - marks["cpu_before"]
            if "server_after" in marks:
                out["server_cpu_seconds"] = marks["server_after"] - marks["server_before"]
        window.close()
    finally:
        recorder.stop()
        await services.aclose()
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    from runway_desktop.ui.theme import apply_theme

    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval / 1000)  # diagnosis; the app keeps 5 ms
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    apply_theme(app)
    args.size = Path(args.csv).stat().st_size
    with _sandbox_dir(args.sandbox_dir) as data_dir:
        sandbox = start_sandbox_process(data_dir, args.executor_delay)
        try:
            loop = qasync.QEventLoop(app)
            asyncio.set_event_loop(loop)
            with loop:
                out: dict[str, Any] = loop.run_until_complete(measure(args, sandbox))
        finally:
            sandbox.stop()
    out["sandbox"] = "process"
    out["platform"] = app.platformName()
    return out


@contextmanager
def _sandbox_dir(parent: str | None) -> Iterator[Path]:
    """The sandbox's object store (a 1 GiB copy lands here): tmpfs when available."""
    base = parent or ("/dev/shm" if Path("/dev/shm").is_dir() else None)
    path = Path(tempfile.mkdtemp(prefix="runway-gui-bench-", dir=base))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--csv", required=True, help="the file to submit (MAP_Growth INPUT_FILE)")
    parser.add_argument("--sandbox-dir", help="parent folder of the sandbox's data (default tmpfs)")
    parser.add_argument("--executor-delay", type=float, default=EXECUTOR_DELAY_SECONDS)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per phase")
    parser.add_argument(
        "--stall-stacks",
        action="store_true",
        help="diagnosis: save the GUI thread's stack during each stall (perturbs the figures)",
    )
    parser.add_argument(
        "--switch-interval",
        type=float,
        help="diagnosis: sys.setswitchinterval in ms (how long a thread may wait for the GIL)",
    )
    parser.add_argument(
        "--generate-mib", type=int, help="first write a CSV of this size to --csv (and delete it)"
    )
    parser.add_argument("--out", required=True, help="write the JSON result here")
    args = parser.parse_args(argv)
    csv_path = Path(args.csv)
    if args.generate_mib:
        write_csv(csv_path, args.generate_mib * _MIB)
    try:
        out = run(args)
    finally:
        if args.generate_mib:
            csv_path.unlink(missing_ok=True)
    Path(args.out).write_text(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
