"""Counting blocks of plain CSV rows with C-level bytes operations, for the streaming scan.

The csv module makes a Python string of every cell. That is what a whole-file check of a large
export spends its time on, and while a submission sends its files, the job can only start once
every file's check has passed. So :mod:`csv_scan` hands each line-aligned block to
:class:`BlockCounter` first. The counter either proves that the csv module would read the block
as N data rows, none blank and none wider than the header (and then says N), or says None, and
the block goes through the csv module. It never guesses: a block it cannot prove goes to the
csv module.

This fast path earns its place: on the STAR benchmark's three 200 MB files (quoted cells with
commas in them; one core of the 2-vCPU VM), the csv module alone reads ~30 MB/s, the earlier
regex-per-block counter ~100–180 MB/s, and this counter ~400–480 MB/s (``splitlines``-class
operations at 2–3 GB/s each, a few per block).

A block is counted when:

- it ends in ``\\n``, and every ``\\r`` in it ends a line (``\\r\\n``);
- no line is near the csv module's field size limit;
- every quote is simple: a field that is ``"text"`` as a whole, with no quote or line end in
  the text (then the csv module gives the text, and a delimiter in it is not a separator);
- no line has more fields than the header (the scan counts those one by one), none is empty,
  and none holds only blanks, quotes and delimiters (rows that may be blank; shorter rows are
  fine: the scan counts them as rows too);
- its bytes decode (``validate``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from operator import itemgetter

# A block's first line with more quotes than this share of its bytes (MAP Growth quotes every
# cell, "" included) is checked by one regular expression, not split at every quote: above
# ~1 quote in 16 bytes the split's per-piece cost is higher than the regex's per-byte cost.
DENSE_QUOTES = 1 / 16

_first = itemgetter(0)
_last = itemgetter(-1)


def _class(members: set[int]) -> bytes:
    """A regex character class's inside: ``members`` as \\xNN escapes."""
    return b"".join(b"\\x%02x" % b for b in sorted(members))


def maybe_blank_bytes(keep: set[int]) -> bytes:
    """Bytes that may be blank in a cell, other than those in ``keep``: ASCII whitespace (what
    ``str.strip`` removes) and every non-ASCII byte (``\\xa0`` is a no-break space in
    Windows-1252 and starts one in UTF-8)."""
    return bytes(b for b in range(256) if b not in keep and (b >= 0x80 or chr(b).isspace()))


class BlockCounter:
    """Counts the rows of blocks that hold only plain rows (see the module's doc)."""

    def __init__(
        self,
        delimiter: bytes,
        width: int,
        field_limit: int,
        validate: Callable[[bytes], object] | None,
    ) -> None:
        """``delimiter``: one byte, not a quote or line end; ``width``: the header's fields;
        ``validate``: raises if a block with non-ASCII bytes does not decode (None: any does)."""
        if len(delimiter) != 1 or delimiter in b'"\r\n':
            raise ValueError(f"not a delimiter the block counter can use: {delimiter!r}")
        self._delim = delimiter
        self._width = width
        self._validate = validate
        # Lines shorter than this have no field over the limit (bytes ≥ characters).
        self._window = max(1, field_limit // 2)
        structure = {ord("\n"), delimiter[0]}
        self._not_structure = bytes(b for b in range(256) if b not in structure)
        self._too_wide = delimiter * width
        blank = maybe_blank_bytes(structure)
        self._not_content = blank + b'"' + delimiter  # what a blank row may hold besides \n
        solid = set(range(256)) - set(self._not_content) - {10}
        self._solid = frozenset(solid)
        # A line that does not start with a solid byte (an empty one included), and a lone \r:
        # searched for from their first byte, which the regex engine finds fast (~3 GB/s).
        self._unsolid_start = re.compile(b"\n[" + _class(set(range(256)) - solid) + b"]")
        self._lone_cr = re.compile(b"\r[^\n]")
        self._after_close = delimiter + b"\r\n"
        self._before_open = delimiter + b"\n"
        self._dense: re.Pattern[bytes] | None = None

    def count(self, block: bytes) -> int | None:
        """The rows in ``block`` if it holds only plain rows, else None; raises what
        ``validate`` raises (the block is then not valid in the scan's encoding)."""
        if not block.endswith(b"\n"):
            return None
        step = self._window
        for start in range(0, len(block), step):
            if block.find(b"\n", start, start + step) < 0:
                return None  # a line longer than a window: maybe a field over the limit
        if b"\r" in block and self._lone_cr.search(block):
            return None  # a lone \r: a line end of its own
        first_line = block[: block.find(b"\n") + 1]
        if b'"' not in block:
            outside: bytes | None = block
        elif first_line.count(b'"') > len(first_line) * DENSE_QUOTES:
            if not self._simple_rows(block):
                return None
            outside = None  # the regex saw the widths too
        else:
            outside = self._outside_quotes(block)
            if outside is None:
                return None
        if outside is None:
            lines = block.count(b"\n")
        else:
            structure = outside.translate(None, self._not_structure)
            if self._too_wide in structure:
                return None  # a row with more fields than the header
            lines = structure.count(b"\n")  # no line end is quoted
        if block[0] not in self._solid or self._unsolid_start.search(block):
            # Some line starts with a quote, a blank, a delimiter or its end: look at every byte.
            content = block.translate(None, self._not_content)
            if content.startswith(b"\n") or b"\n\n" in content:
                return None  # an empty line, or a row that may hold only blanks
        self._check_encoding(block)
        return lines

    def _outside_quotes(self, block: bytes) -> bytes | None:
        """``block`` without its quoted fields, if every quote in it is simple; else None."""
        parts = block.split(b'"')
        if not len(parts) & 1:
            return None  # an odd number of quotes
        # Even pieces are outside quotes, odd ones inside (the block starts outside a quote).
        outside = parts[0::2]
        if b"\n" in b"".join(parts[1::2]):
            return None  # a quoted line end (a \r is caught by the \r\n check)
        before_open = outside[:-1] if outside[0] else outside[1:-1]  # b"": the block's start
        try:
            # A closing quote ends its field; an opening one starts a field.
            if bytes(map(_first, outside[1:])).translate(None, self._after_close):
                return None
            if bytes(map(_last, before_open)).translate(None, self._before_open):
                return None
        except IndexError:
            return None  # two quotes in a row outside a field's start: "a""b" and the like
        return b"".join(outside)

    def _simple_rows(self, block: bytes) -> bool:
        """One regex for blocks of mostly quoted cells: is every line 1 to ``width`` simple
        fields, plain or quoted?"""
        if self._dense is None:
            delim = re.escape(self._delim)
            cell = b'(?:"[^"\r\n]*+"|[^"\r\n' + delim + b"]*+)"
            more = b"(?:" + delim + cell + b"){0,%d}+" % (self._width - 1)
            self._dense = re.compile(b"(?:" + cell + more + b"\r?\n)*+")
        return self._dense.fullmatch(block) is not None

    def _check_encoding(self, block: bytes) -> None:
        if self._validate is not None and not block.isascii():
            self._validate(block)
