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

from collections.abc import Callable, Hashable, Iterator, Mapping
from typing import TypeVar

Lookup = Callable[[str, str], str]
K = TypeVar("K", bound=Hashable)


def _as_written(context: str, source: str) -> str:
    return source


_lookup: Lookup = _as_written


def QT_TRANSLATE_NOOP(context: str, source: str) -> str:  # noqa: N802  (the name lupdate reads)
    """Marks ``source`` for ``pyside6-lupdate`` under ``context``; returns it as written."""
    return source


def localized(context: str, source: str) -> str:
    """``source`` (a text marked with :func:`QT_TRANSLATE_NOOP`) in the installed language."""
    return _lookup(context, source)


def translate(context: str, source: str) -> str:
    """``source`` in the installed language, marked where it is written: ``pyside6-lupdate``
    extracts a ``translate("Context", "literal")`` call as it does Qt's own. For a text built
    when it is needed (an error's message): ``translate("RunwayError", "… {name} …")
    .format(name=…)``; the literal stays one plain string (no f-string), or lupdate cannot
    read it."""
    return _lookup(context, source)


def install_lookup(lookup: Lookup | None) -> None:
    """Use ``lookup`` for every later :func:`localized`; ``None`` goes back to English."""
    global _lookup
    _lookup = lookup or _as_written


class LocalizedWords(Mapping[K, str]):
    """A table of marked words (each value a :func:`QT_TRANSLATE_NOOP` under ``context``) that
    answers in the installed language: ``WORDS[key]`` and ``WORDS.items()`` are looked up when
    read, so a table built at import still follows a translator installed later."""

    def __init__(self, context: str, sources: Mapping[K, str]) -> None:
        self.context = context
        self._sources = dict(sources)

    def __getitem__(self, key: K) -> str:
        return _lookup(self.context, self._sources[key])

    def __iter__(self) -> Iterator[K]:
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)

    def source(self, key: K) -> str:
        """The word as written (English): for files and logs that stay in one language."""
        return self._sources[key]
