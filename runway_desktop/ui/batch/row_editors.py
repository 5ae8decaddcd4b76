"""One submission of the plan as rows a clerk can fix: its assessment, each file's slot, each
file kept or left out, and the choices the plan left empty (PSAT/SAT's test type).

The submission's row holds a drop-down of the registry's assessments; each file's row a
drop-down of that assessment's slots and a checkbox (ticked: sent; unticked: left out); a
setting's row its choices. ``item()`` is the submission as it now stands. Everything shown is
plain text (QTreeWidgetItem text is never rich text; combo items are plain).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from runway_desktop.base.formatting import school_year_label
from runway_desktop.bundles.model import Bundle, Registry
from runway_desktop.core.batch.plan import PlanItem
from runway_desktop.core.batch.row_targets import TargetChoices, retargeted
from runway_desktop.ui.widgets.plain_text import plain_tooltip

ASSESSMENT, SLOT, DISTRICT, YEAR = 1, 2, 3, 4  # the columns the drop-downs sit in
NAME_CHARS = 18  # an assessment drop-down shows this much of a long name (its list shows all)


@dataclass
class FileRow:
    path: Path
    row: QTreeWidgetItem
    slot: QComboBox
    included: bool = True


class SubmissionRow(QObject):
    """The rows and editors of one plan item; ``on_change`` is told of every edit."""

    def __init__(
        self,
        tree: QTreeWidget,
        number: int,
        item: PlanItem,
        registry: Registry,
        on_change: Callable[[SubmissionRow], None],
        choices: TargetChoices | None = None,
    ) -> None:
        super().__init__(tree)
        self.tree, self.number, self.original, self.registry = tree, number, item, registry
        self.on_change = on_change
        self.bundle_path = item.bundle
        texts = [self.tr("Submission {0}").format(number), "", ""]
        self.row = QTreeWidgetItem(tree, texts)
        self.row.setFlags(self.row.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        self.row.setCheckState(0, Qt.CheckState.Unchecked)
        self.row.setToolTip(0, self.tr("Tick to send this submission; untick to leave it out."))
        self.assessment = self._combo(self.tr("Assessment for submission {0}").format(number))
        self.assessment.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.assessment.setMinimumContentsLength(NAME_CHARS)
        for bundle in sorted(registry, key=lambda b: b.display_name.casefold()):
            self.assessment.addItem(bundle.display_name, bundle.path)
        if registry.get(item.bundle) is None:
            self.assessment.addItem(item.bundle, item.bundle)  # as planned, though unknown
        self.assessment.setCurrentIndex(self.assessment.findData(item.bundle))
        self.assessment.view().setMinimumWidth(self.assessment.view().sizeHintForColumn(0) + 24)
        self._place(self.row, ASSESSMENT, self.assessment)
        self.assessment.currentIndexChanged.connect(lambda _i: self._on_assessment())
        choices = choices or TargetChoices((item.tenant,), (item.school_year,))
        self.district = self._combo(self.tr("District for submission {0}").format(number))
        for code in dict.fromkeys((*choices.districts, item.tenant)):
            self.district.addItem(code, code)
        self.district.setCurrentIndex(self.district.findData(item.tenant))
        self._place(self.row, DISTRICT, self.district)
        self.district.currentIndexChanged.connect(lambda _i: self.on_change(self))
        self.year = self._combo(self.tr("School year for submission {0}").format(number))
        for end_year in dict.fromkeys((*choices.years, item.school_year)):
            self.year.addItem(school_year_label(end_year), end_year)
        self.year.setCurrentIndex(self.year.findData(item.school_year))
        self._place(self.row, YEAR, self.year)
        self.year.currentIndexChanged.connect(lambda _i: self.on_change(self))
        self.files: list[FileRow] = []
        for env_var, path in item.files.items():
            child = QTreeWidgetItem(self.row, [path.name])
            tip = self.tr("{0}\nUntick to leave this file out.").format(path)
            child.setToolTip(0, plain_tooltip(tip) or "")  # a file name is data
            child.setFlags(child.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            child.setCheckState(0, Qt.CheckState.Checked)
            combo = self._combo(self.tr("Slot of {0}").format(path.name))
            one = FileRow(path, child, combo)
            self.files.append(one)
            self._fill_slots(one, env_var)
            self._place(child, SLOT, combo)
            combo.currentIndexChanged.connect(lambda _i: self.on_change(self))
        self.params: dict[str, QComboBox] = {}
        self._param_rows: list[QTreeWidgetItem] = []
        self._add_params(dict(item.params))

    # -- the editors ------------------------------------------------------------------------
    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox(self.tree)
        combo.setAccessibleName(name)
        combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel scrolls the plan
        # As wide as its longest choice, however its choices change (another assessment).
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.installEventFilter(self)
        return combo

    def _place(self, row: QTreeWidgetItem, column: int, combo: QComboBox) -> None:
        # In a holder, so that a row made taller by a long check keeps its drop-down at its
        # own height, in the row's middle as the texts are.
        holder = QWidget(self.tree)
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(combo, 0, Qt.AlignmentFlag.AlignVCenter)
        self.tree.setItemWidget(row, column, holder)
        row.setSizeHint(column, combo.sizeHint())  # the row is as tall as its drop-down

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(watched, QComboBox):
            return False
        if event.type() == QEvent.Type.FocusIn:
            # The row being edited is the current one: Shift+Tab back to the plan and Space
            # ticks it; and a drop-down reached by Tab is scrolled into view.
            row = self._row_of(watched)
            if row is not None:
                self.tree.setCurrentItem(row, 0)
                self.tree.scrollToItem(row)
        elif event.type() == QEvent.Type.Wheel and not watched.hasFocus():
            QApplication.sendEvent(self.tree.viewport(), event)  # scroll, don't change it
            return True
        return False

    def _row_of(self, combo: QComboBox) -> QTreeWidgetItem | None:
        if combo in (self.assessment, self.district, self.year):
            return self.row
        for one in self.files:
            if one.slot is combo:
                return one.row
        for row, editor in zip(self._param_rows, self.params.values(), strict=True):
            if editor is combo:
                return row
        return None

    def editors(self) -> list[QWidget]:
        """In the order Tab reaches them."""
        return [
            self.assessment, self.district, self.year, *(one.slot for one in self.files),
            *self.params.values(),
        ]  # fmt: skip

    def bundle(self) -> Bundle | None:
        return self.registry.get(self.bundle_path)

    def _fill_slots(self, one: FileRow, env_var: str) -> None:
        bundle = self.bundle()
        one.slot.blockSignals(True)
        one.slot.clear()
        for slot in bundle.input_files if bundle is not None else ():
            one.slot.addItem(slot.display_name, slot.env_var)
        if one.slot.findData(env_var) < 0:
            one.slot.addItem(env_var, env_var)
        one.slot.setCurrentIndex(one.slot.findData(env_var))
        one.slot.blockSignals(False)
        one.row.setSizeHint(SLOT, one.slot.sizeHint())

    def _add_params(self, given: dict[str, str]) -> None:
        bundle = self.bundle()
        for param in bundle.user_params if bundle is not None else ():
            if given.get(param.env_var) or not param.allowed_values:
                continue  # free-text settings are edited in the plan file (CLI), not here
            combo = self._combo(
                self.tr("{0} for submission {1}").format(param.display_name, self.number)
            )
            combo.addItem(self.tr("Choose {0}…").format(param.display_name), "")
            for value in param.allowed_values:
                combo.addItem(value, value)
            combo.currentIndexChanged.connect(lambda _i: self.on_change(self))
            setting = QTreeWidgetItem(self.row, [param.display_name])
            self._place(setting, ASSESSMENT, combo)
            self.params[param.env_var] = combo
            self._param_rows.append(setting)

    def _on_assessment(self) -> None:
        """Another assessment: each file keeps its slot if the new one has it, else takes the
        first slot no other file has; the settings are the new assessment's."""
        self.bundle_path = str(self.assessment.currentData())
        bundle = self.bundle()
        slots = [s.env_var for s in bundle.input_files] if bundle is not None else []
        taken = [str(one.slot.currentData()) for one in self.files]
        keep = [env if env in slots else "" for env in taken]
        free = [env for env in slots if env not in keep]
        for one, env in zip(self.files, keep, strict=True):
            self._fill_slots(one, env or (free.pop(0) if free else slots[0] if slots else ""))
        for row in self._param_rows:
            self.row.removeChild(row)
        for combo in self.params.values():
            combo.deleteLater()
        self.params, self._param_rows = {}, []
        same = self.bundle_path == self.original.bundle
        self._add_params(dict(self.original.params) if same else {})
        self.row.setExpanded(True)
        self.on_change(self)

    # -- the submission as it now stands ----------------------------------------------------
    def file_changed(self, row: QTreeWidgetItem) -> bool:
        """``row``'s tick was changed (a file kept or left out); False if it is not a file's."""
        for one in self.files:
            if one.row is row:
                included = row.checkState(0) is Qt.CheckState.Checked
                changed, one.included = one.included != included, included
                return changed
        return False

    def slots_twice(self) -> str:
        """The name of a slot two kept files are in ("" when none is)."""
        seen: set[str] = set()
        for one in (one for one in self.files if one.included):
            env = str(one.slot.currentData())
            if env in seen:
                return one.slot.currentText()
            seen.add(env)
        return ""

    def item(self) -> PlanItem:
        item = self.original
        files = {str(one.slot.currentData()): one.path for one in self.files if one.included}
        bundle = self.bundle()
        if self.bundle_path == item.bundle:
            params = dict(item.params)
        else:
            params = {p.env_var: "" for p in bundle.user_params} if bundle is not None else {}
        chosen = {env: str(c.currentData() or "") for env, c in self.params.items()}
        params.update({k: v for k, v in chosen.items() if v})
        edited = replace(item, bundle=self.bundle_path, files=files, params=params)
        tenant, year = str(self.district.currentData()), str(self.year.currentData())
        return retargeted(edited, tenant=tenant, school_year=year)

    def set_locked(self, locked: bool) -> None:
        for row in (self.row, *(one.row for one in self.files)):
            flags = row.flags()
            row.setFlags(flags & ~Qt.ItemFlag.ItemIsUserCheckable if locked
                         else flags | Qt.ItemFlag.ItemIsUserCheckable)  # fmt: skip
        for editor in self.editors():
            editor.setEnabled(not locked)
