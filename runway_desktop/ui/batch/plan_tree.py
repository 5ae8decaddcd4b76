"""The plan, one row per submission (its files under it): what would be sent, and where.

A row's checkbox leaves it out. A setting the plan left empty (PSAT/SAT's test type) gets a
drop-down in the row; until it is chosen the row says "needs TEST_TYPE" and is left out.
Everything shown is plain text (QTreeWidgetItem text is never rich text).
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QTreeWidget, QTreeWidgetItem, QWidget

from runway_desktop.base.formatting import school_year_label
from runway_desktop.bundles.model import Registry
from runway_desktop.bundles.validation import validate_submission
from runway_desktop.core.batch.plan import TO_DO, BatchPlan, PlanItem

COLUMNS = ("Submission / file", "Assessment", "Slot", "District", "School year", "Check", "Sent")
CHECK, SENT = COLUMNS.index("Check"), COLUMNS.index("Sent")
READY = "Ready to send."


class PlanTree(QTreeWidget):
    chosenChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("BatchPlanTree")
        self.setAccessibleName("Planned submissions")
        self.setColumnCount(len(COLUMNS))
        self.setHeaderLabels(list(COLUMNS))
        self.setAlternatingRowColors(True)
        self._items: list[PlanItem] = []
        self._rows: list[QTreeWidgetItem] = []
        self._editors: list[dict[str, QComboBox]] = []
        self._registry: Registry | None = None
        self._partner = ""
        self.itemChanged.connect(lambda *_: self.chosenChanged.emit())

    def set_plan(self, plan: BatchPlan, registry: Registry, partner: str) -> None:
        self.blockSignals(True)
        self.clear()
        self._items, self._rows, self._editors = list(plan.items), [], []
        self._registry, self._partner = registry, partner
        for number, item in enumerate(plan.items, 1):
            self._add_row(number, item, registry)
        self.expandAll()
        self.blockSignals(False)
        for column in range(len(COLUMNS) - 2):
            self.resizeColumnToContents(column)
        self.chosenChanged.emit()

    def _add_row(self, number: int, item: PlanItem, registry: Registry) -> None:
        bundle = registry.get(item.bundle)
        name = bundle.display_name if bundle is not None else item.bundle
        row = QTreeWidgetItem(self, [f"Submission {number}", name, "", item.tenant,
                                     school_year_label(item.school_year), "", ""])  # fmt: skip
        row.setFlags(row.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        self._rows.append(row)
        editors: dict[str, QComboBox] = {}
        for env_var, path in item.files.items():
            slot = bundle.file(env_var) if bundle is not None else None
            slot_name = slot.display_name if slot is not None else env_var
            child = QTreeWidgetItem(row, [path.name, "", slot_name])
            child.setToolTip(0, str(path))
        for param in bundle.user_params if bundle is not None else ():
            if item.params.get(param.env_var) or not param.allowed_values:
                continue  # free-text settings are edited in the plan file (CLI), not here
            combo = QComboBox(self)
            combo.setAccessibleName(f"{param.display_name} for submission {number}")
            combo.addItem(f"Choose {param.display_name}…", "")
            for value in param.allowed_values:
                combo.addItem(value, value)
            combo.currentIndexChanged.connect(lambda _i, n=number - 1: self._on_param(n))
            setting = QTreeWidgetItem(row, [param.display_name, "", param.env_var])
            self.setItemWidget(setting, 1, combo)
            editors[param.env_var] = combo
        self._editors.append(editors)
        self._refresh_check(number - 1, initial=True)

    def _on_param(self, index: int) -> None:
        self._refresh_check(index, initial=False)
        self.chosenChanged.emit()

    def item(self, index: int) -> PlanItem:
        """The plan's item with the settings chosen in its row."""
        item = self._items[index]
        chosen = {env: str(c.currentData() or "") for env, c in self._editors[index].items()}
        return replace(item, params={**item.params, **{k: v for k, v in chosen.items() if v}})

    def check_text(self, index: int) -> str:
        """What the core's first check says of the item as it now is (no file is read)."""
        item = self.item(index)
        bundle = self._registry.get(item.bundle) if self._registry is not None else None
        problems = validate_submission(
            bundle, dict(item.files), dict(item.params),
            partner=self._partner, tenant=item.tenant, school_year=item.school_year,
        )  # fmt: skip
        missing = [p for p in problems if p.field.startswith("param:")]
        if missing:
            return "needs " + ", ".join(p.field.removeprefix("param:") for p in missing)
        if problems:
            return problems[0].message
        notes = [n for n in item.notes if not n.startswith(TO_DO)]
        return " ".join([READY, *notes])

    def _refresh_check(self, index: int, *, initial: bool) -> None:
        row = self._rows[index]
        text = self.check_text(index)
        row.setText(CHECK, text)
        row.setToolTip(CHECK, text)
        ready = text.startswith(READY)
        if initial or not ready:
            # Left out until it can be sent; once it can, the clerk's own tick is kept.
            row.setCheckState(0, Qt.CheckState.Checked if ready else Qt.CheckState.Unchecked)
        elif ready and row.checkState(0) is Qt.CheckState.Unchecked:
            row.setCheckState(0, Qt.CheckState.Checked)

    def chosen(self) -> list[tuple[int, PlanItem]]:
        """(row index, item) of every ticked row that can be sent."""
        return [
            (i, self.item(i))
            for i, row in enumerate(self._rows)
            if row.checkState(0) is Qt.CheckState.Checked and self.check_text(i).startswith(READY)
        ]

    def row_count(self) -> int:
        return len(self._rows)

    def is_chosen(self, index: int) -> bool:
        return self._rows[index].checkState(0) is Qt.CheckState.Checked

    def set_chosen(self, index: int, chosen: bool) -> None:
        state = Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked
        self._rows[index].setCheckState(0, state)

    def editor(self, index: int, env_var: str) -> QComboBox | None:
        return self._editors[index].get(env_var)

    def set_sent(self, index: int, text: str) -> None:
        """What the run said of the item: "already sent … on 2 Dec at 07:11", or its job."""
        self._rows[index].setText(SENT, text)
        self._rows[index].setToolTip(SENT, text)

    def sent_text(self, index: int) -> str:
        return self._rows[index].text(SENT)

    def set_locked(self, locked: bool) -> None:
        for row, editors in zip(self._rows, self._editors, strict=True):
            flags = row.flags()
            row.setFlags(flags & ~Qt.ItemFlag.ItemIsUserCheckable if locked
                         else flags | Qt.ItemFlag.ItemIsUserCheckable)  # fmt: skip
            for combo in editors.values():
                combo.setEnabled(not locked)
