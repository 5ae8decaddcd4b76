"""Runway's error texts (CONTRACT Appendix A) and what each means for the person at the desk.

Runway has no machine-readable error codes (CONTRACT §2): only the HTTP status and the
``message`` prefixes below are stable. This catalogue is the one place in the app that compares
server text: it turns each prefix into an :class:`ErrorCode`, a class and plain words. Used by
:func:`runway_desktop.api.errors.error_from_api_response`.

It is also the one vocabulary of *places* the person goes to fix something (:data:`PLACES`). The
core's texts name the desktop app's place ("… in Settings"): that is what History stores and every
screen shows. Each place has the command line's words too, and :func:`in_front_end` swaps them;
each front end calls it in one place (the CLI in ``failure_from_error``; the GUI's words are the
stored ones, so it has nothing to swap).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from runway_desktop.api.errors.codes import ErrorCode
from runway_desktop.api.errors.types import (
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

FrontEnd = Literal["gui", "cli"]
CLI = "runway-desktop-cli"
# How a connection is changed on the command line (there is no "profile edit"), said once.
CLI_CONNECTION_HOW = (
    f"Connections: `{CLI} profile list`; to change one, `{CLI} profile remove NAME` then "
    f"`{CLI} profile add NAME --api-url URL --token-url URL --client-id ID`, or edit the "
    "file given to --profile-file (the secret may come from RUNWAY_CLIENT_SECRET)."
)


@dataclass(frozen=True)
class Place:
    """A place named in a core text: the GUI's words (a regular expression, as the texts say
    it) and the CLI's. ``connection`` places get :data:`CLI_CONNECTION_HOW` appended once."""

    gui: str
    cli: str
    connection: bool = False


# Most specific first: the generic " in Settings" (a connection setting) comes last.
PLACES: tuple[Place, ...] = (
    Place(re.escape(_REFRESH_BUNDLES), "This copy's list of assessments may be out of date: "
          "update Runway Desktop, or ask your Runway administrator what the assessment takes."),
    Place(r"(?:another |the )?download folder in Settings",
          f"another download folder (`{CLI} outputs download --new --to DIR`)"),
    Place(r"the partner code in Settings", "the partner code (--partner CODE)"),
    Place(r"Drop .+? on the “(.+?)” box, or click Browse\.",
          r"Give it with --file KEY=PATH (the “\1” slot)."),
    Place(r"Check the highlighted fields and submit again\.",
          "Check the options named above and run the command again."),
    Place(r"Pick the district from the list", "Check --tenant"),
    Place(r"Pick a partner, then search again\.", "Give --partner CODE."),
    Place(r"Refresh the list of output sets\.", f"List them again with `{CLI} outputs list`."),
    Place(r"\bcheck Settings\b", "check the connection profile", connection=True),
    Place(r"\bCheck Settings\.", "Check the connection profile.", connection=True),
    Place(r" in Settings\b", " of the connection profile", connection=True),
)  # fmt: skip
_COMPILED = tuple((re.compile(p.gui), p) for p in PLACES)


def in_front_end(message: str, next_step: str, front_end: FrontEnd) -> tuple[str, str]:
    """``message`` and ``next_step`` in ``front_end``'s words for the places they name."""
    if front_end == "gui":
        return message, next_step
    connection = False
    texts = []
    for text in (message, next_step):
        for pattern, place in _COMPILED:
            text, count = pattern.subn(place.cli, text)
            connection = connection or (count > 0 and place.connection)
        texts.append(text)
    cli_message, cli_next_step = texts
    if connection:
        cli_next_step = f"{cli_next_step} {CLI_CONNECTION_HOW}".strip()
    return cli_message, cli_next_step


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


