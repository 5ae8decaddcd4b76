"""The bundle registry: metadata model, snapshot/refresh, local validation and file preflight.

The registry loader/refresher lives in ``bundles.registry`` and is not re-exported here: it
imports httpx, which nothing on the window's start-up path should pay for.
"""

from runway_desktop.bundles.model import (
    API_YEAR,
    Bundle,
    InputFile,
    InputParam,
    Registry,
    RegistryFormatError,
    parse_registry,
    parse_registry_bytes,
)
from runway_desktop.bundles.preflight import (
    MAX_UPLOAD_BYTES,
    PreflightReport,
    file_changed_since,
    inspect_file,
    preflight_file,
    upload_name,
)
from runway_desktop.bundles.validation import Problem, build_params, validate_submission

__all__ = [
    "API_YEAR",
    "MAX_UPLOAD_BYTES",
    "Bundle",
    "InputFile",
    "InputParam",
    "PreflightReport",
    "Problem",
    "Registry",
    "RegistryFormatError",
    "build_params",
    "file_changed_since",
    "inspect_file",
    "parse_registry",
    "parse_registry_bytes",
    "preflight_file",
    "upload_name",
    "validate_submission",
]
