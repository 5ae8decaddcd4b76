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

    def problem(self, header: list[str]) -> str | None:
        """Why earthmover would stop on a file with ``header``; None when it would run.
        Names are compared as earthmover does: exactly, bar the surrounding spaces."""
        names = {h.strip().lstrip("\ufeff") for h in header}
        if self.column_count is not None and len(header) != self.column_count:
            return f"expected {self.column_count} columns, found {len(header)}"
        missing = [c for c in self.required if c not in names]
        if self.student_id_any and not names & set(self.student_id_any):
            missing.append(" or ".join(self.student_id_any))
        if missing:
            return "columns not present: " + ", ".join(missing)
        return None


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
        )
        for env, s in raw["slots"].items()
    }
    return BundleNeeds(slots, tuple(raw["destinations"]))