def _dto_error(messages: list[str], d: ErrorDetails) -> ValidationFailed:
    """Body-validation failure of POST /jobs: one error naming every bad field."""
    fields: list[str] = []
    for text in messages:
        found = _dto_field(text)
        if found and found not in fields:
            fields.append(found)
    labels = ", ".join(_FIELD_LABELS.get(f, f) for f in fields) or "the form"
    return ValidationFailed(
        f"Some details of the submission are missing or not valid: {labels}.",
        code=ErrorCode.INVALID_REQUEST,
        next_step="Check the highlighted fields and submit again.",
        fields=tuple(fields),
        **d,
    )


def _dto_field(text: str) -> str | None:
    if text.startswith("School year must be"):
        return "school_year"
    if text.startswith("File names must not be empty"):
        return "files"
    first_word = text.split(" ", 1)[0]
    return _DTO_FIELDS.get(first_word)


@dataclass(frozen=True)
class _Entry:
    """One catalogue line. In ``message``/``next_step``, ``{rest}`` is the server text after
    the prefix and ``{keys}`` the comma-separated names in it (``keyed`` entries)."""

    cls: type[RunwayError]
    code: ErrorCode
    message: str
    next_step: str = ""
    field: str | None = None
    keyed: str | None = None  # "param" / "file": each listed name becomes field "<kind>:<name>"
    retryable: bool = False

    def build(self, rest: str, d: ErrorDetails) -> RunwayError:
        keys = tuple(k.strip() for k in rest.split(",") if k.strip()) if self.keyed else ()
        fields = tuple(f"{self.keyed}:{k}" for k in keys) or ((self.field,) if self.field else ())
        words = {"rest": rest, "keys": ", ".join(keys)}
        options: Any = {**d, "retryable": self.retryable}
        return self.cls(
            self.message.format(**words),
            code=self.code,
            next_step=self.next_step.format(**words),
            fields=fields,
            **options,
        )


def _invalid_tenant(rest: str, d: ErrorDetails) -> RunwayError:
    # "Invalid tenant. <partner>/<tenant> does not exist" -> show the tenant code alone.
    pair = rest.removesuffix("does not exist").strip()
    tenant = pair.split("/", 1)[-1]
    partner = pair.split("/", 1)[0] if "/" in pair else "this partner"
    return ValidationFailed(
        f"Runway has no district (tenant) {tenant!r} for partner {partner}.",
        code=ErrorCode.TENANT_NOT_FOUND,
        next_step=f"Pick the district from the list, or {ADMIN_LOWER} which tenant code to use.",
        fields=("tenant",),
        **d,
    )


def _job_already_started(rest: str, d: ErrorDetails) -> RunwayError:
    return JobAlreadyStarted(rest, **d)


_Builder = Callable[[str, ErrorDetails], RunwayError]
C = ErrorCode

