"""The little TOML a batch plan needs, written by hand: strings, integers, keys and comments.

The standard library reads TOML (``tomllib``) but does not write it, and a plan is a handful
of strings in tables: not worth a dependency. What matters is the escaping, since file and
folder names can hold quotes, backslashes, control characters or any script, and a plan must
read back exactly as it was written (tested by a round trip through ``tomllib``).
"""

from __future__ import annotations

import re

# TOML 1.0, basic strings: a quotation mark, a backslash and every control character but tab
# must be escaped (U+0000-U+0008, U+000A-U+001F, U+007F).
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
# C1 controls and the bidi embeddings, overrides and isolates are escaped too, though TOML
# allows them raw: a plan shown in a terminal must not act on them or read reordered.
_MUST_ESCAPE = re.compile(r'["\\\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]')
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
# A comment may hold any character but the control characters (tab aside); C1 and bidi
# controls go too, as in strings.
_NOT_IN_COMMENT = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]+")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _SHORT_ESCAPES.get(char) or f"\\u{ord(char):04X}"


def string(value: str) -> str:
    """``value`` as a TOML basic string. A lone surrogate (a file name that is not valid text,
    as Python keeps undecodable bytes) has no TOML form: ValueError, for the caller to word."""
    if _SURROGATE.search(value):
        raise ValueError(f"{value!r} is not valid text")
    return '"' + _MUST_ESCAPE.sub(_escape, value) + '"'


def key(name: str) -> str:
    """A key: bare when TOML allows it (``INPUT_FILE``), quoted otherwise."""
    return name if _BARE_KEY.fullmatch(name) else string(name)


def pair(name: str, value: str | int, note: str = "") -> str:
    """``name = value``, with ``note`` as a comment at the end of the line."""
    text = f"{key(name)} = {value if isinstance(value, int) else string(value)}"
    return f"{text}  {comment(note)}" if note else text


def comment(text: str) -> str:
    """``# text`` on one line: line breaks and other control characters become spaces."""
    return "# " + _NOT_IN_COMMENT.sub(" ", text).strip()


def is_valid_text(value: str) -> bool:
    return _SURROGATE.search(value) is None
