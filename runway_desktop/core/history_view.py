"""The History list, Qt-free: every submission with its derived state, filtered and sorted.

Reading 10,000 submissions and deriving their states takes a few hundred milliseconds, and a
search over them a few tens, so none of it may run on the Qt thread: the screen hands a
:class:`ViewInputs` (a snapshot of what only the Qt thread knows: which pipelines run here,
which looks at Runway failed) to :func:`load` and :func:`select` in a worker thread
(``asyncio.to_thread``) and applies the rows they return. Both are pure functions of their
arguments and the database, so the CLI and the tests use them as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cached_property
from pathlib import Path

from runway_desktop.base.formatting import count_text, moment_text, school_year_label
from runway_desktop.core.submission_state import (
    ACTIVE_STATES,
    DEFAULT_NO_RESULT_AFTER,
    DerivedState,
    SubmissionState,
    derive_state,
)
from runway_desktop.core.submit.send_claim import being_sent, claims_dir_of
from runway_desktop.history.records import SubmissionRecord
from runway_desktop.history.store import HistoryStore

COLUMNS = ("Sent", "Assessment", "District", "School year", "Status")


@dataclass(frozen=True)
class ViewInputs:
    """What the derivation needs besides the database, taken on the Qt thread."""

    now: datetime
    no_result_after: timedelta = DEFAULT_NO_RESULT_AFTER
    running_ids: frozenset[int] = frozenset()  # submissions a pipeline of this process sends
    running_since: tuple[datetime, ...] = ()  # runs of this process whose id is not known yet
    look_failed: frozenset[tuple[str, str]] = frozenset()  # (profile, partner)
    # Where senders claim submissions (:mod:`core.submit.send_claim`); :func:`load` fills
    # it in, so a record another window or CLI sends reads "Sending", not "Interrupted".
    claims_dir: Path | None = None

    def running_here(self, record: SubmissionRecord) -> bool:
        """A sender on this computer has it now: a pipeline of this process, or one that
        holds its claim (probed on disk: only from the worker thread :func:`load` runs in)."""
        if record.state not in ACTIVE_STATES:
            return False
        if record.id in self.running_ids or any(
            record.created_at >= since for since in self.running_since
        ):
            return True
        return self.claims_dir is not None and being_sent(self.claims_dir, record.id)

    def derive(self, record: SubmissionRecord) -> DerivedState:
        return derive_state(
            record, now=self.now, running_here=self.running_here(record),
            look_failed=(record.profile, record.partner) in self.look_failed,
            no_result_after=self.no_result_after,
        )  # fmt: skip


@dataclass(frozen=True)
class HistoryRow:
    record: SubmissionRecord
    derived: DerivedState
    assessment: str  # the registry's display name (the recorded one when unknown)

    @property
    def state(self) -> SubmissionState:
        return self.derived.state

    @cached_property
    def search_text(self) -> str:
        r = self.record
        parts = [
            f"#{r.id}", r.profile, r.partner, r.tenant, r.school_year, year_text(r.school_year),
            r.bundle, r.bundle_name, self.assessment, r.job_uid or "", r.error_message or "",
            self.derived.label, *r.params.values(),
            *(f"{f.path.name} {f.upload_name} {f.md5}" for f in r.files),
        ]  # fmt: skip
        return " ".join(parts).casefold()

    def display(self, column: str) -> str:
        r = self.record
        if column == "Sent":
            return sent_text(r, short=True)
        if column == "Assessment":
            return self.assessment
        if column == "District":
            return r.tenant
        if column == "School year":
            return year_text(r.school_year) or r.school_year
        return f"{self.derived.mark}  {self.derived.label}"


@dataclass(frozen=True)
class HistoryFilter:
    states: frozenset[SubmissionState] = frozenset()  # empty: every state
    bundle: str | None = None
    tenant: str | None = None
    school_year: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    text: str = ""
    words: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "words", tuple(self.text.casefold().split()))

    @property
    def active(self) -> bool:
        return self != HistoryFilter()

    def matches(self, row: HistoryRow) -> bool:
        r = row.record
        if self.states and row.state not in self.states:
            return False
        if self.bundle and r.bundle != self.bundle:
            return False
        if self.tenant and r.tenant != self.tenant:
            return False
        if self.school_year and r.school_year != self.school_year:
            return False
        if self.date_from or self.date_to:
            day = r.created_at.astimezone().date()
            if (self.date_from and day < self.date_from) or (self.date_to and day > self.date_to):
                return False
        if self.words:
            haystack = row.search_text
            return all(word in haystack for word in self.words)
        return True


@dataclass(frozen=True)
class Sorting:
    column: int = 0  # index into COLUMNS
    descending: bool = True


@dataclass(frozen=True)
class Choices:
    """The values the filter bar offers: those on record."""

    assessments: tuple[tuple[str, str], ...] = ()  # (display name, bundle path)
    tenants: tuple[str, ...] = ()
    school_years: tuple[tuple[str, str], ...] = ()  # (label, end year)


@dataclass(frozen=True)
class Loaded:
    rows: tuple[HistoryRow, ...]  # every submission, newest first
    choices: Choices
    looked_for: int  # how many wait for an answer in Runway's output sets
    complete: bool = True  # False: only the newest rows, the rest is being read


def load(
    store: HistoryStore,
    inputs: ViewInputs,
    assessment_name: Callable[[str | None], str],
    *,
    newest: int | None = None,
) -> Loaded:
    """Read every submission (no cap), or only the ``newest`` few (what a screen shows first,
    while the rest is read), and derive their states. Blocking: run it in a thread."""
    if inputs.claims_dir is None:
        inputs = replace(inputs, claims_dir=claims_dir_of(store.path))
    names: dict[str, str] = {}
    rows: list[HistoryRow] = []
    for page in store.all_submissions(page=newest or 2000):
        if newest is not None and rows:
            break
        for record in page:
            name = names.get(record.bundle)
            if name is None:
                name = names[record.bundle] = assessment_name(record.bundle)
            rows.append(HistoryRow(record, inputs.derive(record), name))
    return Loaded(tuple(rows), choices(rows), sum(r.derived.looked_for for r in rows),
                  complete=newest is None or len(rows) < newest)  # fmt: skip


def rederive(rows: Iterable[HistoryRow], inputs: ViewInputs) -> tuple[HistoryRow, ...]:
    """The same records at another time or with other inputs (no database read)."""
    return tuple(HistoryRow(r.record, inputs.derive(r.record), r.assessment) for r in rows)


def select(rows: Sequence[HistoryRow], chosen: HistoryFilter, sorting: Sorting) -> list[HistoryRow]:
    """The rows the filter lets through, in the chosen order. Run it in a thread too."""
    shown = [r for r in rows if chosen.matches(r)] if chosen.active else list(rows)
    column = COLUMNS[sorting.column]
    if column == "Sent":
        shown.sort(key=lambda r: (r.record.created_at, r.record.id), reverse=sorting.descending)
    else:
        shown.sort(key=lambda r: (r.display(column).casefold(), r.record.id),
                   reverse=sorting.descending)  # fmt: skip
    return shown


def choices(rows: Sequence[HistoryRow]) -> Choices:
    years = sorted({r.record.school_year for r in rows}, reverse=True)
    return Choices(
        assessments=tuple(sorted({(r.assessment, r.record.bundle) for r in rows})),
        tenants=tuple(sorted({r.record.tenant for r in rows})),
        school_years=tuple((year_text(y) or y, y) for y in years),
    )


def year_text(school_year: str) -> str:
    return school_year_label(school_year) if school_year.isdigit() else ""


def sent_text(record: SubmissionRecord, *, short: bool = False) -> str:
    """When it was sent, in the words every screen uses (base.formatting): "2 Dec, 07:11" in
    the list, always with the year in the detail ("2 Dec 2026, 07:11")."""
    return moment_text(record.created_at, with_year=not short)


def summary_text(*, total: int, shown: int, complete: bool, waiting: int, polling: bool) -> str:
    """The line above the History list, e.g. "3 of 12 submissions shown · 2 waiting for
    Runway (checking every minute)"; "" when there is nothing yet (the empty list explains
    itself)."""
    if total == 0:
        return ""
    first = f"{count_text(total, 'submission')} sent from this computer"
    if shown != total:
        first = f"{shown:,} of {total:,} submissions shown"
    if not complete:
        first = f"The newest {total:,} submissions (reading the others…)"
    parts = [first]
    if waiting:
        how = "checking every minute" if polling else "connect to check"
        parts.append(f"{waiting:,} waiting for Runway ({how})")
    return " · ".join(parts)
