"""Where a downloaded output set goes on disk: one readable folder per set.

``<root>/<partner>/<tenant>/<school year>/<assessment>/<created>_<set uid short>/``, every
segment made safe (server-provided values never choose a path of their own).
"""

from __future__ import annotations

from pathlib import Path

from runway_desktop.api.filenames import safe_filename
from runway_desktop.api.models import OutputSet


def school_year_label(end_year: str) -> str:
    """End year "2026" -> "2025-26" (Runway's years are named by the year they end in)."""
    if len(end_year) == 4 and end_year.isdigit():
        end = int(end_year)
        return f"{end - 1}-{end % 100:02d}"
    return end_year


def set_folder(root: Path, output_set: OutputSet, assessment_name: str) -> Path:
    created = output_set.created_at.astimezone().strftime("%Y-%m-%d_%H%M%S")
    parts = (
        output_set.partner,
        output_set.tenant,
        school_year_label(output_set.school_year),
        assessment_name,
        f"{created}_{output_set.uid[:8]}",
    )
    return root.joinpath(*(safe_filename(part) for part in parts))
