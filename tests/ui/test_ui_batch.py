"""Send a folder: planned, reviewed, sent through the core's BatchRunner against the sandbox,
and sent again with nothing sent twice."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from ui_app_helpers import (  # noqa: F401  (app_fixture: the fixture "app")
    WAIT_MS,
    AppUnderTest,
    app_fixture,
    click,
    fill_basics,
)

import runway_desktop.ui.batch.folder_dialog as folder_dialog_module
from runway_desktop.ui.batch.batch_dialog import BatchDialog

STAR = (
    "SR_sample_anonymized_file.csv",
    "SR_Dashboard_Standards_v2_sample_anonymized_file.csv",
    "SR_SkillArea_v1_sample_anonymized_file.csv",
)


def spring_folder(root: Path, samples: Path) -> Path:
    """district-a: STAR's three files; district-b: the SAT export and MAP Growth's sample,
    and a note no assessment fits."""
    (root / "district-a").mkdir(parents=True)
    (root / "district-b").mkdir()
    for name in STAR:
        shutil.copyfile(samples / "STAR" / name, root / "district-a" / name)
    sat = "sample_anonymized_file_sat.csv"
    shutil.copyfile(samples / "PSAT_SAT" / sat, root / "district-b" / sat)
    shutil.copyfile(
        samples / "MAP_Growth" / "sample_anonymized_file.csv", root / "district-b" / "map.csv"
    )
    (root / "district-b" / "readme.txt").write_text("Spring exports.\n", encoding="utf-8")
    return root


def open_batch(
    app: AppUnderTest, qtbot: QtBot, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> BatchDialog:
    monkeypatch.setattr(folder_dialog_module, "choose_folder", lambda *_: str(folder))
    click(qtbot, app.page.folder_button)
    dialog = app.window.batch_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    click(qtbot, dialog.choose_button)
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=WAIT_MS)
    return dialog


def row_of(dialog: BatchDialog, bundle: str) -> int:
    assert dialog.plan is not None
    (index,) = [i for i, item in enumerate(dialog.plan.items) if item.bundle == bundle]
    return index


def wait_done(qtbot: QtBot, dialog: BatchDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.is_sending(), timeout=WAIT_MS * 3)


def test_folder_planned_sent_then_sent_again(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    fill_basics(qtbot, app.page, tenant="district-a", school_year="2026", assessment=None)
    folder = spring_folder(tmp_path / "spring", samples_dir)
    dialog = open_batch(app, qtbot, folder, monkeypatch)
    plan, tree = dialog.plan, dialog.plan_tree
    assert plan is not None
    got = {(i.bundle, i.tenant, i.school_year) for i in plan.items}
    assert got == {
        ("assessments/STAR", "district-a", "2024"),
        ("assessments/PSAT_SAT", "district-b", "2026"),
        ("assessments/MAP_Growth", "district-b", "2022"),
    }
    # STAR's rows are of 2023–24: the note says so, in this window's words (not the CLI's).
    star_note = tree.check_text(row_of(dialog, "assessments/STAR"))
    assert "(2025–26 was given on the Submit screen)" in star_note and "--" not in star_note
    # The note is listed with its reason, not sent.
    assert dialog.unplaced.count() == 1
    assert dialog.unplaced.item(0).text().startswith("district-b/readme.txt: ")

    # PSAT/SAT needs its test type: marked and left out until it is chosen.
    sat = row_of(dialog, "assessments/PSAT_SAT")
    assert tree.check_text(sat) == "needs Test Type"
    assert not tree.is_chosen(sat)
    assert dialog.send_button.text() == "&Send 2 submissions"
    combo = tree.editor(sat, "TEST_TYPE")
    assert combo is not None
    combo.setCurrentIndex(combo.findText("SAT"))
    assert tree.is_chosen(sat) and tree.check_text(sat).startswith("Ready to send.")
    assert dialog.send_button.text() == "&Send 3 submissions"
    # A row can be left out, and put back.
    star = row_of(dialog, "assessments/STAR")
    tree.set_chosen(star, False)
    assert dialog.send_button.text() == "&Send 2 submissions"
    tree.set_chosen(star, True)

    click(qtbot, dialog.send_button)
    wait_done(qtbot, dialog)
    progress = dialog.progress
    statuses = {progress.status(n) for n in (1, 2, 3)}
    outcomes = progress.outcomes()
    by_bundle = {o.item.bundle: o for o in outcomes.values()}
    assert len(by_bundle) == 3, (dialog.summary.text(), [progress.text(n) for n in (1, 2, 3)])
    # MAP Growth's 2021–22 has no roster in the sandbox: it fails, the others are sent.
    assert by_bundle["assessments/STAR"].status.value == "sent", progress.text(1)
    assert by_bundle["assessments/PSAT_SAT"].status.value == "sent"
    assert by_bundle["assessments/PSAT_SAT"].item.params == {"TEST_TYPE": "SAT"}
    # One item's failure stops no other: MAP Growth's 2021–22 has no roster in the sandbox.
    failed = by_bundle["assessments/MAP_Growth"]
    assert progress.status(failed.number) == "failed"
    assert progress.text(failed.number).startswith("Runway has no student roster")
    assert statuses == {"sent", "failed"}
    for outcome in outcomes.values():
        assert progress.text(outcome.number), outcome
    jobs = app.jobs()
    sent_jobs = {o.job_uid for o in outcomes.values() if o.status.value == "sent"}
    assert sent_jobs <= {j.uid for j in jobs}
    assert len(jobs) == 2
    for job in jobs:
        assert len(job.runs) == 1, job
    assert (
        tree.sent_text(star)
        == f"sent now (submission #{by_bundle['assessments/STAR'].submission_id})"
    )
    assert tree.sent_text(row_of(dialog, "assessments/MAP_Growth")) == "failed"
    # Each item is an ordinary submission in History.
    sent_ids = [o.submission_id for o in outcomes.values() if o.submission_id]
    assert all(app.services.history.get(i) is not None for i in sent_ids)
    history = app.window.history_page
    qtbot.waitUntil(lambda: all(history.row(i) is not None for i in sent_ids), timeout=WAIT_MS)

    # The same plan again: what went is skipped, saying so per item; nothing starts again.
    before = {j.uid: len(j.runs) for j in app.jobs()}
    click(qtbot, dialog.send_button)
    wait_done(qtbot, dialog)
    again = {o.item.bundle: o for o in dialog.progress.outcomes().values()}
    for bundle in ("assessments/STAR", "assessments/PSAT_SAT"):
        assert again[bundle].status.value == "already_sent", again[bundle]
        assert "already sent" in dialog.progress.text(again[bundle].number)
    assert tree.sent_text(star).startswith("These files were already sent for ")
    assert {j.uid: len(j.runs) for j in app.jobs()} == before
    assert dialog.summary.text() == "3 submissions: 2 already sent, 1 failed."


def test_stop_leaves_the_rest_of_the_queue_unsent(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    fill_basics(qtbot, app.page, tenant="district-a", school_year="2026", assessment=None)
    folder = spring_folder(tmp_path / "spring", samples_dir)
    dialog = open_batch(app, qtbot, folder, monkeypatch)
    assert dialog.send_button.text() == "&Send 2 submissions"  # PSAT/SAT left out
    click(qtbot, dialog.send_button)
    # Stopped before the queue began: nothing is sent, each item says so.
    click(qtbot, dialog.stop_button)
    wait_done(qtbot, dialog)
    assert [dialog.progress.status(n) for n in (1, 2)] == ["not sent", "not sent"]
    assert dialog.progress.text(1).startswith("Not sent: the batch was stopped")
    assert app.jobs() == []
    # Sent afterwards, the plan goes as if never stopped.
    click(qtbot, dialog.send_button)
    wait_done(qtbot, dialog)
    assert {dialog.progress.status(n) for n in (1, 2)} == {"sent", "failed"}
    assert len(app.jobs()) == 1


def test_send_a_folder_is_on_the_submit_screen(app: AppUnderTest) -> None:
    button = app.page.folder_button
    assert button.isVisible() and button.isEnabled()
    assert button.text() == "Send a &folder…"
