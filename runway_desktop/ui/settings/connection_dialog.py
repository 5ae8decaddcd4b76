"""“Connect to Runway”: the dialog an IT person fills in once per computer (or per profile).

The short form (``ConnectionFields``) holds what every setup needs; the rarely touched
token-request details sit under “Advanced settings”. “Test connection” runs on the asyncio loop
(qasync), so the window stays responsive while the sign-in service and Runway answer. Saving
needs no test.
"""

from __future__ import annotations

import asyncio
import dataclasses
import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from runway_desktop.core.connection_check import (
    FieldName,
    FormValues,
    check_connection,
    check_html,
)
from runway_desktop.core.session import Session
from runway_desktop.settings.profiles import (
    Profile,
    ProfileError,
    ProfilesFileError,
    TokenStyle,
    derive_audience,
)
from runway_desktop.ui.settings.address_warning import (
    SAVE_ANYWAY_TEXT,
    UNENCRYPTED_MESSAGE,
    is_unencrypted,
)
from runway_desktop.ui.settings.connection_fields import ConnectionFields
from runway_desktop.ui.settings.form_parts import STYLE, add_row, hint, stacked
from runway_desktop.ui.translation import QT_TRANSLATE_NOOP, translated
from runway_desktop.ui.widgets.accessible import announce, name_parts

DEFAULT_PROFILE_NAME = "Runway"  # the product's name: not translated
# Translated where shown (``translated``, context "ConnectionDialog").
TEST_BUTTON_TEXT = QT_TRANSLATE_NOOP("ConnectionDialog", "&Test connection")
TESTING_TEXT = QT_TRANSLATE_NOOP("ConnectionDialog", "Testing…")
TOKEN_STYLE_CHOICES: tuple[tuple[str, TokenStyle], ...] = (
    (QT_TRANSLATE_NOOP("ConnectionDialog", "Form (Keycloak)"), "form"),
    (QT_TRANSLATE_NOOP("ConnectionDialog", "JSON (Auth0)"), "json"),
)


