"""The file slots of the chosen assessment, and the place to drop several files at once."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from runway_desktop.bundles.matching import assign_files
from runway_desktop.bundles.model import Bundle
from runway_desktop.bundles.preflight import PreflightReport
from runway_desktop.core.slot_wording import DEFAULT_STYLE, STYLE_HOOK
from runway_desktop.ui.submit.file_drops import dropped_files, folder_problem
from runway_desktop.ui.submit.upload_slot import UploadSlot
from runway_desktop.ui.widgets.restyle import restyle


class FileSlotList(QWidget):
    """One UploadSlot per input file of a bundle, required slots first, in registry order."""

    filesChanged = Signal()

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

        self._hint = QLabel(
            "You can drop several files at once; each goes to the slot its name matches.", self
        )
        self._hint.setObjectName("SlotHint")
        self._hint.setWordWrap(True)
        self._message = QLabel(self)
        self._message.setObjectName("SlotListMessage")
        self._message.setWordWrap(True)
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
            slot.fileChanged.connect(self.handle_slot_changed)
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
        return any(slot.is_checking() for slot in self._slots.values())

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

    def set_enabled_for_submit(self, enabled: bool) -> None:
        """``False`` locks every slot (and drops on the list) while a submission is sent."""
        self._locked = not enabled
        self.setAcceptDrops(enabled)
        for slot in self._slots.values():
            slot.set_enabled_for_submit(enabled)

    def message_text(self) -> str:
        return self._message.text()

    def place_files(self, paths: list[Path]) -> None:
        """Put each file in the slot its name matches and say what happened."""
        if self._bundle is None:
            self._show_message("Choose the assessment first; then its file slots appear here.")
            return
        types = tuple(dict.fromkeys(t for f in self._bundle.input_files for t in f.file_type))
        problems: list[str] = []
        files: list[Path] = []
        for path in paths:
            problem = folder_problem(path, types)
            if problem:
                problems.append(f"Could not place {path.name}: {problem}")
            else:
                files.append(path)
        occupied = {env for env, slot in self._slots.items() if slot.path() is not None}
        result = assign_files(self._bundle, files, occupied)
        for env_var, path in result.assigned.items():
            self._slots[env_var].set_file(path)
        problems.extend(f"Could not place {p.name}: {result.reason(p)}" for p in result.unassigned)
        placed = len(result.assigned)
        lines = [f"{placed} file placed." if placed == 1 else f"{placed} files placed."]
        kind = "warning" if problems else "info"
        self._show_message("\n".join((lines if placed else []) + problems), kind)

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
        self.place_files(paths)

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