# Prefix -> what it means. Order matters where one prefix starts another ("Bundle not found or
# not enabled…" before "Bundle not found:"). Texts are CONTRACT Appendix A verbatim.
_CATALOGUE: list[tuple[str, _Entry | _Builder]] = [
    ("No token", _Entry(
        AuthError, C.TOKEN_NOT_SENT,
        "Runway did not receive the sign-in token.",
        "A proxy may be removing the Authorization header: ask your IT team.",
    )),
    ("Invalid token", _Entry(
        AuthError, C.TOKEN_REJECTED,
        "Runway did not accept the sign-in token.",
        "Check that the token URL and audience in Settings belong to this Runway server; "
        f"if they do, {ADMIN_LOWER}.",
    )),
    ("Token missing scope claim", _Entry(
        PermissionDenied, C.TOKEN_WITHOUT_SCOPES,
        "The sign-in token carries no permissions that Runway can read.",
        f"{ADMIN} to give this client its scopes (create:jobs, read:jobs, "
        "read:jobs:output-files and partner:<code>).",
    )),
    ("Insufficient scopes", _Entry(
        PermissionDenied, C.INSUFFICIENT_SCOPES,
        "This client is not allowed to do this in Runway.",
        f"{ADMIN} to add the missing scope: create:jobs to send files, read:jobs to list "
        "output, read:jobs:output-files to download it.",
    )),
    ("Token must include a client_id or azp claim", _Entry(
        PermissionDenied, C.TOKEN_WITHOUT_CLIENT_ID,
        "The sign-in service issues tokens without a client id, which Runway needs "
        "to create jobs.",
        f"{ADMIN} to add a client_id or azp claim to this client's tokens.",
    )),
    ("External API is disabled.", _Entry(
        ApiDisabled, C.API_DISABLED,
        "Runway's External API is switched off on this server.", f"{ADMIN} to turn it on.",
    )),
    ("Invalid partner code:", _Entry(
        PermissionDenied, C.PARTNER_NOT_ALLOWED,
        "This client may not submit for partner {rest}.",
        f"{ADMIN} to add the scope partner:{{rest}}.", field="partner",
    )),
    ("Invalid tenant.", _invalid_tenant),
    ("Bundle not found or not enabled for partner:", _Entry(
        ValidationFailed, C.BUNDLE_NOT_ENABLED,
        "The assessment {rest} is not turned on for this partner in Runway.",
        f"{ADMIN} to enable it, or pick another assessment.", field="bundle",
    )),
    # Not retryable: the registry lacks it for good, and it is checked before any job is made.
    ("Bundle not found:", _Entry(
        ServerError, C.BUNDLE_NOT_IN_REGISTRY,
        "Runway cannot find the assessment {rest} in its bundle registry.",
        f"{ADMIN}: the assessment may have been renamed or retired.", field="bundle",
    )),
    ("Invalid school year:", _Entry(
        ValidationFailed, C.SCHOOL_YEAR_UNKNOWN,
        "Runway does not know school year {rest}.",
        "Pick the year the school year ends in (2026 for 2025–26).", field="school_year",
    )),
    ("School year is not enabled:", _Entry(
        ValidationFailed, C.SCHOOL_YEAR_NOT_ENABLED,
        "School year {rest} is not open for submissions in Runway.",
        f"{ADMIN} to enable it, or pick another school year.", field="school_year",
    )),
    ("No ODS found for school year:", _Entry(
        ValidationFailed, C.NO_ODS_FOR_YEAR,
        "This district has no ODS connected in Runway for school year {rest}.",
        f"{ADMIN} to connect the ODS for that year.", field="school_year",
    )),
    ("No roster file found and cross-year matching not enabled for school year:", _Entry(
        ValidationFailed, C.NO_ROSTER_FOR_YEAR,
        "Runway has no student roster to match the scores against for school year {rest}.",
        f"{ADMIN} to add a roster or turn on cross-year matching.", field="school_year",
    )),
    ("Missing required params:", _Entry(
        ValidationFailed, C.MISSING_PARAMS,
        "The assessment needs these choices: {keys}.", "Fill them in.", keyed="param",
    )),
    ("Invalid param values:", _Entry(
        ValidationFailed, C.INVALID_PARAM_VALUES,
        "These choices have a value the assessment does not accept: {keys}.",
        "Pick one of the listed values.", keyed="param",
    )),
    ("Unexpected params:", _Entry(
        ValidationFailed, C.UNEXPECTED_PARAMS,
        "The assessment does not take these choices: {keys}.", _REFRESH_BUNDLES, keyed="param",
    )),
    ("Unexpected files:", _Entry(
        ValidationFailed, C.UNEXPECTED_FILES,
        "The assessment does not take these files: {keys}.", _REFRESH_BUNDLES, keyed="file",
    )),
    ("Missing required files:", _Entry(
        ValidationFailed, C.MISSING_FILES,
        "The assessment needs these files: {keys}.", "Add them and submit.", keyed="file",
    )),
    ("Job already in progress:", _job_already_started),
    ("Job not found:", _Entry(
        NotFound, C.JOB_NOT_FOUND,
        "Runway has no submission {rest} that this client may see.",
        "It may belong to a partner this client has no scope for.",
    )),
    ("Some expected files were not found.", _Entry(
        ValidationFailed, C.UPLOADS_MISSING,
        "Runway did not receive all the files of this submission.",
        "Send the files again as a new submission.", field="files",
    )),
    ("Job not initiated properly:", _Entry(
        ValidationFailed, C.JOB_NOT_INITIATED,
        "Runway says this submission was not set up completely.",
        "Send it again as a new submission.",
    )),
    ("Failed to start job", _Entry(
        ServerError, C.JOB_START_FAILED,
        "Runway could not start processing the submission.",
        "Try starting it again in a few minutes.", retryable=True,
    )),
    ("partner query parameter is required", _Entry(
        ValidationFailed, C.INVALID_FILTER,
        "Choose a partner first.", "Pick a partner, then search again.", field="partner",
    )),
    ("Partner not found:", _Entry(
        NotFound, C.PARTNER_NOT_FOUND,
        "Runway has no partner {rest}, or this client may not read its output.",
        f"Check the partner code in Settings, or {ADMIN_LOWER} to add the scope "
        "partner:{rest}.",
        field="partner",
    )),
    ("sentToOds must be", _Entry(
        ValidationFailed, C.INVALID_FILTER,
        "The 'sent to ODS' filter is not valid.", "Reset it.", field="sent_to_ods",
    )),
    ("createdAfter must be", _Entry(
        ValidationFailed, C.INVALID_FILTER,
        "The date filter is not valid.", "Pick another date.", field="created_after",
    )),
    ("schoolYear must be a 4-digit", _Entry(
        ValidationFailed, C.INVALID_FILTER,
        "The school year filter must be a year like 2026.", field="school_year",
    )),
    ("Unknown school year:", _Entry(
        ValidationFailed, C.SCHOOL_YEAR_UNKNOWN,
        "Runway does not know school year {rest}.", "Pick another.", field="school_year",
    )),
    ("Validation failed (uuid is expected)", _Entry(
        ValidationFailed, C.INVALID_ID, "The id of the submission or output set is not valid.",
    )),
    ("Output file set not found", _Entry(
        NotFound, C.OUTPUT_SET_NOT_FOUND,
        "Runway has no such output set, or this client may not download it.",
        "Refresh the list of output sets.",
    )),
    ("Cannot ", _Entry(
        NotFound, C.WRONG_API_URL,
        "The API address in Settings does not lead to Runway's External API.",
        "Check the API URL in Settings (it usually ends in /api).",
    )),
    ("Internal server error", _Entry(
        ServerError, C.SERVER_ERROR,
        "Runway had an internal error.", "Try again in a few minutes.", retryable=True,
    )),
]  # fmt: skip


