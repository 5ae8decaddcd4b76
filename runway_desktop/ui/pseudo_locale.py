"""A pseudo-locale: every string the UI translates comes out ~40 % longer and accented, so a
text that is not put through ``tr()`` stands out in English, and a label too narrow for a
longer language is seen clipped before any translator is hired.

``runway-desktop --lang pseudo`` installs it. "Submit" becomes "[Šûƀɱîţ ~~~]": the brackets
show whether the end of a text is cut off. Kept as they are: ``{placeholders}``, Qt's ``%1`` and
``%n``, a mnemonic's ``&`` and its letter (Alt+S still works), ``&&``, HTML tags and entities,
line breaks, URLs, paths and a file dialog's ``(*.csv)`` patterns.
"""

from __future__ import annotations

import math
import re

from PySide6.QtCore import QObject, QTranslator

_PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ACCENTED = "åƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ"
_ACCENT = str.maketrans(_PLAIN, _ACCENTED)
PSEUDO_LETTERS = frozenset(_ACCENTED)
GROWTH = 0.4

# Parts of a text that a translation must keep as they are.
_KEPT = re.compile(
    r"""
      \{[^{}]*\}                        # str.format placeholders: {count}, {size:,}
    | %(?:\d+|n|L\d+)                   # Qt's arguments: %1, %n, %L1
    | &&                                # a literal ampersand
    | &\#?\w+;                          # an HTML entity: &lt; &#8230;
    | <[^<>]*>                          # a tag: <b>, <br>, <a href="…">
    | \b[a-z][a-z0-9+.-]*://\S+         # a URL
    | \(\*[^()]*\)                      # a file dialog's patterns: (*.csv *.CSV)
    | [^\s"“”'()\[\]<>]*[/\\][^\s"“”'()\[\]<>]*  # a path, or anything with a slash in it
    """,
    re.VERBOSE,
)
# What stays after the padding at a line's end: closing tags, a file dialog's patterns.
_TRAILING = re.compile(r"(?:\s*(?:<[^<>]*>|\(\*[^()]*\)))+$")
# Qt asks its translator for these to set itself up; they are keys, not texts.
_QT_KEYS = frozenset({"QT_LAYOUT_DIRECTION"})


def _accent(text: str) -> str:
    """Letters accented; a mnemonic's ``&`` stays before its letter, which is kept plain."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "&" and index + 1 < len(text) and text[index + 1].isalnum():
            out.append(text[index : index + 2])
            index += 2
            continue
        out.append(char.translate(_ACCENT))
        index += 1
    return "".join(out)


def _padding(length: int) -> str:
    """``length`` characters of "~", a space every eight so that word wrap may break them."""
    return "".join(" " if i % 9 == 0 else "~" for i in range(length))


def _line(line: str) -> str:
    if not line.strip():
        return line
    trailing = _TRAILING.search(line)
    body, tail = (line[: trailing.start()], trailing.group()) if trailing else (line, "")
    parts: list[str] = []
    last = 0
    for kept in _KEPT.finditer(body):
        parts.append(_accent(body[last : kept.start()]))
        parts.append(kept.group())
        last = kept.end()
    parts.append(_accent(body[last:]))
    return "".join(parts) + _padding(max(2, math.ceil(len(line) * GROWTH))) + tail


def pseudo(text: str) -> str:
    """``text`` in the pseudo-locale: "[" + each line accented and ~40 % longer + "]"; the
    spaces around it stay outside (a suffix's " hours" is " [ĥöûŕš ~~]")."""
    core = text.strip(" ")
    if not core.strip():
        return text
    start = text.index(core)
    lines = "\n".join(_line(line) for line in core.split("\n"))
    return f"{text[:start]}[{lines}]{text[start + len(core) :]}"


def looks_pseudo(text: str) -> bool:
    """Whether ``text`` went through the pseudo-locale (has an accented letter of its own)."""
    return any(char in PSEUDO_LETTERS for char in text)


class PseudoTranslator(QTranslator):
    """Translates every source text, whatever its context (Qt's own included), into the
    pseudo-locale."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cache: dict[str, str] = {}

    def isEmpty(self) -> bool:
        return False

    def language(self) -> str:
        return "pseudo"

    def translate(
        self,
        context: str,
        source_text: str,
        /,
        disambiguation: str | None = None,
        n: int = -1,
    ) -> str | None:
        if source_text in _QT_KEYS:
            return None  # not translated: Qt keeps its default
        found = self._cache.get(source_text)
        if found is None:
            found = self._cache[source_text] = pseudo(source_text)
        return found
