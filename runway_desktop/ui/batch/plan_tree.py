"""The plan, one row per submission (its files under it): what would be sent, and where.

A row's checkbox leaves it out; each row can be fixed (row_editors.py): another assessment,
another slot for a file, a file left out, a setting the plan left empty (PSAT/SAT's test
type). After each edit the row's check is the core's first check of the submission as it now
stands; a row that cannot be sent is unticked until it can. Tab goes from the plan through its
drop-downs in row order. Everything shown is plain text.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from runway_desktop.bundles.model import Registry
from runway_desktop.bundles.validation import validate_submission
from runway_desktop.core.batch.plan import TO_DO, BatchPlan, PlanItem
from runway_desktop.core.batch.row_targets import TargetChoices
from runway_desktop.ui.batch.row_editors import SubmissionRow
from runway_desktop.ui.widgets.plain_text import plain_tooltip

CHECK, SENT = 5, 6
SIZED = range(CHECK)  # the columns as wide as their contents; Check and Sent share the rest
NAME_WIDTH = 280  # a longer file name is shortened in its middle (its tooltip has it whole)


class _FileNames(QStyledItemDelegate):
    """A file name on one line, shortened in its middle: its start and its type stay."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.features &= ~QStyleOptionViewItem.ViewItemFeature.WrapText
        option.textElideMode = Qt.TextElideMode.ElideMiddle


class _Wrapped(QStyledItemDelegate):
    """A check or "sent" text as tall as it needs to be in its column's width, so it is read
    whole (the view wraps it when it paints)."""

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self.tree = tree

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        text = str(index.data() or "")
        style = self.tree.style()
        margin = 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1)
        width = self.tree.header().sectionSize(index.column()) - margin
        if not text or width <= 0:
            return hint
        bounds = QRect(0, 0, width, 10_000)
        used = option.fontMetrics.boundingRect(bounds, Qt.TextFlag.TextWordWrap, text)
        return QSize(hint.width(), max(hint.height(), used.height() + margin))