def _by_status(status: int, d: ErrorDetails) -> RunwayError:
    """A Runway body whose text is not in the catalogue: fall back on the status alone."""
    if status == 401:
        return AuthError(
            "Runway did not accept the sign-in.",
            code=ErrorCode.TOKEN_REJECTED,
            next_step="Check Settings.",
            **d,
        )
    if status == 403:
        return PermissionDenied("This client is not allowed to do this.", next_step=ADMIN, **d)
    if status == 404:
        return NotFound("Runway could not find what was asked for.", **d)
    if status == 429 or status >= 500:
        return ServerError(
            f"Runway could not answer (error {status}).",
            code=ErrorCode.RATE_LIMITED if status == 429 else ErrorCode.SERVER_ERROR,
            next_step="Try again in a few minutes.",
            retryable=True,
            **d,
        )
    return ValidationFailed(
        "Runway refused the request.",
        next_step="If this keeps happening, send the details to support.",
        **d,
    )


def error_from_runway_message(message: str | list[str], details: ErrorDetails) -> RunwayError:
    """Map the ``message`` of a Runway error body (string, or the DTO's list of strings)."""
    if isinstance(message, list):
        return _dto_error(message, details)
    for prefix, meaning in _CATALOGUE:
        if message.startswith(prefix):
            rest = message[len(prefix) :].strip()
            if isinstance(meaning, _Entry):
                return meaning.build(rest, details)
            return meaning(rest, details)
    return _by_status(details.get("status") or 0, details)
