"""Making text from outside (a server's error body, a proxy's page) safe to show as plain text.

A server answer can carry terminal escape sequences (clear the screen, retitle the window, an
OSC 8 hyperlink that shows one address and opens another), C1 control characters that some
terminals read as escapes, and bidi overrides that make a line read differently from what it
contains ("Trojan source"). None of that belongs in a message box, a CLI error line or a log.
"""

from __future__ import annotations

import re

# Escape sequences, 7-bit (ESC ...) and 8-bit (C1) forms alike:
# - OSC (ESC ] / U+009D) and DCS, SOS, PM, APC (ESC P X ^ _ / U+0090 U+0098 U+009E U+009F) run
#   to BEL or ST (ESC \ / U+009C); an unterminated one runs to the end, as a terminal would
#   swallow it. OSC 8 links are OSC sequences, so the link target goes and the label stays.
# - CSI (ESC [ / U+009B): parameter bytes, intermediate bytes, one final byte.
# - any other ESC: optional intermediate bytes and one final byte (ESC c, ESC ( B, ESC 7…).
_STRING_SEQUENCE = re.compile(
    r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
)
_CSI_SEQUENCE = re.compile(r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?")
_OTHER_ESCAPE = re.compile(r"\x1b[\x20-\x2f]*[\x30-\x7e]?")
# C0 except tab and newline, DEL, C1; then the bidi embeddings, overrides and isolates.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def plain_text(text: str) -> str:
    """``text`` without control characters, escape sequences or bidi overrides.

    Newlines and tabs stay; ``\\r\\n`` becomes ``\\n`` and a lone ``\\r`` (which would let a
    later part of a line overwrite an earlier one in a terminal) is dropped. Ordinary Unicode
    (accents, CJK, emoji, right-to-left letters themselves) is kept as it is.
    """
    if text.isprintable():  # the common case: nothing to do, no copies
        return text
    text = text.replace("\r\n", "\n")
    text = _STRING_SEQUENCE.sub("", text)
    text = _CSI_SEQUENCE.sub("", text)
    text = _OTHER_ESCAPE.sub("", text)
    return _CONTROL.sub("", text)
