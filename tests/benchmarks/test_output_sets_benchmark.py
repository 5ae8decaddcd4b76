"""Output sets screen with 10,000 and 100,000 sets from the sandbox: listing and keystrokes.

Issue targets: 10,000 sets list (fetch + parse + first paint) in ≤ 300 ms; 100,000 sets
refresh in ≤ 1.5 s; every search keystroke ≤ 30 ms, the first one after a listing included.
Run on demand (``-k 100000`` or ``-k 10000`` picks one size):

    QT_QPA_PLATFORM=offscreen python -m pytest -m benchmark -s -p no:cacheprovider \
        tests/benchmarks/test_output_sets_benchmark.py

Figures are printed; RUNWAY_BENCH_ASSERT=1 turns a missed target into a failure.

Keystrokes: each round lists afresh (a new model, no haystack made yet) and types at once,
before any idle time: so the first keystroke after a listing is the worst case the issue
names, and it is measured in every round, not discarded as a warm-up.

The listing figure is split in two: the sandbox's answer (its handler, JSON encoding and the
loopback transfer: the time spent inside the HTTP call) and this app's own work (JSON parse,
rows, model, first paint). A real Runway server's time is not the app's to spend, so the target
is judged on the app's work plus a fixed network allowance (RUNWAY_BENCH_NETWORK_MS, default
50 ms: a round trip and a few hundred kilobytes), the sandbox's own time printed beside it.

The sandbox runs in a process of its own (``python -m runway_desktop.sandbox``), as Runway runs
on another machine: in-process it would share the GIL with the app and its JSON encoding of
10,000 sets would be counted as the app's time. It is stopped by its PID at the end. Its
data folder is on /dev/shm when there is one: injecting 100,000 sets writes 100,000 small
objects (~25 s there).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from runway_desktop.api.client import RunwayClient, api_root
from runway_desktop.api.models import OutputSetFilter
from runway_desktop.core.session import Session, connect
from runway_desktop.settings import Profile
from runway_desktop.ui.notifier import Notifier
from runway_desktop.ui.output_sets.page import OutputSetsPage

pytestmark = pytest.mark.benchmark
# (sets, listing target in ms, measured listings): the two sizes.
SIZES = ((10_000, 300.0, 5), (100_000, 1500.0, 3))
KEY_TARGET_MS = 30.0
KEY_ROUNDS = 3
KINDS = (
    ("district-a", "2026", "assessments/MAP_Growth", True),
    ("district-b", "2026", "assessments/PSAT_SAT", True),
    ("district-a", "2025", "assessments/STAR", False),
    ("lincoln-county", "2026", "assessments/ACT", True),
)
KEYS = "district-b 2025"
SHM = Path("/dev/shm")
NETWORK_MS = float(os.environ.get("RUNWAY_BENCH_NETWORK_MS", "") or 50)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _verdict(value: float, target: float) -> str:
    return "PASS" if value <= target else "MISS"


class PaintCounter(QObject):
    """Counts paint events of a widget: proof that a timed step really painted."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


@pytest.fixture(scope="module", params=SIZES, ids=[str(size[0]) for size in SIZES])
def size(request: pytest.FixtureRequest) -> tuple[int, float, int]:
    value: tuple[int, float, int] = request.param
    return value


