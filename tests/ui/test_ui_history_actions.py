"""History actions end to end against the sandbox: Resume (never a second start), Resubmit
(form pre-filled for review, then sent by the clerk), Export diagnostics (no secret inside)."""

from __future__ import annotations

import logging
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import history_ui_fixtures
import pytest
from history_ui_fixtures import WAIT_MS, HistoryUnderTest
from ui_app_helpers import click, qt_garbage, submit, wait_checked  # noqa: F401

import runway_desktop.ui.history.diagnostics_export as diagnostics_export
from runway_desktop.base.logging_setup import setup_logging, teardown_logging
from runway_desktop.core.submission_state import SubmissionState as S
from runway_desktop.core.submit.events import Finished
from runway_desktop.core.submit.form_values import FormValues
from runway_desktop.ui.history.resume import ResumeDone
from runway_desktop.ui.submit.page import SubmitPage

SIGNATURE = re.compile(r"X-Amz-Signature=(?!\[redacted\])")

# The fixture, assigned rather than imported (ruff F811 on the parameter of the same name).
history = history_ui_fixtures.history


@pytest.fixture
def app_log() -> Iterator[Path]:
    path = setup_logging()
    yield path
    teardown_logging()


def test_resume_an_interrupted_upload_starts_the_job_exactly_once(
    history: HistoryUnderTest,
) -> None:
    h = history
    first = h.run(h.make.cancelled_upload(h.make.map_request("2025")))
    assert first.job_uid is not None and h.make.runs(first.job_uid) == []
    h.connect()
    assert h.page.select_submission(first.submission_id)
    detail = h.page.detail
    assert detail.badge.text().endswith("Uploaded, not started")
    assert detail.resume_button.isVisible() and detail.resume_button.isEnabled()

    # (is_running() turns False a moment before the result is reported: wait for the result.)
    with h.qtbot.waitSignal(
        h.page.resume.events, timeout=WAIT_MS, check_params_cb=lambda e: isinstance(e, ResumeDone)
    ):
        click(h.qtbot, detail.resume_button)
    assert "Resumed: Runway started job" in detail.note.text()
    assert len(h.make.runs(first.job_uid)) == 1
    # Same job (this session's upload links were still valid), now waiting, then processed.
    h.refresh()
    assert h.status(first.submission_id) in (S.WAITING, S.PROCESSED)
    h.wait_status(first.submission_id, S.PROCESSED)
    assert not detail.resume_button.isVisible()

    # Resuming again (a double click, a stale screen) never starts the job a second time:
    # the state model offers no Resume once it started.
    h.page.on_resume(first.submission_id)
    assert not h.page.runner.is_running()
    assert detail.note.text().startswith("Processed: ")
    assert len(h.make.runs(first.job_uid)) == 1
    assert len(h.make.job_uids()) == 1


def test_resume_can_be_routed_elsewhere(history: HistoryUnderTest) -> None:
    h = history
    first = h.run(h.make.cancelled_upload(h.make.map_request("2025")))
    h.connect()
    h.page.resume_here = False
    h.page.select_submission(first.submission_id)
    with h.qtbot.waitSignal(h.page.resumeRequested) as asked:
        click(h.qtbot, h.page.detail.resume_button)
    submission_id, request = asked.args
    assert submission_id == first.submission_id and not h.page.runner.is_running()
    assert request.bundle.path == "assessments/MAP_Growth" and request.school_year == "2025"
    assert request.files == {"INPUT_FILE": h.make.map_request().files["INPUT_FILE"]}


