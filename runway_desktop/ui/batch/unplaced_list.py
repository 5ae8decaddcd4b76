"""The files the plan could not place, each with the reason: never dropped silently."""

from __future__ import annotations

from PySide6.QtWidgets import QListWidget, QWidget

from runway_desktop.core.batch.plan import BatchPlan


class UnplacedList(QListWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("BatchUnplaced")
        self.setAccessibleName("Files that will not be sent")
        self.setWordWrap(True)

    def set_plan(self, plan: BatchPlan) -> None:
        self.clear()
        for one in plan.unplaced:
            try:
                name = str(one.path.relative_to(plan.folder))
            except ValueError:
                name = str(one.path)
            self.addItem(f"{name}: {one.reason}")  # QListWidgetItem text is plain text
        self.setVisible(bool(plan.unplaced))
