"""What the Submit form holds, and the one builder that turns it into a SubmissionRequest.

The GUI's form, History's Resume and Resubmit, and the CLI's ``submit`` all describe a
submission with these values; only here do they become the request the pipeline sends, so
the three cannot drift (which fields, which profile, which earlier checks are reused).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from runway_desktop.bundles.model import Bundle
from runway_desktop.bundles.preflight import PreflightReport
from runway_desktop.core.submit.events import SubmissionRequest
from runway_desktop.settings import Profile


@dataclass(frozen=True)
class FormValues:
    partner: str
    tenant: str
    school_year: str  # end year, "2026" = 2025–26
    bundle: Bundle | None
    params: dict[str, str] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)  # env var -> chosen file


def submission_request(
    profile: Profile,
    values: FormValues,
    reports: Mapping[str, PreflightReport] | None = None,
    *,
    accepted_mismatches: tuple[str, ...] = (),
) -> SubmissionRequest:
    """The request for ``values`` sent with ``profile``; ``reports`` are checks already made
    (re-used by the pipeline when the file is unchanged); ``accepted_mismatches`` what the
    user chose to send anyway ("Send anyway…", ``--accept-mismatch``)."""
    if values.bundle is None:
        raise ValueError("no assessment chosen")
    return SubmissionRequest(
        profile_name=profile.name,
        api_base_url=profile.api_base_url,
        partner=values.partner,
        tenant=values.tenant.strip(),
        school_year=values.school_year.strip(),
        bundle=values.bundle,
        files=dict(values.files),
        params=dict(values.params),
        reports=dict(reports or {}),
        accepted_mismatches=accepted_mismatches,
    )
