"""How the output-sets table is set up: fixed row heights, column widths, the progress bars
of sets being downloaded."""

from __future__ import annotations

from PySide6.QtCore import (
    QCoreApplication,
    QRect,
    Qt,
)
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from runway_desktop.core.outputs.browse import (
    LocalState,
)
from runway_desktop.core.outputs.downloader import STATE_DOWNLOADING
from runway_desktop.ui.output_sets.model import (
    COL_ASSESSMENT,
    COL_CREATED,
    COL_STATE,
    COLUMN_WIDTHS,
    ROW_HEIGHT,
    Index,
    OutputSetsModel,
    UidRole,
    theme_colour,
)


class StateDelegate(QStyledItemDelegate):
    """The "On this computer" cell: its text, plus a thin bar while downloading."""

    def __init__(self, model: OutputSetsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        super().paint(painter, option, index)
        uid = index.data(UidRole)
        state = self.model.state_of(uid) if isinstance(uid, str) else LocalState()
        if state.state != STATE_DOWNLOADING:
            return
        rect: QRect = option.rect
        track = QRect(rect.left() + 6, rect.bottom() - 5, rect.width() - 12, 3)
        painter.save()
        painter.fillRect(track, theme_colour("track"))
        done = QRect(track)
        done.setWidth(max(1, int(track.width() * min(1.0, state.fraction))))
        painter.fillRect(done, theme_colour("accent"))
        painter.restore()


def configure_table(table: QTableView, model: OutputSetsModel) -> None:
    table.setAccessibleName(QCoreApplication.translate("OutputSetsTable", "Output sets"))
    table.setAccessibleDescription(
        QCoreApplication.translate(
            "OutputSetsTable",
            "Runway's output sets: one row each, with whether it is on this computer",
        )
    )
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSortingEnabled(True)
    table.setWordWrap(False)
    table.setShowGrid(False)
    table.setAlternatingRowColors(True)
    rows = table.verticalHeader()
    # Fixed heights: no per-row size questions, whatever the row count.
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(ROW_HEIGHT)
    rows.hide()
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    for column, width in enumerate(COLUMN_WIDTHS):
        if width:  # never narrower than its (translated) title
            header.resizeSection(column, max(width, header.sectionSizeHint(column)))
    header.setSectionResizeMode(COL_ASSESSMENT, QHeaderView.ResizeMode.Stretch)
    header.setSortIndicator(COL_CREATED, Qt.SortOrder.DescendingOrder)
    # The progress bar's delegate paints in Python (a few ms per paint for the visible rows):
    # it is the state column's delegate only while some set is downloading.
    bars = StateDelegate(model, table)

    def show_bars(downloading: bool) -> None:
        table.setItemDelegateForColumn(COL_STATE, bars if downloading else table.itemDelegate())
        table.viewport().update()

    model.downloadingChanged.connect(show_bars)
    show_bars(model.downloading())
