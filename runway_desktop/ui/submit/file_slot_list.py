"""The file slots of the chosen assessment, and the place to drop several files at once.

On the Submit screen (``set_identify_drops(True)``) a drop is not placed at once: its files are
identified by their columns first, in a worker thread, and ``dropIdentified`` hands the answer to
the form, which decides (it may have to ask about the assessment). A file dropped on one slot is
still taken by that slot at once, and identified afterwards in case it belongs elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from runway_desktop.bundles.matching import assign_files
from runway_desktop.bundles.model import Bundle
from runway_desktop.bundles.preflight import PreflightReport
from runway_desktop.core.slot_wording import DEFAULT_STYLE, STYLE_HOOK
from runway_desktop.ui.submit.drop_identifier import DropIdentifier
from runway_desktop.ui.submit.file_drops import dropped_files, folder_problem
from runway_desktop.ui.submit.upload_slot import UploadSlot
from runway_desktop.ui.widgets.restyle import restyle


class FileSlotList(QWidget):
    """One UploadSlot per input file of a bundle, required slots first, in registry order."""

    filesChanged = Signal()
    dropIdentified = Signal(object)  # IdentifiedDrop, only with set_identify_drops(True)
    # Folders dropped beside the slots (with files or not): a batch's to plan, not a slot's.
    batchRequested = Signal(list)  # list[Path]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FileSlotList")
        self.setAcceptDrops(True)
        app = QApplication.instance()
        if not (isinstance(app, QApplication) and STYLE_HOOK in app.styleSheet()):
            self.setStyleSheet(DEFAULT_STYLE)
        self._bundle: Bundle | None = None
        self._slots: dict[str, UploadSlot] = {}
        self._locked = False
        self._school_year = ""
        self._identify = False
        self._identifier = DropIdentifier(self)
        self._identifier.identified.connect(self.dropIdentified)
        # "Checking…" covers the identification too: Submit waits, and so do the tests.
        self._identifier.busyChanged.connect(lambda _busy: self.filesChanged.emit())

        self._hint = QLabel(self._hint_text(), self)
        self._hint.setObjectName("SlotHint")
        self._hint.setWordWrap(True)
        self._message = QLabel(self)
        self._message.setObjectName("SlotListMessage")
        self._message.setWordWrap(True)
        self._message.setTextFormat(Qt.TextFormat.PlainText)  # file names, shown as given
        self._message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._message.setVisible(False)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(10)
        self._layout.addWidget(self._hint)
        self._layout.addWidget(self._message)
        self._hint.setVisible(False)

    # --- public API -------------------------------------------------------------------------

    def bundle(self) -> Bundle | None:
        return self._bundle

    def set_identify_drops(self, identify: bool) -> None:
        """True: drops are identified and handed on (``dropIdentified``), not placed here."""
        self._identify = identify
        self._hint.setText(self._hint_text())

    def _hint_text(self) -> str:
        if self._identify:
            return self.tr(
                "You can drop several files at once; each goes to the slot its columns fit."
            )
        return self.tr(
            "You can drop several files at once; each goes to the slot its name matches."
        )

    def identify_dropped(self, paths: Sequence[Path], target: str | None = None) -> None:
        """Identify the files of a drop (on the list, the form, or the slot ``target``)."""
        if target is None and any(path.is_dir() for path in paths):
            self.batchRequested.emit(list(paths))
            return
        self._identifier.identify(paths, target)

    def set_bundle(self, bundle: Bundle | None) -> None:
        """Show the slots of ``bundle``, all empty. Also used to clear the files for a new batch."""
        for slot in self._slots.values():
            slot.blockSignals(True)
            slot.clear()  # abandons a running check, so it cannot report into a deleted widget
            self._layout.removeWidget(slot)
            slot.deleteLater()
        self._slots = {}
        self._bundle = bundle
        self._show_message("")
        inputs = bundle.input_files if bundle else ()
        # sorted() is stable: required first, registry order otherwise.
        for input_file in sorted(inputs, key=lambda f: not f.is_required):
            slot = UploadSlot(input_file, self)
            slot.forward_multi_file_drops = True
            slot.set_enabled_for_submit(not self._locked)
            slot.set_school_year(self._school_year)
            slot.fileChanged.connect(self.handle_slot_changed)
            slot.installEventFilter(self)
            self._layout.addWidget(slot)
            self._slots[input_file.env_var] = slot
        self._hint.setVisible(len(self._slots) > 1)
        # Place the new slots now, not on the next event-loop pass (Qt shows a widget added to
        # a visible parent later): a drop is routed by what is under the cursor.
        if self.isVisible():
            for slot in self._slots.values():
                slot.show()
            self._layout.activate()
        self.filesChanged.emit()

    def slot(self, env_var: str) -> UploadSlot | None:
        return self._slots.get(env_var)

    def slots(self) -> list[UploadSlot]:
        return list(self._slots.values())

    def files(self) -> dict[str, Path]:
        """The chosen files by env var; empty slots are left out."""
        return {env: path for env, slot in self._slots.items() if (path := slot.path()) is not None}

    def reports(self) -> dict[str, PreflightReport]:
        """Finished checks by env var (a slot still checking, or empty, is left out)."""
        return {env: rep for env, slot in self._slots.items() if (rep := slot.report()) is not None}

    def is_checking(self) -> bool:
        """A file is being checked, or a drop identified."""
        busy = self._identifier.is_busy()
        return busy or any(slot.is_checking() for slot in self._slots.values())

    def problems_text(self) -> str:
        """What in the chosen files stops a submission, one line per slot; "" when nothing does.

        Missing required files are left to validate_submission, which names them already.
        """
        lines = []
        for slot in self._slots.values():
            report = slot.report()
            if report is not None and report.errors:
                lines.append(f"“{slot.input_file.display_name}”: {report.errors[0]}")
        return "\n".join(lines)

    def set_school_year(self, end_year: str) -> None:
        """The form's school year, which each slot holds its file's test dates against."""
        self._school_year = end_year
        for slot in self._slots.values():
            slot.set_school_year(end_year)

    def set_enabled_for_submit(self, enabled: bool) -> None:
        """``False`` locks every slot (and drops on the list) while a submission is sent."""
        self._locked = not enabled
        self.setAcceptDrops(enabled)
        if not enabled:
            self._identifier.cancel()
        for slot in self._slots.values():
            slot.set_enabled_for_submit(enabled)

    def message_text(self) -> str:
        return self._message.text()

    def show_message(self, text: str, kind: str = "info") -> None:
        """A line under the hint about what a drop did ("" hides it)."""
        self._show_message(text, kind)

    def move_file(self, from_env: str, to_env: str) -> bool:
        """Move a slot's file to the empty slot ``to_env`` (its columns are that slot's)."""
        source, dest = self._slots.get(from_env), self._slots.get(to_env)
        path = source.path() if source is not None else None
        if source is None or dest is None or path is None or dest.path() is not None:
            return False
        source.clear()
        dest.set_file(path)
        where = dest.input_file.display_name
        self._show_message(
            self.tr("{file} is a “{slot}” file, so it was put in that slot.").format(
                file=path.name, slot=where
            ),
            "info",
        )
        return True

    def place_files(self, paths: Sequence[Path], known: Mapping[str, Path] | None = None) -> None:
        """Put each file of ``known`` in its slot (by env var: its columns said so), each of
        ``paths`` in the slot its name matches, and say what happened."""
        if self._bundle is None:
            self._show_message(
                self.tr("Choose the assessment first; then its file slots appear here.")
            )
            return
        placed = 0
        problems: list[str] = []
        for env_var, path in (known or {}).items():
            slot = self._slots.get(env_var)
            if slot is None:
                paths = [*paths, path]
            elif slot.path() is not None and slot.path() != path:
                problems.append(
                    self.tr(
                        "Could not place {file}: It is a “{slot}” file, and that slot already "
                        "has one. Remove that file first, or drop this one on the slot itself."
                    ).format(file=path.name, slot=slot.input_file.display_name)
                )
            else:
                slot.set_file(path)
                placed += 1
        types = tuple(dict.fromkeys(t for f in self._bundle.input_files for t in f.file_type))
        files: list[Path] = []
        for path in paths:
            problem = folder_problem(path, types)
            if problem:
                problems.append(self._not_placed(path, problem))
            else:
                files.append(path)
        occupied = {env for env, slot in self._slots.items() if slot.path() is not None}
        result = assign_files(self._bundle, files, occupied)
        for env_var, path in result.assigned.items():
            self._slots[env_var].set_file(path)
        problems.extend(self._not_placed(p, result.reason(p)) for p in result.unassigned)
        placed += len(result.assigned)
        one, many = self.tr("{count} file placed."), self.tr("{count} files placed.")
        lines = [(one if placed == 1 else many).format(count=placed)]
        kind = "warning" if problems else "info"
        self._show_message("\n".join((lines if placed else []) + problems), kind)

    def _not_placed(self, path: Path, reason: str) -> str:
        """``reason``: the core's words (or a folder's refusal)."""
        return self.tr("Could not place {file}: {reason}").format(file=path.name, reason=reason)

    # --- slots and events -------------------------------------------------------------------

    def handle_slot_changed(self, _env_var: str) -> None:
        self.filesChanged.emit()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self._judge_drag(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self._judge_drag(event)

    def dropEvent(self, event: QDropEvent) -> None:
        paths = self._usable_paths(event)
        if paths is None:
            event.ignore()
            return
        event.acceptProposedAction()
        if self._identify:
            self.identify_dropped(paths)
        else:
            self.place_files(paths)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """After a slot took a dropped file as before, identify it: it may be another's."""
        if not (self._identify and event.type() == QEvent.Type.Drop):
            return super().eventFilter(watched, event)
        if not isinstance(watched, UploadSlot):
            return super().eventFilter(watched, event)
        # Let the slot handle the drop now, so what follows can see whether it took the file.
        watched.event(event)
        path = watched.path()
        if event.isAccepted() and path is not None:
            self.identify_dropped([path], watched.env_var)
        return True

    def _judge_drag(self, event: QDragEnterEvent | QDragMoveEvent) -> None:
        if self._usable_paths(event) is None:
            event.ignore()
        else:
            event.acceptProposedAction()

    def _usable_paths(self, event: QDropEvent) -> list[Path] | None:
        """The paths this list should place, or None when the drag is not the list's to take."""
        if self._locked:
            return None
        dropped = dropped_files(event.mimeData())
        over_slot = self._slot_at(event) is not None
        # Over a slot, one file (or a link) is that slot's decision, and it has said why it refused.
        if dropped.problem:
            if not over_slot:
                self._show_message(dropped.problem)
            return None
        if len(dropped.paths) == 1 and over_slot:
            return None
        return dropped.paths

    def _slot_at(self, event: QDropEvent) -> UploadSlot | None:
        widget = self.childAt(event.position().toPoint())
        while widget is not None and widget is not self:
            if isinstance(widget, UploadSlot):
                return widget
            widget = widget.parentWidget()
        return None

    def _show_message(self, text: str, kind: str = "warning") -> None:
        text = text.strip()
        self._message.setText(text)
        self._message.setVisible(bool(text))
        self._message.setProperty("kind", kind)
        restyle(self._message)