class PlanTree(QTreeWidget):
    chosenChanged = Signal()
    rowEdited = Signal(int)  # the submission in that row changed (its files or target)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("BatchPlanTree")
        self.setAccessibleName(self.tr("Planned submissions"))
        columns = [
            self.tr("Submission / file"), self.tr("Assessment"), self.tr("Slot"),
            self.tr("District"), self.tr("School year"), self.tr("Check"), self.tr("Sent"),
        ]  # fmt: skip
        self.setColumnCount(len(columns))
        self.setHeaderLabels(columns)
        self.setAlternatingRowColors(True)
        self.setWordWrap(True)  # the check and "sent" say all they say, on several lines
        self.setItemDelegateForColumn(0, _FileNames(self))
        header = self.header()
        header.setStretchLastSection(False)
        wrapped = _Wrapped(self)
        for column in (CHECK, SENT):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
            self.setItemDelegateForColumn(column, wrapped)
        # A wider or narrower column: the rows' heights again.
        header.sectionResized.connect(lambda *_: self.scheduleDelayedItemsLayout())
        self._subs: list[SubmissionRow] = []
        self._ready: list[bool] = []
        self._registry: Registry | None = None
        self._partner = ""
        self.itemChanged.connect(self._on_item_changed)

    def set_plan(
        self,
        plan: BatchPlan,
        registry: Registry,
        partner: str,
        choices: TargetChoices | None = None,
    ) -> None:
        """``choices``: the districts and years each row's drop-downs offer (the core's)."""
        self.blockSignals(True)
        for sub in self._subs:
            sub.deleteLater()
        self.clear()
        self._subs, self._ready = [], []
        self._registry, self._partner = registry, partner
        for number, item in enumerate(plan.items, 1):
            row = SubmissionRow(self, number, item, registry, self._on_edit, choices)
            self._subs.append(row)
            self._ready.append(False)
            self._refresh_check(number - 1, initial=True)
        self.expandAll()
        self.blockSignals(False)
        self._fit_columns()
        self._chain_tab_order()
        self.chosenChanged.emit()

    def _fit_columns(self) -> None:
        for column in SIZED:
            self.resizeColumnToContents(column)
        self.header().resizeSection(0, min(self.header().sectionSize(0), NAME_WIDTH))

    def _chain_tab_order(self) -> None:
        before: QWidget = self
        for sub in self._subs:
            for editor in sub.editors():
                QWidget.setTabOrder(before, editor)
                before = editor

    def _index_of(self, sub: SubmissionRow) -> int:
        return self._subs.index(sub)

    def _on_edit(self, sub: SubmissionRow) -> None:
        index = self._index_of(sub)
        self._refresh_check(index, initial=False)
        self._chain_tab_order()  # another assessment may have other settings
        self.chosenChanged.emit()
        self.rowEdited.emit(index)

    def _on_item_changed(self, row: QTreeWidgetItem, column: int) -> None:
        if column != 0:
            return  # a text we set (the check, "sent")
        for sub in self._subs:
            if row is sub.row:
                self.chosenChanged.emit()
                return
            if sub.file_changed(row):
                self._on_edit(sub)
                return

    # -- the submissions as they now stand --------------------------------------------------
    def item(self, index: int) -> PlanItem:
        """The plan's item with the row's edits: its assessment, files and settings."""
        return self._subs[index].item()

    def _check(self, index: int) -> tuple[bool, str]:
        """Whether it can be sent, and what the core's first check says (no file is read)."""
        sub, item = self._subs[index], self.item(index)
        twice = sub.slots_twice()
        if twice:
            text = self.tr("Two files are in the “{0}” slot: choose another slot for one, or "
                           "leave one out.")  # fmt: skip
            return False, text.format(twice)
        if not item.files:
            return False, self.tr("Every file is left out.")
        bundle = self._registry.get(item.bundle) if self._registry is not None else None
        problems = validate_submission(
            bundle, dict(item.files), dict(item.params),
            partner=self._partner, tenant=item.tenant, school_year=item.school_year,
        )  # fmt: skip
        missing = [p.field.removeprefix("param:") for p in problems if p.field.startswith("param:")]
        if missing:
            found = [bundle.param(env) if bundle is not None else None for env in missing]
            names = [p.display_name if p else env for p, env in zip(found, missing, strict=True)]
            return False, self.tr("needs {0}").format(", ".join(names))
        if problems:
            return False, problems[0].message
        notes = [n for n in item.notes if not n.startswith(TO_DO)]
        return True, " ".join([self.tr("Ready to send."), *notes])

    def check_text(self, index: int) -> str:
        return self._check(index)[1]

    def _refresh_check(self, index: int, *, initial: bool) -> None:
        row = self._subs[index].row
        ready, text = self._check(index)
        row.setText(CHECK, text)
        row.setToolTip(CHECK, plain_tooltip(text) or "")
        self.scheduleDelayedItemsLayout()
        if initial or ready != self._ready[index]:
            # Left out while it cannot be sent, ticked when it becomes sendable; otherwise
            # the clerk's own tick is kept.
            row.setCheckState(0, Qt.CheckState.Checked if ready else Qt.CheckState.Unchecked)
        self._ready[index] = ready

    def chosen(self) -> list[tuple[int, PlanItem]]:
        """(row index, item) of every ticked row that can be sent."""
        return [
            (i, self.item(i))
            for i, sub in enumerate(self._subs)
            if sub.row.checkState(0) is Qt.CheckState.Checked and self._check(i)[0]
        ]

    def row_count(self) -> int:
        return len(self._subs)

    def row(self, index: int) -> SubmissionRow:
        return self._subs[index]

    def is_chosen(self, index: int) -> bool:
        return self._subs[index].row.checkState(0) is Qt.CheckState.Checked

    def set_chosen(self, index: int, chosen: bool) -> None:
        state = Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked
        self._subs[index].row.setCheckState(0, state)

    def set_file_included(self, index: int, file: int, included: bool) -> None:
        state = Qt.CheckState.Checked if included else Qt.CheckState.Unchecked
        self._subs[index].files[file].row.setCheckState(0, state)

    def editor(self, index: int, env_var: str) -> QComboBox | None:
        """The drop-down of a setting the plan left empty."""
        return self._subs[index].params.get(env_var)

    def assessment_editor(self, index: int) -> QComboBox:
        return self._subs[index].assessment

    def district_editor(self, index: int) -> QComboBox:
        return self._subs[index].district

    def year_editor(self, index: int) -> QComboBox:
        return self._subs[index].year

    def slot_editor(self, index: int, file: int) -> QComboBox:
        return self._subs[index].files[file].slot

    def set_sent(self, index: int, text: str, more: str = "") -> None:
        """Whether it was sent: "already sent … on 2 Dec at 07:11", "sent now", "checking…";
        ``more`` is added in its tooltip."""
        self._subs[index].row.setText(SENT, text)
        self._subs[index].row.setToolTip(
            SENT, plain_tooltip(f"{text}\n{more}" if more else text) or ""
        )
        self.scheduleDelayedItemsLayout()  # its height may change: the drop-downs move along

    def sent_text(self, index: int) -> str:
        return self._subs[index].row.text(SENT)

    def set_locked(self, locked: bool) -> None:
        for sub in self._subs:
            sub.set_locked(locked)
