"""The assessment (bundle) chooser: type to search by name or path, recent ones first.

A bundle Runway said is not enabled for the current partner stays in the list, marked, so the
clerk sees why it failed instead of wondering where it went.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from runway_desktop.bundles.model import Bundle, Registry
from runway_desktop.ui.translation import QT_TRANSLATE_NOOP, translated

PATH_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2
# Translated where shown (``translated``); tests find the English texts by these names.
NOT_ENABLED_SUFFIX = QT_TRANSLATE_NOOP("AssessmentPicker", " — not enabled for this partner")
PLACEHOLDER = QT_TRANSLATE_NOOP("AssessmentPicker", "Type to search, e.g. PSAT, MAP, STAR…")


class AssessmentPicker(QComboBox):
    bundleChanged = Signal(object)  # Bundle | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AssessmentPicker")
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(14)
        editor = self.lineEdit()
        assert editor is not None  # editable combo boxes always have one
        editor.setPlaceholderText(translated("AssessmentPicker", PLACEHOLDER))
        editor.setClearButtonEnabled(True)
        # A file dropped here is for the form to identify, not a path to search for.
        editor.setAcceptDrops(False)
        self._model = QStandardItemModel(self)
        self.setModel(self._model)
        self._registry: Registry | None = None
        self._not_enabled: set[str] = set()
        # The completer matches anywhere in "display name + path", not just the start.
        completer = QCompleter(self)
        completer.setModel(self._model)
        completer.setCompletionRole(SEARCH_ROLE)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        # The QModelIndex overload: the str one would hand back the search text.
        completer.activated[QModelIndex].connect(self.on_completion_chosen)  # type: ignore[index]
        self.setCompleter(completer)
        self.currentIndexChanged.connect(self.on_index_changed)
        editor.editingFinished.connect(self.on_editing_finished)

    # -- content ----------------------------------------------------------------------------
    def set_bundles(self, registry: Registry, recent_paths: Iterable[str] = ()) -> None:
        chosen = self.current_path()
        self._registry = registry
        self.blockSignals(True)
        self._model.clear()
        recent = [b for p in recent_paths if (b := registry.get(p)) is not None]
        for bundle in recent:
            self._model.appendRow(self._item(bundle, recent=True))
        for bundle in registry.all():
            if bundle not in recent:
                self._model.appendRow(self._item(bundle, recent=False))
        self.setCurrentIndex(-1)
        self.blockSignals(False)
        if chosen:
            self.select_path(chosen)

    def _item(self, bundle: Bundle, *, recent: bool) -> QStandardItem:
        item = QStandardItem(self._label(bundle))
        item.setData(bundle.path, PATH_ROLE)
        item.setData(f"{bundle.display_name} {bundle.path}", SEARCH_ROLE)
        item.setToolTip(
            self.tr("{path}  (recently used)").format(path=bundle.path) if recent else bundle.path
        )
        return item

    def _label(self, bundle: Bundle) -> str:
        not_enabled = bundle.path in self._not_enabled
        suffix = translated("AssessmentPicker", NOT_ENABLED_SUFFIX) if not_enabled else ""
        return f"{bundle.display_name}{suffix}"

    def mark_not_enabled(self, paths: Iterable[str]) -> None:
        """Bundles Runway refused for this partner ("not enabled"): keep them, marked."""
        self._not_enabled = set(paths)
        current = self.currentIndex()
        shown = self.itemText(current) if current >= 0 else None
        for row in range(self._model.rowCount()):
            item = self._model.item(row)
            path = item.data(PATH_ROLE)
            if self._registry is not None and (bundle := self._registry.get(path)):
                item.setText(self._label(bundle))
        # Only when the chosen entry's label changed: called on every form change, this must
        # not overwrite what the clerk is typing into the search box.
        if current >= 0 and self.itemText(current) != shown:
            self.setEditText(self.itemText(current))

    # -- selection --------------------------------------------------------------------------
    def current_path(self) -> str | None:
        index = self.currentIndex()
        if index < 0:
            return None
        path = self.itemData(index, PATH_ROLE)
        return str(path) if path else None

    def registry(self) -> Registry | None:
        """The assessments on offer (their display names are the ones the clerk knows)."""
        return self._registry

    def current_bundle(self) -> Bundle | None:
        path = self.current_path()
        return self._registry.get(path) if self._registry and path else None

    def select_path(self, path: str) -> bool:
        for row in range(self._model.rowCount()):
            if self._model.item(row).data(PATH_ROLE) == path:
                self.setCurrentIndex(row)
                return True
        return False

    def on_completion_chosen(self, index: QModelIndex | QPersistentModelIndex) -> None:
        path = index.data(PATH_ROLE)
        if path:
            self.select_path(str(path))

    def on_index_changed(self, index: int) -> None:
        self.bundleChanged.emit(self.current_bundle())

    def on_editing_finished(self) -> None:
        """Typed text that names exactly one bundle selects it; anything else restores."""
        text = self.currentText().strip()
        if self._registry is None:
            return
        current = self.current_bundle()
        if current is not None and self._label(current) == text:
            return
        matches = self._registry.search(text) if text else []
        exact = [b for b in matches if b.display_name.lower() == text.lower()]
        pick = exact[0] if len(exact) == 1 else matches[0] if len(matches) == 1 else None
        if pick is not None:
            self.select_path(pick.path)
        elif current is not None:
            self.setEditText(self._label(current))