class ConnectionDialog(QDialog):
    """Create or edit one connection profile; ``saved_profile()`` after ``exec()``."""

    tested = Signal(bool)  # after every finished test: True when Runway accepted the sign-in

    def __init__(
        self,
        services: Session,
        profile: Profile | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ConnectionDialog")
        self.setWindowTitle(self.tr("Connect to Runway"))
        self.setStyleSheet(STYLE)
        self._services = services
        self._original = profile
        self._saved: Profile | None = None
        self._test_task: asyncio.Task[None] | None = None
        self._stored_secret = services.secrets.get(profile.name) if profile else None
        self._warned_for: tuple[str, str] | None = None  # addresses "Save anyway" would save
        self._build()
        self._fill(profile)

    # --- public -------------------------------------------------------------------------

    def saved_profile(self) -> Profile | None:
        """The profile as stored by Save; ``None`` if the dialog was cancelled."""
        return self._saved

    def field_error(self, field: FieldName) -> str:
        """The message shown next to ``field`` ("" when none is shown)."""
        return self.fields.error_text(field)

    def result_text(self) -> str:
        return self.test_result.text() if not self.test_result.isHidden() else ""

    # --- building -----------------------------------------------------------------------

    def _build(self) -> None:
        intro = QLabel(
            self.tr(
                "Enter the connection details your Runway administrator gave you. "
                "You can test them before saving."
            )
        )
        intro.setWordWrap(True)

        self.fields = ConnectionFields(self._services.secrets, self._services.preferences)
        # The short form's parts, by the names the dialog's callers and tests reach them.
        self.name_edit = self.fields.name_edit
        self.api_url_edit = self.fields.api_url_edit
        self.token_url_edit = self.fields.token_url_edit
        self.client_id_edit = self.fields.client_id_edit
        self.secret_edit = self.fields.secret_edit
        self.show_secret_button = self.fields.show_secret_button
        self.secret_note = self.fields.secret_note
        self.session_offer = self.fields.session_offer
        self.api_url_warning = self.fields.api_url_warning
        self.token_url_warning = self.fields.token_url_warning

        self.advanced_button = QToolButton()
        self.advanced_button.setText(self.tr("Ad&vanced settings"))
        self.advanced_button.setCheckable(True)
        self.advanced_button.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_button.setObjectName("AdvancedToggle")
        self.advanced_box = self._build_advanced()
        self.advanced_box.setVisible(False)

        self.test_button = QPushButton(translated("ConnectionDialog", TEST_BUTTON_TEXT))
        self.test_button.setAutoDefault(False)
        self.test_result = QLabel()
        self.test_result.setObjectName("TestResult")
        self.test_result.setWordWrap(True)
        self.test_result.setTextFormat(Qt.TextFormat.RichText)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.test_result.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("&Save"))  # the platform's own may have no Alt letter
        self._save_text = self.save_button.text()
        # Test sits apart on the left, so it is not mistaken for one of the closing buttons.
        button_row = QHBoxLayout()
        button_row.addWidget(self.test_button)
        button_row.addStretch(1)
        button_row.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.fields)
        layout.addWidget(self.advanced_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.advanced_box)
        layout.addWidget(self.test_result)
        layout.addStretch(1)
        layout.addLayout(button_row)
        self.setMinimumWidth(560)

        self.advanced_button.toggled.connect(self.on_advanced_toggled)
        self.api_url_edit.textChanged.connect(self.on_api_url_changed)
        self.api_url_edit.textChanged.connect(self.on_address_changed)
        self.token_url_edit.textChanged.connect(self.on_address_changed)
        self.test_button.clicked.connect(self.on_test_clicked)
        self.save_button.clicked.connect(self.on_save_clicked)
        self.buttons.rejected.connect(self.reject)
        name_parts(self)  # the token style's drop-down list

    def _build_advanced(self) -> QWidget:
        self.token_style_combo = QComboBox()
        for label, style in TOKEN_STYLE_CHOICES:
            self.token_style_combo.addItem(translated("ConnectionDialog", label), style)
        self.token_style_combo.setAccessibleName(self.tr("Token request style"))
        self.audience_edit = QLineEdit()
        self.audience_edit.setAccessibleName(self.tr("Audience"))
        self.scopes_edit = QLineEdit()
        self.scopes_edit.setPlaceholderText(self.tr("Let the identity provider decide"))
        self.scopes_edit.setAccessibleName(self.tr("Scopes to request"))
        self.scopes_edit.setAccessibleDescription(
            self.tr("Separated by spaces; empty lets it decide.")
        )
        style_hint = hint(
            self.tr("Keycloak and most sign-in services take a form; Auth0 takes JSON.")
        )
        scopes_hint = hint(self.tr("Separate scopes with spaces, e.g. create:jobs partner:acme"))

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        style_box = stacked(self.token_style_combo, style_hint)
        add_row(form, self.tr("Token request st&yle:"), style_box, self.token_style_combo)
        form.addRow(self.tr("Au&dience:"), self.audience_edit)
        add_row(
            form,
            self.tr("Sco&pes to request:"),
            stacked(self.scopes_edit, scopes_hint),
            self.scopes_edit,
        )
        box = QWidget()
        box.setLayout(form)
        form.setContentsMargins(16, 0, 0, 0)  # indented under its toggle
        self.on_api_url_changed("")
        return box

    def _fill(self, profile: Profile | None) -> None:
        if profile is None:
            self.name_edit.setText(self._free_name())
            return
        self.fields.fill(profile, secret_stored=bool(self._stored_secret))
        self.token_style_combo.setCurrentIndex(self.token_style_combo.findData(profile.token_style))
        self.audience_edit.setText(profile.audience or "")
        self.scopes_edit.setText(profile.scopes)
        if profile.token_style != "form" or profile.audience or profile.scopes:
            self.advanced_button.setChecked(True)

    def _free_name(self) -> str:
        try:
            taken = {p.name.casefold() for p in self._services.profiles.list()}
        except ProfileError:
            taken = set()  # Save reports a damaged file; a default name does not need it
        name, number = DEFAULT_PROFILE_NAME, 1
        while name.casefold() in taken:
            number += 1
            name = f"{DEFAULT_PROFILE_NAME} {number}"
        return name

    # --- slots --------------------------------------------------------------------------

    def on_advanced_toggled(self, expanded: bool) -> None:
        self.advanced_box.setVisible(expanded)
        arrow = Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow
        self.advanced_button.setArrowType(arrow)
        self._fit_height()

    def on_api_url_changed(self, text: str) -> None:
        default = derive_audience(text) if text.strip() else "https://runway.example.org"
        self.audience_edit.setPlaceholderText(
            self.tr("Default: {audience}").format(audience=default)
        )

    def on_address_changed(self, _text: str) -> None:
        # The fields show their own warnings; what is left here is the "Save anyway" state.
        if self._warned_for is not None:  # "Save anyway" was for the addresses as they were
            self._warned_for = None
            self.save_button.setText(self._save_text)

    def on_test_clicked(self) -> None:
        if self._test_task is not None and not self._test_task.done():
            return
        values = self._read_form()
        if not self.fields.show_problems(values):
            return
        secret = values.secret or self._stored_secret or ""
        self.test_button.setEnabled(False)
        self.test_button.setText(translated("ConnectionDialog", TESTING_TEXT))
        self._show_result(
            "busy",
            self.tr(
                "<b>Testing…</b><br>Getting a token from the sign-in service, then asking Runway "
                "to check it."
            ),
        )
        self._test_task = asyncio.ensure_future(self._run_test(self._profile(values), secret))

    def on_save_clicked(self) -> None:
        values = self._read_form()
        if not self.fields.show_problems(values):
            return
        if not self._unencrypted_accepted(values):
            return
        profile = self._profile(values)
        store, secrets = self._services.profiles, self._services.secrets
        try:
            if self._original is None:
                store.add(profile)
            else:
                if profile.name != self._original.name:
                    store.rename(self._original.name, profile.name)
                    secrets.rename(self._original.name, profile.name)
                store.update(profile)
        except ProfilesFileError as error:
            self._show_result(
                "error",
                self.tr("<b>Not saved.</b><br>{error}").format(error=html.escape(str(error))),
            )
            return
        except ProfileError as error:
            self.fields.set_error("name", str(error))
            return
        if values.secret:
            secrets.set(profile.name, values.secret)
        self._saved = profile
        self.accept()

    def _unencrypted_accepted(self, values: FormValues) -> bool:
        """False (and a warning) the first time Save is pressed with an unencrypted address;
        pressing "Save anyway" with the same addresses then saves."""
        addresses = (values.api_url, values.token_url)
        if not any(is_unencrypted(url) for url in addresses) or self._warned_for == addresses:
            return True
        self._warned_for = addresses
        save_anyway = translated("AddressWarning", SAVE_ANYWAY_TEXT)
        unencrypted = translated("AddressWarning", UNENCRYPTED_MESSAGE)
        self.save_button.setText(save_anyway)
        self._show_result(
            "warning",
            self.tr(
                "<b>Not saved yet.</b><br>{problem}. Press “{save_anyway}” to save it as it is."
            ).format(problem=html.escape(unencrypted), save_anyway=save_anyway),
        )
        announce(
            self, self.tr("Not saved yet. {problem}").format(problem=unencrypted), assertive=True
        )
        return False

    # --- test ---------------------------------------------------------------------------

    async def _run_test(self, profile: Profile, secret: str) -> None:
        try:
            check = await check_connection(self._services.http, profile, secret)
        finally:
            self._end_test()
        self._show_result(check.state, check_html(check))
        self.tested.emit(check.ok)

    def _end_test(self) -> None:
        self.test_button.setEnabled(True)
        self.test_button.setText(translated("ConnectionDialog", TEST_BUTTON_TEXT))

    def _show_result(self, state: str, rich_text: str) -> None:
        self.test_result.setProperty("state", state)
        self.test_result.style().unpolish(self.test_result)
        self.test_result.style().polish(self.test_result)
        self.test_result.setText(rich_text)
        self.test_result.show()
        self._fit_height()

    # --- helpers ------------------------------------------------------------------------

    def _read_form(self) -> FormValues:
        return self.fields.values(has_stored_secret=bool(self._stored_secret))

    def _profile(self, values: FormValues) -> Profile:
        style: TokenStyle = "json" if self.token_style_combo.currentData() == "json" else "form"
        profile = Profile(
            name=values.name,
            api_base_url=values.api_url,
            token_url=values.token_url,
            client_id=values.client_id,
            token_style=style,
            audience=self.audience_edit.text().strip() or None,
            scopes=" ".join(self.scopes_edit.text().split()),
        )
        if self._original is not None:
            # Keeps what this dialog does not edit (the default partner).
            profile = dataclasses.replace(profile, default_partner=self._original.default_partner)
        return profile

    def _fit_height(self) -> None:
        layout = self.layout()
        if layout is not None:
            layout.activate()
        self.resize(self.width(), self.sizeHint().height())

    def done(self, result: int) -> None:
        if self._test_task is not None and not self._test_task.done():
            self._test_task.cancel()  # Cancel while testing: nothing is saved or reported
            self._end_test()  # the task may not have started, so its finally may never run
        super().done(result)
