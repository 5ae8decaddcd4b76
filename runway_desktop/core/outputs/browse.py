"""Browsing output sets: server filters, display rows, local state, plain-words summaries.

Qt-free, so the Output sets screen stays a thin view: everything a row shows is computed here,
once per row and only when first needed (10,000 sets must list and paint fast: a paint shows
some 25 rows), and the download state of every set comes from one query instead of one per row.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from runway_desktop.api.errors import FolderNotWritable
from runway_desktop.api.models import OutputSet, OutputSetFilter
from runway_desktop.base.formatting import school_year_label
from runway_desktop.core.outputs.downloader import STATE_COMPLETE, STATE_DOWNLOADING, STATE_FAILED
from runway_desktop.core.outputs.linking import LinkedSubmission, submission_links
from runway_desktop.history.store import HistoryStore

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


class SetRow:
    """One output set as the table shows it.

    A listing builds 10,000 of these before its first paint, yet a paint shows some 25 rows:
    only what sorting and every paint need is set up front (the set, its assessment name and
    school year, shared across rows); local times, texts and the search haystack are made on
    first use and kept.
    """

    __slots__ = ("_local", "_search", "_text", "assessment", "link", "output_set", "school_year",
                 "uid")  # fmt: skip

    def __init__(self, output_set: OutputSet, assessment: str, school_year: str) -> None:
        self.output_set = output_set
        self.uid = output_set.uid
        self.assessment = assessment  # registry display name
        self.school_year = school_year  # "2025–26"
        self._local: datetime | None = None
        self._text: str | None = None
        self._search: str | None = None
        # The submission from this computer the set came from (None: not one of ours).
        self.link: LinkedSubmission | None = None

    @property
    def created_local(self) -> datetime:
        if self._local is None:
            self._local = self.output_set.created_at.astimezone()
        return self._local

    @property
    def created_text(self) -> str:
        """The local creation time as the table shows it: "2026-03-15 14:30"."""
        if self._text is None:
            t = self.created_local  # no strftime: it re-imports "time" on every call
            self._text = f"{t.year:04d}-{t.month:02d}-{t.day:02d} {t.hour:02d}:{t.minute:02d}"
        return self._text

    @property
    def created_exact(self) -> str:
        """The tooltip: seconds, zone and the server's UTC stamp."""
        return (
            self.created_local.strftime("%A %d %B %Y, %H:%M:%S %Z")
            + f"\n{self.output_set.created_at_text} (UTC, as Runway stamps it)"
        )

    @property
    def files_text(self) -> str:
        count = len(self.output_set.files)
        return "1 file" if count == 1 else f"{count} files"

    @property
    def files_tip(self) -> str:
        return "\n".join(self.output_set.files) or "No files"

    @property
    def search(self) -> str:
        """Lower-case haystack for the local search: everything the row says, ids included."""
        return self._search or self.prepare_search()

    def prepare_search(self, shared: dict[tuple[object, ...], str] | None = None) -> str:
        """Make the haystack once. ``shared``: the texts of the columns many rows have in
        common (district, years, assessment, ODS, files), casefolded once per combination,
        so a 100,000-set listing joins and casefolds only each row's own ids."""
        if self._search is None:
            s = self.output_set
            key = (s.tenant, s.school_year, self.school_year, self.assessment, s.bundle,
                   s.sent_to_ods, s.files)  # fmt: skip
            common = shared.get(key) if shared is not None else None
            if common is None:
                common = " ".join((s.tenant, s.school_year, self.school_year, self.assessment,
                                   s.bundle or "", "ods" if s.sent_to_ods else "",
                                   *s.files)).casefold()  # fmt: skip
                if shared is not None:
                    shared[key] = common
            # A search word holds no space, so it never spans two of these parts: their
            # order is free, and the row's own part is all the per-row work. The common part
            # comes first: words typed most ("district-b", "2025") are found at its start, and
            # a keystroke over 100,000 rows scans a few characters of each instead of ~100.
            own = f"{s.uid} {s.job_uid}".casefold()
            if self.link is not None:  # the names of the files sent: "scores_may.csv" finds it
                own = f"{own} {self.link.search}"
            self._search = f"{common} {self.created_text} {own}"
        return self._search


