"""Where a downloaded output set goes on disk: one readable folder per set.

``<root>/<partner>/<tenant>/<school year>/<assessment>/<created>_<set uid short>/``, every
segment made safe (server-provided values never choose a path of their own).
"""

from __future__ import annotations

from pathlib import Path

from runway_desktop.api.filenames import safe_filename
from runway_desktop.api.models import OutputSet
from runway_desktop.base.formatting import school_year_folder


def set_folder(root: Path, output_set: OutputSet, assessment_name: str) -> Path:
    created = output_set.created_at.astimezone().strftime("%Y-%m-%d_%H%M%S")
    parts = (
        output_set.partner,
        output_set.tenant,
        school_year_folder(output_set.school_year),
        assessment_name,
        f"{created}_{output_set.uid[:8]}",
    )
    return root.joinpath(*(safe_filename(part) for part in parts))
