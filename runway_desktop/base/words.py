"""The core's own words, ready for translation without importing Qt.

The core words what it derives (a submission's state, why a job shows nothing) once, for every
front end. Those texts are module-level constants, built before any translator exists, so they
are marked with :func:`QT_TRANSLATE_NOOP` (``pyside6-lupdate`` extracts them under its context,
as it does for ``ui/``'s constants) and looked up with :func:`localized` when a state is
derived. The lookup is English as written until a front end installs its own: the GUI installs
Qt's (``QCoreApplication.translate``, thread-safe, so a state derived off the Qt thread is
translated too); the command line keeps English, which scripts compare.
"""

from __future__ import annotations

from collections.abc import Callable

Lookup = Callable[[str, str], str]


def _as_written(context: str, source: str) -> str:
    return source


_lookup: Lookup = _as_written


def QT_TRANSLATE_NOOP(context: str, source: str) -> str:  # noqa: N802  (the name lupdate reads)
    """Marks ``source`` for ``pyside6-lupdate`` under ``context``; returns it as written."""
    return source


def localized(context: str, source: str) -> str:
    """``source`` (a text marked with :func:`QT_TRANSLATE_NOOP`) in the installed language."""
    return _lookup(context, source)


def install_lookup(lookup: Lookup | None) -> None:
    """Use ``lookup`` for every later :func:`localized`; ``None`` goes back to English."""
    global _lookup
    _lookup = lookup or _as_written
