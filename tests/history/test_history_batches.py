"""Batches in History (schema 4): a 0.1.0 database gains the tables with all its rows, and a
batch keeps each item's outcome, linked to its submission."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from runway_desktop.history.store import HistoryStore

V010 = Path(__file__).resolve().parent / "data" / "history-0.1.0.sqlite3"


def test_a_010_database_gains_batches_and_keeps_its_submissions(tmp_path: Path) -> None:
    copy = tmp_path / "history.sqlite3"
    shutil.copyfile(V010, copy)
    db = sqlite3.connect(copy)
    before = db.execute("SELECT count(*) FROM submissions").fetchone()[0]
    db.close()
    store = HistoryStore(copy)
    try:
        assert len(store.submissions()) == before > 0
        assert store.batches() == []
        oldest = store.submissions()[-1].id
        batch = store.batch_started(
            profile="Runway", partner="acme", source="/term", labels=["A", "B"]
        )
        store.batch_item_finished(batch, 1, "already_sent", oldest, "These files were sent.")
        (record,) = store.batches_of(oldest)
        assert record.id == batch and record.finished_at is None
        assert [(i.number, i.label, i.status, i.submission_id) for i in record.items] == [
            (1, "A", "already_sent", oldest), (2, "B", None, None)
        ]  # fmt: skip
        store.batch_finished(batch)
        (listed,) = store.batches()
        assert listed.finished_at is not None and listed.source == "/term"
    finally:
        store.close()


def test_newest_batch_first_and_none_for_a_submission_in_no_batch(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "history.sqlite3")
    try:
        first = store.batch_started(profile="p", partner="acme", source="/a", labels=["x"])
        second = store.batch_started(profile="p", partner="acme", source="/b", labels=["y"])
        assert [b.id for b in store.batches()] == [second, first]
        assert [b.id for b in store.batches(limit=1)] == [second]
        assert store.batches_of(12345) == []
    finally:
        store.close()
