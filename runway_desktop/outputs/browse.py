"""Browsing output sets: server filters, display rows, local state, plain-words summaries.

Qt-free, so the Output sets screen stays a thin view: everything a row shows is computed here
once per listing (10,000 sets must stay smooth, so nothing per paint beyond the relative age),
and the download state of every set comes from one query instead of one per row.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from runway_desktop.api.error_types import FolderNotWritable
from runway_desktop.api.models import OutputSet, OutputSetFilter
from runway_desktop.history.store import HistoryStore
from runway_desktop.outputs.downloader import STATE_COMPLETE, STATE_DOWNLOADING, STATE_FAILED
from runway_desktop.schoolyear import school_year_label

STATE_NONE = "none"
STATE_QUEUED = "queued"


@dataclass(frozen=True)
class BrowseFilter:
    """What the filter bar asks the server for; ``None`` / empty means "any"."""

    partner: str
    tenant: str = ""
    school_year: str = ""
    bundle: str = ""
    sent_to_ods: bool | None = None
    created_after: date | None = None  # a local calendar day

    def to_query(self) -> OutputSetFilter:
        return OutputSetFilter(
            partner=self.partner,
            tenant=self.tenant.strip() or None,
            school_year=self.school_year or None,
            bundle=self.bundle or None,
            sent_to_ods=self.sent_to_ods,
            created_after=local_midnight(self.created_after) if self.created_after else None,
        )

    @property
    def narrowed(self) -> bool:
        return bool(
            self.tenant.strip()
            or self.school_year
            or self.bundle
            or self.sent_to_ods is not None
            or self.created_after
        )


def local_midnight(day: date) -> datetime:
    """The start of ``day`` on this computer's clock, as an aware UTC time.

    People pick "created after March 15" meaning their own midnight; OutputSetFilter then
    sends it with an explicit Z (a zone-less value would be read in the server's zone).
    """
    return datetime.combine(day, time.min).astimezone().astimezone(UTC)


@dataclass(frozen=True)
class SetRow:
    """One output set as the table shows it, every text prepared once."""

    output_set: OutputSet
    created_local: datetime
    created_text: str  # "2026-03-15 14:30"
    created_exact: str  # tooltip: seconds, zone and UTC
    school_year: str  # "2025–26"
    assessment: str  # registry display name
    files_text: str  # "2 files"
    files_tip: str  # one name per line
    search: str  # lower-case haystack for the local search

    @property
    def uid(self) -> str:
        return self.output_set.uid


def make_rows(
    sets: Iterable[OutputSet], assessment_name: Callable[[str | None], str]
) -> list[SetRow]:
    names: dict[str | None, str] = {}
    years: dict[str, str] = {}
    rows = []
    for s in sets:
        if s.bundle not in names:
            names[s.bundle] = assessment_name(s.bundle)
        if s.school_year not in years:
            years[s.school_year] = year_text(s.school_year)
        local = s.created_at.astimezone()
        count = len(s.files)
        assessment = names[s.bundle]
        year = years[s.school_year]
        created = local.strftime("%Y-%m-%d %H:%M")
        haystack = (
            s.uid, s.job_uid, s.tenant, s.school_year, year, assessment, s.bundle or "",
            created, "ods" if s.sent_to_ods else "", *s.files,
        )  # fmt: skip
        rows.append(
            SetRow(
                output_set=s,
                created_local=local,
                created_text=created,
                created_exact=local.strftime("%A %d %B %Y, %H:%M:%S %Z")
                + f"\n{s.created_at_text} (UTC, as Runway stamps it)",
                school_year=year,
                assessment=assessment,
                files_text="1 file" if count == 1 else f"{count} files",
                files_tip="\n".join(s.files) or "No files",
                search=" ".join(haystack).casefold(),
            )
        )
    return rows


def year_text(end_year: str) -> str:
    try:
        return school_year_label(end_year)
    except ValueError:
        return end_year


def relative_age(then: datetime, now: datetime | None = None) -> str:
    """Age in plain words: "just now", "5 min ago", "3 h ago", "yesterday", "12 days ago"."""
    now = now or datetime.now(UTC)
    seconds = (now - then).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    return "yesterday" if days == 1 else f"{days} days ago"


@dataclass(frozen=True)
class LocalState:
    """Where a set stands on this computer."""

    state: str = STATE_NONE  # none / queued / downloading / complete / failed
    folder: Path | None = None
    message: str | None = None
    fraction: float = 0.0

    @property
    def done(self) -> bool:
        return self.state == STATE_COMPLETE

    @property
    def busy(self) -> bool:
        return self.state in (STATE_QUEUED, STATE_DOWNLOADING)


def download_states(history: HistoryStore, profile: str) -> dict[str, LocalState]:
    """Every recorded download of ``profile`` in one read (one query per row would crawl).

    HistoryStore offers per-set lookups only, hence the direct read.
    """
    states: dict[str, LocalState] = {}
    rows = _read(
        history, "SELECT set_uid, state, folder, message FROM downloads WHERE profile = ?", profile
    )
    for uid, state, folder, message in rows:
        # A "downloading" row left by a closed app is an interrupted download: say so.
        if state == STATE_DOWNLOADING:
            state, message = STATE_FAILED, "The download was interrupted. Download it again."
        states[str(uid)] = LocalState(
            str(state), Path(str(folder)), None if message is None else str(message)
        )
    return states


def job_partner(history: HistoryStore, job_uid: str) -> str | None:
    """The partner a job belongs to: from what this computer sent, else from sets seen."""
    record = history.find_by_job(job_uid)
    if record is not None:
        return record.partner
    # Jobs from the web UI or another computer: a listing or a watch poll has seen their sets.
    rows = _read(history, "SELECT partner FROM output_sets_seen WHERE job_uid = ?", job_uid)
    return str(rows[0][0]) if rows else None


def _read(history: HistoryStore, sql: str, *args: str) -> list[tuple[object, ...]]:
    """A query on the store's file over a read-only connection of its own (WAL allows it)."""
    try:
        db = sqlite3.connect(f"{history.path.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return []
    try:
        return list(db.execute(sql, args).fetchall())
    except sqlite3.Error:
        return []
    finally:
        with contextlib.suppress(sqlite3.Error):
            db.close()


def scope_text(choice: BrowseFilter, assessment_name: Callable[[str | None], str]) -> str:
    """What the current listing covers, in the user's terms: "acme / district-a / 2025–26"."""
    parts = [choice.partner]
    if choice.tenant.strip():
        parts.append(choice.tenant.strip())
    if choice.school_year:
        parts.append(year_text(choice.school_year))
    if choice.bundle:
        parts.append(assessment_name(choice.bundle))
    if choice.sent_to_ods is not None:
        parts.append("sent to the ODS" if choice.sent_to_ods else "not sent to the ODS")
    if choice.created_after:
        parts.append(f"created after {choice.created_after:%Y-%m-%d}")
    return " / ".join(parts)


def empty_text(choice: BrowseFilter, assessment_name: Callable[[str | None], str]) -> str:
    return (
        f"No processed results yet for {scope_text(choice, assessment_name)}. "
        "Results appear a few minutes after a submission finishes."
    )


def root_problem(root: Path) -> FolderNotWritable | None:
    """Why nothing can be saved under ``root``, checked once before a batch (blocking: call
    it in a thread). Without it every set would fail with a vaguer "could not save"."""
    existing = next((p for p in (root, *root.parents) if p.exists()), None)
    if existing is None:
        return None
    if not existing.is_dir():
        return FolderNotWritable(
            f"The download folder cannot be created: {existing} is a file, not a folder.",
            next_step="Choose another download folder with “Change…”, or move that file away.",
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        return FolderNotWritable(
            f"This app may not save files in {existing}.",
            next_step="Choose another download folder with “Change…”, or ask IT for write "
            "access to it.",
        )
    return None
