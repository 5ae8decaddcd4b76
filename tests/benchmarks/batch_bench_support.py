"""What ``bench_batch_run.py`` is made of: the batch's files, this process's memory and CPU, the
sandbox's witness of what it received, the runner's listener, and one run of the batch (or of the
sequential reference) on the app's loop. The measuring and the figures' meaning are described in
``bench_batch_run.py``; it prints the report and judges it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import os
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sandbox_process import SandboxProcess

from runway_desktop.base.resources import samples_dir
from runway_desktop.bundles.registry import load_snapshot
from runway_desktop.core.batch.plan import BatchPlan
from runway_desktop.core.batch.run import (
    DEFAULT_JOBS,
    BatchEvent,
    BatchRunner,
    ItemFinished,
    ItemOutcome,
    ItemStarted,
    ItemStatus,
)
from runway_desktop.core.session import Connection
from runway_desktop.core.submit.form_values import FormValues, submission_request
from runway_desktop.core.submit.pipeline import SubmissionPipeline
from runway_desktop.history.store import HistoryStore
from runway_desktop.ui.gc_on_main_thread import MainThreadGarbageCollector

T = TypeVar("T")
MIB = 1 << 20
PARTNER = "acme"
DISTRICTS = ("district-a", "district-b")
SAMPLE_EVERY = 0.05  # s between RSS samples
QUARTERS = 4  # RSS is noted after each quarter of the items: 50, 100, 150, 200
PUT_COUNTER = 1_000_000  # the s3_delay switch's count: one is used up per upload received
MATH = samples_dir() / "FastBridge_Math" / "sample_anonymized_file.csv"
STAR = tuple(
    samples_dir() / "STAR" / name
    for name in (
        "SR_sample_anonymized_file.csv",
        "SR_Dashboard_Standards_v2_sample_anonymized_file.csv",
        "SR_SkillArea_v1_sample_anonymized_file.csv",
    )
)


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


# -- the files -----------------------------------------------------------------------------------
def quoted_variant(data: bytes, number: int) -> bytes:
    """``data`` (a CSV) with the unquoted fields picked by ``number``'s bits written in quotes:
    the same values to a CSV reader, other bytes. Only plain fields before a row's first quote
    are used, so no quoted field is split by mistake."""
    lines = data.split(b"\n")
    spots = [
        (row, column)
        for row in range(1, len(lines))
        for column, value in enumerate(lines[row].split(b'"', 1)[0].split(b",")[:-1])
        if value.strip(b"\r")
    ]
    if number >= 1 << len(spots):
        raise ValueError(f"only {1 << len(spots)} variants of this file")
    split = {row: lines[row].split(b",") for row, _ in spots}
    for bit, (row, column) in enumerate(spots):
        if number >> bit & 1:
            split[row][column] = b'"' + split[row][column] + b'"'
    for row, fields in split.items():
        lines[row] = b",".join(fields)
    return b"\n".join(lines)


def make_folder(root: Path, items: int) -> int:
    """``items`` submissions in district folders (even: Early Math, odd: STAR); the file count."""
    files = 0
    for number in range(items):
        district = root / DISTRICTS[number // 2 % len(DISTRICTS)]
        district.mkdir(parents=True, exist_ok=True)
        if number % 2 == 0:
            (district / f"early-math-{number:03d}.csv").write_bytes(
                quoted_variant(MATH.read_bytes(), number + 1)
            )
            files += 1
            continue
        folder = district / f"star-{number:03d}"
        folder.mkdir()
        for source in STAR:
            (folder / source.name).write_bytes(quoted_variant(source.read_bytes(), number + 1))
            files += 1
    return files


# -- memory and CPU ------------------------------------------------------------------------------
def _status_kib(name: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{name}:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _psutil_process() -> Any:
    try:
        return importlib.import_module("psutil").Process()
    except ImportError:
        return None


_PROCESS = _psutil_process()
RSS_SOURCE = "psutil" if _PROCESS is not None else "/proc/self/status VmRSS"


def rss_mib() -> float:
    if _PROCESS is not None:
        return float(_PROCESS.memory_info().rss) / MIB
    kib = _status_kib("VmRSS")
    if kib is None:
        pytest.skip("no psutil and no /proc/self/status: RSS cannot be read here")
    return kib / 1024


def reset_peak() -> bool:
    """VmHWM back to the current RSS (Linux ≥ 4.0), so VmHWM after the run is the run's peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return _status_kib("VmHWM") is not None


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU of a process from /proc (this one by default); 0 where unknown."""
    try:
        stat = Path(f"/proc/{pid or 'self'}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")


def workers_cpu_seconds(leave_out: int | None) -> float:
    """User + system CPU of this process's live children but ``leave_out`` (the sandbox): the
    worker pool that checks the files."""
    me, total = str(os.getpid()), 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or entry.name == str(leave_out):
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat[1] == me:  # its parent
            total += (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
    return total


@dataclass(frozen=True)
class Cpu:
    """CPU seconds of this process, its worker pool and the sandbox."""

    own: float
    workers: float
    sandbox: float

    @classmethod
    def now(cls, sandbox_pid: int | None) -> Cpu:
        return cls(cpu_seconds(), workers_cpu_seconds(sandbox_pid), cpu_seconds(sandbox_pid))

    def since(self, before: Cpu) -> Cpu:
        return Cpu(
            self.own - before.own, self.workers - before.workers, self.sandbox - before.sandbox
        )

    def text(self) -> str:
        return f"{self.own:.2f} / {self.workers:.2f} / {self.sandbox:.2f}"


# -- the sandbox's witness -----------------------------------------------------------------------
@dataclass(frozen=True)
class Witness:
    """What ``/_sandbox/state`` says: jobs created, jobs started, files uploaded (in full)."""

    jobs: int
    starts: int
    uploads: int
    objects: int

    @classmethod
    def read(cls, sandbox: SandboxProcess) -> Witness:
        state = sandbox.state()
        counter = state["faults"].get("s3_delay")
        assert counter is not None and counter["seconds"] == 0, state["faults"]
        return cls(
            jobs=len(state["jobs"]),
            starts=sum(len(job["runs"]) for job in state["jobs"]),
            uploads=PUT_COUNTER - int(counter["count"]),
            objects=len(sandbox.objects()),
        )

    def since(self, before: Witness) -> Witness:
        return Witness(
            self.jobs - before.jobs,
            self.starts - before.starts,
            self.uploads - before.uploads,
            self.objects - before.objects,
        )


def count_uploads(sandbox: SandboxProcess) -> None:
    sandbox.faults.set("s3_delay", {"seconds": 0, "count": PUT_COUNTER})


# -- watching a run ------------------------------------------------------------------------------
@dataclass
class Watch:
    """The runner's listener: items at once (and for how long), RSS at the checkpoints."""

    limit: int
    items: int
    running: int = 0
    most: int = 0
    finished: int = 0
    at_limit: float = 0.0  # seconds with ``limit`` items running
    since: float = field(default_factory=time.perf_counter)
    checkpoints: dict[int, float] = field(default_factory=dict)
    outcomes: list[ItemOutcome] = field(default_factory=list)

    def handle(self, event: BatchEvent) -> None:
        if isinstance(event, ItemStarted):
            self._change(+1)
        elif isinstance(event, ItemFinished):
            self.outcomes.append(event.outcome)
            if event.outcome.status is not ItemStatus.NOT_SENT:  # one that never began
                self._change(-1)
            self.finished += 1
            if self.finished * QUARTERS % self.items == 0:
                self.checkpoints[self.finished] = rss_mib()

    def _change(self, step: int) -> None:
        now = time.perf_counter()
        if self.running == self.limit:
            self.at_limit += now - self.since
        self.since = now
        self.running += step
        self.most = max(self.most, self.running)