def test_resubmit_prefills_the_form_for_review_then_sends_a_new_job(
    history: HistoryUnderTest, tmp_path: Path
) -> None:
    h = history
    sat = tmp_path / "sat.csv"
    shutil.copy(h.make.psat_request().files["INPUT_FILE"], sat)
    psat = h.make.request(
        "assessments/PSAT_SAT", {"INPUT_FILE": sat}, {"TEST_TYPE": "SAT"}, tenant="district-b"
    )
    first = h.run(h.make.submit(psat))
    assert first.job_uid is not None
    h.connect()
    h.wait_status(first.submission_id, S.LOADED)
    submit_page = SubmitPage(h.services, lambda: h.connection)
    h.qtbot.addWidget(submit_page)
    submit_page.show()
    h.qtbot.waitExposed(submit_page)
    submit_page.set_partners(["acme"], "acme")
    h.page.resubmitRequested.connect(submit_page.form.restore)

    h.page.select_submission(first.submission_id)
    with h.qtbot.waitSignal(h.page.resubmitRequested) as asked:
        click(h.qtbot, h.page.detail.resubmit_button)
    (values,) = asked.args
    assert isinstance(values, FormValues)
    assert (values.partner, values.tenant, values.school_year) == ("acme", "district-b", "2026")
    assert values.bundle is not None and values.bundle.path == "assessments/PSAT_SAT"
    assert values.params == {"TEST_TYPE": "SAT"} and values.files == {"INPUT_FILE": sat}
    assert "nothing is sent until you do" in h.page.detail.note.text()
    # Nothing was sent: the clerk reviews on the Submit screen first.
    assert len(h.make.job_uids()) == 1

    wait_checked(h.qtbot, submit_page)
    assert submit_page.form.values().files == {"INPUT_FILE": sat}
    h.qtbot.waitUntil(submit_page.submit_button.isEnabled, timeout=WAIT_MS)
    finished = submit_page.runner.events
    with h.qtbot.waitSignal(
        finished, timeout=WAIT_MS, check_params_cb=lambda e: isinstance(e, Finished)
    ):
        submit(h.qtbot, submit_page)
    jobs = h.make.job_uids()
    assert len(jobs) == 2 and all(len(h.make.runs(uid)) == 1 for uid in jobs)
    h.refresh()
    assert h.page.model.total() == 2

    # The file has gone since: the form is filled without it and the note says so.
    sat.unlink()
    h.page.select_submission(first.submission_id)
    with h.qtbot.waitSignal(h.page.resubmitRequested) as again:
        click(h.qtbot, h.page.detail.resubmit_button)
    assert again.args[0].files == {}
    assert f"sat.csv is no longer at {sat}" in h.page.detail.note.text()


def test_exported_diagnostics_contain_no_secret(
    history: HistoryUnderTest, app_log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = history
    result = h.run(h.make.cancelled_upload(h.make.map_request("2025")))
    assert result.job_uid is not None
    links = h.services.links.usable(result.job_uid)  # this session's real presigned PUT URLs
    assert links is not None and "X-Amz-Signature=" in links["INPUT_FILE"]
    token = h.run(h.connection.tokens.get_token())
    secret = h.connection.tokens.settings.client_secret
    log = logging.getLogger("runway_desktop.test")
    log.info("token request client_secret=%s; got Bearer %s", secret, token)
    log.warning("upload to %s was cut", links["INPUT_FILE"])
    h.connect()
    h.page.select_submission(result.submission_id)
    target = tmp_path / "support" / "diag"
    monkeypatch.setattr(diagnostics_export, "choose_zip_path", lambda _p, _s: str(target))

    with h.qtbot.waitSignal(h.page.diagnosticsExported, timeout=WAIT_MS) as done:
        click(h.qtbot, h.page.export_button)
    export = done.args[0]
    assert export.path == target.with_name("diag.zip") and export.submissions == 1
    assert h.page.message.isVisible() and "diag.zip" in h.page.message.text()
    with zipfile.ZipFile(export.path) as archive:
        texts = {n: archive.read(n).decode("utf-8") for n in archive.namelist()}
    assert "logs/runway-desktop.log" in texts and result.job_uid in texts["submissions.json"]
    assert "INPUT_FILE__sample_anonymized_file.csv?[redacted] was cut" in app_log.read_text()
    for name, text in texts.items():
        assert secret not in text and token not in text, name
        assert not SIGNATURE.search(text), name
    assert "[redacted]" in texts["logs/runway-desktop.log"]
