"""The History screen against the sandbox: every derived status reached for real, the detail
with its timeline, filters, notifications, and the empty state."""

from __future__ import annotations

from datetime import timedelta

import history_ui_fixtures
from history_ui_fixtures import WAIT_MS, HistoryUnderTest
from ui_app_helpers import click, qt_garbage  # noqa: F401  (pytest fixture)

from runway_desktop.core.history_view import HistoryFilter
from runway_desktop.core.submission_state import SubmissionState as S
from runway_desktop.history.records import utc_now

# The fixture, assigned rather than imported (ruff F811 on the parameter of the same name).
history = history_ui_fixtures.history


def test_every_status_is_reached_for_real_and_notified(history: HistoryUnderTest) -> None:
    h, make = history, history.make
    loaded = h.run(make.submit(make.psat_request("2026")))
    processed = h.run(make.submit(make.map_request("2025")))
    for result in (loaded, processed):
        assert result.job_uid is not None
        h.run(make.wait_runs_finished(result.job_uid))
    make.sandbox.set_executor(outcome="fail")
    failed = h.run(make.submit(make.map_request("2026")))
    assert failed.job_uid is not None
    h.run(make.wait_runs_finished(failed.job_uid))
    interrupted = h.run(make.cancelled_upload(make.map_request("2026")))
    not_sent = h.run(make.create_refused(make.psat_request("2025")))
    assert interrupted.job_uid is not None and not_sent.job_uid is None

    # Before any poll: what was recorded locally.
    h.refresh()
    assert h.page.model.total() == 5
    for started in (loaded, processed, failed):
        assert h.status(started.submission_id) is S.WAITING
    assert h.status(interrupted.submission_id) is S.UPLOADED_NOT_STARTED  # cancelled
    # a 503 on create may have made a job: shown as such, never hidden
    assert h.status(not_sent.submission_id) is S.MAY_HAVE_JOB
    assert not h.page.poll_timer.active  # no connection: nothing to ask yet

    h.connect()
    h.wait_status(loaded.submission_id, S.LOADED)
    h.wait_status(processed.submission_id, S.PROCESSED)
    assert h.status(failed.submission_id) is S.WAITING
    assert "1 waiting for Runway (checking every minute)" in h.page.summary.text()
    # The notifications follow the statuses (posted once the poll's report is handled).
    h.qtbot.waitUntil(lambda: len(h.notifier.history) == 2, timeout=WAIT_MS)
    titles = [n.title for n in h.notifier.history]
    assert sorted(titles) == ["Loaded into the ODS", "Processed"]
    assert "district-b" in h.notifier.history[titles.index("Loaded into the ODS")].text

    # Two hours later (the default), the failed run has still produced nothing.
    h.page.clock = lambda: utc_now() + timedelta(hours=2, minutes=1)
    h.wait_status(failed.submission_id, S.NO_RESULT_YET)

    def told() -> bool:
        # The list re-derives with the new clock at once; the notification comes from the
        # next poll that runs with it (a poll already under way still had the old time).
        if len(h.notifier.history) == 3:
            return True
        h.page.on_check_now()
        return False

    h.qtbot.waitUntil(told, timeout=WAIT_MS)
    note = h.notifier.history[-1]
    assert note.title == "No result yet" and note.error and failed.job_uid in note.text

    assert h.page.select_submission(failed.submission_id)
    detail = h.page.detail
    assert detail.badge.text().endswith("No result yet")
    assert "web app" in detail.explanation.text() and failed.job_uid in detail.explanation.text()
    assert detail.job_id.text() == failed.job_uid
    assert not detail.resume_button.isVisible() and detail.resubmit_button.isVisible()