@dataclass
class RunFigures:
    seconds: float
    watch: Watch
    outcomes: list[ItemOutcome]
    rss_start: float
    rss_peak: float
    rss_end: float
    peak_source: str
    cpu: Cpu

    @property
    def growth(self) -> float:
        return self.rss_peak - self.rss_start


@contextlib.contextmanager
def app_garbage_collector() -> Iterator[None]:
    """The app's collector (on the Qt thread, from a timer); the session's gc state after."""
    was_enabled = gc.isenabled()
    collector = MainThreadGarbageCollector()
    try:
        yield
    finally:
        collector.stop()  # enables automatic collection
        if not was_enabled:
            gc.disable()  # tests/conftest.py's choice for the session
        collector.deleteLater()


async def sample_rss(samples: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        samples.append(rss_mib())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), SAMPLE_EVERY)


@dataclass
class Bench:
    sandbox: SandboxProcess
    http: httpx.AsyncClient
    connection: Connection
    history: HistoryStore
    plan: BatchPlan

    async def batch(self, *, measure_memory: bool) -> RunFigures:
        registry = load_snapshot()
        watch = Watch(DEFAULT_JOBS, len(self.plan.items))
        runner = BatchRunner(
            self.connection.client, self.http, self.history,
            self.connection.profile, registry, listener=watch.handle,
        )  # fmt: skip
        samples: list[float] = []
        stop = asyncio.Event()
        gc.collect()
        hwm = measure_memory and reset_peak()
        start_rss = rss_mib()
        sampler = asyncio.create_task(sample_rss(samples, stop)) if measure_memory else None
        cpu = Cpu.now(self.sandbox.pid)
        started = watch.since = time.perf_counter()
        outcomes = await runner.run(self.plan, PARTNER)
        seconds = time.perf_counter() - started
        cpu = Cpu.now(self.sandbox.pid).since(cpu)
        stop.set()
        if sampler is not None:
            await sampler
        end_rss = rss_mib()
        peak = max([start_rss, end_rss, *samples, *watch.checkpoints.values()])
        source = f"max of {len(samples)} samples"
        high = _status_kib("VmHWM") if hwm else None
        if high is not None and high / 1024 >= peak:
            peak, source = high / 1024, "VmHWM"
        return RunFigures(seconds, watch, outcomes, start_rss, peak, end_rss, source, cpu)

    async def sequential(self, history: HistoryStore, count: int) -> tuple[float, int, Cpu]:
        """``count`` of the plan's items, each a bare pipeline submit, one after the other:
        the seconds, how many started, the CPU used."""
        registry = load_snapshot()
        cpu, ok = Cpu.now(self.sandbox.pid), 0
        started = time.perf_counter()
        # Spread over the plan (sorted by district and assessment), so a subset has both kinds.
        step = max(1, len(self.plan.items) // max(1, count))
        for item in self.plan.items[::step][:count]:
            bundle = registry.get(item.bundle)
            assert bundle is not None
            values = FormValues(
                PARTNER, item.tenant, item.school_year, bundle, dict(item.params), dict(item.files)
            )
            pipeline = SubmissionPipeline(self.connection.client, self.http, history)
            result = await pipeline.submit(submission_request(self.connection.profile, values))
            ok += result.ok
        seconds = time.perf_counter() - started
        return seconds, ok, Cpu.now(self.sandbox.pid).since(cpu)


def run_on(loop: asyncio.AbstractEventLoop, work: Callable[[], Awaitable[T]]) -> T:
    async def wrapped() -> T:
        return await work()

    return loop.run_until_complete(wrapped())
