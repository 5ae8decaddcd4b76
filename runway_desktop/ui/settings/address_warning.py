"""The warning for a connection address that is not encrypted (``http://`` to another
computer): the client secret and the district's files would cross the network in the clear.

``http://`` to this computer (the practice server, a local proxy) stays quiet: nothing leaves
the machine. The rule is a pure function so that it is the same wherever it is asked.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from PySide6.QtWidgets import QLabel, QWidget

from runway_desktop.ui.translation import QT_TRANSLATE_NOOP, translated

# Translated where shown (``translated``, context "AddressWarning").
UNENCRYPTED_MESSAGE = QT_TRANSLATE_NOOP(
    "AddressWarning",
    "This address is not encrypted: the secret and your data would travel in the clear. "
    "Use https://",
)
SAVE_ANYWAY_TEXT = QT_TRANSLATE_NOOP("AddressWarning", "Save anyway")


def is_unencrypted(url: str) -> bool:
    """True for an ``http://`` address whose host is not this computer."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() != "http":
        return False
    host = (parts.hostname or "").lower()
    if not host:
        return False  # not an address at all: the field's own check says so
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True  # a name: it may resolve anywhere


class AddressWarning(QLabel):
    """Under an address field: shown while the typed address is unencrypted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(translated("AddressWarning", UNENCRYPTED_MESSAGE), parent)
        self.setObjectName("FieldError")  # the error colour: this is a risk, not a tip
        self.setWordWrap(True)
        self.hide()

    def follow(self, url: str) -> None:
        self.setVisible(is_unencrypted(url))