def test_detail_shows_files_and_a_timeline_with_durations(history: HistoryUnderTest) -> None:
    h = history
    result = h.run(h.make.submit(h.make.psat_request("2026")))
    assert result.job_uid is not None
    h.connect()
    h.wait_status(result.submission_id, S.LOADED)
    assert h.page.select_submission(result.submission_id)
    detail = h.page.detail
    assert detail.title.text() == "PSAT/SAT · district-b · 2025–26"
    labels = [e.label for e in detail.timeline.entries]
    assert labels == [
        "Checking files", "Signing in", "Creating the job", "Uploading (all files)",
        "Uploading sample_anonymized_file_sat.csv", "Starting",
        "Output set appeared (sent to the ODS)",
    ]  # fmt: skip
    assert all(e.duration.endswith(("ms", " s")) for e in detail.timeline.entries[:-1])
    assert detail.timeline.entries[-1].duration.startswith("after ")
    record = h.services.history.get(result.submission_id)
    assert record is not None
    assert detail._fact_labels["Settings"].text() == "TEST_TYPE = SAT"
    assert detail.output_button.isVisible() and detail.download_button.isVisible()
    with h.qtbot.waitSignal(h.page.showOutputRequested) as shown:
        click(h.qtbot, detail.output_button)
    assert shown.args == [result.job_uid]
    with h.qtbot.waitSignal(h.page.downloadRequested) as download:
        click(h.qtbot, detail.download_button)
    assert download.args == [result.job_uid]


def test_filters_and_search_narrow_the_list(history: HistoryUnderTest) -> None:
    h = history
    first = h.run(h.make.submit(h.make.psat_request("2026")))
    second = h.run(h.make.submit(h.make.map_request("2025")))
    h.refresh()
    filters, model, listed = h.page.filters, h.page.model, h.listed
    listed(lambda: filters.search.setText(second.job_uid or ""))
    assert model.total() == 1 and h.page.selected_records()[0].id == second.submission_id
    listed(lambda: filters.search.setText("sample_anonymized_file_sat"))
    assert model.total() == 1
    listed(filters.clear)
    assert model.total() == 2 and not filters.clear_button.isEnabled()
    listed(lambda: filters.tenant.setCurrentIndex(filters.tenant.findData("district-b")))
    assert model.total() == 1
    listed(filters.clear)
    listed(lambda: filters.school_year.setCurrentIndex(filters.school_year.findData("2025")))
    assert filters.current().school_year == "2025" and model.total() == 1
    listed(filters.clear)
    psat = filters.assessment.findData("assessments/PSAT_SAT")
    listed(lambda: filters.assessment.setCurrentIndex(psat))
    assert model.total() == 1
    listed(filters.clear)
    listed(lambda: filters.set_status(S.LOADED))
    assert model.total() == 0
    assert h.page.body.currentWidget() is h.page.body.no_match
    listed(lambda: click(h.qtbot, h.page.body.clear_button))
    assert model.total() == 2 and h.page.body.currentWidget() is h.page.body.splitter
    listed(lambda: filters.period.setCurrentIndex(filters.period.findData("Today")))
    assert model.total() == 2
    tomorrow = utc_now().astimezone().date() + timedelta(days=1)
    assert not HistoryFilter(date_from=tomorrow).matches(model.rows()[0])
    assert first.submission_id in [r.record.id for r in model.rows()]


def test_typing_is_debounced_into_one_search(history: HistoryUnderTest) -> None:
    h = history
    h.run(h.make.submit(h.make.map_request("2025")))
    h.refresh()
    searches: list[object] = []
    h.page.listed.connect(lambda: searches.append(h.page.filters.current().text))
    with h.qtbot.waitSignal(h.page.listed, timeout=5000):
        for count in range(1, 8):
            h.page.filters.search.setText("sample_anonymized"[: count + 4])
    h.qtbot.wait(300)  # no late search per keystroke either
    assert searches == ["sample_anon"] and h.page.model.total() == 1


def test_empty_state_explains_what_will_appear(history: HistoryUnderTest) -> None:
    page = history.page
    # The rows are read off the Qt thread: the empty state shows once that read has answered.
    history.qtbot.waitUntil(lambda: page.body.currentWidget() is page.body.empty, timeout=WAIT_MS)
    assert "Nothing has been sent from this computer yet" in page.body.empty.text()
    assert page.filters.isHidden() and page.check_button.isHidden()
    assert page.export_button.isVisible()
