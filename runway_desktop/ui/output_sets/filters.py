"""The filter bar of the Output sets screen.

The first row mirrors what Runway's list can filter on (sent to the server, so 10,000 sets
can be narrowed before they travel); the search box below filters the shown rows instantly,
on this computer, over everything a row says (ids included).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from runway_desktop.base.formatting import school_year_choices, school_year_label
from runway_desktop.bundles.model import Registry
from runway_desktop.core.outputs.browse import BrowseFilter
from runway_desktop.ui.translation import QT_TRANSLATE_NOOP, translated
from runway_desktop.ui.widgets.accessible import name_parts
from runway_desktop.ui.widgets.wheel_guard import WheelGuard

# "Sent to ODS" choices, translated where shown (``translated``).
ODS_CHOICES = (
    (QT_TRANSLATE_NOOP("OutputSetsFilterBar", "Any"), None),
    (QT_TRANSLATE_NOOP("OutputSetsFilterBar", "Yes"), True),
    (QT_TRANSLATE_NOOP("OutputSetsFilterBar", "No"), False),
)


def _label(text: str, parent: QWidget, buddy: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setBuddy(buddy)
    return label


class OutputSetsFilterBar(QWidget):
    filtersChanged = Signal()  # the server-side filters changed: list again
    searchChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("OutputSetsFilterBar")
        self._quiet = False
        self.partner = QComboBox(self)
        self.partner.setObjectName("PartnerFilter")
        self.tenant = QComboBox(self)
        self.tenant.setObjectName("TenantFilter")
        self.tenant.setEditable(True)
        self.tenant.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        tenant_edit = self.tenant.lineEdit()
        assert tenant_edit is not None  # editable combo boxes always have one
        tenant_edit.setPlaceholderText(self.tr("Any district"))
        tenant_edit.setClearButtonEnabled(True)
        self.school_year = QComboBox(self)
        self.school_year.setObjectName("SchoolYearFilter")
        self.school_year.addItem(self.tr("Any year"), "")
        for end in school_year_choices():
            self.school_year.addItem(school_year_label(end), str(end))
        self.assessment = QComboBox(self)
        self.assessment.setObjectName("AssessmentFilter")
        self.assessment.addItem(self.tr("Any assessment"), "")
        self.sent_to_ods = QComboBox(self)
        self.sent_to_ods.setObjectName("OdsFilter")
        for text, value in ODS_CHOICES:
            self.sent_to_ods.addItem(translated("OutputSetsFilterBar", text), value)
        self.created_after_enabled = QCheckBox(self.tr("Created a&fter"), self)
        self.created_after = QDateEdit(self)
        self.created_after.setObjectName("CreatedAfterFilter")
        self.created_after.setCalendarPopup(True)
        self.created_after.setDisplayFormat("yyyy-MM-dd")
        self.created_after.setDate(QDate.currentDate().addDays(-7))
        self.created_after.setEnabled(False)
        self.created_after.setToolTip(
            self.tr("From the start of this day, on this computer's clock")
        )
        self.search = QLineEdit(self)
        self.search.setObjectName("OutputSetsSearch")
        self.search.setPlaceholderText(
            self.tr("Search the list: district, assessment, file name, job or set id…")
        )
        self.search.setClearButtonEnabled(True)

        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        pairs = (
            (self.tr("&Partner"), self.partner),
            (self.tr("D&istrict"), self.tenant),
            (self.tr("School &year"), self.school_year),
            (self.tr("&Assessment"), self.assessment),
        )
        for column, (text, widget) in enumerate(pairs):
            grid.addWidget(_label(text, self, widget), 0, column)
            grid.addWidget(widget, 1, column)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(3, 3)
        second = QHBoxLayout()
        second.setSpacing(8)
        second.addWidget(_label(self.tr("Sent to OD&S"), self, self.sent_to_ods))
        second.addWidget(self.sent_to_ods)
        second.addSpacing(12)
        second.addWidget(self.created_after_enabled)
        second.addWidget(self.created_after)
        second.addSpacing(12)
        second.addWidget(self.search, 1)
        grid.addLayout(second, 2, 0, 1, len(pairs))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid)
        # A wheel turn over a filter the clerk is not in never changes what the list shows.
        self.wheel_guard = WheelGuard(self)
        self.wheel_guard.guard(self)

        self.partner.currentIndexChanged.connect(self.on_server_filter_changed)
        self.tenant.activated.connect(self.on_server_filter_changed)
        # Typing a district lists again when the field is left or Enter is pressed, not on
        # every keystroke (each listing is a request to Runway).
        tenant_edit.editingFinished.connect(self.on_tenant_edited)
        self.school_year.currentIndexChanged.connect(self.on_server_filter_changed)
        self.assessment.currentIndexChanged.connect(self.on_server_filter_changed)
        self.sent_to_ods.currentIndexChanged.connect(self.on_server_filter_changed)
        self.created_after_enabled.toggled.connect(self.on_created_after_toggled)
        self.created_after.dateChanged.connect(self.on_created_after_date)
        self.search.textChanged.connect(self.searchChanged)
        self._last_tenant = ""
        # For screen readers: the date and the search have no label of their own.
        self.created_after.setAccessibleName(self.tr("Created after (date)"))
        self.search.setAccessibleName(self.tr("Search the list"))
        name_parts(self)  # the combos' inner fields and lists, the clear buttons

    # -- content -----------------------------------------------------------------------------
    def set_partners(self, partners: list[str], preferred: str | None = None) -> None:
        with self._quietly():
            current = preferred or self.partner.currentText()
            self.partner.clear()
            self.partner.addItems(partners)
            index = self.partner.findText(current) if current else -1
            self.partner.setCurrentIndex(max(0, index) if partners else -1)

    def set_assessments(self, registry: Registry) -> None:
        with self._quietly():
            chosen = self.assessment.currentData()
            self.assessment.clear()
            self.assessment.addItem(self.tr("Any assessment"), "")
            for bundle in sorted(registry.all(), key=lambda b: b.display_name.casefold()):
                self.assessment.addItem(bundle.display_name, bundle.path)
                self.assessment.setItemData(
                    self.assessment.count() - 1, bundle.path, Qt.ItemDataRole.ToolTipRole
                )
            self.assessment.setCurrentIndex(max(0, self.assessment.findData(chosen)))

    def offer_tenants(self, tenants: Iterable[str]) -> None:
        """Districts to pick from: those remembered plus those in the latest listing."""
        with self._quietly():
            text = self.tenant.currentText()
            known = sorted({t for t in tenants if t}, key=str.casefold)
            if known == [self.tenant.itemText(i) for i in range(self.tenant.count())]:
                return
            self.tenant.clear()
            self.tenant.addItems(known)
            self.tenant.setCurrentIndex(-1)
            self.tenant.setEditText(text)

    # -- values ------------------------------------------------------------------------------
    def values(self) -> BrowseFilter | None:
        partner = self.partner.currentText()
        if not partner:
            return None
        enabled = self.created_after_enabled.isChecked()
        return BrowseFilter(
            partner=partner,
            tenant=self.tenant.currentText().strip(),
            school_year=str(self.school_year.currentData() or ""),
            bundle=str(self.assessment.currentData() or ""),
            sent_to_ods=self.sent_to_ods.currentData(),
            created_after=self.created_after.date().toPython() if enabled else None,  # type: ignore[arg-type]
        )

    def clear_server_filters(self, partner: str | None = None) -> None:
        """Back to everything of ``partner`` (or the current one); one filtersChanged."""
        with self._quietly():
            if partner is not None:
                if self.partner.findText(partner) < 0:
                    self.partner.addItem(partner)
                self.partner.setCurrentText(partner)
            self.tenant.setEditText("")
            self._last_tenant = ""
            self.school_year.setCurrentIndex(0)
            self.assessment.setCurrentIndex(0)
            self.sent_to_ods.setCurrentIndex(0)
            self.created_after_enabled.setChecked(False)
        self.filtersChanged.emit()

    def set_search(self, text: str) -> None:
        self.search.setText(text)

    # -- slots -------------------------------------------------------------------------------
    def on_server_filter_changed(self, *_args: object) -> None:
        if not self._quiet:
            self._last_tenant = self.tenant.currentText().strip()
            self.filtersChanged.emit()

    def on_tenant_edited(self) -> None:
        if self.tenant.currentText().strip() != self._last_tenant:
            self.on_server_filter_changed()

    def on_created_after_toggled(self, checked: bool) -> None:
        self.created_after.setEnabled(checked)
        self.on_server_filter_changed()

    def on_created_after_date(self, _date: QDate) -> None:
        if self.created_after_enabled.isChecked():
            self.on_server_filter_changed()

    @contextmanager
    def _quietly(self) -> Iterator[None]:
        """Changes made by code (not the user) must not each start a listing."""
        was, self._quiet = self._quiet, True
        try:
            yield
        finally:
            self._quiet = was
