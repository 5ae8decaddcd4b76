"""History screen with 10,000 submissions: open time and Qt-thread time per search keystroke.

Issue targets: 10,000 submissions open in ≤ 300 ms; ≤ 30 ms per keystroke on the Qt thread;
no cap on the list. Run on demand (the file is named bench_* so the default run skips it):

    QT_QPA_PLATFORM=offscreen python -m pytest -m benchmark -s -p no:cacheprovider \
        tests/benchmarks/bench_history_view.py

Figures are printed; RUNWAY_BENCH_ASSERT=1 turns a missed target into a failure.

The database is a real SQLite file written through the real store's schema: 10,000
submissions in every recorded state, each with one file and five steps, and output sets for a
third of them. The reference, timed in the same run, is what the page did before on its Qt
thread: ``store.submissions(limit=10_000)`` (three queries a row) and a derivation per row.
Besides wall times, a 2 ms probe timer records the Qt thread's longest stall while the page
opens and while typing: that is the figure the UI feels.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QIcon
from pytestqt.qtbot import QtBot

from runway_desktop.core.session import Session
from runway_desktop.core.submission_state import derive_state
from runway_desktop.history.records import iso, utc_now
from runway_desktop.history.store import HistoryStore
from runway_desktop.ui.history.page import HistoryPage
from runway_desktop.ui.notifier import Notifier

pytestmark = pytest.mark.benchmark
ROWS = 10_000
ROUNDS = 5
OPEN_TARGET_MS = 300.0
KEY_TARGET_MS = 30.0
KEYS = "district-b 2025"
STATES = ("started", "started", "started", "failed", "cancelled", "uploading", "starting")


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _verdict(value: float, target: float) -> str:
    return "PASS" if value <= target else "MISS"


def fill(path: Path) -> None:
    """10,000 submissions in one transaction (the store's schema, made by the store)."""
    HistoryStore(path).close()
    db = sqlite3.connect(path)
    t0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    subs, files, steps, sets = [], [], [], []
    for i in range(1, ROWS + 1):
        at = t0 + timedelta(minutes=17 * i)
        state = STATES[i % len(STATES)]
        job = f"{i:08d}-0000-4000-8000-000000000000" if state != "cancelled" else None
        tenant, year = ("district-a", "2026") if i % 2 else ("district-b", "2025")
        started = iso(at) if state == "started" else None
        subs.append((i, iso(at), "Bench", "http://x/api/v1", "acme", tenant, year,
                     "assessments/MAP_Growth", "MAP Growth", json.dumps({}), state, job,
                     iso(at) if job else None, started, started))  # fmt: skip
        files.append((i, "INPUT_FILE", f"/data/scores_{i}.csv", f"scores_{i}.csv", 2048, i,
                      f"{i:032x}"))  # fmt: skip
        for n, step in enumerate(("CHECK", "SIGN_IN", "CREATE", "UPLOAD", "START")):
            steps.append((i, step, "done", iso(at + timedelta(seconds=n)),
                          iso(at + timedelta(seconds=n + 1))))  # fmt: skip
        if state == "started" and i % 3 == 0:
            sets.append((f"set-{i}", job, "acme", tenant, year, "assessments/MAP_Growth",
                         i % 2, iso(at + timedelta(minutes=3)), iso(at)))  # fmt: skip
    with db:
        db.executemany(
            "INSERT INTO submissions (id, created_at, profile, api_base_url, partner, tenant,"
            " school_year, bundle, bundle_name, params_json, state, job_uid, job_created_at,"
            " start_requested_at, started_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", subs,
        )  # fmt: skip
        db.executemany(
            "INSERT INTO submission_files (submission_id, env_var, path, upload_name, size,"
            " mtime_ns, md5) VALUES (?,?,?,?,?,?,?)", files,
        )  # fmt: skip
        db.executemany(
            "INSERT INTO submission_steps (submission_id, step, status, started_at,"
            " finished_at) VALUES (?,?,?,?,?)", steps,
        )  # fmt: skip
        db.executemany(
            "INSERT INTO output_sets_seen (set_uid, job_uid, partner, tenant, school_year,"
            " bundle, sent_to_ods, created_at, seen_at) VALUES (?,?,?,?,?,?,?,?,?)", sets,
        )  # fmt: skip
    db.close()


class Stalls:
    """The Qt thread's longest gap between ticks of a 2 ms timer (its lateness)."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(2)
        self.timer.timeout.connect(self._tick)
        self.last = time.perf_counter()
        self.worst = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last - 0.002)
        self.last = now

    def start(self) -> None:
        self.worst, self.last = 0.0, time.perf_counter()
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return self.worst


class PaintCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


@pytest.fixture
def services(qloop: asyncio.AbstractEventLoop, qtbot: QtBot) -> Iterator[Session]:
    made = Session.create()
    fill(made.history_path)
    try:
        yield made
    finally:
        task = qloop.create_task(made.aclose())
        qtbot.waitUntil(task.done, timeout=10_000)


def _open(
    services: Session, qtbot: QtBot, stalls: Stalls
) -> tuple[float, float, float, HistoryPage]:
    """(open to the first rows painted, open to all 10,000 listed, longest stall, page)"""
    counter = PaintCounter()
    started = time.perf_counter()
    stalls.start()
    page = HistoryPage(services, Notifier(QIcon()))
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.table.viewport().installEventFilter(counter)
    with qtbot.waitSignal(page.listed, timeout=30_000):
        with qtbot.waitSignal(page.firstRowsShown, timeout=30_000):
            page.show()
        before = counter.count
        qtbot.waitUntil(lambda: counter.count > before, timeout=5_000)  # the rows painted
        opened = time.perf_counter() - started
    complete = time.perf_counter() - started
    return opened, complete, stalls.stop(), page


def test_ten_thousand_submissions_open_and_search(
    services: Session, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    stalls = Stalls()
    # The reference: what the page did before, on the Qt thread, capped at 1,000 rows (the
    # same read uncapped takes tens of seconds here: three queries a row).
    legacy = []
    for _ in range(3):
        started = time.perf_counter()
        now = utc_now()
        records = services.history.submissions(limit=1000)
        [derive_state(r, now=now) for r in records]
        legacy.append(time.perf_counter() - started)
    assert len(records) == 1000

    opens, completes, open_stalls = [], [], []
    for _ in range(ROUNDS):
        opened, complete, stall, page = _open(services, qtbot, stalls)
        assert page.model.total() == ROWS and page.model.rowCount() < ROWS  # paged, no cap
        opens.append(opened)
        completes.append(complete)
        open_stalls.append(stall)
        page.shutdown()
        page.hide()

    *_, page = _open(services, qtbot, stalls)
    key_calls: list[float] = []  # what one keystroke costs the Qt thread itself
    applies: list[float] = []  # applying a search's result (model reset + first paint)
    key_stalls: list[float] = []
    settle: list[float] = []  # last keystroke → rows shown (includes the debounce)
    original = page._apply

    def timed_apply(rows: list[object]) -> None:
        begun = time.perf_counter()
        original(rows)  # type: ignore[arg-type]
        page.table.viewport().repaint()
        applies.append(time.perf_counter() - begun)

    page._apply = timed_apply  # type: ignore[method-assign,assignment]
    for round_ in range(3):
        if page.filters.search.text():
            with qtbot.waitSignal(page.listed, timeout=10_000):
                page.filters.search.clear()
        stalls.start()
        for count in range(1, len(KEYS) + 1):
            began = time.perf_counter()
            page.filters.search.setText(KEYS[:count])
            key_calls.append(time.perf_counter() - began)
            qtbot.wait(60)  # a fast typist: a key every 60 ms
        typed = time.perf_counter()
        with qtbot.waitSignal(page.listed, timeout=10_000):
            pass
        settle.append(time.perf_counter() - typed)
        qtbot.wait(50)
        if round_:
            key_stalls.append(stalls.stop())
        else:
            stalls.stop()
    assert page.model.total() == ROWS // 2  # district-b, 2024–25
    page.shutdown()

    legacy_ms = _ms(statistics.median(legacy))
    open_ms = _ms(statistics.median(opens))
    key_worst = _ms(max(max(key_calls), max(applies)))
    print(
        f"\n10,000 submissions in History (offscreen, {os.cpu_count()} CPUs,"
        f" load {os.getloadavg()[0]:.1f}, Python {sys.version.split()[0]})"
        f"\n  reference: the old page's 1,000-row read + derive on the Qt thread  median"
        f" {legacy_ms} ms"
        f"\n  open to rows painted     median {open_ms} ms (min {_ms(min(opens))},"
        f" max {_ms(max(opens))})  = {open_ms / legacy_ms:.2f}× the reference"
        f"  target ≤ {OPEN_TARGET_MS:.0f}: {_verdict(open_ms, OPEN_TARGET_MS)}"
        f"\n  open to all {ROWS:,} listed  median {_ms(statistics.median(completes))} ms"
        " (read and derived in a worker thread; the screen is usable meanwhile)"
        f"\n    Qt thread's longest stall while opening  max {_ms(max(open_stalls))} ms"
        f"\n  keystroke on the Qt thread  median {_ms(statistics.median(key_calls))} ms,"
        f" max {_ms(max(key_calls))} ms ({len(key_calls)} keys; the search itself runs in a"
        " thread after a 150 ms pause)"
        f"\n  applying a search result  median {_ms(statistics.median(applies))} ms,"
        f" max {_ms(max(applies))} ms (model reset + repaint)"
        f"\n  worst Qt-thread cost per keystroke  {key_worst} ms"
        f"  target ≤ {KEY_TARGET_MS:.0f}: {_verdict(key_worst, KEY_TARGET_MS)}"
        f"\n    Qt thread's longest stall while typing  max {_ms(max(key_stalls))} ms"
        f"\n  last key → rows shown    median {_ms(statistics.median(settle))} ms"
        " (debounce included)"
    )
    if os.environ.get("RUNWAY_BENCH_ASSERT", "").strip() == "1":
        assert open_ms <= OPEN_TARGET_MS
        assert key_worst <= KEY_TARGET_MS
