"""HistoryListReader: however many requests come, one round runs at a time and the last
request is served; rows a newer request overtook say so (``pending``), so the page's
``listed`` is only emitted for rows read after the latest request."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from runway_desktop.core.history_view import HistoryFilter, Sorting, ViewInputs
from runway_desktop.history.records import utc_now
from runway_desktop.history.store import HistoryStore
from runway_desktop.ui.history.list_reader import (
    HistoryListReader,
    ListRead,
    ReadFailed,
    RowsSelected,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    s = HistoryStore(tmp_path / "history.sqlite3")
    for tenant in ("district-a", "district-b", "district-a"):
        s.create_submission(
            profile="sandbox", api_base_url="http://127.0.0.1/api/v1", partner="acme",
            tenant=tenant, school_year="2026", bundle="assessments/STAR",
            bundle_name="Star Assessments", params={}, files=[],
        )  # fmt: skip
    yield s
    s.close()


class Recorder:
    """The reader's events, with whether a newer request was pending at each row delivery."""

    def __init__(self, reader: HistoryListReader) -> None:
        self.reader = reader
        self.reads = 0
        self.deliveries: list[tuple[int, bool]] = []  # (rows shown, pending then)
        self.failures: list[BaseException] = []
        reader.events.connect(self.on_event)

    def on_event(self, event: object) -> None:
        if isinstance(event, ListRead):
            self.reads += 1
        elif isinstance(event, RowsSelected):
            self.deliveries.append((len(event.rows), self.reader.pending()))
        elif isinstance(event, ReadFailed):
            self.failures.append(event.error)

    def settled(self) -> bool:
        return bool(self.deliveries) and not self.deliveries[-1][1]


def make_reader(
    store: HistoryStore, question: Callable[[], HistoryFilter] = HistoryFilter
) -> HistoryListReader:
    return HistoryListReader(
        store, lambda bundle: bundle or "", inputs=lambda: ViewInputs(now=utc_now()),
        question=lambda: (question(), Sorting()),
    )  # fmt: skip


def test_requests_during_a_round_make_one_more_round_not_one_each(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, store: HistoryStore
) -> None:
    reader = make_reader(store)
    seen = Recorder(reader)
    reader.read()
    for _ in range(5):  # before the round even began: it sees the flags, nothing more
        reader.select()
        reader.read()
    qtbot.waitUntil(seen.settled)
    qtbot.wait(50)
    assert (seen.reads, seen.deliveries, seen.failures) == (1, [(3, False)], [])
    assert reader.loaded is not None and len(reader.loaded.rows) == 3


def test_rows_a_newer_request_overtook_say_so(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, store: HistoryStore
) -> None:
    asked: list[HistoryFilter] = []

    def question() -> HistoryFilter:
        if len(asked) == 1:
            reader.select()  # a keystroke while the second selection runs in its thread
        asked.append(HistoryFilter(tenant="district-b" if len(asked) < 2 else "district-a"))
        return asked[-1]

    reader = make_reader(store, question)
    seen = Recorder(reader)
    reader.read()
    qtbot.waitUntil(seen.settled)
    reader.select()
    qtbot.waitUntil(lambda: len(seen.deliveries) == 3 and seen.settled())
    qtbot.wait(50)
    # The overtaken rows arrive marked pending; then district-a's two, read after the keystroke.
    assert (seen.reads, seen.deliveries) == (1, [(1, False), (1, True), (2, False)])


def test_nothing_is_read_after_stop(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, store: HistoryStore
) -> None:
    reader = make_reader(store)
    seen = Recorder(reader)
    reader.select_soon()
    reader.stop()
    reader.read()
    qtbot.wait(300)  # past the debounce
    assert (seen.reads, seen.deliveries) == (0, [])
