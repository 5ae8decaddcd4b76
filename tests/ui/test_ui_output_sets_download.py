"""The Output sets screen, downloading: one click, selected, expired links, hostile names,
disk trouble, a submission's results, and watch mode across an app restart."""

from __future__ import annotations

import asyncio
import errno
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import output_sets_helpers
import pytest
from output_sets_helpers import (
    FILES,
    WAIT_MS,
    Screen,
    close_screen,
    files_in,
    make_services,
    open_screen,
)
from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot
from sandbox_process import SandboxProcess

from runway_desktop.api import part_file as download_module
from runway_desktop.core.outputs.browse import job_partner
from runway_desktop.core.outputs.download_queue import SetStateChanged
from runway_desktop.ui.output_sets.model import COL_STATE

BIG = {
    "assessments.jsonl": b'{"assessmentIdentifier":"SAT"}\n',
    "studentAssessments.jsonl": b"".join(b'{"row":%d}\n' % i for i in range(20_000)),
}

# Fixtures shared with the download suite (assigned, not imported: ruff F811).
outsets = output_sets_helpers.outsets
qt_garbage = output_sets_helpers.qt_garbage


def jsonl_under(tree: Path) -> set[Path]:
    return {p for p in tree.rglob("*.jsonl") if p.is_file()}


