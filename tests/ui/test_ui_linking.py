"""Linking on the screens, with real submissions sent through the real pipeline to the sandbox:
History lists a submission's sets with Download, Output sets says which submission of ours a
set came from and finds it by the uploaded file's name, and the Submit screen says when these
exact files were already sent."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import history_ui_fixtures
import output_sets_helpers
from history_helpers import Maker
from history_ui_fixtures import WAIT_MS, HistoryUnderTest
from output_sets_helpers import Screen
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from ui_app_helpers import choose_school_year, click, fill_basics, wait_checked

from runway_desktop.core.history_actions import already_sent_text
from runway_desktop.core.outputs.linking import short_when
from runway_desktop.core.submission_state import SubmissionState as S
from runway_desktop.ui.output_sets.model import COL_ASSESSMENT, COL_TENANT
from runway_desktop.ui.submit.page import SubmitPage

# The fixtures, assigned rather than imported (ruff F811 on the parameter of the same name).
history = history_ui_fixtures.history
outsets = output_sets_helpers.outsets
qt_garbage = output_sets_helpers.qt_garbage
T = TypeVar("T")
TIP = Qt.ItemDataRole.ToolTipRole


def run(qtbot: QtBot, loop: asyncio.AbstractEventLoop, work: Coroutine[Any, Any, T]) -> T:
    task = loop.create_task(work)
    qtbot.waitUntil(task.done, timeout=WAIT_MS)
    return task.result()


def named_export(make: Maker, folder: Path, name: str) -> Path:
    """The MAP export the tests send, under a name of the test's own (searched for below)."""
    path = folder / name
    shutil.copy(make.map_request().files["INPUT_FILE"], path)
    return path


def test_history_lists_the_sets_of_a_submission_with_a_download_each(
    history: HistoryUnderTest,
) -> None:
    h = history
    result = h.run(h.make.submit(h.make.map_request()))
    assert result.job_uid is not None
    h.connect()
    h.wait_status(result.submission_id, S.LOADED)  # the poll has seen (and recorded) the set
    (seen,) = h.services.history.sets_for_job(result.job_uid)
    h.page.select_submission(result.submission_id)
    detail = h.page.detail
    assert detail.sets.isVisible() and not detail.sets.empty.isVisible()
    assert list(detail.sets.buttons) == [seen.set_uid]
    button = detail.sets.buttons[seen.set_uid]
    assert button.text() == "Download" and button.isVisible()

    # Until the window routes a set by its uid, it goes the job's "Download results" way.
    with h.qtbot.waitSignal(h.page.downloadRequested, timeout=WAIT_MS) as routed:
        click(h.qtbot, button)
    assert routed.args == [result.job_uid]
    asked: list[tuple[str, str]] = []
    h.page.downloadSetRequested.connect(lambda job, uid: asked.append((job, uid)))
    click(h.qtbot, button)
    assert asked == [(result.job_uid, seen.set_uid)]


def test_a_submission_without_a_set_yet_says_so(history: HistoryUnderTest) -> None:
    h = history
    result = h.run(h.make.cancelled_upload(h.make.map_request()))  # a job, never started
    assert result.job_uid is not None
    h.refresh()
    h.page.select_submission(result.submission_id)
    sets = h.page.detail.sets
    assert sets.isVisible() and sets.empty.isVisible() and sets.buttons == {}


def test_output_sets_say_which_submission_a_set_came_from_and_find_it_by_file_name(
    outsets: Screen, qloop: asyncio.AbstractEventLoop, samples_dir: Path, tmp_path: Path
) -> None:
    s = outsets
    services = s.services
    make = Maker(
        s.sandbox, services.http, s.connection.client, services.history, services.registry,
        samples_dir, s.profile, services.links,
    )  # fmt: skip
    path = named_export(make, tmp_path, "spring_scores_lincoln.csv")
    result = run(s.qtbot, qloop, make.submit(make.map_request(path=path)))
    assert result.ok and result.job_uid
    run(s.qtbot, qloop, make.wait_runs_finished(result.job_uid))
    (theirs,) = s.inject()  # a set from the web UI: the same district, year and assessment
    s.refresh()
    ours = next(r.uid for r in s.page.model.rows if r.output_set.job_uid == result.job_uid)
    record = services.history.get(result.submission_id)
    assert record is not None

    linked = f"from your submission of {short_when(record.created_at)} (MAP Growth, 1 file)"
    assert s.text(ours, COL_ASSESSMENT) == f"MAP Growth Assessment · {linked}"
    assert s.text(theirs, COL_ASSESSMENT) == "MAP Growth Assessment"
    tip = s.text(ours, COL_TENANT, TIP)
    assert f"#{record.id}" in tip and "spring_scores_lincoln.csv" in tip
    assert "submission of" not in s.text(theirs, COL_TENANT, TIP)

    s.page.filters.search.setText("spring_scores_LINCOLN.csv")  # the proxy filters at once
    assert s.shown_uids() == [ours]
    s.page.filters.search.setText("")
    assert set(s.shown_uids()) == {ours, theirs}


def test_resubmit_and_submit_say_when_these_files_were_already_sent(
    history: HistoryUnderTest, tmp_path: Path
) -> None:
    h = history
    path = named_export(h.make, tmp_path, "scores.csv")
    first = h.run(h.make.submit(h.make.map_request(path=path)))
    assert first.job_uid is not None
    h.connect()
    h.wait_status(first.submission_id, S.LOADED)
    submit_page = SubmitPage(h.services, lambda: h.connection)
    h.qtbot.addWidget(submit_page)
    submit_page.resize(1000, 700)
    submit_page.show()
    h.qtbot.waitExposed(submit_page)
    submit_page.set_partners(["acme"], "acme")
    notice = submit_page.already_sent
    assert not notice.isVisible()
    h.page.resubmitRequested.connect(submit_page.form.restore)

    h.page.select_submission(first.submission_id)
    with h.qtbot.waitSignal(notice.looked, timeout=WAIT_MS):  # after the file's check
        click(h.qtbot, h.page.detail.resubmit_button)
        wait_checked(h.qtbot, submit_page)
    h.qtbot.waitUntil(notice.isVisible, timeout=WAIT_MS)
    record = h.services.history.get(first.submission_id)
    assert record is not None and notice.record == record
    assert notice.text() == already_sent_text(record, "MAP Growth Assessment")
    assert "already sent for MAP Growth Assessment, district-a, 2025–26" in notice.text()
    assert submit_page.submit_button.isEnabled()  # a notice, never a blocker

    # Another year: these files were never sent for it.
    with h.qtbot.waitSignal(notice.looked, timeout=WAIT_MS):
        choose_school_year(submit_page, "2025")
    assert not notice.isVisible()

    # Filled by hand on the Submit screen, same files and place: said again.
    fill_basics(h.qtbot, submit_page, school_year="2026", assessment=None)
    h.qtbot.waitUntil(notice.isVisible, timeout=WAIT_MS)
    assert f"(submission #{first.submission_id})" in notice.text()
