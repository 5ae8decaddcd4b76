"""SubmissionPipeline end to end against the sandbox: happy paths, refusals, cancel, faults."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import core_helpers
import pytest
from core_helpers import Core, md5_of, write_big_csv

from runway_desktop.api import policy
from runway_desktop.api.errors import ErrorCode, ValidationFailed
from runway_desktop.core.submission_state import SubmissionState as SubmissionStatus
from runway_desktop.core.submission_state import derive_state
from runway_desktop.core.submit.checks import accept_all
from runway_desktop.core.submit.events import (
    FileProgress,
    FileScanned,
    Finished,
    Notice,
    Outcome,
    PipelineEvent,
    Step,
    StepFinished,
    StepStarted,
    SubmissionInvalid,
    TotalProgress,
)
from runway_desktop.history.records import utc_now

pytestmark = pytest.mark.anyio
# Fixtures shared with the other core suites (assigned, not imported: ruff F811).
anyio_backend = core_helpers.anyio_backend
core = core_helpers.core
STEPS = [Step.CHECK, Step.SIGN_IN, Step.CREATE, Step.UPLOAD, Step.START]


def lines_in(path: Path) -> int:
    return path.read_bytes().count(b"\n")


def step_trace(events: list[PipelineEvent]) -> list[tuple[str, Step, str]]:
    trace: list[tuple[str, Step, str]] = []
    for e in events:
        if isinstance(e, StepStarted):
            trace.append(("started", e.step, ""))
        elif isinstance(e, StepFinished):
            trace.append(("finished", e.step, e.status))
    return trace


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_big_csv(tmp_path_factory.mktemp("big") / "big.csv", 16)


@pytest.mark.parametrize(
    ("bundle", "files", "params", "year", "expected"),
    [
        (
            "assessments/PSAT_SAT",
            {"INPUT_FILE": "PSAT_SAT/sample_anonymized_file_sat.csv"},
            {"TEST_TYPE": "SAT"},
            "2026",
            SubmissionStatus.LOADED,
        ),
        (
            "assessments/STAR",
            {
                "INPUT_FILE": "STAR/SR_sample_anonymized_file.csv",
                "INPUT_FILE_DS": "STAR/SR_Dashboard_Standards_v2_sample_anonymized_file.csv",
                "INPUT_FILE_SA": "STAR/SR_SkillArea_v1_sample_anonymized_file.csv",
            },
            {},
            # The samples' test dates are in 2023–24: sent as that year, nothing to accept
            # (the sandbox's 2024 sends to no ODS, so the sets are processed, not loaded).
            "2024",
            SubmissionStatus.PROCESSED,
        ),
    ],
    ids=["psat-sat-2026", "star-three-files-2024"],
)
async def test_happy_path(
    core: Core,
    samples_dir: Path,
    bundle: str,
    files: dict[str, str],
    params: dict[str, str],
    year: str,
    expected: SubmissionStatus,
) -> None:
    paths = {env: samples_dir / rel for env, rel in files.items()}
    result = await core.pipeline().submit(core.request(bundle, paths, params, school_year=year))

    assert result.outcome is Outcome.STARTED, result.error
    assert result.job_uid is not None and not result.already_started
    expected_trace = [(k, s, "done" if k == "finished" else "") for s in STEPS for k in
                      ("started", "finished")]  # fmt: skip
    assert step_trace(core.events) == expected_trace
    assert core.events[-1] == Finished(result)
    for env, path in paths.items():
        last = [e.progress for e in core.events if isinstance(e, FileProgress) and e.env_var == env]
        assert last and last[-1].bytes_done == path.stat().st_size and last[-1].fraction == 1.0
    totals = [e.progress for e in core.events if isinstance(e, TotalProgress)]
    assert totals[-1].bytes_total == sum(p.stat().st_size for p in paths.values())
    assert totals[-1].fraction == 1.0

    # The sandbox has the job, one run, and byte-identical inputs.
    assert core.runs(result.job_uid) in (["new"], ["running"], ["success"])
    assert core.input_objects(result.job_uid) == {e: p.read_bytes() for e, p in paths.items()}

    record = core.history.get(result.submission_id)
    assert record is not None
    assert record.state == "started" and record.job_uid == result.job_uid
    assert record.started_at is not None and record.start_requested_at is not None
    assert {f.env_var: (f.size, f.md5) for f in record.files} == {
        env: (p.stat().st_size, md5_of(p)) for env, p in paths.items()
    }
    assert all(f.uploaded_at is not None and f.etag == f.md5 for f in record.files)
    steps = [s.step for s in record.steps if s.step != "UPLOAD_FILE"]
    assert steps == [s.name for s in STEPS]
    assert sorted(s.detail for s in record.steps if s.step == "UPLOAD_FILE") == sorted(paths)
    assert all(s.status == "done" and s.duration_seconds is not None for s in record.steps)
    assert all(s.duration_seconds is not None and s.duration_seconds >= 0 for s in record.steps)
    assert derive_state(record, now=utc_now()).state is SubmissionStatus.WAITING

    # Later the output set appears: the watcher's listing records it for the History screen.
    await core.wait_for_sets(result.job_uid)
    await core.watcher(core.tmp / "out").pending()
    record = core.history.get(result.submission_id)
    assert record is not None and record.sets
    assert derive_state(record, now=utc_now()).state is expected
    assert core.runs(result.job_uid) == ["success"]


async def test_check_step_durations_are_the_real_check_times(core: Core, big_csv: Path) -> None:
    result = await core.pipeline().submit(core.map_request(big_csv))
    assert result.ok, result.error
    finished = next(e for e in core.events if isinstance(e, StepFinished))
    [scanned] = [e for e in core.events if isinstance(e, FileScanned)]
    record = core.history.get(result.submission_id)
    assert record is not None
    check = record.steps[0]
    assert check.step == "CHECK" and check.duration_seconds is not None
    # The quick check (type, header, first rows) decided the sending: its step spans it.
    assert finished.step is Step.CHECK and finished.seconds > 0
    assert check.duration_seconds >= finished.seconds - 0.02
    # The 16 MB were read to the end beside the upload: a step of their own spans that read.
    [whole] = [s for s in record.steps if s.step == "CHECK_FILE"]
    assert whole.detail == "INPUT_FILE" and whole.status == "done"
    assert scanned.report.whole_file and scanned.seconds > 0
    assert whole.duration_seconds is not None
    assert whole.duration_seconds >= scanned.seconds - 0.02
    assert scanned.report.row_count == lines_in(big_csv) - 1  # one row a line, and a header


def _header_only(core: Core) -> dict[str, Path]:
    return {"INPUT_FILE": core.csv("empty.csv", b"StudentID,Score\n")}


def _xlsx(core: Core) -> dict[str, Path]:
    return {"INPUT_FILE": core.csv("book.csv", b"PK\x03\x04" + b"\x00" * 200)}


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("missing-file", "file:INPUT_FILE"),
        ("wrong-test-type", "param:TEST_TYPE"),
        ("header-only", "file:INPUT_FILE"),
        ("xlsx-renamed", "file:INPUT_FILE"),
    ],
)
async def test_local_validation_failure_sends_nothing(core: Core, case: str, field: str) -> None:
    files: dict[str, Path] = {"INPUT_FILE": core.csv()}
    params = {"TEST_TYPE": "SAT"}
    if case == "missing-file":
        files = {}
    elif case == "wrong-test-type":
        params = {"TEST_TYPE": "sat"}
    elif case == "header-only":
        files = _header_only(core)
    else:
        files = _xlsx(core)
    result = await core.pipeline().submit(core.request("assessments/PSAT_SAT", files, params))

    assert result.outcome is Outcome.FAILED
    assert isinstance(result.error, SubmissionInvalid)
    assert result.error.field == field
    assert core.job_uids() == []
    assert core.history.submissions() == []
    assert step_trace(core.events) == [
        ("started", Step.CHECK, ""),
        ("finished", Step.CHECK, "failed"),
    ]


@pytest.mark.parametrize(
    ("partner", "tenant", "bundle", "field", "code"),
    [
        (
            "acme",
            "no-such-district",
            "assessments/MAP_Growth",
            "tenant",
            ErrorCode.TENANT_NOT_FOUND,
        ),
        # In the registry, but not enabled for ea in the sandbox's seed.
        ("ea", "tenant1", "assessments/ACT", "bundle", ErrorCode.BUNDLE_NOT_ENABLED),
    ],
)
async def test_server_rejection(
    core: Core, partner: str, tenant: str, bundle: str, field: str, code: ErrorCode
) -> None:
    request = core.request(bundle, {"INPUT_FILE": core.csv()}, tenant=tenant)
    # A MAP file sent as ACT is refused locally unless accepted: it is Runway's refusal that
    # is under test here, so the file goes out as the user would send it anyway.
    request = replace(request, partner=partner, accepted_mismatches=accept_all(request.files))
    result = await core.pipeline().submit(request)

    assert result.outcome is Outcome.FAILED
    assert isinstance(result.error, ValidationFailed)
    assert result.error.field == field and result.error.code is code
    assert core.job_uids() == []
    record = core.history.get(result.submission_id)
    assert record is not None and record.job_uid is None and not record.orphan_job_possible
    # History keeps the stable code, not the error's class name.
    assert record.error_code == code.value and record.error_kind is None
    assert derive_state(record, now=utc_now()).state is SubmissionStatus.NOT_SENT
    assert ("finished", Step.CREATE, "failed") in step_trace(core.events)


async def test_cancel_during_upload_never_starts(core: Core, big_csv: Path) -> None:
    pipeline = core.pipeline(
        listener=lambda e: pipeline.cancel() if isinstance(e, FileProgress) else None
    )
    result = await pipeline.submit(core.map_request(big_csv))

    assert result.outcome is Outcome.CANCELLED
    assert result.job_uid is not None
    assert core.runs(result.job_uid) == []
    assert ("finished", Step.UPLOAD, "cancelled") in step_trace(core.events)
    assert not any(isinstance(e, StepStarted) and e.step is Step.START for e in core.events)
    record = core.history.get(result.submission_id)
    assert record is not None and record.state == "cancelled"
    assert record.error_code == ErrorCode.CANCELLED and record.error_kind is None
    status = derive_state(record, now=utc_now())
    assert status.state is SubmissionStatus.UPLOADED_NOT_STARTED and status.offers_resume


@pytest.mark.parametrize(
    "fault",
    [("s3_error", {"status": 500, "count": 1}), ("s3_drop", {"after_bytes": 1000, "count": 1})],
    ids=["s3-500", "s3-drop"],
)
async def test_upload_fault_is_retried(
    core: Core, samples_dir: Path, fault: tuple[str, dict[str, int]]
) -> None:
    core.sandbox.faults.set(*fault)
    # A MAP Growth file of the chosen year (the authors' sample is of 2021–22).
    path = core.csv("map_growth_2025-26.csv")
    result = await core.pipeline().submit(core.map_request(path))

    assert result.outcome is Outcome.STARTED, result.error
    assert core.sandbox.faults.snapshot() == {}  # the fault really fired
    notices = [e.text for e in core.events if isinstance(e, Notice)]
    assert any("Retrying" in text and path.name in text for text in notices), notices
    assert result.job_uid is not None
    assert core.input_objects(result.job_uid) == {"INPUT_FILE": path.read_bytes()}
    assert core.runs(result.job_uid) != [] and len(core.runs(result.job_uid)) == 1


async def test_create_answer_lost_gateway_records_orphan(core: Core) -> None:
    core.sandbox.faults.set("api_error", {"status": 504, "count": 1})
    result = await core.pipeline().submit(core.map_request(core.csv()))

    assert result.outcome is Outcome.FAILED and result.error is not None
    assert result.error.possibly_created
    record = core.history.get(result.submission_id)
    assert record is not None and record.orphan_job_possible and record.job_uid is None
    status = derive_state(record, now=utc_now())
    # A garbled or lost create answer is shown as a possible job, never hidden as "not sent".
    assert status.state is SubmissionStatus.MAY_HAVE_JOB and status.offers_resubmit_first
    assert "Runway may have a job from this attempt" in status.explanation


async def test_create_answer_lost_timeout_records_orphan(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Shorten the policy's stall timeout (read when each call starts) so the answer is lost.
    monkeypatch.setattr(policy, "API_STALL_SECONDS", 0.3)
    await core.client.tokens.get_token()  # sign in first: only the create is slowed down
    core.sandbox.faults.set("api_delay", {"seconds": 0.8, "count": 1})
    result = await core.pipeline().submit(core.map_request(core.csv()))

    assert result.outcome is Outcome.FAILED and result.error is not None
    assert result.error.possibly_created
    record = core.history.get(result.submission_id)
    assert record is not None and record.orphan_job_possible
    # (The sandbox's api_delay sleeps before reading the body, so here the job is never
    # made; against Runway it may be. Either way nothing was uploaded or started.)
    assert not any(isinstance(e, StepStarted) and e.step is Step.UPLOAD for e in core.events)
