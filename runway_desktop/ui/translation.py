"""The UI's translations: which translators ``--lang`` installs, and the marker for texts kept
in module-level constants.

Every user-visible text in ``ui/`` goes through Qt: ``self.tr("…")`` in a QObject subclass,
``QCoreApplication.translate("Context", "…")`` in a module-level function. A constant built at
import time (before any translator is installed) is marked with ``QT_TRANSLATE_NOOP`` so that
``pyside6-lupdate`` extracts it under that context, and translated where it is shown, with
``translated(context, constant)``. ``resources/translations/README.md`` has the build steps.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

from runway_desktop.base.resources import resource_path
from runway_desktop.base.words import QT_TRANSLATE_NOOP, install_lookup
from runway_desktop.ui.pseudo_locale import PseudoTranslator

log = logging.getLogger(__name__)

PSEUDO = "pseudo"
# The marker for ui/'s constants is the core's (PySide6's own is typed as returning ``object``).
__all__ = ["PSEUDO", "QT_TRANSLATE_NOOP", "install_translators", "translated"]


def translated(context: str, source: str) -> str:
    """A text marked with ``QT_TRANSLATE_NOOP``, translated now."""
    return QCoreApplication.translate(context, source)


def install_translators(app: QCoreApplication, lang: str) -> list[QTranslator]:
    """Install the translators for ``lang`` ("pseudo", or a code such as "fr" or "pt_BR"):
    the app's own ``resources/translations/runway_desktop_<lang>.qm`` and Qt's ``qtbase``
    (its dialogs' buttons) where they exist. English needs none: the sources are English."""
    # The core's own words (a submission's state) are looked up through Qt from now on.
    install_lookup(QCoreApplication.translate)
    if lang == PSEUDO:
        pseudo = PseudoTranslator(app)
        app.installTranslator(pseudo)
        return [pseudo]
    installed: list[QTranslator] = []
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    own = resource_path("translations", f"runway_desktop_{lang}.qm")
    for name, folder in ((f"qtbase_{lang}", qt_dir), (own.name, str(own.parent))):
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            installed.append(translator)
    if not own.is_file():
        log.warning("no translation for %r: %s is missing", lang, own)
    return installed