def make_rows(
    sets: Iterable[OutputSet],
    assessment_name: Callable[[str | None], str],
    *,
    searchable: bool = False,
    links: Mapping[str, LinkedSubmission] | None = None,
) -> list[SetRow]:
    """Rows for the table. ``searchable``: also make every row's search haystack now (the
    screen does it in its worker thread, so that no keystroke, not even the first one after a
    listing, has 100,000 haystacks to make on the Qt thread). ``links``: the submissions from
    this computer by job uid (submission_links), one dictionary look-up a row."""
    names: dict[str | None, str] = {}
    years: dict[str, str] = {}
    rows = []
    for s in sets:
        name = names.get(s.bundle)
        if name is None:
            name = names[s.bundle] = assessment_name(s.bundle)
        year = years.get(s.school_year)
        if year is None:
            year = years[s.school_year] = year_text(s.school_year)
        rows.append(SetRow(s, name, year))
    if links:  # before the haystacks: they hold the linked submission's file names
        for row in rows:
            row.link = links.get(row.output_set.job_uid)
    if searchable:
        shared: dict[tuple[object, ...], str] = {}
        for row in rows:
            row.prepare_search(shared)
    return rows


@dataclass(frozen=True)
class Listing:
    """What a listing gives the Output sets screen, worked out in a worker thread."""

    rows: list[SetRow]  # with their haystacks: every set's, or only the sets not known yet
    states: dict[str, LocalState]
    listed: set[str]  # every uid listed
    tenants: set[str]
    unrecorded: list[OutputSet]  # not yet written to the history


def prepare_listing(
    sets: list[OutputSet],
    assessment_name: Callable[[str | None], str],
    history: HistoryStore,
    profile: str,
    *,
    known: set[str] | None,
    recorded: set[str],
    link_submissions: bool = False,
) -> Listing:
    """Blocking (a worker thread): rows for the sets not in ``known`` (every set when None:
    a refresh of 100,000 sets shown makes rows only for the new ones), with their haystacks,
    the stored download states, and what else the screen reads from the listing.
    ``link_submissions``: link each set to the submission of ours it came from (one query)."""
    fresh = sets if known is None else [s for s in sets if s.uid not in known]
    links = submission_links(history) if link_submissions and fresh else None
    return Listing(
        rows=make_rows(fresh, assessment_name, searchable=True, links=links),
        states=download_states(history, profile),
        listed={s.uid for s in sets},
        tenants={s.tenant for s in sets},
        unrecorded=[s for s in sets if s.uid not in recorded],
    )


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
    # How each file of a complete download was checked: (local name, "md5" | "size").
    verification: tuple[tuple[str, str], ...] = ()

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
        history,
        "SELECT set_uid, state, folder, message, verification_json FROM downloads"
        " WHERE profile = ?",
        profile,
    )
    for uid, state, folder, message, checks in rows:
        # A "downloading" row left by a closed app is an interrupted download: say so.
        if state == STATE_DOWNLOADING:
            state, message = STATE_FAILED, "The download was interrupted. Download it again."
        states[str(uid)] = LocalState(
            str(state),
            Path(str(folder)),
            None if message is None else str(message),
            verification=verification_pairs(checks),
        )
    return states


def verification_pairs(checks: object) -> tuple[tuple[str, str], ...]:
    """The recorded checks (JSON text, or a mapping) as sorted (file, kind) pairs."""
    if isinstance(checks, str):
        try:
            checks = json.loads(checks)
        except ValueError:
            return ()
    if not isinstance(checks, Mapping):
        return ()
    return tuple(sorted((str(name), str(kind)) for name, kind in checks.items()))


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
