"""The short form of “Connect to Runway”: the five fields every setup needs.

Each field sits in a cell with its error line below it; the addresses carry the unencrypted
warning and the client secret its note (and, with no keyring, the session-only offer). The
dialog reads the fields as ``FormValues``, and the core's checks come back here to be shown
next to their fields. What the values mean (a profile, the stored secret) stays the dialog's.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLineEdit, QToolButton, QWidget

from runway_desktop.core.connection_check import FieldName, FormValues, field_problems
from runway_desktop.settings import Profile, SecretStore
from runway_desktop.settings.preferences import PreferencesStore
from runway_desktop.ui.settings.address_warning import AddressWarning
from runway_desktop.ui.settings.form_parts import add_row, hint, name_fields, stacked
from runway_desktop.ui.settings.secret_keeping import SessionOnlyOffer
from runway_desktop.ui.widgets.field_error import FieldError


class ConnectionFields(QWidget):
    """Connection name, Runway API URL, Token URL, Client ID and Client secret."""

    def __init__(
        self,
        secrets: SecretStore,
        preferences: PreferencesStore,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._errors: dict[FieldName, FieldError] = {}
        self.name_edit = QLineEdit()
        self.api_url_edit = QLineEdit()
        self.api_url_edit.setPlaceholderText("https://runway.example.org/api/v1")
        self.token_url_edit = QLineEdit()
        self.token_url_edit.setPlaceholderText("https://login.example.org/…/token")
        self.client_id_edit = QLineEdit()
        self.secret_edit = QLineEdit()
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.show_secret_button = QToolButton()
        self.show_secret_button.setText(self.tr("S&how"))
        self.show_secret_button.setCheckable(True)
        self.show_secret_button.setToolTip(self.tr("Show or hide the client secret"))
        self.secret_note = hint(secrets.status_message)
        self.session_offer = SessionOnlyOffer(
            preferences, self.secret_note, keyring_missing=secrets.keyring_missing
        )
        self.api_url_warning = AddressWarning()
        self.token_url_warning = AddressWarning()
        self._name_fields()
        self._edits: dict[FieldName, QLineEdit] = {
            "name": self.name_edit,
            "api_url": self.api_url_edit,
            "token_url": self.token_url_edit,
            "client_id": self.client_id_edit,
            "secret": self.secret_edit,
        }

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)  # laid out as if the dialog held the rows itself
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        name_box = self._with_error("name", self.name_edit)
        add_row(form, self.tr("Connection &name:"), name_box, self.name_edit)
        api_box = self._with_error("api_url", self.api_url_edit, self.api_url_warning)
        add_row(form, self.tr("Runway &API URL:"), api_box, self.api_url_edit)
        token_box = self._with_error("token_url", self.token_url_edit, self.token_url_warning)
        add_row(form, self.tr("T&oken URL:"), token_box, self.token_url_edit)
        client_box = self._with_error("client_id", self.client_id_edit)
        add_row(form, self.tr("&Client ID:"), client_box, self.client_id_edit)
        secret_row = QHBoxLayout()
        secret_row.setContentsMargins(0, 0, 0, 0)
        secret_row.addWidget(self.secret_edit, 1)
        secret_row.addWidget(self.show_secret_button)
        secret_box = QWidget()
        secret_box.setLayout(secret_row)
        add_row(
            form,
            self.tr("Client s&ecret:"),
            self._with_error("secret", secret_box, self.secret_note, self.session_offer),
            self.secret_edit,
        )

        self.show_secret_button.toggled.connect(self.on_show_secret_toggled)
        self.api_url_edit.textChanged.connect(self.on_address_changed)
        self.token_url_edit.textChanged.connect(self.on_address_changed)
        for field, edit in self._edits.items():
            edit.textEdited.connect(lambda _text, f=field: self.set_error(f, ""))

    def _name_fields(self) -> None:
        # Each field sits in a cell with its error line below it, so the row's label is not
        # its sibling and Qt would not read it as the name: the names are given outright.
        name_fields({
            self.name_edit: (
                self.tr("Connection name"), self.tr("Any name, to tell this connection apart.")
            ),
            self.api_url_edit: (
                self.tr("Runway API URL"), self.tr("Runway's address, starting with https://")
            ),
            self.token_url_edit: (
                self.tr("Token URL"), self.tr("The sign-in address, starting with https://")
            ),
            self.client_id_edit: (
                self.tr("Client ID"), self.tr("From your Runway administrator.")
            ),
            self.secret_edit: (self.tr("Client secret"), self.secret_note.text()),
        })  # fmt: skip
        self.show_secret_button.setAccessibleDescription(self.tr("Show or hide the client secret"))

    def _with_error(self, field: FieldName, widget: QWidget, *extra: QWidget) -> QWidget:
        error = FieldError()
        self._errors[field] = error
        return stacked(widget, error, *extra)

    # --- values in and out --------------------------------------------------------------

    def fill(self, profile: Profile, *, secret_stored: bool) -> None:
        """Show ``profile``'s fields; the secret itself is never shown, only whether one is
        stored (typing a new one replaces it)."""
        self.name_edit.setText(profile.name)
        self.api_url_edit.setText(profile.api_base_url)
        self.token_url_edit.setText(profile.token_url)
        self.client_id_edit.setText(profile.client_id)
        self.secret_edit.setPlaceholderText(
            self.tr("Unchanged (type to replace)")
            if secret_stored
            else self.tr("Not remembered: type the client secret again")
        )

    def values(self, *, has_stored_secret: bool) -> FormValues:
        return FormValues(
            name=self.name_edit.text().strip(),
            api_url=self.api_url_edit.text().strip(),
            token_url=self.token_url_edit.text().strip(),
            client_id=self.client_id_edit.text().strip(),
            secret=self.secret_edit.text().strip(),
            has_stored_secret=has_stored_secret,
        )

    # --- errors -------------------------------------------------------------------------

    def error_text(self, field: FieldName) -> str:
        """The message shown next to ``field`` ("" when none is shown)."""
        label = self._errors[field]
        return label.text() if not label.isHidden() else ""

    def show_problems(self, values: FormValues) -> bool:
        """Show each field's problem next to it; True when there are none."""
        problems = field_problems(values)
        for field in self._errors:
            self.set_error(field, problems.get(field, ""))
        if problems:
            first = next(iter(problems))
            self._edits[first].setFocus()
        return not problems

    def set_error(self, field: FieldName, message: str) -> None:
        self._errors[field].show_message(message)

    # --- slots --------------------------------------------------------------------------

    def on_show_secret_toggled(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.secret_edit.setEchoMode(mode)
        self.show_secret_button.setText(self.tr("H&ide") if shown else self.tr("S&how"))

    def on_address_changed(self, _text: str) -> None:
        self.api_url_warning.follow(self.api_url_edit.text())
        self.token_url_warning.follow(self.token_url_edit.text())
