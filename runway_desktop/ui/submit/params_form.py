"""The bundle's parameters as form fields: a pick list for allowed values, else a text box.

``API_YEAR`` never appears: Runway sets it from the school year.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QWidget

from runway_desktop.bundles.model import Bundle, InputParam
from runway_desktop.ui.translation import QT_TRANSLATE_NOOP, translated
from runway_desktop.ui.widgets.accessible import name_parts
from runway_desktop.ui.widgets.field_error import FieldError, form_label, with_error

CHOOSE = QT_TRANSLATE_NOOP("ParamsForm", "Choose…")  # translated where shown


class ParamsForm(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ParamsForm")
        self._layout = QFormLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self._inputs: dict[str, QComboBox | QLineEdit] = {}
        self._errors: dict[str, FieldError] = {}

    def set_bundle(self, bundle: Bundle | None) -> None:
        kept = self.values()
        while self._layout.rowCount():
            self._layout.removeRow(0)
        self._inputs.clear()
        self._errors.clear()
        for param in bundle.user_params if bundle else ():
            self._add(param)
        self.set_values(kept)
        self.setVisible(bool(self._inputs))

    def _add(self, param: InputParam) -> None:
        editor: QComboBox | QLineEdit
        if param.allowed_values is not None:
            combo = QComboBox(self)
            combo.addItem(translated("ParamsForm", CHOOSE), None)
            for value in param.allowed_values:
                combo.addItem(value, value)
            combo.currentIndexChanged.connect(self.changed)
            editor = combo
        else:
            line = QLineEdit(self)
            line.setPlaceholderText(self.tr("Type the value"))
            line.textChanged.connect(self.changed)
            editor = line
        editor.setObjectName(f"param:{param.env_var}")
        editor.setAccessibleName(param.display_name)
        editor.setToolTip(param.env_var)
        label = form_label(_label_text(param), self)
        label.setBuddy(editor)
        error = FieldError(self)
        self._layout.addRow(label, with_error(editor, error))
        name_parts(editor)
        self._inputs[param.env_var] = editor
        self._errors[param.env_var] = error

    def values(self) -> dict[str, str]:
        result = {}
        for env_var, editor in self._inputs.items():
            if isinstance(editor, QComboBox):
                value = editor.currentData()
                if value:
                    result[env_var] = str(value)
            elif editor.text().strip():
                result[env_var] = editor.text().strip()
        return result

    def set_values(self, values: Mapping[str, str]) -> None:
        for env_var, value in values.items():
            editor = self._inputs.get(env_var)
            if isinstance(editor, QComboBox):
                index = editor.findData(value)
                if index >= 0:
                    editor.setCurrentIndex(index)
            elif editor is not None:
                editor.setText(value)

    def editor(self, env_var: str) -> QComboBox | QLineEdit | None:
        return self._inputs.get(env_var)

    def set_error(self, env_var: str, text: str | None) -> None:
        error = self._errors.get(env_var)
        if error is not None:
            error.show_message(text)

    def clear_errors(self) -> None:
        for error in self._errors.values():
            error.show_message(None)


def _label_text(param: InputParam) -> str:
    # One registry entry crams the valid values into its label; keep it, it helps.
    text = param.display_name
    return f"{text} <span style='color:#b3261e'>*</span>" if param.is_required else text
