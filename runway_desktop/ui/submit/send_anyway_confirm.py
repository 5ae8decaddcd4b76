"""The question "Send anyway?" asked before files that look wrong are sent.

Window-modal but not blocking (``open()``, never ``exec()``): the app's event loop keeps
running, and a test can find the box and press its buttons like a user.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

from runway_desktop.core.submit.events import Mismatch


def confirm_texts(mismatches: Sequence[Mismatch]) -> tuple[str, str]:
    """The box's question and its details: each file, what the check said of it, and what
    sending it means (said plainly when Runway's run will most likely fail)."""
    files = sorted({m.file_name for m in mismatches})
    if len(files) == 1:
        question = QCoreApplication.translate("SendAnywayConfirm", "Send “{file}” anyway?")
    else:
        question = QCoreApplication.translate(
            "SendAnywayConfirm", "Send these {count} files anyway?"
        )
    question = question.format(file=files[0] if files else "", count=len(files))
    lines = [f"• {m.text}" for m in mismatches]  # the core's words about each file
    if any(m.run_will_fail for m in mismatches):
        outlook = QCoreApplication.translate(
            "SendAnywayConfirm",
            "Runway will most likely fail to process a file like this, and then no output "
            "comes. Send it only if you are sure it is the right file.",
        )
    else:
        outlook = QCoreApplication.translate(
            "SendAnywayConfirm",
            "Runway will process the file as it is. Send it only if you are sure it is "
            "the right file.",
        )
    lines.append("\n" + outlook)
    lines.append(
        QCoreApplication.translate(
            "SendAnywayConfirm", "History will record that you chose to send it anyway."
        )
    )
    return question, "\n".join(lines)


class SendAnywayConfirm(QMessageBox):
    """Emits ``confirmed`` when the user presses "Send anyway"; "Go back" is the default."""

    confirmed = Signal()

    def __init__(self, mismatches: Sequence[Mismatch], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SendAnywayConfirm")
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle(self.tr("Send anyway?"))
        question, details = confirm_texts(mismatches)
        self.setText(question)
        self.setInformativeText(details)
        self.send_button = self.addButton(self.tr("Send anyway"), QMessageBox.ButtonRole.AcceptRole)
        self.back_button = self.addButton(self.tr("Go back"), QMessageBox.ButtonRole.RejectRole)
        # A reflexive Enter must not send a file that looks wrong.
        self.setDefaultButton(self.back_button)
        self.setEscapeButton(self.back_button)
        self.buttonClicked.connect(self._on_clicked)

    def _on_clicked(self, button: QAbstractButton) -> None:
        if button is self.send_button:
            self.confirmed.emit()
