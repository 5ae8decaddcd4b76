"""Batches in History: one row per run of a batch plan, one per item with its outcome.

Each item's submission is a normal submission (its own row, state and steps); the batch keeps
what the run said of each item ("sent", "already sent" naming the earlier submission, "not
sent"…) so History can show the batch's own summary. An item with no outcome was under way
when the run ended (the process was killed): the next run of the plan settles it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from runway_desktop.history.records import iso, parse_dt, utc_now

BATCH_TABLES = """
CREATE TABLE batches (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    profile TEXT NOT NULL,
    partner TEXT NOT NULL,
    source TEXT NOT NULL
);
CREATE TABLE batch_items (
    batch_id INTEGER NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    label TEXT NOT NULL,
    status TEXT,
    submission_id INTEGER REFERENCES submissions(id) ON DELETE SET NULL,
    message TEXT,
    PRIMARY KEY (batch_id, number)
);
CREATE INDEX batch_items_submission ON batch_items(submission_id);
"""


@dataclass(frozen=True, slots=True)
class BatchItemRecord:
    number: int  # 1-based, in the plan's order
    label: str  # the item as the plan names it: assessment, district, year
    status: str | None  # the run's outcome (core.batch.run.ItemStatus); None: not finished
    submission_id: int | None
    message: str | None


@dataclass(frozen=True, slots=True)
class BatchRecord:
    id: int
    created_at: datetime
    finished_at: datetime | None
    profile: str
    partner: str
    source: str  # the folder or plan file it was sent from
    items: tuple[BatchItemRecord, ...]


def insert_batch(
    db: sqlite3.Connection, profile: str, partner: str, source: str, labels: Sequence[str]
) -> int:
    cursor = db.execute(
        "INSERT INTO batches (created_at, profile, partner, source) VALUES (?, ?, ?, ?)",
        (iso(utc_now()), profile, partner, source),
    )
    batch_id = int(cursor.lastrowid or 0)
    db.executemany(
        "INSERT INTO batch_items (batch_id, number, label) VALUES (?, ?, ?)",
        [(batch_id, number, label) for number, label in enumerate(labels, 1)],
    )
    return batch_id


def update_item(
    db: sqlite3.Connection,
    batch_id: int,
    number: int,
    status: str,
    submission_id: int | None,
    message: str,
) -> None:
    db.execute(
        "UPDATE batch_items SET status = ?, submission_id = ?, message = ?"
        " WHERE batch_id = ? AND number = ?",
        (status, submission_id, message, batch_id, number),
    )


def finish_batch(db: sqlite3.Connection, batch_id: int) -> None:
    db.execute("UPDATE batches SET finished_at = ? WHERE id = ?", (iso(utc_now()), batch_id))


def read_batches(db: sqlite3.Connection, where: str, args: tuple[object, ...]) -> list[BatchRecord]:
    rows = db.execute(
        "SELECT id, created_at, finished_at, profile, partner, source FROM batches " + where,
        args,
    ).fetchall()
    if not rows:
        return []
    ids = [int(r["id"]) for r in rows]
    marks = ",".join("?" * len(ids))
    items: dict[int, list[BatchItemRecord]] = {i: [] for i in ids}
    for r in db.execute(
        "SELECT batch_id, number, label, status, submission_id, message FROM batch_items"
        f" WHERE batch_id IN ({marks}) ORDER BY batch_id, number",
        ids,
    ):
        items[int(r["batch_id"])].append(
            BatchItemRecord(r["number"], r["label"], r["status"], r["submission_id"], r["message"])
        )
    return [
        BatchRecord(
            int(r["id"]),
            parse_dt(r["created_at"]) or utc_now(),
            parse_dt(r["finished_at"]),
            r["profile"],
            r["partner"],
            r["source"],
            tuple(items[int(r["id"])]),
        )
        for r in rows
    ]
