"""The History list: one row per submission with its derived status, and a proxy that filters
by status, assessment, district, school year, date range and free text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from runway_desktop.base.formatting import school_year_label
from runway_desktop.history.records import SubmissionRecord
from runway_desktop.history.status import DerivedStatus, SubmissionStatus

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Sent", "Assessment", "District", "School year", "Status")
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2
SORT_ROLE = Qt.ItemDataRole.UserRole + 3
# How each status is shown: a short mark that reads without colour, and a colour family.
STATUS_LOOK: dict[SubmissionStatus, tuple[str, str]] = {
    SubmissionStatus.SENDING: ("●", "info"),
    SubmissionStatus.NOT_SENT: ("✗", "error"),
    SubmissionStatus.UPLOADED_NOT_STARTED: ("!", "warning"),
    SubmissionStatus.WAITING: ("…", "info"),
    SubmissionStatus.PROCESSED: ("✓", "success"),
    SubmissionStatus.LOADED: ("✓", "success"),
    SubmissionStatus.NO_RESULT_YET: ("?", "warning"),
}


@dataclass(frozen=True)
class HistoryRow:
    record: SubmissionRecord
    derived: DerivedStatus
    assessment: str  # the registry's display name (the recorded one when unknown)

    def search_text(self) -> str:
        r = self.record
        parts = [
            f"#{r.id}", r.profile, r.partner, r.tenant, r.school_year,
            school_year_label(r.school_year) if r.school_year.isdigit() else "",
            r.bundle, r.bundle_name, self.assessment, r.job_uid or "", r.error_message or "",
            self.derived.status.value, *r.params.values(),
            *(f"{f.path.name} {f.upload_name} {f.md5}" for f in r.files),
        ]  # fmt: skip
        return " ".join(parts).casefold()


@dataclass(frozen=True)
class HistoryFilter:
    statuses: frozenset[SubmissionStatus] = frozenset()  # empty: every status
    bundle: str | None = None
    tenant: str | None = None
    school_year: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    text: str = ""
    words: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "words", tuple(self.text.casefold().split()))

    @property
    def active(self) -> bool:
        return self != HistoryFilter()

    def matches(self, row: HistoryRow) -> bool:
        r = row.record
        if self.statuses and row.derived.status not in self.statuses:
            return False
        if self.bundle and r.bundle != self.bundle:
            return False
        if self.tenant and r.tenant != self.tenant:
            return False
        if self.school_year and r.school_year != self.school_year:
            return False
        day = r.created_at.astimezone().date()
        if self.date_from and day < self.date_from:
            return False
        if self.date_to and day > self.date_to:
            return False
        if self.words:
            haystack = row.search_text()
            return all(word in haystack for word in self.words)
        return True


def when_text(record: SubmissionRecord, *, short: bool = False) -> str:
    local = record.created_at.astimezone()
    if short and local.year == datetime.now().year:
        return local.strftime("%b %d, %H:%M")
    return local.strftime("%b %d, %Y %H:%M")


class HistoryTableModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[HistoryRow] = []

    def set_rows(self, rows: Sequence[HistoryRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[HistoryRow]:
        return list(self._rows)

    def row_at(self, row: int) -> HistoryRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, submission_id: int) -> int:
        for number, row in enumerate(self._rows):
            if row.record.id == submission_id:
                return number
        return -1

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role == RECORD_ROLE:
            return row.record
        if role == STATUS_ROLE:
            return row.derived.status
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == SORT_ROLE:
            if column == "Sent":
                return row.record.created_at.timestamp()
            return str(self._display(row, column)).casefold()
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == "Status":
                return row.derived.explanation
            if column == "Assessment":
                return "\n".join(f.path.name for f in row.record.files)
        if role == Qt.ItemDataRole.AccessibleTextRole and column == "Status":
            return f"{row.derived.status.value}. {row.derived.explanation}"
        return None

    @staticmethod
    def _display(row: HistoryRow, column: str) -> str:
        r = row.record
        if column == "Sent":
            return when_text(r, short=True)
        if column == "Assessment":
            return row.assessment
        if column == "District":
            return r.tenant
        if column == "School year":
            return school_year_label(r.school_year) if r.school_year.isdigit() else r.school_year
        mark, _kind = STATUS_LOOK[row.derived.status]
        return f"{mark}  {row.derived.status.value}"


class HistoryFilterProxy(QSortFilterProxyModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._filter = HistoryFilter()
        self.setSortRole(SORT_ROLE)

    @property
    def history_filter(self) -> HistoryFilter:
        return self._filter

    def set_filter(self, history_filter: HistoryFilter) -> None:
        self.beginFilterChange()
        self._filter = history_filter
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, HistoryTableModel):
            return True
        row = model.row_at(source_row)
        return row is not None and self._filter.matches(row)
