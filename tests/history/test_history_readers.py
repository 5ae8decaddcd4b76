"""history/readers.py: every reader (get, find_by_job, submissions, the paged read) makes the
same records, whatever the page size, with each record's own files, steps and sets."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from runway_desktop.history.records import FileRecord, SubmissionRecord
from runway_desktop.history.store import HistoryStore

T0 = datetime(2026, 3, 15, 14, 30, 0, 123000, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    s = HistoryStore(tmp_path / "history.sqlite3")
    yield s
    s.close()


def submission(store: HistoryStore, number: int, *, job: str | None) -> int:
    files = [
        FileRecord(f"INPUT_{k}", Path(f"/data/{number}-{k}.csv"), f"{k}.csv", k, k, f"{k}" * 32)
        for k in range(number % 3)  # 0, 1 or 2 files: a record without any reads back too
    ]
    sid = store.create_submission(
        profile="sandbox", api_base_url="http://127.0.0.1/api/v1", partner="acme",
        tenant="district-a", school_year="2026", bundle="assessments/STAR",
        bundle_name="Star Assessments", params={"N": str(number)}, files=files,
    )  # fmt: skip
    for step in range(number % 4):
        store.step_finished(store.step_started(sid, f"STEP_{step}", at=T0), "done", "ok")
    if job is not None:
        store.set_state(sid, "started", job_uid=job, started_at=T0)
    return sid


def seen(uid: str, job: str, created: str) -> dict[str, Any]:
    return {
        "uid": uid, "job_uid": job, "partner": "acme", "tenant": "district-a",
        "school_year": "2026", "sent_to_ods": True, "created_at": created,
    }  # fmt: skip


def test_every_reader_makes_the_same_records(store: HistoryStore) -> None:
    ids = [submission(store, n, job=f"job-{n}" if n % 2 else None) for n in range(1, 12)]
    store.record_output_sets([
        seen("s-late", "job-3", "2026-03-15T15:00:00Z"),
        seen("s-early", "job-3", "2026-03-15T14:30:00.123+00:00"),
        seen("s-other", "job-5", "2026-03-16T09:00:00Z"),
    ])  # fmt: skip
    one_by_one = [store.get(sid) for sid in reversed(ids)]
    assert all(r is not None for r in one_by_one)
    assert store.submissions() == one_by_one
    for page in (1, 2, 4, 2000):
        pages = list(store.all_submissions(page=page))
        assert all(len(p) <= page for p in pages)
        read: list[SubmissionRecord | None] = [r for p in pages for r in p]
        assert read == one_by_one, page

    third = store.get(ids[2])
    assert third is not None
    assert [s.set_uid for s in third.sets] == ["s-early", "s-late"]  # by createdAt
    assert third.sets[0].created_at == T0  # Runway's "Z" and SQLite's offset read alike
    assert (len(third.files), len(third.steps)) == (0, 3)
    assert store.find_by_job("job-3") == third


def test_a_shared_job_names_the_oldest_record(store: HistoryStore) -> None:
    first = submission(store, 1, job="job-1")
    submission(store, 2, job=None)
    submission(store, 3, job="job-1")  # a later record of the same job
    found = store.find_by_job("job-1")
    assert found is not None and found.id == first
