"""HistoryStore: what is written comes back, across reopen, with no credentials stored."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from runway_desktop.api.errors import ErrorCode
from runway_desktop.history import records
from runway_desktop.history.records import FileRecord, legacy_error_code
from runway_desktop.history.store import SUPERSEDED, HistoryStore

T0 = datetime(2026, 3, 15, 14, 30, 0, 123000, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    s = HistoryStore(tmp_path / "deep" / "history.sqlite3")
    yield s
    s.close()


def files() -> list[FileRecord]:
    return [
        FileRecord("INPUT_FILE", Path("/data/sat.csv"), "sat.csv", 1234, 99, "a" * 32),
        FileRecord("INPUT_FILE_DS", Path("/data/ds.csv"), "ds.csv", 10, 98, "b" * 32),
    ]


def new_submission(store: HistoryStore, **overrides: Any) -> int:
    args: dict[str, Any] = {
        "profile": "sandbox",
        "api_base_url": "http://127.0.0.1/api/v1",
        "partner": "acme",
        "tenant": "district-a",
        "school_year": "2026",
        "bundle": "assessments/STAR",
        "bundle_name": "Star Assessments",
        "params": {"TEST_TYPE": "SAT"},
        "files": files(),
    }
    args.update(overrides)
    return store.create_submission(**args)


def seen(
    uid: str, job: str, *, ods: bool = True, created: str = "2026-03-15T14:30:00.123Z"
) -> dict[str, Any]:
    return {
        "uid": uid, "job_uid": job, "partner": "acme", "tenant": "district-a",
        "school_year": "2026", "bundle": "assessments/STAR", "sent_to_ods": ods,
        "created_at": created,
    }  # fmt: skip


def test_submission_round_trip(store: HistoryStore) -> None:
    sid = new_submission(store)
    record = store.get(sid)
    assert record is not None
    assert (record.profile, record.partner, record.tenant, record.school_year) == (
        "sandbox", "acme", "district-a", "2026"
    )  # fmt: skip
    assert record.bundle == "assessments/STAR" and record.bundle_name == "Star Assessments"
    assert record.params == {"TEST_TYPE": "SAT"}
    assert record.state == "checking" and record.job_uid is None
    assert record.files == tuple(files())
    assert record.created_at.tzinfo is not None
    assert not record.orphan_job_possible and record.resumed_from is None
    assert store.get(sid + 100) is None


def test_state_columns_and_dates_round_trip(store: HistoryStore) -> None:
    sid = new_submission(store)
    store.set_state(sid, "uploading", job_uid="job-1", job_created_at=T0)
    store.set_state(
        sid, "failed", error_code="link_refused", error_message="m", orphan_job_possible=1
    )
    record = store.get(sid)
    assert record is not None
    assert record.state == "failed" and record.job_uid == "job-1"
    assert record.job_created_at == T0
    assert record.error_code == "link_refused" and record.error_kind is None
    assert record.orphan_job_possible
    with pytest.raises(ValueError, match="not submission columns"):
        store.set_state(sid, "x", upload_url="https://secret")
    assert store.find_by_job("job-1") == store.get(sid)
    assert store.find_by_job("nope") is None


# --- error codes: written since schema v2; 0.1.0 wrote the error's class name --------------


V010 = Path(__file__).resolve().parent / "data" / "history-0.1.0.sqlite3"


def test_rows_written_by_010_read_back_with_codes(tmp_path: Path) -> None:
    copy = tmp_path / "history.sqlite3"
    copy.write_bytes(V010.read_bytes())
    old = HistoryStore(copy)
    try:
        by_id = {r.id: r for r in old.submissions()}
    finally:
        old.close()
    assert (by_id[2].error_kind, by_id[2].error_code) == ("ServerError", "server_error")
    assert (by_id[4].error_kind, by_id[4].error_code) == ("Cancelled", "cancelled")
    assert by_id[1].error_code is None and by_id[3].error_code is None


def test_an_old_class_name_reads_as_its_code_and_a_new_failure_replaces_it(
    store: HistoryStore,
) -> None:
    sid = new_submission(store)
    store.set_state(sid, "failed", error_kind="NetworkError")  # as 0.1.0 wrote it
    record = store.get(sid)
    assert record is not None and record.error_code == "network"
    # What the pipeline writes now: the code, clearing the class name.
    store.set_state(sid, "failed", error_code="bundle_not_enabled", error_kind=None)
    record = store.get(sid)
    assert record is not None
    assert (record.error_code, record.error_kind) == ("bundle_not_enabled", None)


def test_every_legacy_class_name_maps_to_a_real_code() -> None:
    for name, code in records._LEGACY_CLASS_CODES.items():
        assert ErrorCode(code), name  # a stored value no release may rename
    assert legacy_error_code("SomeClassOfALaterRelease") == ErrorCode.UNKNOWN
    assert legacy_error_code(SUPERSEDED) is None  # the store's marker, not an error
    assert legacy_error_code(None) is None


def test_uploads_marked(store: HistoryStore) -> None:
    sid = new_submission(store)
    store.mark_uploaded(sid, "INPUT_FILE_DS", etag="e", etag_checked=True)
    record = store.get(sid)
    assert record is not None
    ds = {f.env_var: f for f in record.files}
    assert ds["INPUT_FILE"].uploaded_at is None
    assert ds["INPUT_FILE_DS"].uploaded_at is not None
    assert ds["INPUT_FILE_DS"].etag == "e" and ds["INPUT_FILE_DS"].etag_checked is True


def test_steps_keep_order_status_and_duration(store: HistoryStore) -> None:
    sid = new_submission(store)
    check = store.step_started(sid, "CHECK", at=T0)
    store.step_finished(check, "done", "2 file(s) checked")
    upload = store.step_started(sid, "UPLOAD_FILE", "INPUT_FILE")
    record = store.get(sid)
    assert record is not None
    first, second = record.steps
    assert (first.step, first.status, first.message) == ("CHECK", "done", "2 file(s) checked")
    assert first.started_at == T0 and first.duration_seconds is not None
    assert first.duration_seconds > 0
    assert (second.step, second.detail, second.status) == ("UPLOAD_FILE", "INPUT_FILE", "running")
    assert second.duration_seconds is None
    store.step_finished(upload, "failed", "boom")
    record = store.get(sid)
    assert record is not None and record.steps[1].status == "failed"


def test_output_sets_are_deduplicated_by_uid(store: HistoryStore) -> None:
    sid = new_submission(store)
    store.set_state(sid, "started", job_uid="job-1", started_at=T0)
    other = new_submission(store)
    store.set_state(other, "started", job_uid="job-2", started_at=T0)
    assert sorted(store.waiting_job_uids()) == [
        ("sandbox", "acme", "job-1"), ("sandbox", "acme", "job-2")
    ]  # fmt: skip

    batch = [
        seen("s2", "job-1", ods=False, created="2026-03-15T15:00:00.000Z"),
        seen("s1", "job-1"),
    ]
    assert store.record_output_sets(batch) == 2
    assert store.record_output_sets(batch) == 0
    assert store.record_output_sets([*batch, seen("s3", "job-9")]) == 1
    got = store.sets_for_job("job-1")
    assert [s.set_uid for s in got] == ["s1", "s2"]  # by createdAt
    assert got[0].sent_to_ods and not got[1].sent_to_ods
    assert got[0].created_at == T0
    record = store.get(sid)
    assert record is not None and [s.set_uid for s in record.sets] == ["s1", "s2"]
    assert store.waiting_job_uids() == [("sandbox", "acme", "job-2")]


def test_downloads_upsert_per_profile(store: HistoryStore, tmp_path: Path) -> None:
    assert store.download_state("sandbox", "s1") is None
    store.record_download("sandbox", "s1", folder=tmp_path, state="downloading", files=[])
    assert store.download_state("sandbox", "s1") == ("downloading", tmp_path)
    assert store.downloaded_set_uids("sandbox") == set()
    store.record_download("sandbox", "s1", folder=tmp_path / "b", state="complete", files=["a"])
    store.record_download("sandbox", "s2", folder=tmp_path, state="failed", files=[], message="m")
    store.record_download("other", "s3", folder=tmp_path, state="complete", files=["a"])
    assert store.download_state("sandbox", "s1") == ("complete", tmp_path / "b")
    assert store.downloaded_set_uids("sandbox") == {"s1"}
    assert store.downloaded_set_uids("other") == {"s3"}


def test_watch_cursor_per_profile_and_partner(store: HistoryStore) -> None:
    assert store.watch_cursor("sandbox", "acme") is None
    store.set_watch_cursor("sandbox", "acme", T0)
    store.set_watch_cursor("sandbox", "ea", T0 + timedelta(hours=1))
    store.set_watch_cursor("sandbox", "acme", T0 + timedelta(seconds=1))
    assert store.watch_cursor("sandbox", "acme") == T0 + timedelta(seconds=1)
    assert store.watch_cursor("sandbox", "ea") == T0 + timedelta(hours=1)
    assert store.watch_cursor("other", "acme") is None


def test_everything_survives_reopen_and_list_order(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    first = HistoryStore(path)
    a = new_submission(first)
    b = new_submission(first, tenant="district-b", resumed_from=a)
    first.set_watch_cursor("sandbox", "acme", T0)
    first.record_download("sandbox", "s1", folder=tmp_path, state="complete", files=["x"])
    first.close()

    again = HistoryStore(path)
    try:
        assert [r.id for r in again.submissions()] == [b, a]
        assert [r.id for r in again.submissions(limit=1)] == [b]
        record = again.get(b)
        assert record is not None and record.resumed_from == a
        assert again.watch_cursor("sandbox", "acme") == T0
        assert again.downloaded_set_uids("sandbox") == {"s1"}
    finally:
        again.close()


def test_no_presigned_urls_or_tokens_on_disk(store: HistoryStore) -> None:
    new_submission(store)
    db = sqlite3.connect(store.path)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        columns = {c[1] for t in tables for c in db.execute(f"PRAGMA table_info({t})")}
    finally:
        db.close()
    assert not {c for c in columns if "url" in c and c != "api_base_url"}
    assert not {c for c in columns if "token" in c or "secret" in c or "link" in c}
