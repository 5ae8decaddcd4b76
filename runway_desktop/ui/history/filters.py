"""The History screen's filter bar: text search, status, assessment, district, school year and
when it was sent (a preset or a custom date range)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from runway_desktop.core.history_view import Choices, HistoryFilter
from runway_desktop.core.submission_state import SubmissionState, state_label
from runway_desktop.ui.translation import QT_TRANSLATE_NOOP, translated
from runway_desktop.ui.widgets.accessible import name_parts
from runway_desktop.ui.widgets.eliding_combo import ElidingComboBox
from runway_desktop.ui.widgets.wheel_guard import WheelGuard

# The periods: each is its entry's data, and its text translated (``translated``).
ANY_TIME, TODAY, LAST_7, LAST_30, CUSTOM = (
    QT_TRANSLATE_NOOP("HistoryFilters", "Any time"),
    QT_TRANSLATE_NOOP("HistoryFilters", "Today"),
    QT_TRANSLATE_NOOP("HistoryFilters", "Last 7 days"),
    QT_TRANSLATE_NOOP("HistoryFilters", "Last 30 days"),
    QT_TRANSLATE_NOOP("HistoryFilters", "Between dates…"),
)
PERIODS = (ANY_TIME, TODAY, LAST_7, LAST_30, CUSTOM)


class HistoryFilters(QWidget):
    filterChanged = Signal(object)  # HistoryFilter

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("HistoryFilters")
        self._today = date.today
        self.search = QLineEdit(self)
        self.search.setObjectName("HistorySearch")
        self.search.setPlaceholderText(self.tr("Search by file name, job id, MD5, district…"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(self.tr("Search the history"))
        self.status = self._combo("Status", self.tr("status"), self.tr("Any status"))
        for state in SubmissionState:
            self.status.addItem(state_label(state), state)  # the core's words for the states
        self.assessment = self._combo(
            "Assessment", self.tr("assessment"), self.tr("Any assessment")
        )
        self.tenant = self._combo("District", self.tr("district"), self.tr("Any district"))
        self.school_year = self._combo(
            "SchoolYear", self.tr("school year"), self.tr("Any school year")
        )
        self.period = self._combo("Sent", self.tr("sent"), translated("HistoryFilters", ANY_TIME))
        for period in PERIODS[1:]:
            self.period.addItem(translated("HistoryFilters", period), period)
        self.date_from = self._date_edit(self.tr("Sent from"))
        self.date_to = self._date_edit(self.tr("Sent until"))
        self.range_label = QLabel(self.tr("and"), self)
        self.clear_button = QPushButton(self.tr("C&lear filters"), self)
        self.clear_button.setEnabled(False)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search, 1)
        top.addWidget(self.clear_button)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        for widget in (self.status, self.assessment, self.tenant, self.school_year, self.period):
            bottom.addWidget(widget, 1)
        bottom.addWidget(self.date_from)
        bottom.addWidget(self.range_label)
        bottom.addWidget(self.date_to)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(bottom)
        self._show_range(False)
        name_parts(self)  # the drop-down lists and the search's clear button
        # A wheel turn over a filter the clerk is not in never changes what the list shows.
        self.wheel_guard = WheelGuard(self)
        self.wheel_guard.guard(self)

        self.search.textChanged.connect(self.on_changed)
        for combo in (self.status, self.assessment, self.tenant, self.school_year):
            combo.currentIndexChanged.connect(self.on_changed)
        self.period.currentIndexChanged.connect(self.on_period_changed)
        self.date_from.dateChanged.connect(self.on_changed)
        self.date_to.dateChanged.connect(self.on_changed)
        self.clear_button.clicked.connect(self.clear)

    def _combo(self, name: str, what: str, any_text: str) -> QComboBox:
        """``name``: the objectName's end; ``what``: the filter's subject, in lower case."""
        combo = ElidingComboBox(self)  # a longer language's "Any …" shortened, not cut
        combo.setObjectName(f"Filter{name}")
        combo.setAccessibleName(self.tr("Filter by {what}").format(what=what))
        combo.setToolTip(self.tr("Show only submissions with this {what}").format(what=what))
        combo.addItem(any_text, None)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(8)
        return combo

    def _date_edit(self, name: str) -> QDateEdit:
        edit = QDateEdit(self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("MMM d, yyyy")
        edit.setAccessibleName(name)
        edit.setDate(QDate.currentDate())
        return edit

    def _show_range(self, shown: bool) -> None:
        for widget in (self.date_from, self.range_label, self.date_to):
            widget.setVisible(shown)

    # -- choices follow the submissions on record ------------------------------------------
    def set_choices(self, choices: Choices) -> None:
        """The values on record (computed with the rows, off the Qt thread)."""
        _refill(self.assessment, choices.assessments)
        _refill(self.tenant, [(t, t) for t in choices.tenants])
        _refill(self.school_year, choices.school_years)

    # -- the filter ----------------------------------------------------------------------------
    def current(self) -> HistoryFilter:
        status = self.status.currentData()
        date_from, date_to = self._dates()
        return HistoryFilter(
            # (Qt hands a StrEnum back as its plain string value.)
            states=frozenset([SubmissionState(status)]) if status else frozenset(),
            bundle=self.assessment.currentData(),
            tenant=self.tenant.currentData(),
            school_year=self.school_year.currentData(),
            date_from=date_from,
            date_to=date_to,
            text=self.search.text(),
        )

    def _dates(self) -> tuple[date | None, date | None]:
        period = self.period.currentData()
        today = self._today()
        if period == TODAY:
            return today, None
        if period == LAST_7:
            return today - timedelta(days=6), None
        if period == LAST_30:
            return today - timedelta(days=29), None
        if period == CUSTOM:
            first, last = self.date_from.date().toPython(), self.date_to.date().toPython()
            assert isinstance(first, date) and isinstance(last, date)
            return min(first, last), max(first, last)
        return None, None

    def set_status(self, status: SubmissionState | None) -> None:
        self.status.setCurrentIndex(max(0, self.status.findData(status)))

    def on_period_changed(self) -> None:
        self._show_range(self.period.currentData() == CUSTOM)
        self.on_changed()

    def on_changed(self) -> None:
        current = self.current()
        self.clear_button.setEnabled(current.active)
        self.filterChanged.emit(current)

    def clear(self) -> None:
        widgets = (self.search, self.status, self.assessment, self.tenant, self.school_year,
                   self.period)  # fmt: skip
        for widget in widgets:
            widget.blockSignals(True)
        self.search.clear()
        for combo in widgets[1:]:
            assert isinstance(combo, QComboBox)
            combo.setCurrentIndex(0)
        for widget in widgets:
            widget.blockSignals(False)
        self._show_range(False)
        self.on_changed()


def _refill(combo: QComboBox, items: Sequence[tuple[str, str]]) -> None:
    """Replace the choices after the "Any …" entry, keeping the current one when still there."""
    chosen = combo.currentData()
    combo.blockSignals(True)
    while combo.count() > 1:
        combo.removeItem(1)
    for text, value in items:
        combo.addItem(text, value)
    index = combo.findData(chosen) if chosen is not None else 0
    combo.setCurrentIndex(max(0, index))
    combo.blockSignals(False)
    if chosen is not None and index < 0:
        combo.currentIndexChanged.emit(0)
