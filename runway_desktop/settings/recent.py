"""Values the user typed recently, offered again to save typing (tenants, bundles, school year).

Losing this file costs nothing but a little typing, so a damaged file is simply started over.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from runway_desktop.base.atomic_files import atomic_write_json

RECENT_FILE_NAME = "recent.json"
MAX_RECENT = 10
SCHEMA_VERSION = 1


class RecentValues:
    """Most-recent-first lists, de-duplicated and capped at MAX_RECENT; saved on every change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tenants: dict[str, list[str]] = {}
        self._bundles: list[str] = []
        self._school_year: str | None = None
        self._load()

    def tenants(self, partner: str) -> list[str]:
        return list(self._tenants.get(partner, []))

    def bundle_paths(self) -> list[str]:
        return list(self._bundles)

    @property
    def last_school_year(self) -> str | None:
        return self._school_year

    def remember_tenant(self, partner: str, tenant: str) -> None:
        self._tenants[partner] = _push(self._tenants.get(partner, []), tenant)
        self._save()

    def remember_bundle(self, bundle_path: str) -> None:
        self._bundles = _push(self._bundles, bundle_path)
        self._save()

    def remember_school_year(self, school_year: str) -> None:
        if school_year.strip():
            self._school_year = school_year.strip()
            self._save()

    def remember_submission(
        self, partner: str, tenant: str, bundle_path: str, school_year: str
    ) -> None:
        """All four at once, with one write, after a successful submission."""
        self._tenants[partner] = _push(self._tenants.get(partner, []), tenant)
        self._bundles = _push(self._bundles, bundle_path)
        if school_year.strip():
            self._school_year = school_year.strip()
        self._save()

    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if not isinstance(data, dict):
            return
        tenants = data.get("tenants")
        if isinstance(tenants, dict):
            self._tenants = {
                str(partner): _clean(values)
                for partner, values in tenants.items()
                if isinstance(values, list)
            }
        self._bundles = _clean(data.get("bundles"))
        year = data.get("school_year")
        self._school_year = year if isinstance(year, str) and year.strip() else None

    def _save(self) -> None:
        data: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "tenants": self._tenants,
            "bundles": self._bundles,
            "school_year": self._school_year,
        }
        # Recent values are a convenience; failing to save them must not stop work.
        with contextlib.suppress(OSError):
            atomic_write_json(self.path, data)


def _push(values: list[str], value: str) -> list[str]:
    value = value.strip()
    if not value:
        return values
    return [value, *[v for v in values if v != value]][:MAX_RECENT]


def _clean(values: object) -> list[str]:
    if not isinstance(values, list):
        return []
    seen = dict.fromkeys(v.strip() for v in values if isinstance(v, str) and v.strip())
    return list(seen)[:MAX_RECENT]
