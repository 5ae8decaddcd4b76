"""Cancel while a big file is being sent: nothing is started, and the clerk can go on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton
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

from runway_desktop.api.progress import TransferProgress
from runway_desktop.core.submission_state import WORDING
from runway_desktop.core.submission_state import SubmissionState as S
from runway_desktop.core.submit.events import FileProgress, Step
from runway_desktop.ui.event_adapter import dispatcher
from runway_desktop.ui.submit.progress_panel import MARKS

BIG_FILE_BYTES = 100 * 1024 * 1024


def on_file_progress(handler: Callable[[str, TransferProgress], None]) -> Callable[[object], None]:
    """A slot for the runner's ``events`` that passes each file's progress to ``handler``."""
    return dispatcher({FileProgress: lambda e: handler(e.env_var, e.progress)})


@pytest.fixture
def big_csv(tmp_path: Path, samples_dir: Path) -> Iterator[Path]:
    """A ~100 MB SAT export (the sample's rows over and over), so sending it takes a moment."""
    header, *rows = (
        (samples_dir / "PSAT_SAT" / "sample_anonymized_file_sat.csv").read_bytes().splitlines(True)
    )
    block = b"".join(rows) * 200
    path = tmp_path / "psat_whole_district.csv"
    with path.open("wb") as out:
        out.write(header)
        written = 0
        while written < BIG_FILE_BYTES:
            out.write(block)
            written += len(block)
    yield path
    path.unlink()  # 100 MB is too much to leave in pytest's kept temp folders


def test_cancel_during_upload_starts_nothing_and_offers_retry(
    app: AppUnderTest, qtbot: QtBot, big_csv: Path
) -> None:
    page, panel = app.page, app.page.panel
    # The job is started at the end; the sandbox's executor would then parse all 100 MB in a
    # thread that outlives the test (reset cancels only a run that has not begun).
    app.sandbox.set_executor(delay_seconds=3600)
    fill_basics(qtbot, page, tenant="district-b")
    choose_item(param_combo(page, "TEST_TYPE"), "SAT")
    drop_on_slot(qtbot, page, big_csv)
    assert page.submit_button.isEnabled(), page.why_disabled.text()

    seen: list[TransferProgress] = []

    @on_file_progress
    def click_cancel_once_bytes_flow(env_var: str, progress: TransferProgress) -> None:
        # The clerk clicks Cancel as soon as the first file's bar moves.
        if env_var == "INPUT_FILE" and progress.bytes_done > 0 and not seen:
            seen.append(progress)
            click(qtbot, panel.cancel_button)
            # Bytes are on their way: Cancel asks first, and keeps sending by default.
            assert panel.stop_bar.isVisible()
            assert panel.stop_bar.question.text().startswith("Stop sending? Nothing has been")
            assert panel.stop_bar.keep_button.isDefault()
            click(qtbot, panel.stop_bar.stop_button)

    page.runner.events.connect(click_cancel_once_bytes_flow)
    submit(qtbot, page)
    outcome = wait_finished(qtbot, page)
    page.runner.events.disconnect(click_cancel_once_bytes_flow)

    assert seen and seen[0].bytes_done < big_csv.stat().st_size, "cancelled mid-upload"
    # The wording depends on where the cancel landed (the transfer or between steps).
    assert "cancelled" in outcome.lower()
    assert panel.outcome.property("kind") == "error"
    # Its state, as History derives it: the job exists, its start was never asked.
    assert wait_state_title(qtbot, page).startswith(f"{WORDING[S.UPLOADED_NOT_STARTED].label}: ")
    marks = step_marks(page)
    assert marks[Step.CREATE.value] == DONE_MARK
    assert marks[Step.UPLOAD.value] == MARKS["cancelled"]
    assert marks[Step.START.value] == MARKS["pending"]
    assert panel.retry_button.isVisible() and panel.back_button.isVisible()
    assert not panel.cancel_button.isVisible() and not panel.another_button.isVisible()

    # The job exists (it was created before the upload) but was never started.
    jobs = app.jobs()
    assert len(jobs) == 1
    job = jobs[0]
    assert job.uid == panel.job_id.text()
    assert job.runs == []

    # Back keeps everything; Retry finishes the same job without creating another.
    click(qtbot, panel.back_button)
    assert page.stack.currentIndex() == 0
    assert page.form.slots.files() == {"INPUT_FILE": big_csv}
    assert page.form.values().tenant == "district-b"
    page.stack.setCurrentWidget(panel)  # the panel as it was left
    click(qtbot, panel.retry_button)
    outcome = wait_success(qtbot, page)
    assert "new job" not in outcome
    assert panel.job_id.text() == job.uid
    jobs = app.jobs()
    assert len(jobs) == 1 and len(jobs[0].runs) == 1
    key = jobs[0].files[0].key
    assert app.object_size(key) == big_csv.stat().st_size


def test_keep_sending_and_a_second_click_where_submit_was_never_cancel(
    app: AppUnderTest, qtbot: QtBot, big_csv: Path
) -> None:
    page, panel = app.page, app.page.panel
    app.sandbox.set_executor(delay_seconds=3600)
    fill_basics(qtbot, page, tenant="district-b")
    choose_item(param_combo(page, "TEST_TYPE"), "SAT")
    drop_on_slot(qtbot, page, big_csv)
    where_submit_was = page.submit_button.mapTo(page, page.submit_button.rect().center())
    asked: list[bool] = []

    @on_file_progress
    def answer_keep_sending(env_var: str, progress: TransferProgress) -> None:
        if env_var == "INPUT_FILE" and progress.bytes_done > 0 and not asked:
            asked.append(True)
            # A double-click on Submit: its second click lands where Submit was.
            assert not isinstance(page.childAt(where_submit_was), QPushButton)
            click(qtbot, panel.cancel_button)
            assert panel.stop_bar.isVisible()
            click(qtbot, panel.stop_bar.keep_button)
            assert not panel.stop_bar.isVisible()

    page.runner.events.connect(answer_keep_sending)
    submit(qtbot, page)
    wait_success(qtbot, page)
    page.runner.events.disconnect(answer_keep_sending)
    assert asked, "the upload never reported progress: nothing was asked"
    assert len(app.jobs()) == 1
