"""The local record of every submission and download (SQLite in the user's data dir).

Runway has no job-status endpoint (CONTRACT §5.5), so this record is what the History screen
derives a status from: what we sent, each step with its timing, the job uid, whether start was
accepted, and which output sets have since appeared for the job. Presigned URLs and tokens are
credentials and are never written here.

Every method is short, synchronous SQLite work on a small database; async callers may run it
on their loop (each call is well under a millisecond) or hand it to a thread.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from runway_desktop.history import batches, readers
from runway_desktop.history.batches import BatchRecord
from runway_desktop.history.migrations import migrate, use_wal
from runway_desktop.history.records import (
    SET_COLUMNS,
    FileRecord,
    SeenOutputSet,
    SubmissionRecord,
    iso,
    parse_dt,
    seen_from_values,
    utc_now,
)
from runway_desktop.history.schema import SCHEMA_V1


class RecordedState(StrEnum):
    """The values of the ``state`` column: what the pipeline was doing when it last wrote.

    The strings are the ones 0.1.0 wrote, so old databases read unchanged: never rename one.
    What a submission *is* (its :class:`~runway_desktop.core.submission_state.SubmissionState`)
    is derived from this and more in the core, which re-exports this enum; it lives here
    because the store writes it and the history package may not import the core.
    """

    CHECKING = "checking"
    SIGNING_IN = "signing_in"
    CREATING = "creating"
    UPLOADING = "uploading"
    STARTING = "starting"
    STARTED = "started"  # Runway accepted the start (202, or "already in progress")
    FAILED = "failed"
    CANCELLED = "cancelled"


# Working states: some process was sending the submission when it wrote one of these.
ACTIVE_STATES = (
    RecordedState.CHECKING, RecordedState.SIGNING_IN, RecordedState.CREATING,
    RecordedState.UPLOADING, RecordedState.STARTING,
)  # fmt: skip
STATE_STARTED = RecordedState.STARTED
STATE_FAILED = RecordedState.FAILED
STATE_CANCELLED = RecordedState.CANCELLED
# error_kind of a submission a resume replaced with a new one (new job): the record's own
# bookkeeping, not a failure, so not an error_code (which keeps what failed before).
SUPERSEDED = "superseded"


class HistoryStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA foreign_keys = ON")
        use_wal(self._db)
        # The pipeline writes a step record from the Qt thread (qasync runs asyncio there):
        # in WAL mode NORMAL skips the fsync per commit, so a write costs microseconds; a
        # power cut can lose the last few records, never corrupt the file.
        self._db.execute("PRAGMA synchronous = NORMAL")
        migrate(self._db, SCHEMA_V1)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- batches (history/batches.py) ------------------------------------------------------
    def batch_started(
        self, *, profile: str, partner: str, source: str, labels: Sequence[str]
    ) -> int:
        with self._tx() as db:
            return batches.insert_batch(db, profile, partner, source, labels)

    def batch_item_finished(
        self, batch_id: int, number: int, status: str, submission_id: int | None, message: str
    ) -> None:
        with self._tx() as db:
            batches.update_item(db, batch_id, number, status, submission_id, message)

    def batch_finished(self, batch_id: int) -> None:
        with self._tx() as db:
            batches.finish_batch(db, batch_id)

    def batches(self, *, limit: int = 50) -> list[BatchRecord]:
        """The newest batches first."""
        with self._lock:
            return batches.read_batches(self._db, "ORDER BY id DESC LIMIT ?", (limit,))

    def batches_of(self, submission_id: int) -> list[BatchRecord]:
        """The batches that list this submission (sent by it, or found already sent)."""
        with self._lock:
            return batches.read_batches(
                self._db,
                "WHERE id IN (SELECT batch_id FROM batch_items WHERE submission_id = ?)"
                " ORDER BY id DESC",
                (submission_id,),
            )

    # -- submissions -----------------------------------------------------------------------
    def create_submission(
        self,
        *,
        profile: str,
        api_base_url: str,
        partner: str,
        tenant: str,
        school_year: str,
        bundle: str,
        bundle_name: str,
        params: Mapping[str, str],
        files: list[FileRecord],
        resumed_from: int | None = None,
        before_commit: Callable[[int], None] | None = None,
    ) -> int:
        """``before_commit`` gets the new id while the row is not yet visible to any other
        reader (the sender's claim is taken there); if it raises, nothing is recorded."""
        with self._tx() as db:
            cursor = db.execute(
                "INSERT INTO submissions (created_at, profile, api_base_url, partner, tenant,"
                " school_year, bundle, bundle_name, params_json, state, resumed_from)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    iso(utc_now()), profile, api_base_url, partner, tenant, school_year,
                    bundle, bundle_name, json.dumps(dict(params)), RecordedState.CHECKING,
                    resumed_from,
                ),
            )  # fmt: skip
            submission_id = int(cursor.lastrowid or 0)
            for f in files:
                db.execute(
                    "INSERT INTO submission_files (submission_id, env_var, path, upload_name,"
                    " size, mtime_ns, md5) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (submission_id, f.env_var, str(f.path), f.upload_name, f.size, f.mtime_ns,
                     f.md5),
                )  # fmt: skip
            if before_commit is not None:
                before_commit(submission_id)
        return submission_id

    def set_state(self, submission_id: int, state: RecordedState | str, **columns: Any) -> None:
        allowed = {
            "job_uid", "job_created_at", "start_requested_at", "started_at", "finished_at",
            "error_code", "error_kind", "error_message", "error_next_step",
            "orphan_job_possible",
        }  # fmt: skip
        unknown = set(columns) - allowed
        if unknown:
            raise ValueError(f"not submission columns: {unknown}")
        recorded = RecordedState(state)  # refuses a value no release can read back
        values = {k: iso(v) if isinstance(v, datetime) else v for k, v in columns.items()}
        assignments = ", ".join(["state = ?", *(f"{k} = ?" for k in values)])
        with self._tx() as db:
            db.execute(
                f"UPDATE submissions SET {assignments} WHERE id = ?",
                (str(recorded), *values.values(), submission_id),
            )

    def mark_uploaded(
        self,
        submission_id: int,
        env_var: str,
        *,
        etag: str | None,
        etag_checked: bool,
        md5: str | None = None,
    ) -> None:
        """``md5``: of the bytes as they were sent (the upload hashes them). A large file is
        recorded before its MD5 is known, so Resume (changed files) and Resubmit ("already
        sent") then compare what really went out."""
        with self._tx() as db:
            db.execute(
                "UPDATE submission_files SET uploaded_at = ?, etag = ?, etag_checked = ?,"
                " md5 = COALESCE(?, md5) WHERE submission_id = ? AND env_var = ?",
                (iso(utc_now()), etag, int(etag_checked), md5, submission_id, env_var),
            )

    def step_started(
        self, submission_id: int, step: str, detail: str = "", *, at: datetime | None = None
    ) -> int:
        """``at``: when the step really began (a step recorded after it ran); default now."""
        with self._tx() as db:
            cursor = db.execute(
                "INSERT INTO submission_steps (submission_id, step, detail, status, started_at)"
                " VALUES (?, ?, ?, 'running', ?)",
                (submission_id, step, detail, iso(at or utc_now())),
            )
            return int(cursor.lastrowid or 0)

    def step_finished(self, step_id: int, status: str, message: str | None = None) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE submission_steps SET status = ?, finished_at = ?, message = ? WHERE id = ?",
                (status, iso(utc_now()), message, step_id),
            )

    # -- output sets seen --------------------------------------------------------------------
    def record_output_sets(self, sets: list[dict[str, Any]]) -> int:
        """Remember sets by uid (idempotent); returns how many were new."""
        added = 0
        with self._tx() as db:
            for s in sets:
                cursor = db.execute(
                    "INSERT OR IGNORE INTO output_sets_seen (set_uid, job_uid, partner, tenant,"
                    " school_year, bundle, sent_to_ods, created_at, seen_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (s["uid"], s["job_uid"], s["partner"], s["tenant"], s["school_year"],
                     s.get("bundle"), int(bool(s["sent_to_ods"])), s["created_at"],
                     iso(utc_now())),
                )  # fmt: skip
                added += cursor.rowcount
        return added

    def sets_for_job(self, job_uid: str) -> list[SeenOutputSet]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {', '.join(SET_COLUMNS)} FROM output_sets_seen WHERE job_uid = ?"
                " ORDER BY created_at",
                (job_uid,),
            ).fetchall()
        return [seen_from_values(row) for row in rows]

    # -- reading -----------------------------------------------------------------------------
    def get(self, submission_id: int) -> SubmissionRecord | None:
        records = self._load("WHERE s.id = ?", (submission_id,))
        return records[0] if records else None

    def find_by_job(self, job_uid: str) -> SubmissionRecord | None:
        # Should records share a job, the oldest is the one (as submission_links names it).
        records = self._load("WHERE s.job_uid = ? ORDER BY s.id LIMIT 1", (job_uid,))
        return records[0] if records else None

    def submissions(self, *, limit: int = 1000) -> list[SubmissionRecord]:
        return self._load("ORDER BY s.id DESC LIMIT ?", (limit,))

    def all_submissions(self, *, page: int = 2000) -> Iterator[list[SubmissionRecord]]:
        """Every submission, newest first, in pages of ``page``: four queries a page (rows,
        files, steps, sets), not three a row, so 10,000 read in a fraction of a second.

        For a worker thread: it reads through a connection of its own (WAL lets it read while
        the pipeline writes), so it never holds the lock the Qt thread's writes take."""
        return readers.submission_pages(self.path, page)

    def waiting_job_uids(self) -> list[tuple[str, str, str]]:
        """(profile, partner, job uid) of submissions whose start was asked (accepted, or its
        answer lost) with no output set seen yet: only Runway's sets can tell what became of
        them."""
        with self._lock:
            rows = self._db.execute(
                "SELECT s.profile, s.partner, s.job_uid FROM submissions s"
                " WHERE (s.started_at IS NOT NULL OR s.start_requested_at IS NOT NULL)"
                " AND s.job_uid IS NOT NULL AND NOT EXISTS"
                " (SELECT 1 FROM output_sets_seen o WHERE o.job_uid = s.job_uid)"
            ).fetchall()
        return [(r["profile"], r["partner"], r["job_uid"]) for r in rows]

    def sent_md5s(
        self, partner: str, tenant: str, school_year: str, bundle: str
    ) -> list[tuple[int, tuple[str, ...]]]:
        """(id, sorted file MD5s) of each submission for these whose start was asked (Runway
        has, or may have, run its files), newest first. For a worker thread: a read-only
        connection of its own (as all_submissions), never the lock the Qt thread writes with."""
        return readers.sent_md5s(self.path, partner, tenant, school_year, bundle)

    def sent_file_md5s(self) -> dict[tuple[str, int, int], str]:
        """The MD5 of each file Runway was asked to start, by (path, size, mtime_ns) as it was
        checked then: what a re-run compares a file's stat with before reading it again. For
        a worker thread (a read-only connection of its own)."""
        return readers.sent_file_md5s(self.path)

    def _load(self, where: str, args: tuple[Any, ...]) -> list[SubmissionRecord]:
        with self._lock:
            rows = self._db.execute(f"{readers.SUBMISSIONS_SQL} {where}", args).fetchall()
            return readers.records_of(self._db, rows)

    # -- downloads and the watch cursor ------------------------------------------------------
    def record_download(
        self, profile: str, set_uid: str, *, folder: Path, state: str, files: list[str],
        message: str | None = None, verification: Mapping[str, str] | None = None,
    ) -> None:  # fmt: skip
        """``verification``: local file name -> "md5" or "size" (how it was checked)."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO downloads (profile, set_uid, folder, state, files_json, message,"
                " updated_at, verification_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(profile, set_uid) DO UPDATE SET folder = excluded.folder,"
                " state = excluded.state, files_json = excluded.files_json,"
                " message = excluded.message, updated_at = excluded.updated_at,"
                " verification_json = excluded.verification_json",
                (profile, set_uid, str(folder), state, json.dumps(files), message,
                 iso(utc_now()), json.dumps(dict(verification or {}))),
            )  # fmt: skip

    def download_verification(self, profile: str, set_uid: str) -> dict[str, str]:
        """How each file of the set's last download was checked ({} when not recorded)."""
        with self._lock:
            row = self._db.execute(
                "SELECT verification_json FROM downloads WHERE profile = ? AND set_uid = ?",
                (profile, set_uid),
            ).fetchone()
        found = json.loads(row["verification_json"]) if row is not None else {}
        return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}

    def download_state(self, profile: str, set_uid: str) -> tuple[str, Path] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT state, folder FROM downloads WHERE profile = ? AND set_uid = ?",
                (profile, set_uid),
            ).fetchone()
        return None if row is None else (str(row["state"]), Path(row["folder"]))

    def downloaded_set_uids(self, profile: str) -> set[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT set_uid FROM downloads WHERE profile = ? AND state = 'complete'",
                (profile,),
            ).fetchall()
        return {str(r["set_uid"]) for r in rows}

    def watch_cursor(self, profile: str, partner: str) -> datetime | None:
        with self._lock:
            row = self._db.execute(
                "SELECT cursor FROM watch_cursors WHERE profile = ? AND partner = ?",
                (profile, partner),
            ).fetchone()
        return None if row is None else parse_dt(row["cursor"])

    def set_watch_cursor(self, profile: str, partner: str, cursor: datetime) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO watch_cursors (profile, partner, cursor) VALUES (?, ?, ?)"
                " ON CONFLICT(profile, partner) DO UPDATE SET cursor = excluded.cursor",
                (profile, partner, iso(cursor)),
            )
