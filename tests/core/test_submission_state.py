"""derive_state: every state, from records written through the real store (a real SQLite
file), and the one classification of a start's answer that the resume planner shares."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from runway_desktop.api.errors.codes import ErrorCode
from runway_desktop.base.words import install_lookup
from runway_desktop.core.submission_state import (
    ACTIVE_STATES,
    NO_OUTPUT_CAUSE,
    WORDING,
    RecordedState,
    SubmissionState,
    derive_state,
    is_unknown_answer,
    start_answer_known,
    state_json,
    state_label,
)
from runway_desktop.history.records import FileRecord, SubmissionRecord
from runway_desktop.history.store import HistoryStore

T0 = datetime(2026, 3, 15, 14, 0, tzinfo=UTC)
LATER = T0 + timedelta(minutes=5)
S = SubmissionState
JOB = "0b7c2f5e-1111-4111-8111-111111111111"
V010 = Path(__file__).resolve().parents[1] / "history" / "data" / "history-0.1.0.sqlite3"
UNKNOWN = (
    "timeout", "stalled", "network", "connection_refused", "dns", "server_error",
    "rate_limited", "answer_unreadable", "answer_too_large", "tls", "proxy_refused",
)  # fmt: skip


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


def state(record: SubmissionRecord, **inputs: Any) -> SubmissionState:
    inputs.setdefault("now", LATER)
    return derive_state(record, **inputs).state


asked = {"job_uid": JOB, "start_requested_at": T0}  # start was asked; its answer is below

# (recorded state, columns, inputs, expected): what this computer did and what Runway said.
TABLE: list[tuple[str, dict[str, Any], dict[str, Any], SubmissionState]] = [
    # killed mid-upload: no process sends it any more
    ("uploading", {"job_uid": JOB}, {}, S.INTERRUPTED),
    ("uploading", {"job_uid": JOB}, {"running_here": True}, S.SENDING),
    ("checking", {}, {}, S.INTERRUPTED),
    ("creating", {}, {}, S.INTERRUPTED),
    # died while waiting for the start's answer: it may have started
    ("starting", asked, {}, S.START_UNCERTAIN),
    ("starting", asked, {"running_here": True}, S.SENDING),
    ("failed", {"error_code": "bundle_not_enabled"}, {}, S.NOT_SENT),
    ("cancelled", {"error_code": "cancelled"}, {}, S.NOT_SENT),
    ("failed", {"error_code": "server_error", "orphan_job_possible": 1}, {}, S.MAY_HAVE_JOB),
    ("cancelled", {"job_uid": JOB, "error_code": "cancelled"}, {}, S.UPLOADED_NOT_STARTED),
    # a definite refusal of the start (a 4xx): no run was made
    ("failed", {**asked, "error_code": "uploads_missing"}, {}, S.UPLOADED_NOT_STARTED),
    ("failed", {**asked, "error_code": "job_not_found"}, {}, S.UPLOADED_NOT_STARTED),
    # this app's own check refused a file while it was being sent: never "Resume starts it"
    ("failed", {"job_uid": JOB, "error_code": "files_refused"}, {}, S.FILE_REFUSED),
    ("failed", {"error_code": "files_refused"}, {}, S.NOT_SENT),  # refused before any job
    # the start's answer was lost, for every kind of loss, and no set has appeared
    *(("failed", {**asked, "error_code": code}, {}, S.START_UNCERTAIN) for code in UNKNOWN),
    ("failed", {**asked, "error_code": "server_error"}, {"look_failed": True}, S.START_UNCERTAIN),
    ("failed", {**asked}, {}, S.START_UNCERTAIN),  # no code recorded: nothing known
    ("failed", {**asked, "error_kind": "ServerError"}, {}, S.START_UNCERTAIN),  # 0.1.0 name
    ("failed", {**asked, "error_kind": "NetworkError"}, {}, S.START_UNCERTAIN),
    ("failed", {**asked, "error_code": "job_already_in_progress"}, {}, S.WAITING),
    ("started", {**asked, "started_at": T0}, {}, S.WAITING),
    ("started", {**asked, "started_at": T0}, {"now": T0 + timedelta(hours=2)}, S.NO_RESULT_YET),
    # the listing failed: "could not tell", never "no output" (and never "No result yet")
    ("started", {**asked, "started_at": T0}, {"look_failed": True}, S.COULD_NOT_TELL),
    ("started", {**asked, "started_at": T0},
     {"look_failed": True, "now": T0 + timedelta(hours=5)}, S.COULD_NOT_TELL),
    ("failed", {"job_uid": JOB, "error_kind": "superseded",
                "error_message": "Replaced by submission #7 because a.csv changed."}, {},
     S.SUPERSEDED),
]  # fmt: skip


@pytest.mark.parametrize(("recorded", "columns", "inputs", "expected"), TABLE)
def test_the_table(
    store: HistoryStore,
    recorded: str,
    columns: dict[str, Any],
    inputs: dict[str, Any],
    expected: SubmissionState,
) -> None:
    record = make(store, recorded, **columns)
    assert state(record, **inputs) is expected
    derived = derive_state(record, now=inputs.get("now", LATER), **{
        k: v for k, v in inputs.items() if k != "now"})  # fmt: skip
    wording = WORDING[expected]
    assert derived.label == wording.label and derived.tone == wording.tone
    assert "{" not in derived.explanation + derived.next_step  # every blank filled
    # Only states in which nothing can have started offer Resume.
    assert derived.offers_resume is (expected in (S.INTERRUPTED, S.UPLOADED_NOT_STARTED))


def test_a_lost_start_answer_never_offers_a_start(store: HistoryStore) -> None:
    for code in (*UNKNOWN, None):
        record = make(store, "failed", **asked, error_code=code)
        for look_failed in (False, True):
            derived = derive_state(record, now=T0 + timedelta(days=1), look_failed=look_failed)
            assert derived.state is S.START_UNCERTAIN and not derived.offers_resume
            assert not derived.offers_resubmit_first and derived.looked_for
            assert "Couldn't tell whether Runway started" in derived.explanation
    # Once a set with its job uid appears, it ran: output wins.
    add_set(store, JOB, "set-1", ods=False)
    fresh = store.find_by_job(JOB)
    assert fresh is not None and state(fresh) is S.PROCESSED


def test_sets_decide_processed_or_loaded_and_win_over_time_and_failed_looks(
    store: HistoryStore,
) -> None:
    make(store, "started", job_uid="job-p", started_at=T0, start_requested_at=T0)
    make(store, "started", job_uid="job-l", started_at=T0, start_requested_at=T0)
    add_set(store, "job-p", "set-p", ods=False)
    add_set(store, "job-l", "set-l1", ods=False)
    add_set(store, "job-l", "set-l2", ods=True)  # ODS year with cross-year matching: 2 sets
    processed, loaded = store.find_by_job("job-p"), store.find_by_job("job-l")
    assert processed is not None and loaded is not None
    late = T0 + timedelta(days=3)
    assert state(processed, now=late, look_failed=True) is S.PROCESSED
    assert state(loaded, now=late) is S.LOADED
    # The sets passed in are what Runway said; the recorded ones are the default.
    assert state(processed, sets=()) is S.WAITING


def test_no_result_after_is_configurable_and_worded_with_the_job(store: HistoryStore) -> None:
    record = make(store, "started", job_uid=JOB, started_at=T0, start_requested_at=T0)
    late = derive_state(record, now=T0 + timedelta(minutes=31),
                        no_result_after=timedelta(minutes=30))  # fmt: skip
    assert late.state is S.NO_RESULT_YET
    assert "0.5 hours" in late.explanation and JOB in late.next_step
    assert "web app" in late.next_step


def test_superseded_names_its_replacement_and_why(store: HistoryStore) -> None:
    record = make(store, "failed", job_uid=JOB, error_kind="superseded",
                  error_message="Replaced by submission #7 because a.csv changed.")  # fmt: skip
    derived = derive_state(record, now=LATER)
    assert derived.replaced_by == 7 and "#7" in derived.explanation
    assert "a.csv changed" in derived.detail and not derived.offers_resume


def test_not_sent_keeps_the_recorded_why(store: HistoryStore) -> None:
    record = make(store, "failed", error_message="Runway has no district 'x'.")
    derived = derive_state(record, now=LATER)
    assert derived.detail == "Runway has no district 'x'." and derived.offers_resubmit_first
    assert derived.text().startswith(derived.explanation)


def test_start_answer_classification() -> None:
    for code in UNKNOWN:
        assert is_unknown_answer(code) and start_answer_known(code) is None
    assert is_unknown_answer(None) and is_unknown_answer("RunwayError")
    assert start_answer_known("job_already_in_progress") is True
    assert is_unknown_answer("a_code_of_a_newer_release")
    for refused in ("uploads_missing", "job_not_found", "token_rejected", "job_start_failed",
                    "request_refused", "not_found"):  # fmt: skip
        assert start_answer_known(refused) is False and not is_unknown_answer(refused)
    assert {str(c) for c in ErrorCode} >= set(UNKNOWN)


def test_store_reads_and_writes_recorded_states_only(store: HistoryStore) -> None:
    record = make(store, RecordedState.UPLOADING, job_uid=JOB)
    assert record.state == "uploading" and record.state in ACTIVE_STATES
    with pytest.raises(ValueError):
        make(store, "half-done")


def test_a_0_1_0_database_derives_sensible_states(tmp_path: Path) -> None:
    copy = tmp_path / "history.sqlite3"
    shutil.copyfile(V010, copy)
    store = HistoryStore(copy)
    try:
        records = {r.id: r for page in store.all_submissions() for r in page}
        now = datetime(2026, 12, 2, tzinfo=UTC)
        states = {i: state(r, now=now) for i, r in records.items()}
        assert states == {
            1: S.LOADED,  # started, a set sent to the ODS seen
            2: S.MAY_HAVE_JOB,  # create failed with possibly_created
            3: S.INTERRUPTED,  # left "uploading" by a process that died
            4: S.NOT_SENT,  # cancelled before any job
        }
        assert state_json(records[3], now)["state"] == "interrupted"
    finally:
        store.close()


def test_every_state_is_in_the_table_and_worded() -> None:
    # Each state is the proven outcome of some case: a row of the table (each checked by
    # test_the_table) or the output sets' cases above. (The tests of this file may run in several
    # processes: no test may count on what another one did.)
    proven = {row[3] for row in TABLE} | {S.PROCESSED, S.LOADED}
    assert proven == set(SubmissionState)
    for s in SubmissionState:
        w = WORDING[s]
        assert w.label and w.explanation and w.next_step and w.mark
        assert w.tone in ("info", "success", "warning", "error")


# -- the words in the installed language --------------------------------------------------------


@pytest.fixture
def shouting() -> Iterator[list[tuple[str, str]]]:
    """A stand-in language: every looked-up text upper-cased, its placeholders kept."""
    asked_for: list[tuple[str, str]] = []

    def lookup(context: str, source: str) -> str:
        asked_for.append((context, source))
        return re.sub(r"[^{}]+(?=\{|$)", lambda m: m.group(0).upper(), source)

    install_lookup(lookup)
    try:
        yield asked_for
    finally:
        install_lookup(None)


def test_states_are_worded_in_the_installed_language(
    store: HistoryStore, shouting: list[tuple[str, str]]
) -> None:
    late = derive_state(make(store, "started", **asked, started_at=T0), now=T0 + timedelta(hours=3))
    assert late.label == "NO RESULT YET"
    # the placeholders filled after the lookup, the cause looked up on its own
    assert f"JOB {JOB} MORE THAN 2 HOURS AGO" in late.explanation
    assert NO_OUTPUT_CAUSE.upper() in late.explanation
    assert late.next_step.startswith(f"LOOK FOR JOB {JOB}")
    assert {context for context, _ in shouting} == {"SubmissionState"}
    assert state_label(S.PROCESSED) == "PROCESSED"
    replaced = derive_state(make(store, "failed", job_uid=JOB, error_kind="superseded",
                                 error_message="Replaced by submission #7 because a.csv changed."),
                            now=LATER)  # fmt: skip
    assert replaced.detail == "IT WAS SENT AGAIN BECAUSE a.csv changed."


def test_without_a_lookup_the_words_are_english_as_written(store: HistoryStore) -> None:
    derived = derive_state(make(store, "started", **asked, started_at=T0), now=LATER)
    assert derived.label == WORDING[S.WAITING].label == "Started — waiting for Runway"
    assert state_label(S.WAITING) == derived.label
