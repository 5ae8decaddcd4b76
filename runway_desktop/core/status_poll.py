"""One round of "did anything become of the waiting submissions?" (Qt-free).

Runway has no job-status endpoint (CONTRACT §5.5): a job is known to have finished only when
an output set with its uid is listed. For each (profile, partner) that has jobs whose start
was asked (accepted, or its answer lost) with no set seen yet, one ``GET /output-sets`` with
a lagging ``createdAfter`` (the oldest waiting job's start minus a safety window, since a set
becomes visible later than its ``createdAt`` and clocks differ) lists the candidates; every
set is recorded (idempotent by uid) and the submissions whose derived state changed are
returned. Time alone can change a state too (Waiting → No result yet), so the poll also
compares with the time of the previous poll. A listing that fails is remembered per
(profile, partner) until the next one answers: its submissions read "Couldn't reach Runway",
never "no output".
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from runway_desktop.api.client import RunwayClient
from runway_desktop.api.errors import RunwayError
from runway_desktop.api.models import OutputSetFilter
from runway_desktop.core.output_sets import record_sets
from runway_desktop.core.submission_state import (
    DEFAULT_NO_RESULT_AFTER,
    DerivedState,
    SubmissionState,
    derive_state,
)
from runway_desktop.history.records import SubmissionRecord, utc_now
from runway_desktop.history.store import HistoryStore

# Covers the set's late visibility and a few minutes of clock difference with the server.
DEFAULT_LAG = timedelta(minutes=15)
# A job this old with no result is not waited for any more (History still shows it).
DEFAULT_GIVE_UP_AFTER = timedelta(days=3)

ClientFor = Callable[[str], RunwayClient | None]  # profile name -> its client, if connected


@dataclass(frozen=True)
class StatusChange:
    submission_id: int
    job_uid: str
    before: SubmissionState
    after: SubmissionState
    record: SubmissionRecord
    derived: DerivedState  # ``after`` with its words


@dataclass(frozen=True)
class PollReport:
    changes: tuple[StatusChange, ...] = ()
    polled: tuple[tuple[str, str], ...] = ()  # (profile, partner) asked
    skipped: tuple[tuple[str, str], ...] = ()  # no connection for that profile now
    errors: tuple[tuple[str, str, RunwayError], ...] = ()
    still_waiting: int = 0


@dataclass
class _Group:
    records: list[SubmissionRecord] = field(default_factory=list)

    def oldest_start(self) -> datetime:
        return min(r.started_at or r.created_at for r in self.records)


class StatusPoller:
    def __init__(
        self,
        history: HistoryStore,
        client_for: ClientFor,
        *,
        no_result_after: Callable[[], timedelta] = lambda: DEFAULT_NO_RESULT_AFTER,
        lag: timedelta = DEFAULT_LAG,
        give_up_after: timedelta = DEFAULT_GIVE_UP_AFTER,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.history = history
        self.client_for = client_for
        self.no_result_after = no_result_after
        self.lag = lag
        self.give_up_after = give_up_after
        self.clock = clock
        self._last_poll: datetime | None = None
        # (profile, partner) whose last listing failed: "could not tell" until one answers.
        self._look_failed: set[tuple[str, str]] = set()

    @property
    def failed_looks(self) -> frozenset[tuple[str, str]]:
        """(profile, partner) whose last listing failed: an input of their records' state."""
        return frozenset(self._look_failed)

    def look_failed(self, record: SubmissionRecord) -> bool:
        """The last look at Runway for this record's sets failed (an input of its state)."""
        return (record.profile, record.partner) in self._look_failed

    def derive(
        self, record: SubmissionRecord, now: datetime | None = None, *, running_here: bool = False
    ) -> DerivedState:
        """The record's state with what this poller knows about Runway's answers."""
        return derive_state(
            record, now=now or self.clock(), running_here=running_here,
            look_failed=self.look_failed(record), no_result_after=self.no_result_after(),
        )  # fmt: skip

    def waiting(self, now: datetime | None = None) -> list[SubmissionRecord]:
        """Submissions whose answer lies in Runway's output sets (started, or a start whose
        answer was lost), recent enough to still look for."""
        now = now or self.clock()
        found = []
        for _profile, _partner, job_uid in self.history.waiting_job_uids():
            record = self.history.find_by_job(job_uid)
            if record is None or record.sets or not self.derive(record, now).looked_for:
                continue
            started = record.started_at or record.start_requested_at or record.created_at
            if now - started <= self.give_up_after:
                found.append(record)
        return found

    def has_waiting(self) -> bool:
        return bool(self.waiting())

    def has_pollable(self) -> bool:
        """Something is waiting and its profile is connected, so a poll can ask about it."""
        return any(self.client_for(r.profile) is not None for r in self.waiting())

    async def poll_once(self) -> PollReport:
        now = self.clock()
        previous = self._last_poll or now
        limit = self.no_result_after()
        groups: dict[tuple[str, str], _Group] = {}
        # The store is read in a thread: a poll runs on the GUI's loop (qasync).
        for record in await asyncio.to_thread(self.waiting, now):
            groups.setdefault((record.profile, record.partner), _Group()).records.append(record)
        polled, skipped, errors = [], [], []
        for key, group in groups.items():
            client = self.client_for(key[0])
            if client is None:
                skipped.append(key)
                continue
            query = OutputSetFilter(partner=key[1], created_after=group.oldest_start() - self.lag)
            try:
                listed = await client.list_output_sets(query)
            except RunwayError as error:
                errors.append((key[0], key[1], error))
                continue
            polled.append(key)
            await record_sets(self.history, listed)
        failed_before = set(self._look_failed)
        self._look_failed = (failed_before - set(polled)) | {(p, q) for p, q, _e in errors}
        changes = []
        still = 0
        for key, group in groups.items():
            for old in group.records:
                before = derive_state(
                    old, now=previous, no_result_after=limit, look_failed=key in failed_before
                ).state
                fresh = await asyncio.to_thread(self.history.get, old.id) or old
                after = self.derive(fresh, now)
                if after.looked_for:
                    still += 1
                if after.state is not before and old.job_uid is not None:
                    changes.append(
                        StatusChange(old.id, old.job_uid, before, after.state, fresh, after)
                    )
        self._last_poll = now
        return PollReport(
            changes=tuple(changes),
            polled=tuple(polled),
            skipped=tuple(skipped),
            errors=tuple(errors),
            still_waiting=still,
        )
