"""derive_status: every status, from records written through the real store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from runway_desktop.history.records import FileRecord, SubmissionRecord
from runway_desktop.history.status import SubmissionStatus, derive_status
from runway_desktop.history.store import ACTIVE_STATES, HistoryStore

T0 = datetime(2026, 3, 15, 14, 0, tzinfo=UTC)
S = SubmissionStatus


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    s = HistoryStore(tmp_path / "history.sqlite3")
    yield s
    s.close()


def make(store: HistoryStore, state: str, **columns: Any) -> SubmissionRecord:
    sid = store.create_submission(
        profile="sandbox", api_base_url="http://x/api/v1", partner="acme", tenant="district-a",
        school_year="2026", bundle="assessments/MAP_Growth", bundle_name="MAP Growth",
        params={}, files=[FileRecord("INPUT_FILE", Path("/a.csv"), "a.csv", 1, 1, "0" * 32)],
    )  # fmt: skip
    store.set_state(sid, state, **columns)
    record = store.get(sid)
    assert record is not None
    return record


def add_set(store: HistoryStore, job: str, uid: str, *, ods: bool) -> None:
    store.record_output_sets(
        [{"uid": uid, "job_uid": job, "partner": "acme", "tenant": "district-a",
          "school_year": "2026", "sent_to_ods": ods, "created_at": "2026-03-15T14:05:00.000Z"}]
    )  # fmt: skip


@pytest.mark.parametrize("state", ACTIVE_STATES)
def test_active_state_is_sending_only_while_running_here(store: HistoryStore, state: str) -> None:
    with_job = make(store, state, job_uid="job-1")
    without = make(store, state)
    assert derive_status(with_job, running_here=True).status is S.SENDING
    assert not derive_status(with_job, running_here=True).resumable
    # The app closed mid-way: an interruption, resumable, never "Sending" forever.
    assert derive_status(with_job).status is S.UPLOADED_NOT_STARTED
    assert derive_status(with_job).resumable
    assert derive_status(without).status is S.NOT_SENT
    assert derive_status(without).resumable


def test_not_sent_says_why_and_mentions_possible_orphan(store: HistoryStore) -> None:
    plain = make(store, "failed", error_message="Runway has no district 'x'.")
    status = derive_status(plain)
    assert status.status is S.NOT_SENT and status.resumable
    assert status.explanation.startswith("Runway has no district 'x'.")
    assert "unfinished job" not in status.explanation
    orphan = make(store, "failed", error_message="No answer.", orphan_job_possible=1)
    assert "unfinished job may exist" in derive_status(orphan).explanation


def test_cancelled_with_a_job_is_uploaded_not_started(store: HistoryStore) -> None:
    record = make(store, "cancelled", job_uid="job-7", error_message="You cancelled.")
    status = derive_status(record)
    assert status.status is S.UPLOADED_NOT_STARTED and status.resumable
    assert "job-7" in status.explanation


def test_waiting_then_no_result_after_the_configured_time(store: HistoryStore) -> None:
    record = make(store, "started", job_uid="job-1", started_at=T0)
    assert derive_status(record, now=T0 + timedelta(minutes=5)).status is S.WAITING
    assert derive_status(record, now=T0 + timedelta(hours=1, minutes=59)).status is S.WAITING
    late = derive_status(record, now=T0 + timedelta(hours=2))
    assert late.status is S.NO_RESULT_YET and not late.resumable
    assert "job-1" in late.explanation and "2 hours" in late.explanation
    custom = derive_status(
        record, now=T0 + timedelta(minutes=31), no_result_after=timedelta(minutes=30)
    )
    assert custom.status is S.NO_RESULT_YET and "0.5 hours" in custom.explanation


def test_sets_decide_processed_or_loaded(store: HistoryStore) -> None:
    make(store, "started", job_uid="job-p", started_at=T0)
    make(store, "started", job_uid="job-l", started_at=T0)
    add_set(store, "job-p", "set-p", ods=False)
    add_set(store, "job-l", "set-l1", ods=False)
    add_set(store, "job-l", "set-l2", ods=True)  # ODS year with cross-year matching: 2 sets
    processed = store.find_by_job("job-p")
    loaded = store.find_by_job("job-l")
    assert processed is not None and loaded is not None
    # Output wins over elapsed time: a late set is still a result.
    late = T0 + timedelta(days=3)
    assert derive_status(processed, now=late).status is S.PROCESSED
    assert derive_status(loaded, now=late).status is S.LOADED
    assert not derive_status(loaded).resumable


def test_superseded_submission_is_not_resumable(store: HistoryStore) -> None:
    record = make(
        store, "failed", job_uid="job-1", error_kind="superseded",
        error_message="Replaced by submission #2 because a.csv changed since it was first sent.",
    )  # fmt: skip
    status = derive_status(record)
    assert not status.resumable and "#2" in status.explanation
