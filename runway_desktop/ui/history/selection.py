"""The History table's selection, by submission id: the list's rows are replaced by every
new reading, and what the clerk selected is found again by id, not by row number."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QTableView

from runway_desktop.history.records import SubmissionRecord
from runway_desktop.ui.history.model import HistoryTableModel


def selected_ids(table: QTableView, model: HistoryTableModel) -> list[int]:
    """The ids of the selected rows, in the list's order."""
    selection = table.selectionModel()
    found = [model.row_at(r) for r in sorted({i.row() for i in selection.selectedRows()})]
    return [row.record.id for row in found if row is not None]


def select_ids(table: QTableView, model: HistoryTableModel, ids: list[int]) -> None:
    """Select the listed rows of ``ids`` (and nothing else) without telling each change:
    the caller updates what depends on the selection once, after."""
    selection = table.selectionModel()
    assert selection is not None
    selection.blockSignals(True)
    selection.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for submission_id in ids:
        number = model.row_of(submission_id)
        index = model.index(number, 0)
        if number >= 0 and index.isValid():
            selection.select(index, flags)
    selection.blockSignals(False)


def selected_records(table: QTableView, model: HistoryTableModel) -> list[SubmissionRecord]:
    """The selected submissions, or every one shown when none is selected (what an export of
    "the selection" takes)."""
    ids = selected_ids(table, model)
    if not ids:
        return [r.record for r in model.rows()]
    found = [model.row_at(model.row_of(i)) for i in ids]
    return [r.record for r in found if r is not None]
