"""Storage trouble during the upload, as the clerk sees it: retried on its own when it can be,
otherwise a clear failure with Retry, which never starts a job twice."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot
from ui_app_helpers import (  # noqa: F401  (app_fixture: the fixture "app")
    DONE_MARK,
    AppUnderTest,
    app_fixture,
    choose_item,
    click,
    drop_on_slot,
    fill_basics,
    param_combo,
    step_marks,
    submit,
    wait_finished,
    wait_state_title,
    wait_success,
)

from runway_desktop.core.submission_state import WORDING
from runway_desktop.core.submission_state import SubmissionState as S
from runway_desktop.core.submit.events import Step
from runway_desktop.ui.submit.page import SubmitPage
from runway_desktop.ui.submit.progress_panel import MARKS


def ready_psat(qtbot: QtBot, page: SubmitPage, samples_dir: Path) -> Path:
    fill_basics(qtbot, page)
    choose_item(param_combo(page, "TEST_TYPE"), "PSAT 10")
    sample = samples_dir / "PSAT_SAT" / "sample_anonymized_file_psat_10.csv"
    drop_on_slot(qtbot, page, sample)
    return sample


def all_runs(app_under_test: AppUnderTest) -> list[object]:
    return [run for job in app_under_test.jobs() for run in job.runs]


def test_a_storage_error_during_upload_is_retried_and_said_so(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path
) -> None:
    page, panel = app.page, app.page.panel
    sample = ready_psat(qtbot, page, samples_dir)
    app.sandbox.faults.set("s3_error", {"status": 500, "count": 1})
    submit(qtbot, page)

    outcome = wait_success(qtbot, page)
    assert outcome.startswith("Sent.")
    assert app.sandbox.faults.peek("s3_error") is None, "the fault fired"
    assert panel.notices.isVisible()
    assert f"{sample.name}: Retrying (2 of 4)…" in panel.notices.text().splitlines()
    assert set(step_marks(page).values()) == {DONE_MARK}
    job = app.job(panel.job_id.text())
    assert len(job.runs) == 1 and len(app.jobs()) == 1


def test_expired_upload_link_fails_then_retry_creates_a_new_job(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path
) -> None:
    page, panel = app.page, app.page.panel
    ready_psat(qtbot, page, samples_dir)
    app.sandbox.faults.set("s3_expired", {"count": 1})
    submit(qtbot, page)

    outcome = wait_finished(qtbot, page)
    assert panel.outcome.property("kind") == "error", outcome
    # Its state, as History derives it: the job exists, its start was never asked.
    assert wait_state_title(qtbot, page).startswith(f"{WORDING[S.UPLOADED_NOT_STARTED].label}: ")
    assert step_marks(page)[Step.UPLOAD.value] == MARKS["failed"]
    assert step_marks(page)[Step.START.value] == MARKS["pending"]
    assert panel.retry_button.isVisible() and panel.back_button.isVisible()
    first_uid = panel.job_id.text()
    assert first_uid and app.job(first_uid).runs == []
    assert page.stack.currentWidget() is panel

    click(qtbot, panel.retry_button)
    outcome = wait_success(qtbot, page)
    assert "A new job was created because the first one's upload links expired." in outcome
    assert "Creating a new job because the upload links of the first job have expired." in (
        panel.notices.text()
    )
    second_uid = panel.job_id.text()
    assert second_uid and second_uid != first_uid
    assert {job.uid for job in app.jobs()} == {first_uid, second_uid}
    assert app.job(first_uid).runs == []
    assert len(app.job(second_uid).runs) == 1
    assert len(all_runs(app)) == 1
