"""One truth on two screens: the Submit screen's result follows the record History follows.

A clerk cancels a send on the Submit screen, then resumes it from History. Going back to the
Submit screen must not show "Not sent" any more: it shows what History shows.
"""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot
from ui_app_helpers import (  # noqa: F401  (app_fixture: the fixture "app")
    AppUnderTest,
    app_fixture,
    choose_item,
    click,
    drop_on_slot,
    fill_basics,
    param_combo,
    submit,
    wait_finished,
    wait_state_title,
)

from runway_desktop.core.submission_state import WORDING
from runway_desktop.core.submission_state import SubmissionState as S
from runway_desktop.core.submit.events import FileProgress
from runway_desktop.ui.event_adapter import dispatcher
from runway_desktop.ui.history.resume import ResumeDone

WAIT_MS = 20_000


def test_a_resume_from_history_shows_on_the_submit_screen(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path
) -> None:
    page, panel = app.page, app.page.panel
    history = app.window.history_page
    # The upload's answer is held back, so the clerk's Cancel lands while it is on its way.
    app.sandbox.faults.set("s3_delay", {"seconds": 30, "count": 1})
    fill_basics(qtbot, page, tenant="district-b")
    choose_item(param_combo(page, "TEST_TYPE"), "SAT")
    drop_on_slot(qtbot, page, samples_dir / "PSAT_SAT" / "sample_anonymized_file_sat.csv")
    assert page.submit_button.isEnabled(), page.why_disabled.text()

    cancelled: list[bool] = []

    def cancel_once_bytes_flow(event: FileProgress) -> None:
        if event.progress.bytes_done and not cancelled:
            cancelled.append(True)
            click(qtbot, panel.cancel_button)
            click(qtbot, panel.stop_bar.stop_button)

    slot = dispatcher({FileProgress: cancel_once_bytes_flow})
    page.runner.events.connect(slot)
    submit(qtbot, page)
    wait_finished(qtbot, page)
    page.runner.events.disconnect(slot)
    assert cancelled
    assert wait_state_title(qtbot, page).startswith(f"{WORDING[S.UPLOADED_NOT_STARTED].label}: ")
    job_uid = panel.job_id.text()
    assert job_uid and app.job(job_uid).runs == []
    submission_id = page.shown_submission()
    assert submission_id is not None

    # History: the same submission, resumed there.
    app.sandbox.faults.clear()
    app.window.show_page("History")
    with qtbot.waitSignal(history.listed, timeout=WAIT_MS):
        history.refresh()
    assert history.select_submission(submission_id)
    assert history.detail.resume_button.isVisible()
    with qtbot.waitSignal(
        history.resume.events, timeout=WAIT_MS, check_params_cb=lambda e: isinstance(e, ResumeDone)
    ):
        click(qtbot, history.detail.resume_button)
    assert len(app.job(job_uid).runs) == 1

    # The Submit screen, never visited meanwhile, says what History says.
    moved_on = (S.WAITING, S.PROCESSED, S.LOADED)

    def submit_screen_agrees() -> bool:
        row = history.row(submission_id)
        return (
            row is not None
            and row.derived.state in moved_on
            and panel.state.text().endswith(row.derived.label)
        )

    qtbot.waitUntil(submit_screen_agrees, timeout=WAIT_MS)
    row = history.row(submission_id)
    assert row is not None and row.derived.state in moved_on
    assert panel.title.text().startswith(f"{row.derived.label}: ")
    assert "Not sent" not in panel.title.text()
    assert "cancelled" not in panel.outcome.text().lower()
    assert WORDING[row.derived.state].next_step.split("{")[0] in panel.outcome.text()
    assert not panel.retry_button.isVisible()  # nothing to retry: it was started once