@pytest.fixture(scope="module")
def sandbox_process(size: tuple[int, float, int]) -> Iterator[dict[str, object]]:
    """A sandbox in its own process holding ``size`` acme sets; its printed profile."""
    sets = size[0]
    data = Path(tempfile.mkdtemp(prefix="runway-bench-sets-", dir=SHM if SHM.is_dir() else None))
    child = subprocess.Popen(
        [sys.executable, "-m", "runway_desktop.sandbox", "--data-dir", str(data)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        profile: dict[str, object] = json.loads(child.stdout.readline())
        control = api_root(str(profile["api_base_url"])).rsplit("/api/v1", 1)[0] + "/_sandbox"
        now = datetime.now(UTC)
        for i, (tenant, year, bundle, ods) in enumerate(KINDS):
            body = {
                "partner": "acme", "tenant": tenant, "schoolYear": year, "bundle": bundle,
                "count": sets // len(KINDS), "sentToOds": ods, "files": {"a.jsonl": "x"},
                "createdAt": (now - timedelta(hours=i)).isoformat(),
            }  # fmt: skip
            httpx.post(f"{control}/output-sets", json=body, timeout=300).raise_for_status()
        yield profile
    finally:
        child.terminate()  # a clean stop of 10,000 jobs takes long: it gets 10 s, then a kill
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
def page(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    sandbox_process: dict[str, object],
    size: tuple[int, float, int],
) -> Iterator[OutputSetsPage]:
    services = Session.create()
    profile, secret = Profile.from_sandbox_json(sandbox_process, name="Sandbox")
    assert secret is not None
    connection = connect(services.http, profile, secret)
    widget = OutputSetsPage(services, Notifier(QIcon()))
    qtbot.addWidget(widget)
    widget.resize(1180, 760)
    with qtbot.waitSignal(widget.loaded, timeout=120_000):  # warm-up: sign-in, first imports
        widget.show()
        widget.set_connection(connection, ["acme"])
    assert widget.model.rowCount() == size[0]
    # The first listing records every set in the history (in a thread): not timed here.
    qtbot.waitUntil(lambda: widget.listing.task is not None and widget.listing.task.done(),
                    timeout=120_000)  # fmt: skip
    try:
        yield widget
    finally:
        widget.controller.shutdown()
        task = qloop.create_task(services.aclose())
        qtbot.waitUntil(task.done, timeout=10_000)


class SendTimer:
    """Wall time spent inside the client's HTTP calls: the server's answer plus transfer."""

    def __init__(self, client: RunwayClient) -> None:
        self.seconds = 0.0
        self._send = send = client._send

        async def timed(*args: object, **kwargs: object) -> httpx.Response:
            started = time.perf_counter()
            try:
                return await send(*args, **kwargs)  # type: ignore[arg-type]
            finally:
                self.seconds += time.perf_counter() - started

        client._send = timed  # type: ignore[method-assign]


class Stalls:
    """The Qt thread's longest gap between ticks of a 2 ms timer while a listing runs."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(2)
        self.timer.timeout.connect(self._tick)
        self.last, self.worst = time.perf_counter(), 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst, self.last = max(self.worst, now - self.last - 0.002), now

    def start(self) -> None:
        self.last, self.worst = time.perf_counter(), 0.0
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return self.worst


def _paint(page: OutputSetsPage, counter: PaintCounter, before: int) -> None:
    """The paint the next frame tick would do, unless processing events already painted."""
    QApplication.processEvents()
    if counter.count == before:
        # Qt paints on the next frame tick (~16 ms later, not work): paint now, synchronously.
        page.table.viewport().repaint()
    assert counter.count > before


def _time_listing(
    page: OutputSetsPage, qtbot: QtBot, sends: SendTimer, stalls: Stalls, *, fresh: bool
) -> tuple[float, float, float, float, float]:
    """(listed and in the model, plus first paint, this process's CPU, inside HTTP, the Qt
    thread's longest stall) seconds. ``fresh``: a new question (the model is reset, as when a
    filter changes); else a refresh of the same listing (the minute timer, Refresh)."""
    if fresh:
        page.model.set_rows([], {})
        page.listing.loaded_filter = None  # a new question: the full reset path, not a merge
    QApplication.processEvents()
    arrived: list[float] = []
    page.loaded.connect(lambda: arrived.append(time.perf_counter()))
    counter = PaintCounter()
    page.table.viewport().installEventFilter(counter)
    sends.seconds = 0.0
    stalls.start()
    started, cpu = time.perf_counter(), time.process_time()
    with qtbot.waitSignal(page.loaded, timeout=60_000):
        page.refresh()
    page.loaded.disconnect()
    _paint(page, counter, 0)
    painted, cpu = time.perf_counter(), time.process_time() - cpu
    stall = stalls.stop()
    page.table.viewport().removeEventFilter(counter)
    qtbot.waitUntil(lambda: page.listing.task is not None and page.listing.task.done(),
                    timeout=60_000)  # fmt: skip
    return arrived[0] - started, painted - started, cpu, sends.seconds, stall


def _typing(page: OutputSetsPage, counter: PaintCounter) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each keystroke of KEYS (typed at once, each painted)."""
    walls, cpus = [], []
    for count in range(1, len(KEYS) + 1):
        started, cpu = time.perf_counter(), time.process_time()
        painted_before = counter.count
        page.filters.search.setText(KEYS[:count])  # what one keystroke does
        _paint(page, counter, painted_before)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return walls, cpus


def _spread(values: list[float]) -> str:
    return (f"median {_ms(statistics.median(values))} ms (min {_ms(min(values))},"
            f" max {_ms(max(values))})")  # fmt: skip


def test_sets_list_and_search(
    page: OutputSetsPage,
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    size: tuple[int, float, int],
) -> None:
    sets, list_target, rounds_ = size
    # The HTTP round trip alone (sandbox JSON + httpx + parse), for the breakdown.
    client = page.connection.client  # type: ignore[union-attr]
    sends, stalls = SendTimer(client), Stalls()
    fetches = []
    for _ in range(2):
        started = time.perf_counter()
        task = qloop.create_task(client.list_output_sets(OutputSetFilter(partner="acme")))
        qtbot.waitUntil(task.done, timeout=60_000)
        fetches.append(time.perf_counter() - started)
        assert len(task.result()) == sets

    rounds = [_time_listing(page, qtbot, sends, stalls, fresh=True) for _ in range(rounds_)]
    listed, painted, cpus, servers, list_stalls = (list(x) for x in zip(*rounds, strict=True))
    own = [paint - server for _, paint, _, server, _ in rounds]  # the app's part of the wall
    again = [_time_listing(page, qtbot, sends, stalls, fresh=False) for _ in range(2)]
    again_own = [paint - server for _, paint, _, server, _ in again]

    keys: list[float] = []
    firsts: list[float] = []  # the first keystroke after a fresh listing, each round
    key_cpus: list[float] = []
    counter = PaintCounter()
    page.table.viewport().installEventFilter(counter)
    for _ in range(KEY_ROUNDS):
        page.filters.search.clear()
        _time_listing(page, qtbot, sends, stalls, fresh=True)  # no haystack made yet
        walls, cpu = _typing(page, counter)
        firsts.append(walls[0])
        keys += walls
        key_cpus += cpu
        assert page.proxy.rowCount() == sets // len(KINDS)  # district-b (its year is 2025–26)
    page.filters.search.clear()

    paint_ms = _ms(statistics.median(painted))
    own_ms = _ms(statistics.median(own))
    judged_ms = round(own_ms + NETWORK_MS, 1)
    key_max = _ms(max(keys))
    print(
        f"\n{sets:,} output sets (offscreen, {os.cpu_count()} CPUs, load"
        f" {os.getloadavg()[0]:.1f}, Python {sys.version.split()[0]}; sandbox in its own process)"
        f"\n  HTTP fetch + parse only  {_spread(fetches)}"
        f"\n  new listing: in the model  {_spread(listed)}"
        f"\n  + first paint            {_spread(painted)}, of which"
        f"\n    sandbox's answer       {_spread(servers)}"
        " (inside the HTTP call: its handler, JSON encoding, loopback; not the app's)"
        f"\n    the app's own work     {_spread(own)}"
        f"\n    app CPU time for it    {_spread(cpus)} (this process only)"
        f"\n    Qt thread's longest stall  {_spread(list_stalls)}"
        f"\n  app's work + {NETWORK_MS:.0f} ms network  {judged_ms} ms"
        f"  target ≤ {list_target:.0f}: {_verdict(judged_ms, list_target)}"
        f" (with the sandbox's time instead: {paint_ms} ms, {_verdict(paint_ms, list_target)})"
        f"\n  refresh of the same listing (merge): the app's own work  {_spread(again_own)},"
        f" with the sandbox {_spread([r[1] for r in again])}"
        f"\n  first keystroke after a listing  {_spread(firsts)} ({KEY_ROUNDS} listings)"
        f"\n  every keystroke          {_spread(keys)} ({len(keys)} keystrokes)"
        f"  target ≤ {KEY_TARGET_MS:.0f} for each: {_verdict(key_max, KEY_TARGET_MS)}"
        f"\n    app CPU time for one   {_spread(key_cpus)}"
        "\n  (wall time includes waiting for a CPU: compare CPU time on a busy machine)"
    )
    if os.environ.get("RUNWAY_BENCH_ASSERT", "").strip() == "1":
        assert judged_ms <= list_target
        assert key_max <= KEY_TARGET_MS
