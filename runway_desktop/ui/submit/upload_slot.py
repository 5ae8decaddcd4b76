"""One file slot of the Submit screen: drop or browse a file, see at once whether it is right.

The check (preflight) reads the whole file, which takes a while for a 1 GB export, so it runs in
a worker thread through the core's coroutine; the slot shows "Checking…" meanwhile and drops a
result that arrives for a file that is no longer the chosen one.

Choosing, checking and judging drags are the slot's; the dashed area that shows the file
(``slot_drop_area``) and the practice-file menu (``practice_file_button``) only show it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from runway_desktop.bundles.matching import type_names
from runway_desktop.bundles.model import InputFile
from runway_desktop.bundles.preflight import PreflightReport, preflight_file
from runway_desktop.core.slot_wording import (
    DEFAULT_STYLE,
    STYLE_HOOK,
    SlotMessages,
    accessible_texts,
    details_text,
    preview_caption,
    slot_messages,
)
from runway_desktop.core.start_folders import START_FOLDERS
from runway_desktop.ui.submit.file_drops import name_filter, one_at_a_time, single_file_problem
from runway_desktop.ui.submit.file_preview_table import FilePreviewTable
from runway_desktop.ui.submit.practice_file_button import PracticeFileButton
from runway_desktop.ui.submit.slot_drop_area import SlotDropArea
from runway_desktop.ui.submit.slot_messages_view import SlotMessagesView

_CONFIRM_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space)
_REMOVE_KEYS = (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)


def choose_file(parent: QWidget, title: str, filter: str, start_in: str = "") -> str:
    """The file dialog, behind a plain function so tests can replace it. "" when cancelled."""
    path, _selected = QFileDialog.getOpenFileName(parent, title, start_in, filter)
    return path


class UploadSlot(QFrame):
    """The slot for one ``InputFile`` of a bundle."""

    fileChanged = Signal(str)  # env_var; a file was chosen, its check finished, or it was removed
    checkingChanged = Signal(bool)

    def __init__(self, input_file: InputFile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        START_FOLDERS.preload()  # read off this thread, well before the first Browse
        self._input_file = input_file
        self._path: Path | None = None
        self._report: PreflightReport | None = None
        self._check_failure = ""
        self._server_error: str | None = None
        self._refusal = ""
        self._task: asyncio.Future[None] | None = None
        self._generation = 0
        self._fraction: float | None = None  # how far the running check got
        self._locked = False
        self._school_year = ""
        # Inside a FileSlotList, a drag of several files is the list's to place.
        self.forward_multi_file_drops = False

        self.setObjectName("UploadSlot")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAcceptDrops(True)
        app = QApplication.instance()
        if not (isinstance(app, QApplication) and STYLE_HOOK in app.styleSheet()):
            self.setStyleSheet(DEFAULT_STYLE)
        self._build()
        self._refresh()

    # --- public API -------------------------------------------------------------------------

    @property
    def env_var(self) -> str:
        return self._input_file.env_var

    @property
    def input_file(self) -> InputFile:
        return self._input_file

    def path(self) -> Path | None:
        return self._path

    def report(self) -> PreflightReport | None:
        return self._report

    def is_checking(self) -> bool:
        return self._task is not None and not self._task.done()

    def server_error(self) -> str | None:
        return self._server_error

    def set_file(self, path: Path) -> None:
        """Choose ``path`` and start checking it; any check still running is abandoned."""
        START_FOLDERS.remember(self.env_var, path)
        was_checking = self._reset(path)
        self._refusal = ""
        self._task = asyncio.ensure_future(self._run_preflight(path, self._generation))
        self._refresh()
        if not was_checking:
            self.checkingChanged.emit(True)
        self.fileChanged.emit(self.env_var)

    def clear(self) -> None:
        had_file = self._path is not None
        was_checking = self._reset(None)
        self._refresh()
        if was_checking:
            self.checkingChanged.emit(False)
        if had_file:
            self.fileChanged.emit(self.env_var)

    def _reset(self, path: Path | None) -> bool:
        """Forget the file, its check and Runway's error about it; True if a check was running."""
        was_checking = self._cancel_check()
        self._path = path
        self._report = None
        self._check_failure = ""
        self._server_error = None
        self._fraction = None
        # A check still on its way in a worker thread will see this and drop its result.
        self._generation += 1
        return was_checking

    def set_school_year(self, end_year: str) -> None:
        """The year chosen on the form ("2026"), which the file's test dates are held against."""
        if end_year != self._school_year:
            self._school_year = end_year
            self._refresh()

    def messages(self) -> SlotMessages:
        return slot_messages(
            self._report,
            check_failure=self._check_failure,
            server_error=self._server_error,
            refusal=self._refusal,
            school_year=self._school_year,
        )

    def set_server_error(self, text: str | None) -> None:
        self._server_error = text or None
        self._refresh()

    def set_practice_files(self, paths: list[Path]) -> None:
        self._practice_button.set_files(paths)

    def practice_menu(self) -> QMenu:
        return self._practice_button.menu_of_files

    def set_enabled_for_submit(self, enabled: bool) -> None:
        """``False`` locks the slot while a submission is being sent."""
        self._locked = not enabled
        self.setAcceptDrops(enabled)
        self._refresh()

    def refusal_text(self) -> str:
        return self._refusal

    # --- slots ------------------------------------------------------------------------------

    def on_browse(self) -> None:
        if self._locked:
            return
        title = self.tr("Choose the file for “{name}”").format(name=self._input_file.display_name)
        start_in = str(START_FOLDERS.start_for(self.env_var))
        chosen = choose_file(self, title, name_filter(self._input_file.file_type), start_in)
        if chosen:
            self.set_file(Path(chosen))

    def on_remove(self) -> None:
        if not self._locked:
            self.clear()
            self.setFocus(Qt.FocusReason.OtherFocusReason)

    def handle_practice_file(self, path: Path) -> None:
        if not self._locked:
            self.set_file(path)

    # --- events -----------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in _CONFIRM_KEYS and not self._locked:
            self.on_browse()
            event.accept()
        elif key in _REMOVE_KEYS and self._path is not None and not self._locked:
            self.on_remove()
            event.accept()
        else:
            super().keyPressEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self._judge_drag(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self._judge_drag(event)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._drop_area.set_drag_active(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self._drop_area.set_drag_active(False)
        path, problem = single_file_problem(event.mimeData(), self._input_file.file_type)
        if path is None or self._locked:
            self._refuse(event, problem)
            return
        event.acceptProposedAction()
        self.set_file(path)

    def _judge_drag(self, event: QDragEnterEvent | QDragMoveEvent) -> None:
        path, problem = single_file_problem(event.mimeData(), self._input_file.file_type)
        if path is None or self._locked:
            self._refuse(event, problem)
            return
        if self._refusal:
            self._refusal = ""
            self._refresh()
        self._drop_area.set_drag_active(True)
        event.acceptProposedAction()

    def _refuse(self, event: QDragMoveEvent | QDropEvent, problem: str) -> None:
        event.ignore()
        self._drop_area.set_drag_active(False)
        if self._locked or (problem == one_at_a_time() and self.forward_multi_file_drops):
            return
        # The message stays after the drag ends, so the clerk can still read why.
        if problem != self._refusal:
            self._refusal = problem
            self._refresh()

    def _show_fraction(self, generation: int, fraction: float) -> None:
        # A big file's scan takes seconds: say how far it got (Remove stops it).
        if generation != self._generation or not shiboken6.isValid(self):
            return
        self._fraction = fraction
        self._details.setText(details_text(self._report, True, fraction))

    async def _run_preflight(self, path: Path, generation: int) -> None:
        report: PreflightReport | None = None
        failure = ""
        try:
            report = await preflight_file(
                path, self._input_file, lambda done: self._show_fraction(generation, done)
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # an unforeseen OS error must not leave "Checking…" forever
            failure = self.tr("This file could not be checked ({error}). Choose it again.")
            failure = failure.format(error=exc)
        if generation != self._generation or not shiboken6.isValid(self):
            return  # a newer file was chosen meanwhile (or the slot is gone)
        self._report = report
        self._check_failure = failure
        self._task = None
        self._refresh()
        self.checkingChanged.emit(False)
        self.fileChanged.emit(self.env_var)

    def _cancel_check(self) -> bool:
        task, self._task = self._task, None
        if task is None or task.done():
            return False
        # The worker thread finishes on its own; its result is ignored (generation changed).
        task.cancel()
        return True

    def _build(self) -> None:
        slot = self._input_file
        self._title = QLabel(slot.display_name, self)
        self._title.setObjectName("SlotTitle")
        need = self.tr("Required") if slot.is_required else self.tr("Optional")
        self._need = QLabel(f"{need} · {type_names(slot.file_type)}", self)
        self._need.setObjectName("SlotHint")
        self._practice_button = PracticeFileButton(self)
        self._practice_button.chosen.connect(self.handle_practice_file)
        header = QHBoxLayout()
        header.addWidget(self._title)
        header.addWidget(self._need)
        header.addStretch(1)
        header.addWidget(self._practice_button)

        self._drop_area = SlotDropArea(self)
        # Its parts by the names the tests and the slot list have always used.
        area = self._drop_area
        self.browse_button, self.replace_button = area.browse_button, area.replace_button
        self.remove_button = area.remove_button
        self._file_name, self._details = area.file_name, area.details
        self.browse_button.clicked.connect(self.on_browse)
        self.replace_button.clicked.connect(self.on_browse)
        self.remove_button.clicked.connect(self.on_remove)

        self._preview_note = QLabel(self)
        self._preview_note.setObjectName("SlotHint")
        self.preview = FilePreviewTable(self)
        self._messages = SlotMessagesView(self)
        # The labels by their old names, for the tests and the page that read them.
        self._status, self._errors = self._messages.status, self._messages.errors
        self._warnings = self._messages.warnings

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 12)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addWidget(self._drop_area)
        layout.addWidget(self._messages)
        layout.addWidget(self._preview_note)
        layout.addWidget(self.preview)

    def _refresh(self) -> None:
        path, report = self._path, self._report
        checking = self.is_checking()
        details = details_text(report, checking, self._fraction if checking else None)
        self._drop_area.show_file(path, details, locked=self._locked)
        self._practice_button.setEnabled(not self._locked)

        said = self.messages()
        self._messages.show_messages(said)

        has_preview = report is not None and bool(report.header) and not checking
        if report is not None and has_preview:
            self.preview.show_rows(report.header, report.preview)
            self._preview_note.setText(preview_caption(report))
        self.preview.setVisible(has_preview)
        self._preview_note.setVisible(has_preview)
        self._update_accessible_text(said.errors)

    def _update_accessible_text(self, errors: list[str]) -> None:
        name, description = accessible_texts(self._input_file, self._path, self._details.text())
        self.setAccessibleName(name)
        self.setAccessibleDescription(" ".join([description, *errors]))