def test_one_click_downloads_every_file_byte_for_byte_then_offers_the_folder(
    outsets: Screen,
) -> None:
    (uid,) = outsets.inject(files=BIG, bundle="assessments/PSAT_SAT")
    outsets.refresh()
    page = outsets.page
    seen: list[str] = []
    page.controller.events.connect(
        lambda e: seen.append(e.state.state) if isinstance(e, SetStateChanged) else None
    )

    with outsets.qtbot.waitSignal(page.downloadsChanged, timeout=WAIT_MS):
        outsets.click_state(uid)
    outsets.wait_idle()

    state = page.model.state_of(uid)
    assert state.state == "complete" and state.folder is not None
    folder = state.folder
    assert folder.relative_to(outsets.root).parts[:4] == (
        "acme", "district-a", "2025-26", "PSAT_SAT"  # "PSAT/SAT" made a safe name
    )  # fmt: skip
    assert folder.name.endswith("_" + uid[:8])
    assert files_in(folder) == BIG
    assert jsonl_under(outsets.root) == {folder / n for n in BIG}
    assert seen[0] == "queued" and "downloading" in seen and seen[-1] == "complete"
    assert outsets.text(uid, COL_STATE) == "Downloaded · Open folder"
    assert page.message.isVisible() and page.message.open_button.isVisible()
    assert page.message.label.text() == f"Downloaded 1 output set (2 files) to {folder}"
    outsets.qtbot.mouseClick(page.message.open_button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    assert outsets.opened == [folder]
    outsets.click_state(uid)  # a downloaded set: the click opens its folder
    assert outsets.opened == [folder, folder]
    assert outsets.services.history.download_state(outsets.profile, uid) == ("complete", folder)
    # The sandbox's S3 answers plain-MD5 ETags: every file was verified, and the list says so.
    tip = str(outsets.cell(uid, COL_STATE).data(Qt.ItemDataRole.ToolTipRole))
    assert [f"  {name}: verified (MD5)" in tip for name in sorted(BIG)] == [True] * len(BIG), tip
    assert state.verification == tuple((name, "md5") for name in sorted(BIG))


def test_download_selected_fetches_each_chosen_set(outsets: Screen) -> None:
    uids = outsets.inject(count=4)
    (other,) = outsets.inject(tenant="district-b")
    outsets.refresh()
    page, table = outsets.page, outsets.page.table
    selection = table.selectionModel()
    for uid in uids:
        selection.select(
            outsets.cell(uid, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    assert page.download_button.text() == "&Download selected (4)"

    outsets.qtbot.mouseClick(page.download_button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    assert {page.model.state_of(u).state for u in uids} <= {"queued", "downloading"}
    outsets.wait_idle()

    for uid in uids:
        state = page.model.state_of(uid)
        assert state.state == "complete" and state.folder is not None
        assert files_in(state.folder) == FILES
    assert page.model.state_of(other).state == "none"
    assert len(jsonl_under(outsets.root)) == 4 * len(FILES)
    assert page.message.label.text().startswith("Downloaded 4 output sets (8 files) to ")
    # The list survives a refresh with the states read back from the history.
    outsets.refresh()
    assert {page.model.state_of(u).state for u in uids} == {"complete"}


def test_expired_links_are_fetched_again(outsets: Screen) -> None:
    (uid,) = outsets.inject(files=BIG)
    outsets.refresh()
    outsets.sandbox.faults.set("s3_expired", {"count": 1})
    outsets.click_state(uid)
    outsets.wait_idle()
    state = outsets.page.model.state_of(uid)
    assert state.state == "complete" and state.folder is not None
    assert files_in(state.folder) == BIG


def test_a_hostile_file_name_never_escapes_the_set_folder(outsets: Screen) -> None:
    (uid,) = outsets.inject(files={"../evil.jsonl": b"evil", "ok.jsonl": b"ok"})
    outsets.refresh()
    outsets.click_state(uid)
    outsets.wait_idle()
    state = outsets.page.model.state_of(uid)
    assert state.folder is not None
    tree = outsets.root.parent
    assert {p for p in jsonl_under(tree) if state.folder not in p.parents} == set()
    assert not list(Path("/tmp").glob("evil*.jsonl"))
    if state.state == "failed":  # S3 may refuse the cleaned-up link; then say so plainly
        assert outsets.page.message.label.property("kind") == "error"
    else:
        assert sorted(files_in(state.folder).values()) == [b"evil", b"ok"]


def test_a_file_in_the_way_of_the_folder_is_reported_with_the_next_step(
    outsets: Screen,
) -> None:
    (uid,) = outsets.inject()
    outsets.refresh()
    outsets.root.parent.mkdir(parents=True, exist_ok=True)
    outsets.root.write_bytes(b"a file where the download folder should be")
    outsets.click_state(uid)
    outsets.wait_idle()

    page = outsets.page
    assert page.model.state_of(uid).state == "failed"
    assert outsets.text(uid, COL_STATE) == "Failed · Try again"
    text = page.message.label.text()
    assert text.startswith("Could not download 1 output set: ")
    assert f"{outsets.root} is a file, not a folder" in text
    assert "Choose another download folder with “Change…”" in text
    assert page.message.label.property("kind") == "error"
    assert not page.message.open_button.isVisible()
    # Fixed by choosing another folder on this screen: the next click succeeds.
    page.root_line.set_root(outsets.root.parent / "elsewhere")
    outsets.click_state(uid)
    outsets.wait_idle()
    assert page.model.state_of(uid).state == "complete"
    saved = outsets.services.preferences.load().download_root
    assert saved == str(outsets.root.parent / "elsewhere")


def test_disk_full_is_reported_plainly_and_nothing_half_written_is_kept(
    outsets: Screen, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real thing (RLIMIT_FSIZE in a child) is in test_outputs_download.py; here the
    # writer fails the way a full disk makes it fail, to check what the screen says.
    def full(*_args: Any, **_kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(download_module, "_write", full)
    (uid,) = outsets.inject(files=BIG)
    outsets.refresh()
    outsets.click_state(uid)
    outsets.wait_idle()

    text = outsets.page.message.label.text()
    assert "not enough disk space" in text and "Free some disk space" in text
    assert outsets.page.model.state_of(uid).state == "failed"
    assert jsonl_under(outsets.root) == set()


def test_download_for_job_fetches_that_submission_s_sets(outsets: Screen) -> None:
    (mine,) = outsets.inject(partner="ea", tenant="ea-tenant")
    (other,) = outsets.inject(partner="ea", tenant="ea-tenant")
    page = outsets.page
    page.filters.partner.setCurrentText("ea")
    outsets.qtbot.waitUntil(lambda: len(outsets.shown_uids()) == 2, timeout=WAIT_MS)
    job = page.model.rows[page.model.row_of(mine) or 0].output_set.job_uid
    # The listing records what it showed off the Qt thread: the job's partner comes from there.
    outsets.qtbot.waitUntil(lambda: job_partner(page.services.history, job) == "ea")
    page.filters.partner.setCurrentText("acme")
    outsets.qtbot.waitUntil(lambda: not outsets.shown_uids(), timeout=WAIT_MS)

    page.download_for_job(job)
    outsets.wait_state(mine, "complete")
    outsets.wait_idle()
    assert outsets.shown_uids() == [mine]
    assert page.model.state_of(other).state == "none"


def restart(
    screen: Screen, qtbot: QtBot, qloop: asyncio.AbstractEventLoop, sandbox: SandboxProcess
) -> Screen:
    """Close the screen and its services, then open both again on the same files."""
    close_screen(screen, qloop)
    services = make_services(screen.root)
    return open_screen(qtbot, sandbox, services, screen.root, screen.opened)


def poll(screen: Screen) -> None:
    task = screen.page.controller.poll_now()
    assert task is not None
    screen.qtbot.waitUntil(task.done, timeout=WAIT_MS)
    task.result()


def downloaded_folders(root: Path) -> list[str]:
    """Set folders on disk (their names end in the set uid's first 8 characters)."""
    return sorted(p.parent.name for p in root.rglob("assessments.jsonl"))


def test_watch_mode_across_a_restart_downloads_each_new_set_once(
    outsets: Screen, qtbot: QtBot, qloop: asyncio.AbstractEventLoop, sandbox_process: SandboxProcess
) -> None:
    old = outsets.inject(created_on=datetime.now(UTC) - timedelta(days=2))  # before watching
    outsets.page.watch.setChecked(True)
    assert outsets.services.preferences.load().download_new_automatically
    assert outsets.page.controller.watch_timer.isActive()
    outsets.qtbot.waitUntil(lambda: outsets.page.controller.last_poll is not None)
    first = outsets.inject(count=2, created_on=datetime.now(UTC) - timedelta(minutes=1))
    poll(outsets)
    assert outsets.notifier.history[-1].title == "New results downloaded"
    assert not outsets.notifier.history[-1].error
    cursor = outsets.services.history.watch_cursor(outsets.profile, "acme")
    assert cursor is not None

    screen = restart(outsets, qtbot, qloop, sandbox_process)
    try:
        assert screen.page.watch.isChecked() and screen.page.controller.watching
        qtbot.waitUntil(lambda: screen.page.controller.last_poll is not None, timeout=WAIT_MS)
        # Stamped before the last poll but listed only now (CONTRACT §5.5), and a new one.
        late = screen.inject(created_on=cursor - timedelta(minutes=10))
        new = screen.inject(partner="ea", tenant="ea-tenant")
        poll(screen)
        poll(screen)  # and again: nothing twice
        history = screen.services.history
        assert history.downloaded_set_uids(screen.profile) == set(first + late + new)
        folders = downloaded_folders(screen.root)
        assert len(folders) == len(set(folders)) == 4
        assert {f[-8:] for f in folders} == {u[:8] for u in first + late + new}
        assert old[0][:8] not in {f[-8:] for f in folders}
        screen.page.refresh()
        screen.wait_state(late[0], "complete")
        # After the restart the state comes from History, with how each file was checked.
        first_state = screen.page.model.state_of(first[0])
        assert first_state.verification and {k for _n, k in first_state.verification} == {"md5"}
    finally:
        close_screen(screen, qloop)


def test_a_watched_download_that_fails_is_notified_and_retried(outsets: Screen) -> None:
    outsets.page.watch.setChecked(True)
    outsets.qtbot.waitUntil(lambda: outsets.page.controller.last_poll is not None)
    (uid,) = outsets.inject()
    outsets.sandbox.faults.set("s3_error", {"status": 400, "count": 1})
    poll(outsets)
    note = outsets.notifier.history[-1]
    assert note.error and note.title == "1 new result could not be downloaded"
    assert note.text.endswith("The next check tries again.")
    poll(outsets)
    assert outsets.notifier.history[-1].title == "New result downloaded"
    assert uid in outsets.services.history.downloaded_set_uids(outsets.profile)
