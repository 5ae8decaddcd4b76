"""The bundle registry: metadata model, snapshot/refresh, local validation and file preflight."""

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
from runway_desktop.bundles.registry import (
    DEFAULT_URL,
    RefreshOutcome,
    RefreshResult,
    RegistryProvider,
    RegistrySource,
    load_snapshot,
)
from runway_desktop.bundles.validation import Problem, build_params, validate_submission

__all__ = [
    "API_YEAR",
    "DEFAULT_URL",
    "MAX_UPLOAD_BYTES",
    "Bundle",
    "InputFile",
    "InputParam",
    "PreflightReport",
    "Problem",
    "RefreshOutcome",
    "RefreshResult",
    "Registry",
    "RegistryFormatError",
    "RegistryProvider",
    "RegistrySource",
    "build_params",
    "file_changed_since",
    "inspect_file",
    "load_snapshot",
    "parse_registry",
    "parse_registry_bytes",
    "preflight_file",
    "upload_name",
    "validate_submission",
]
