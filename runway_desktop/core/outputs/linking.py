"""Which submission of ours made an output set: linked by the job uid, read for a whole
listing at once (the Output sets screen prepares 100,000 rows in a worker thread)."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import datetime

from runway_desktop.base.formatting import moment_text
from runway_desktop.history.store import HistoryStore


class LinkedSubmission:
    """The submission from this computer whose job made a set (linked by the job uid).

    A listing looks up every submission of ours (10,000 and more) but paints a few: the time
    and the text are made on first use, as SetRow's are."""

    __slots__ = ("_created", "_text", "bundle", "created_iso", "file_count", "file_names",
                 "search", "submission_id")  # fmt: skip

    def __init__(self, submission_id: int, created_iso: str, bundle: str,
                 file_names: tuple[str, ...], file_count: int) -> None:  # fmt: skip
        self.submission_id = submission_id
        self.created_iso = created_iso
        self.bundle = bundle  # "assessments/STAR"
        self.file_names = file_names  # as chosen here (and as uploaded, if named otherwise)
        self.file_count = file_count
        self.search = " ".join(file_names).casefold()  # the haystack part of every set of it
        self._created: datetime | None = None
        self._text: str | None = None

    @property
    def created_at(self) -> datetime:
        if self._created is None:
            self._created = datetime.fromisoformat(self.created_iso)
        return self._created

    @property
    def text(self) -> str:
        """ "from your submission of 2 Dec, 07:11 (STAR, 3 files)"."""
        if self._text is None:
            count = self.file_count
            files = "1 file" if count == 1 else f"{count} files"
            when, name = short_when(self.created_at), short_name(self.bundle)
            self._text = f"from your submission of {when} ({name}, {files})"
        return self._text


def short_when(moment: datetime, now: datetime | None = None) -> str:
    """A local time as people say it: "2 Dec, 07:11", with the year when it is not this one."""
    return moment_text(moment, now)


def short_name(bundle: str) -> str:
    """The assessment's short name, its path's tail: "STAR", "MAP Growth", "PSAT SAT"."""
    return bundle.rsplit("/", 1)[-1].replace("_", " ")


def submission_links(history: HistoryStore) -> dict[str, LinkedSubmission]:
    """Every submission of ours that got a job, by job uid: one query for a whole listing
    (each set then costs one dictionary look-up, however long the history). Blocking: for a
    worker thread. Should two records share a job, the first is named (as by find_by_job)."""
    # Names joined by SQLite with a unit separator (no file name holds one): a row per
    # submission, not per file. The first record of a job wins (GROUP BY id keeps id order).
    rows = _read_only(
        history,
        "SELECT s.job_uid, s.id, s.created_at, s.bundle, group_concat(f.path, char(31)),"
        " group_concat(f.upload_name, char(31)), count(f.submission_id) FROM submissions s"
        " LEFT JOIN submission_files f ON f.submission_id = s.id"
        " WHERE s.job_uid IS NOT NULL GROUP BY s.id ORDER BY s.id",
    )
    links: dict[str, LinkedSubmission] = {}
    for job, submission_id, created, bundle, paths, uploaded, count in rows:
        if str(job) in links:
            continue  # a later record of the same job
        # The name only (either separator: a path written on Windows reads here too).
        chosen = [p.replace("\\", "/").rsplit("/", 1)[-1] for p in str(paths or "").split("\x1f")]
        names = tuple(n for n in dict.fromkeys((*chosen, *str(uploaded or "").split("\x1f"))) if n)
        links[str(job)] = LinkedSubmission(
            int(str(submission_id)), str(created), str(bundle), names, int(str(count))
        )
    return links


def _read_only(history: HistoryStore, sql: str) -> list[tuple[object, ...]]:
    """``sql`` over a read-only connection of its own (WAL lets it read while the Qt thread
    writes); nothing (no link shown) when the file cannot be read."""
    try:
        db = sqlite3.connect(f"{history.path.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return []
    try:
        return list(db.execute(sql).fetchall())
    except sqlite3.Error:
        return []
    finally:
        with contextlib.suppress(sqlite3.Error):
            db.close()
