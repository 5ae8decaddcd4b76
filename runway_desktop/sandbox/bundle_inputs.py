"""What each bundle's earthmover run needs of its inputs, and which files it writes.

The sandbox's own data (resources/sandbox_bundles.json, made by tools/build_sandbox_bundles.py
from the bundles' earthmover.yaml), never the client's signature index: a mistake shared by
the app and its practice server would hide in both. The executor fails a run whose input
lacks what the transformation names, as Runway's ``earthmover_run`` does within seconds, and
a run that succeeds writes the files the bundle's ``destinations:`` name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from runway_desktop.base.resources import resource_path

DATA_FILE = "sandbox_bundles.json"


@dataclass(frozen=True)
class SlotNeeds:
    required: tuple[str, ...] = ()
    student_id_any: tuple[str, ...] = ()  # one of these, for the roster match
    column_count: int | None = None  # the source names its columns: the file must have these
    # The rows (0-based) that name the columns, as the source's ``header_rows`` says: a count
    # puts the names on its last row (CIRCLE: 3 -> row 2), a list is joined (TX_KEA: [0, 2]).
    header_rows: tuple[int, ...] = (0,)
    # The source can read a fixed-width text file, whose columns its colspecs name by position.
    fixed_width: bool = False

    def problem(self, header: list[str] | None) -> str | None:
        """Why earthmover would stop on a file with ``header``; None when it would run.
        Names are compared as earthmover does: exactly, bar the surrounding spaces. A
        fixed-width file (no header, ``None``) is named by the bundle itself."""
        if header is None:
            return None
        names = {h.strip().lstrip("\ufeff") for h in header}
        if self.column_count is not None and len(header) != self.column_count:
            return f"expected {self.column_count} columns, found {len(header)}"
        missing = [c for c in self.required if c not in names]
        if self.student_id_any and not names & set(self.student_id_any):
            missing.append(" or ".join(self.student_id_any))
        if missing:
            return "columns not present: " + ", ".join(missing)
        return None

    def split(self, records: list[list[str]]) -> tuple[list[str] | None, list[list[str]]]:
        """(column names, the records after them) of a file's first records, read the way the
        bundle reads it. Blank records above a one-row header are skipped, as before it; the
        names are None for a one-column file the bundle reads as fixed width."""
        if self.header_rows == (0,):
            start = next((i for i, r in enumerate(records) if any(c.strip() for c in r)), None)
            if start is None:
                return [], []
            if self.fixed_width and len(records[start]) == 1:
                return None, records[start:]
            return records[start], records[start + 1 :]
        labels = [records[i] for i in self.header_rows if i < len(records)]
        return column_names(labels), records[max(self.header_rows) + 1 :]


def column_names(header_rows: list[list[str]]) -> list[str]:
    """One name per column from the rows that name them: earthmover fills a sparse label row
    to the right and joins the levels with "__" ("Reading Results__Score"); a column left of
    every label keeps its own name."""
    if len(header_rows) == 1:
        return list(header_rows[0])
    width = max((len(r) for r in header_rows), default=0)
    filled: list[list[str]] = []
    for level, row in enumerate(header_rows):
        cells = [c.strip() for c in row] + [""] * (width - len(row))
        if level < len(header_rows) - 1:  # labels above the names span the columns after them
            for i in range(1, width):
                cells[i] = cells[i] or cells[i - 1]
        filled.append(cells)
    return ["__".join(part for part in parts if part) for parts in zip(*filled, strict=True)]


@dataclass(frozen=True)
class BundleNeeds:
    slots: dict[str, SlotNeeds]
    destinations: tuple[str, ...]


@cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resource_path(DATA_FILE).read_text(encoding="utf-8"))
    return data


def bundle_needs(bundle: str) -> BundleNeeds | None:
    """None for a bundle the snapshot has no earthmover.yaml for (judged by the old rules)."""
    raw = _data()["bundles"].get(bundle)
    if raw is None:
        return None
    slots = {
        env: SlotNeeds(
            tuple(s.get("required") or ()),
            tuple(s.get("student_id_any") or ()),
            s.get("column_count"),
            tuple(s.get("header_rows") or (0,)),
            bool(s.get("fixed_width")),
        )
        for env, s in raw["slots"].items()
    }
    return BundleNeeds(slots, tuple(raw["destinations"]))
