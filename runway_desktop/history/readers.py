"""Reading submissions back out of the history file: one way for every reader.

A batch of submission rows becomes records in three more queries, whatever its size (their
files, steps and output sets), not three a row, and every record is made by the one rule in
records.submission_from_values. The store's own lookups (``get``, ``submissions``) use it on
the store's connection; the paged read and the sent-files lookup run on a worker thread
through a read-only connection of their own (WAL lets them read while the pipeline writes),
so they never hold the lock the Qt thread's writes take.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from runway_desktop.history.records import (
    FILE_COLUMNS,
    SET_COLUMNS,
    STEP_COLUMNS,
    SUBMISSION_COLUMNS,
    SubmissionRecord,
    submission_from_values,
)

# Plain tuples in known column orders: reading 10,000 submissions through sqlite3.Row's
# lookups by name took most of the time. ``s`` is the alias the callers' WHERE clauses use.
SUBMISSIONS_SQL = f"SELECT {', '.join(f's.{c}' for c in SUBMISSION_COLUMNS)} FROM submissions s"
_BETWEEN = " WHERE submission_id BETWEEN ? AND ? ORDER BY "
_FILES_SQL = f"SELECT {', '.join(FILE_COLUMNS)} FROM submission_files{_BETWEEN}rowid"
_STEPS_SQL = f"SELECT {', '.join(STEP_COLUMNS)} FROM submission_steps{_BETWEEN}id"
_JOB_UID = SUBMISSION_COLUMNS.index("job_uid")
_SQLITE_MAX_PARAMETERS = 500  # well under SQLite's bound-parameter limit on every build


def open_read_only(path: Path) -> sqlite3.Connection:
    """A connection of the caller's own that can only read (for a worker thread)."""
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)


def records_of(db: sqlite3.Connection, rows: Sequence[Sequence[Any]]) -> list[SubmissionRecord]:
    """The records of ``rows`` (read by SUBMISSIONS_SQL), in their order, with their files,
    steps and sets. Files and steps are read by the range of the rows' ids: meant for rows
    whose ids are close together (one row, or a page of the newest)."""
    if not rows:
        return []
    ids = [row[0] for row in rows]
    id_range = (min(ids), max(ids))
    files = grouped_values(db, _FILES_SQL, id_range)
    steps = grouped_values(db, _STEPS_SQL, id_range)
    jobs = [row[_JOB_UID] for row in rows if row[_JOB_UID]]
    sets: dict[Any, list[tuple[Any, ...]]] = {}
    for start in range(0, len(jobs), _SQLITE_MAX_PARAMETERS):
        chunk = tuple(jobs[start : start + _SQLITE_MAX_PARAMETERS])
        sql = (f"SELECT {', '.join(SET_COLUMNS)} FROM output_sets_seen WHERE job_uid"
               f" IN ({','.join('?' * len(chunk))}) ORDER BY created_at")  # fmt: skip
        for key, found in grouped_values(db, sql, chunk).items():
            sets.setdefault(key, []).extend(found)
    none: list[tuple[Any, ...]] = []
    return [
        submission_from_values(
            row, files.get(row[0], none), steps.get(row[0], none),
            sets.get(row[_JOB_UID], none) if row[_JOB_UID] else none,
        )
        for row in rows
    ]  # fmt: skip


def submission_pages(path: Path, page: int) -> Iterator[list[SubmissionRecord]]:
    """Every submission of the file at ``path``, newest first, in pages of ``page``."""
    db = open_read_only(path)
    try:
        last_id: int | None = None
        while True:
            where, args = ("WHERE s.id < ?", (last_id,)) if last_id is not None else ("", ())
            rows = db.execute(
                f"{SUBMISSIONS_SQL} {where} ORDER BY s.id DESC LIMIT ?", (*args, page)
            ).fetchall()
            if not rows:
                return
            yield records_of(db, rows)
            last_id = int(rows[-1][0])
    finally:
        db.close()


def sent_md5s(
    path: Path, partner: str, tenant: str, school_year: str, bundle: str
) -> list[tuple[int, tuple[str, ...]]]:
    """(id, sorted file MD5s) of each submission for these whose start was asked, newest
    first (HistoryStore.sent_md5s)."""
    db = open_read_only(path)
    try:
        rows = db.execute(
            "SELECT s.id, f.md5 FROM submissions s JOIN submission_files f"
            " ON f.submission_id = s.id WHERE s.partner = ? AND s.tenant = ?"
            " AND s.school_year = ? AND s.bundle = ? AND s.job_uid IS NOT NULL"
            " AND (s.started_at IS NOT NULL OR s.start_requested_at IS NOT NULL)",
            (partner, tenant, school_year, bundle),
        ).fetchall()
    finally:
        db.close()
    grouped: dict[int, list[str]] = {}
    for submission_id, md5 in rows:
        grouped.setdefault(int(submission_id), []).append(str(md5))
    return [(i, tuple(sorted(grouped[i]))) for i in sorted(grouped, reverse=True)]


def sent_file_md5s(path: Path) -> dict[tuple[str, int, int], str]:
    """The MD5 of every file of a submission whose start was asked, by (path, size, mtime_ns)
    as it was checked then (HistoryStore.sent_file_md5s)."""
    db = open_read_only(path)
    try:
        rows = db.execute(
            "SELECT f.path, f.size, f.mtime_ns, f.md5 FROM submission_files f JOIN submissions s"
            " ON f.submission_id = s.id WHERE f.md5 != '' AND s.job_uid IS NOT NULL"
            " AND (s.started_at IS NOT NULL OR s.start_requested_at IS NOT NULL)"
        ).fetchall()
    finally:
        db.close()
    return {(str(p), int(size), int(mtime)): str(md5) for p, size, mtime, md5 in rows}


def grouped_values(
    db: sqlite3.Connection, sql: str, args: tuple[Any, ...]
) -> dict[Any, list[tuple[Any, ...]]]:
    """The rows of ``sql`` (plain tuples) grouped by their first column, in their order."""
    grouped: dict[Any, list[tuple[Any, ...]]] = {}
    for row in db.execute(sql, args):
        found = grouped.get(row[0])
        if found is None:
            grouped[row[0]] = [row]
        else:
            found.append(row)
    return grouped
