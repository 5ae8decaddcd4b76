"""Runway's error texts (CONTRACT Appendix A) and what each means for the person at the desk.

Runway has no machine-readable error codes (CONTRACT §2): only the HTTP status and the
``message`` prefixes below are stable, so this catalogue branches on exactly those. Used by
:func:`runway_desktop.api.errors.error_from_api_response`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from runway_desktop.api.error_types import (
    ApiDisabled,
    AuthError,
    ErrorDetails,
    JobAlreadyStarted,
    NotFound,
    PermissionDenied,
    RunwayError,
    ServerError,
    ValidationFailed,
)

ADMIN = "Ask your Runway administrator"
# Mid-sentence form; str.lower() would also lower-case "Runway".
ADMIN_LOWER = "ask your Runway administrator"
_REFRESH_BUNDLES = (
    "The app's list of assessments may be out of date: refresh it in Settings, then try again."
)

# DTO field names (camelCase, as the server prints them) -> our field names.
_DTO_FIELDS = {
    "partner": "partner",
    "tenant": "tenant",
    "bundle": "bundle",
    "schoolYear": "school_year",
    "files": "files",
    "params": "params",
}
_FIELD_LABELS = {
    "partner": "partner",
    "tenant": "district (tenant)",
    "bundle": "assessment",
    "school_year": "school year",
    "files": "files",
    "params": "choices",
}


def _dto_error(status: int, messages: list[str]) -> ValidationFailed:
    """Body-validation failure of POST /jobs: one error naming every bad field."""
    fields: list[str] = []
    for text in messages:
        found = _dto_field(text)
        if found and found not in fields:
            fields.append(found)
    labels = ", ".join(_FIELD_LABELS.get(f, f) for f in fields) or "the form"
    return ValidationFailed(
        f"Some details of the submission are missing or not valid: {labels}.",
        next_step="Check the highlighted fields and submit again.",
        fields=tuple(fields),
        status=status,
        server_message="; ".join(messages),
    )


def _dto_field(text: str) -> str | None:
    if text.startswith("School year must be"):
        return "school_year"
    if text.startswith("File names must not be empty"):
        return "files"
    first_word = text.split(" ", 1)[0]
    return _DTO_FIELDS.get(first_word)


def _keys(rest: str) -> tuple[str, ...]:
    return tuple(k.strip() for k in rest.split(",") if k.strip())


def _keyed(kind: str, rest: str, message: str, next_step: str, d: ErrorDetails) -> RunwayError:
    keys = _keys(rest)
    return ValidationFailed(
        message.format(keys=", ".join(keys)),
        next_step=next_step,
        fields=tuple(f"{kind}:{k}" for k in keys),
        **d,
    )


def _bad_request(field: str | None, message: str, next_step: str) -> _Builder:
    def build(rest: str, d: ErrorDetails) -> RunwayError:
        fields = (field,) if field else ()
        return ValidationFailed(message.format(rest), next_step=next_step, fields=fields, **d)

    return build


def _invalid_partner(rest: str, d: ErrorDetails) -> RunwayError:
    return PermissionDenied(
        f"This client may not submit for partner {rest}.",
        next_step=f"{ADMIN} to add the scope partner:{rest}.",
        fields=("partner",),
        **d,
    )


def _invalid_tenant(rest: str, d: ErrorDetails) -> RunwayError:
    # "Invalid tenant. <partner>/<tenant> does not exist" -> show the tenant code alone.
    pair = rest.removesuffix("does not exist").strip()
    tenant = pair.split("/", 1)[-1]
    partner = pair.split("/", 1)[0] if "/" in pair else "this partner"
    return ValidationFailed(
        f"Runway has no district (tenant) {tenant!r} for partner {partner}.",
        next_step=f"Pick the district from the list, or {ADMIN_LOWER} which tenant code to use.",
        fields=("tenant",),
        **d,
    )


def _missing_bundle_in_registry(rest: str, d: ErrorDetails) -> RunwayError:
    # Not retryable: the registry lacks it for good, and it is checked before any job is made.
    return ServerError(
        f"Runway cannot find the assessment {rest} in its bundle registry.",
        next_step=f"{ADMIN}: the assessment may have been renamed or retired.",
        fields=("bundle",),
        **d,
    )


def _job_already_started(rest: str, d: ErrorDetails) -> RunwayError:
    return JobAlreadyStarted(rest, **d)


def _unknown_route(rest: str, d: ErrorDetails) -> RunwayError:
    return NotFound(
        "The API address in Settings does not lead to Runway's External API.",
        next_step="Check the API URL in Settings (it usually ends in /api).",
        **d,
    )


def _partner_not_found(rest: str, d: ErrorDetails) -> RunwayError:
    return NotFound(
        f"Runway has no partner {rest}, or this client may not read its output.",
        next_step=f"Check the partner code in Settings, or {ADMIN_LOWER} "
        f"to add the scope partner:{rest}.",
        fields=("partner",),
        **d,
    )


def _simple(cls: type[RunwayError], message: str, next_step: str, **fixed: Any) -> _Builder:
    def build(rest: str, d: ErrorDetails) -> RunwayError:
        merged: Any = {**d, **fixed}
        return cls(message.format(rest), next_step=next_step, **merged)

    return build


_Builder = Callable[[str, ErrorDetails], RunwayError]

# Prefix -> builder. Order matters where one prefix starts another ("Bundle not found or not
# enabled…" before "Bundle not found:"). Texts are CONTRACT Appendix A verbatim.
_PREFIXES: list[tuple[str, _Builder]] = [
    (
        "No token",
        _simple(
            AuthError,
            "Runway did not receive the sign-in token.",
            "A proxy may be removing the Authorization header: ask your IT team.",
        ),
    ),
    (
        "Invalid token",
        _simple(
            AuthError,
            "Runway did not accept the sign-in token.",
            "Check that the token URL and audience in Settings belong to this Runway server; "
            f"if they do, {ADMIN_LOWER}.",
        ),
    ),
    (
        "Token missing scope claim",
        _simple(
            PermissionDenied,
            "The sign-in token carries no permissions that Runway can read.",
            f"{ADMIN} to give this client its scopes (create:jobs, read:jobs, "
            "read:jobs:output-files and partner:<code>).",
        ),
    ),
    (
        "Insufficient scopes",
        _simple(
            PermissionDenied,
            "This client is not allowed to do this in Runway.",
            f"{ADMIN} to add the missing scope: create:jobs to send files, read:jobs to list "
            "output, read:jobs:output-files to download it.",
        ),
    ),
    (
        "Token must include a client_id or azp claim",
        _simple(
            PermissionDenied,
            "The sign-in service issues tokens without a client id, which Runway needs "
            "to create jobs.",
            f"{ADMIN} to add a client_id or azp claim to this client's tokens.",
        ),
    ),
    (
        "External API is disabled.",
        _simple(
            ApiDisabled,
            "Runway's External API is switched off on this server.",
            f"{ADMIN} to turn it on.",
            retryable=False,
        ),
    ),
    ("Invalid partner code:", _invalid_partner),
    ("Invalid tenant.", _invalid_tenant),
    (
        "Bundle not found or not enabled for partner:",
        _bad_request(
            "bundle",
            "The assessment {} is not turned on for this partner in Runway.",
            f"{ADMIN} to enable it, or pick another assessment.",
        ),
    ),
    ("Bundle not found:", _missing_bundle_in_registry),
    (
        "Invalid school year:",
        _bad_request(
            "school_year",
            "Runway does not know school year {}.",
            "Pick the year the school year ends in (2026 for 2025–26).",
        ),
    ),
    (
        "School year is not enabled:",
        _bad_request(
            "school_year",
            "School year {} is not open for submissions in Runway.",
            f"{ADMIN} to enable it, or pick another school year.",
        ),
    ),
    (
        "No ODS found for school year:",
        _bad_request(
            "school_year",
            "This district has no ODS connected in Runway for school year {}.",
            f"{ADMIN} to connect the ODS for that year.",
        ),
    ),
    (
        "No roster file found and cross-year matching not enabled for school year:",
        _bad_request(
            "school_year",
            "Runway has no student roster to match the scores against for school year {}.",
            f"{ADMIN} to add a roster or turn on cross-year matching.",
        ),
    ),
    (
        "Missing required params:",
        lambda rest, d: _keyed(
            "param", rest, "The assessment needs these choices: {keys}.", "Fill them in.", d
        ),
    ),
    (
        "Invalid param values:",
        lambda rest, d: _keyed(
            "param",
            rest,
            "These choices have a value the assessment does not accept: {keys}.",
            "Pick one of the listed values.",
            d,
        ),
    ),
    (
        "Unexpected params:",
        lambda rest, d: _keyed(
            "param",
            rest,
            "The assessment does not take these choices: {keys}.",
            _REFRESH_BUNDLES,
            d,
        ),
    ),
    (
        "Unexpected files:",
        lambda rest, d: _keyed(
            "file", rest, "The assessment does not take these files: {keys}.", _REFRESH_BUNDLES, d
        ),
    ),
    (
        "Missing required files:",
        lambda rest, d: _keyed(
            "file", rest, "The assessment needs these files: {keys}.", "Add them and submit.", d
        ),
    ),
    ("Job already in progress:", _job_already_started),
    (
        "Job not found:",
        _simple(
            NotFound,
            "Runway has no submission {} that this client may see.",
            "It may belong to a partner this client has no scope for.",
        ),
    ),
    (
        "Some expected files were not found.",
        _simple(
            ValidationFailed,
            "Runway did not receive all the files of this submission.",
            "Send the files again as a new submission.",
            fields=("files",),
        ),
    ),
    (
        "Job not initiated properly:",
        _simple(
            ValidationFailed,
            "Runway says this submission was not set up completely.",
            "Send it again as a new submission.",
        ),
    ),
    (
        "Failed to start job",
        _simple(
            ServerError,
            "Runway could not start processing the submission.",
            "Try starting it again in a few minutes.",
            retryable=True,
        ),
    ),
    (
        "partner query parameter is required",
        _bad_request("partner", "Choose a partner first.", "Pick a partner, then search again."),
    ),
    ("Partner not found:", _partner_not_found),
    (
        "sentToOds must be",
        _bad_request("sent_to_ods", "The 'sent to ODS' filter is not valid.", "Reset it."),
    ),
    (
        "createdAfter must be",
        _bad_request("created_after", "The date filter is not valid.", "Pick another date."),
    ),
    (
        "schoolYear must be a 4-digit",
        _bad_request("school_year", "The school year filter must be a year like 2026.", ""),
    ),
    (
        "Unknown school year:",
        _bad_request("school_year", "Runway does not know school year {}.", "Pick another."),
    ),
    (
        "Validation failed (uuid is expected)",
        _bad_request(None, "The id of the submission or output set is not valid.", ""),
    ),
    (
        "Output file set not found",
        _simple(
            NotFound,
            "Runway has no such output set, or this client may not download it.",
            "Refresh the list of output sets.",
        ),
    ),
    ("Cannot ", _unknown_route),
    (
        "Internal server error",
        _simple(
            ServerError,
            "Runway had an internal error.",
            "Try again in a few minutes.",
            retryable=True,
        ),
    ),
]


def _by_status(status: int, message: str, d: ErrorDetails) -> RunwayError:
    """A Runway body whose text is not in the catalogue: fall back on the status alone."""
    if status == 401:
        return AuthError("Runway did not accept the sign-in.", next_step="Check Settings.", **d)
    if status == 403:
        return PermissionDenied("This client is not allowed to do this.", next_step=ADMIN, **d)
    if status == 404:
        return NotFound("Runway could not find what was asked for.", **d)
    if status == 429 or status >= 500:
        return ServerError(
            f"Runway could not answer (error {status}).",
            next_step="Try again in a few minutes.",
            retryable=True,
            **d,
        )
    return ValidationFailed(
        "Runway refused the request.",
        next_step="If this keeps happening, send the details to support.",
        **d,
    )


def error_from_runway_message(
    status: int, message: str | list[str], details: ErrorDetails
) -> RunwayError:
    """Map the ``message`` of a Runway error body (string, or the DTO's list of strings)."""
    if isinstance(message, list):
        return _dto_error(status, message)
    for prefix, build in _PREFIXES:
        if message.startswith(prefix):
            return build(message[len(prefix) :].strip(), details)
    return _by_status(status, message, details)
