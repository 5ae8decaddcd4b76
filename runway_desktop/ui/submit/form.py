"""The Submit screen's form: partner, district (tenant), school year, assessment, its
parameters and its file slots. Holds what the clerk entered; never sends anything itself.

Files dropped anywhere on it are identified by their columns (off the UI thread, by the slot
list) and then placed, or the offer bar asks whether to use the assessment they belong to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from runway_desktop.base.formatting import (
    current_school_year,
    school_year_choices,
    school_year_label,
)
from runway_desktop.bundles.model import Bundle, Registry
from runway_desktop.core.submit.drop_plan import Action, DropPlan, plan_drop
from runway_desktop.core.submit.form_values import FormValues
from runway_desktop.settings import RecentValues
from runway_desktop.ui.submit.assessment_picker import AssessmentPicker
from runway_desktop.ui.submit.drop_identifier import IdentifiedDrop
from runway_desktop.ui.submit.file_drops import dropped_files
from runway_desktop.ui.submit.file_slot_list import FileSlotList
from runway_desktop.ui.submit.identify_offer_bar import IdentifyOfferBar
from runway_desktop.ui.submit.params_form import ParamsForm
from runway_desktop.ui.widgets.accessible import name_parts
from runway_desktop.ui.widgets.field_error import FieldError, form_label, with_error
from runway_desktop.ui.widgets.wheel_guard import WheelGuard


class SubmitForm(QWidget):
    changed = Signal()
    # A drop that makes several submissions (a folder, or several assessments' files).
    batchRequested = Signal(list)  # list[Path]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SubmitForm")
        self._recent: RecentValues | None = None
        self._practice: Mapping[str, Mapping[str, Sequence[Path]]] = {}
        self._known_tenants: dict[str, list[str]] = {}
        self._default_school_year: str | None = None
        self._locked = False
        # The offer the bar shows, and whether declining should still place the files.
        self._offer: DropPlan | None = None
        self._offer_drop: IdentifiedDrop | None = None
        self.setAcceptDrops(True)
        # Scrolling the form past a pick list must not change it; the parameters' boxes are
        # guarded each time an assessment brings new ones.
        self.wheel_guard = WheelGuard(self)

        self.partner = QComboBox(self)
        self.partner.setObjectName("partner")
        self.tenant = QComboBox(self)
        self.tenant.setObjectName("tenant")
        self.tenant.setEditable(True)
        self.tenant.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        tenant_editor = self.tenant.lineEdit()
        assert tenant_editor is not None
        tenant_editor.setPlaceholderText(self.tr("The district's tenant code, e.g. district-a"))
        # A file dropped on the field is for the form to identify, not its path to type in.
        tenant_editor.setAcceptDrops(False)
        self.school_year = QComboBox(self)
        self.school_year.setObjectName("school_year")
        for end_year in school_year_choices():
            self.school_year.addItem(school_year_label(end_year), str(end_year))
        self.assessment = AssessmentPicker(self)
        self.params = ParamsForm(self)
        self.slots = FileSlotList(self)
        self.slots.set_identify_drops(True)
        # Laid out by the page, above the scrolling form, so it shows wherever the drop was.
        self.offer_bar = IdentifyOfferBar(self)
        self._errors = {name: FieldError(self) for name in ("partner", "tenant", "school_year")}
        self._errors["bundle"] = FieldError(self)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # Alt+letter jumps to each field (Alt+S is Submit's, Alt+E "Send anyway…").
        self._partner_label = self._label(self.tr("&Partner"), self.partner)
        self._partner_cell = with_error(self.partner, self._errors["partner"])
        form.addRow(self._partner_label, self._partner_cell)
        district_label = self._label(self.tr("&District"), self.tenant)
        # Runway's own word, said once where a clerk might meet it (its web app, IT's emails).
        district_label.setToolTip(
            self.tr("The district's code in Runway (Runway calls it a tenant)")
        )
        form.addRow(district_label, with_error(self.tenant, self._errors["tenant"]))
        form.addRow(
            self._label(self.tr("School &year"), self.school_year),
            with_error(self.school_year, self._errors["school_year"]),
        )
        form.addRow(
            self._label(self.tr("&Assessment"), self.assessment),
            with_error(self.assessment, self._errors["bundle"]),
        )
        files_title = QLabel(self.tr("Files"), self)
        files_title.setObjectName("SectionTitle")
        self.files_hint = QLabel(
            self.tr("Choose the assessment above: the files it needs appear here, one slot each."),
            self,
        )
        self.files_hint.setObjectName("PlaceholderText")
        self.files_hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.params)
        layout.addWidget(files_title)
        layout.addWidget(self.files_hint)
        layout.addWidget(self.slots)
        # Extra height goes below the slots, not between their lines.
        layout.addStretch(1)

        self.partner.currentIndexChanged.connect(self.on_partner_changed)
        self.tenant.editTextChanged.connect(self.changed)
        self.school_year.currentIndexChanged.connect(self.on_school_year_changed)
        self.assessment.bundleChanged.connect(self.on_bundle_changed)
        self.params.changed.connect(self.changed)
        self.slots.filesChanged.connect(self.changed)
        self.slots.dropIdentified.connect(self.on_drop_identified)
        self.slots.batchRequested.connect(self.batchRequested)
        self.offer_bar.accepted.connect(self.on_offer_accepted)
        self.offer_bar.declined.connect(self.on_offer_declined)
        # Like the connection dialog: an error about a field goes away once the field is changed.
        self.partner.currentIndexChanged.connect(lambda: self.set_field_error("partner", None))
        self.tenant.editTextChanged.connect(lambda: self.set_field_error("tenant", None))
        self.school_year.currentIndexChanged.connect(
            lambda: self.set_field_error("school_year", None)
        )
        self.assessment.bundleChanged.connect(lambda: self.set_field_error("bundle", None))
        self.select_school_year(str(current_school_year()))
        self.slots.set_school_year(str(self.school_year.currentData() or ""))
        self.wheel_guard.guard(self)
        name_parts(self)

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = form_label(text, self)
        label.setBuddy(buddy)
        # The field sits in a cell with its error line, so it is not the label's sibling and
        # Qt would not find the buddy's text for it: the name is given outright.
        buddy.setAccessibleName(text.replace("&", ""))
        return label

    # -- context ------------------------------------------------------------------------------
    def set_context(
        self,
        *,
        partners: Sequence[str],
        default_partner: str | None,
        registry: Registry,
        recent: RecentValues,
    ) -> None:
        self._recent = recent
        self.partner.blockSignals(True)
        self.partner.clear()
        self.partner.addItems(list(partners))
        if default_partner is not None and default_partner in partners:
            self.partner.setCurrentText(default_partner)
        self.partner.blockSignals(False)
        # The partner comes from the token's scopes; with only one there is nothing to choose.
        single = len(partners) <= 1
        self._partner_cell.setHidden(single)
        self._partner_label.setHidden(single)
        self.assessment.set_bundles(registry, recent.bundle_paths())
        if recent.last_school_year:
            self.select_school_year(recent.last_school_year)
        elif self._default_school_year:
            self.select_school_year(self._default_school_year)
        self.on_partner_changed()

    def set_practice_world(
        self, tenants: Mapping[str, Sequence[str]], school_year: str | None
    ) -> None:
        """Sandbox mode: the practice server's districts as suggestions, and a school year
        it can process (the current one may be set up without an ODS there)."""
        self._known_tenants = {partner: list(codes) for partner, codes in tenants.items()}
        self._default_school_year = school_year

    def set_practice_files(self, practice: Mapping[str, Mapping[str, Sequence[Path]]]) -> None:
        """Sandbox mode: bundle path → slot env var → sample files offered in each slot."""
        self._practice = practice
        self._apply_practice_files()

    def _apply_practice_files(self) -> None:
        bundle = self.assessment.current_bundle()
        offered = self._practice.get(bundle.path, {}) if bundle else {}
        for env_var, paths in offered.items():
            slot = self.slots.slot(env_var)
            if slot is not None:
                slot.set_practice_files(list(paths))

    # -- reacting -------------------------------------------------------------------------------
    def on_partner_changed(self) -> None:
        typed = self.tenant.currentText()
        self.tenant.blockSignals(True)
        self.tenant.clear()
        partner = self.partner.currentText()
        if partner:
            recent = self._recent.tenants(partner) if self._recent is not None else []
            known = [t for t in self._known_tenants.get(partner, []) if t not in recent]
            self.tenant.addItems(recent + known)
        self.tenant.setEditText(typed or (self.tenant.itemText(0) if self.tenant.count() else ""))
        self.tenant.blockSignals(False)
        self.changed.emit()

    def on_school_year_changed(self) -> None:
        self.slots.set_school_year(str(self.school_year.currentData() or ""))
        self.changed.emit()

    def on_bundle_changed(self, bundle: Bundle | None) -> None:
        self._forget_offer()  # a question about the old choice no longer applies
        self.files_hint.setVisible(bundle is None)
        self.params.set_bundle(bundle)
        self.slots.set_bundle(bundle)
        self.wheel_guard.guard(self.params)
        self.wheel_guard.guard(self.slots)
        self._apply_practice_files()
        self.changed.emit()

    # -- values -------------------------------------------------------------------------------
    def values(self) -> FormValues:
        return FormValues(
            partner=self.partner.currentText().strip(),
            tenant=self.tenant.currentText().strip(),
            school_year=str(self.school_year.currentData() or ""),
            bundle=self.assessment.current_bundle(),
            params=self.params.values(),
            files=self.slots.files(),
        )

    def select_school_year(self, end_year: str) -> None:
        index = self.school_year.findData(end_year)
        if index < 0 and end_year.isdigit():
            self.school_year.addItem(school_year_label(end_year), end_year)
            index = self.school_year.count() - 1
        if index >= 0:
            self.school_year.setCurrentIndex(index)

    def restore(self, values: FormValues, *, files: bool = True) -> None:
        """Put earlier values back (Submit another, Resubmit)."""
        if values.partner:
            self.partner.setCurrentText(values.partner)
        self.tenant.setEditText(values.tenant)
        self.select_school_year(values.school_year)
        if values.bundle is not None:
            self.assessment.select_path(values.bundle.path)
        self.params.set_values(values.params)
        if files:
            for env_var, path in values.files.items():
                slot = self.slots.slot(env_var)
                if slot is not None:
                    slot.set_file(path)

    # -- errors and locking -------------------------------------------------------------------
    def set_field_error(self, name: str, text: str | None) -> bool:
        """Attach an error to the field it concerns; False when no such field is shown."""
        if name in self._errors:
            self._errors[name].show_message(text)
            return True
        kind, _, key = name.partition(":")
        if kind == "param" and self.params.editor(key) is not None:
            self.params.set_error(key, text)
            return True
        if kind == "file" and (slot := self.slots.slot(key)) is not None:
            slot.set_server_error(text)
            return True
        return False

    def clear_errors(self) -> None:
        for error in self._errors.values():
            error.show_message(None)
        self.params.clear_errors()
        bundle = self.assessment.current_bundle()
        for input_file in bundle.input_files if bundle else ():
            slot = self.slots.slot(input_file.env_var)
            if slot is not None:
                slot.set_server_error(None)

    def set_locked(self, locked: bool) -> None:
        self._locked = locked
        self.setAcceptDrops(not locked)
        if locked:
            self._forget_offer()
        for widget in (self.partner, self.tenant, self.school_year, self.assessment, self.params):
            widget.setEnabled(not locked)
        # Locks every slot, and drops on the list (a drop being identified is forgotten).
        self.slots.set_enabled_for_submit(not locked)

    # -- dropped files --------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self._judge_drag(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self._judge_drag(event)

    def dropEvent(self, event: QDropEvent) -> None:
        """Files dropped beside the slots (on a label, the fields, or before any assessment
        is chosen, when there are no slots yet)."""
        dropped = dropped_files(event.mimeData())
        if self._locked or dropped.problem:
            event.ignore()
            return
        event.acceptProposedAction()
        self.slots.identify_dropped(dropped.paths)

    def _judge_drag(self, event: QDragEnterEvent | QDragMoveEvent) -> None:
        if self._locked or dropped_files(event.mimeData()).problem:
            event.ignore()
        else:
            event.acceptProposedAction()

    def on_drop_identified(self, drop: IdentifiedDrop) -> None:
        if self._locked:
            return
        target = self.slots.slot(drop.target) if drop.target is not None else None
        if drop.target is not None and (target is None or target.path() != drop.paths[0]):
            return  # the slot got another file, or is gone, while this one was identified
        chosen = self.assessment.current_bundle()
        plan = plan_drop(
            drop.paths, drop.identities, chosen, self.assessment.registry(), target=drop.target
        )
        self._forget_offer()  # the newest drop's question replaces an older one
        if plan.action is Action.PLACE:
            self.slots.place_files(plan.others, known=plan.by_slot)
        elif plan.action is Action.MOVE and drop.target is not None:
            self.slots.move_file(drop.target, next(iter(plan.by_slot)))
        elif plan.action is Action.MIXED:
            self._offer_drop, self._offer = drop, plan
            self.offer_bar.show_offer(plan.message, plan.accept_text, plan.decline_text)
        elif plan.action is Action.OFFER and plan.bundle is not None:
            self._offer_drop = drop
            self._offer = plan
            text = plan.message
            kept = [p for p in self.slots.files().values() if p not in drop.paths]
            if chosen is not None and kept:
                text += " " + self.tr(
                    "Switching takes the files chosen for {assessment} off the form."
                ).format(assessment=chosen.display_name)
            if chosen is not None and drop.target is None:
                # Where a plain drop puts them, so declining leaves them there (and each slot's
                # check says what it thinks of its file).
                self.slots.place_files(drop.paths)
            self.offer_bar.show_offer(text, plan.accept_text, plan.decline_text)
        elif drop.target is None:
            self.slots.place_files(drop.paths)

    def on_offer_accepted(self) -> None:
        plan, drop, self._offer, self._offer_drop = self._offer, self._offer_drop, None, None
        if plan is not None and plan.action is Action.MIXED and drop is not None:
            self.batchRequested.emit(list(drop.paths))
            return
        if plan is None or plan.bundle is None or self._locked:
            return
        if not self.assessment.select_path(plan.bundle.path):
            self.offer_bar.show_notice(
                self.tr("{assessment} cannot be chosen here.").format(
                    assessment=plan.bundle.display_name
                )
            )
            return
        self.slots.place_files(plan.others, known=plan.by_slot)

    def on_offer_declined(self) -> None:
        plan, drop, self._offer, self._offer_drop = self._offer, self._offer_drop, None, None
        if plan is not None and plan.action is Action.MIXED:
            return  # none of them is placed
        if drop is not None and drop.target is None and self.slots.bundle() is None:
            # Nothing was chosen, so nothing was placed: say what the slots need first.
            self.slots.place_files(drop.paths)

    def _forget_offer(self) -> None:
        self._offer = self._offer_drop = None
        self.offer_bar.dismiss()
