"""The Output sets screen: "Save as CSV for Excel" on a downloaded set, and Open folder when no
file manager answers."""

from __future__ import annotations

import threading
from pathlib import Path

import output_sets_helpers
import pytest
from output_sets_helpers import WAIT_MS, Screen
from PySide6.QtCore import QItemSelectionModel, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication

from runway_desktop.core.outputs import csv_export
from runway_desktop.ui.output_sets import csv_saver
from runway_desktop.ui.settings import download_root

outsets = output_sets_helpers.outsets
qt_garbage = output_sets_helpers.qt_garbage

NESTED = {
    "assessments.jsonl": b'{"assessmentIdentifier":"MAP","title":"MAP Growth"}\n',
    "studentAssessments.jsonl": b"".join(
        b'{"studentReference":{"studentUniqueId":"%d"},'
        b'"scoreResults":[{"result":"%d"},{"result":"=HYPERLINK(\\"x\\")"}]}\n' % (605000 + n, n)
        for n in range(3000)
    ),
}


def select_only(screen: Screen, uid: str) -> None:
    selection = screen.page.table.selectionModel()
    selection.clearSelection()
    selection.select(
        screen.cell(uid, 0),
        QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
    )


def download(screen: Screen, uid: str) -> Path:
    with screen.qtbot.waitSignal(screen.page.downloadsChanged, timeout=WAIT_MS):
        screen.click_state(uid)
    screen.wait_idle()
    state = screen.page.model.state_of(uid)
    assert state.done and state.folder is not None
    return state.folder


def test_save_as_csv_writes_beside_the_download_in_a_worker_and_says_where(
    outsets: Screen, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[threading.Thread] = []
    real = csv_export.export_recorded

    def spy(*args: object) -> csv_export.CsvSaved:
        threads.append(threading.current_thread())
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(csv_saver, "export_recorded", spy)
    (uid,) = outsets.inject(files=NESTED)
    outsets.refresh()
    page, bot = outsets.page, outsets.qtbot
    select_only(outsets, uid)
    assert not page.csv_button.isEnabled()  # nothing downloaded yet: nothing to convert

    folder = download(outsets, uid)
    select_only(outsets, uid)
    assert page.csv_button.isEnabled()
    bot.mouseClick(page.csv_button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    bot.waitUntil(lambda: page.message.label.text().startswith("Saved"), timeout=WAIT_MS)

    assert threads and threads[0] is not threading.main_thread()
    text = page.message.label.text()
    assert text == f"Saved 2 CSV files for Excel (3,001 rows) in {folder}"
    assert page.message.label.textFormat() == Qt.TextFormat.PlainText
    assert page.csv_button.isEnabled()  # ready for another go
    rows = (folder / "studentAssessments.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == (
        "studentReference.studentUniqueId,scoreResults.1.result,scoreResults.2.result"
    )
    assert rows[1] == '605000,0,"\'=HYPERLINK(""x"")"'
    assert len(rows) == 3001
    assert (folder / "assessments.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert page.message.open_button.isVisible()
    bot.mouseClick(page.message.open_button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    assert outsets.opened == [folder]


def test_a_download_gone_from_disk_is_said_plainly(outsets: Screen) -> None:
    (uid,) = outsets.inject(files=NESTED)
    outsets.refresh()
    folder = download(outsets, uid)
    (folder / "studentAssessments.jsonl").unlink()
    select_only(outsets, uid)
    page = outsets.page
    outsets.qtbot.mouseClick(page.csv_button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    outsets.qtbot.waitUntil(
        lambda: page.message.label.text().startswith("Could not"), timeout=WAIT_MS
    )
    assert page.message.label.text() == (
        "Could not save 1 output set as CSV: studentAssessments.jsonl is no longer in "
        f"{folder}. Download the set again, then save it as CSV."
    )
    assert page.message.label.property("kind") == "error"


def test_open_folder_without_a_file_manager_shows_the_path_to_copy(
    outsets: Screen, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[QUrl] = []

    def no_file_manager(url: QUrl) -> bool:  # the OS boundary: nothing answers the URL
        asked.append(url)
        return False

    monkeypatch.setattr(download_root, "open_folder", download_root._desktop_open_folder)
    monkeypatch.setattr(QDesktopServices, "openUrl", no_file_manager)
    (uid,) = outsets.inject()
    outsets.refresh()
    folder = download(outsets, uid)
    message = outsets.page.message
    assert not message.copy_button.isVisible()

    outsets.qtbot.mouseClick(message.open_button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]

    assert [u.toLocalFile() for u in asked] == [str(folder)]
    assert message.label.text() == f"No file manager opened the folder. It is: {folder}"
    assert message.copy_button.isVisible() and message.open_button.isVisible()
    outsets.qtbot.mouseClick(message.copy_button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    clipboard = QGuiApplication.clipboard()
    assert clipboard is not None and clipboard.text() == str(folder)
    assert message.copy_button.text() == "Copied"
    # The row's own click (a downloaded set opens its folder) falls back the same way.
    message.show_text("something else")
    assert not message.copy_button.isVisible()
    outsets.click_state(uid)
    assert len(asked) == 2 and message.copy_button.isVisible()
    assert message.copy_button.text() == "Copy pa&th"
