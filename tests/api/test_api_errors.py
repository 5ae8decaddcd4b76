"""Error mapping from real-looking answers: bodies verbatim from CONTRACT Appendix A."""

from __future__ import annotations

import json

import pytest

from runway_desktop.api.errors import (
    ApiDisabled,
    AuthError,
    BlockedByProxy,
    JobAlreadyStarted,
    NotFound,
    PermissionDenied,
    RunwayError,
    ServerError,
    ValidationFailed,
    error_from_api_response,
    parse_retry_after,
)

REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def nest(status: int, message: str | list[str]) -> bytes:
    """A NestJS error body, keys in the server's order (CONTRACT §2)."""
    body = {"message": message, "error": REASONS[status], "statusCode": status}
    return json.dumps(body, separators=(",", ":")).encode()


def test_example_body_exactly_as_serialised() -> None:
    body = (
        b'{"message":"Missing required files: INPUT_FILE","error":"Bad Request","statusCode":400}'
    )
    error = error_from_api_response(400, body)
    assert isinstance(error, ValidationFailed)
    assert error.fields == ("file:INPUT_FILE",)
    assert error.field == "file:INPUT_FILE"
    assert error.status == 400
    assert error.server_message == "Missing required files: INPUT_FILE"
    assert not error.retryable


@pytest.mark.parametrize(
    ("status", "message", "cls", "fields"),
    [
        (401, "No token", AuthError, ()),
        (401, "Invalid token", AuthError, ()),
        (403, "Token missing scope claim", PermissionDenied, ()),
        (403, "Insufficient scopes", PermissionDenied, ()),
        (503, "External API is disabled.", ApiDisabled, ()),
        (403, "Token must include a client_id or azp claim", PermissionDenied, ()),
        (403, "Invalid partner code: acme", PermissionDenied, ("partner",)),
        (400, "Invalid tenant. acme/district-z does not exist", ValidationFailed, ("tenant",)),
        (
            400,
            "Bundle not found or not enabled for partner: assessments/STAR",
            ValidationFailed,
            ("bundle",),
        ),
        (400, "Invalid school year: 1999", ValidationFailed, ("school_year",)),
        (400, "School year is not enabled: 2021", ValidationFailed, ("school_year",)),
        (400, "No ODS found for school year: 2027", ValidationFailed, ("school_year",)),
        (
            400,
            "No roster file found and cross-year matching not enabled for school year: 2022",
            ValidationFailed,
            ("school_year",),
        ),
        (500, "Bundle not found: assessments/Retired_Assessment", ServerError, ("bundle",)),
        (
            400,
            "Missing required params: FORMAT, SUBJECT",
            ValidationFailed,
            ("param:FORMAT", "param:SUBJECT"),
        ),
        (400, "Invalid param values: FORMAT", ValidationFailed, ("param:FORMAT",)),
        (400, "Unexpected params: API_YEAR", ValidationFailed, ("param:API_YEAR",)),
        (400, "Unexpected files: EXTRA_FILE", ValidationFailed, ("file:EXTRA_FILE",)),
        (
            400,
            "Missing required files: INPUT_FILE, OTHER_FILE",
            ValidationFailed,
            ("file:INPUT_FILE", "file:OTHER_FILE"),
        ),
        (400, "Validation failed (uuid is expected)", ValidationFailed, ()),
        (
            404,
            "Job not found: 0b0e4f1c-6f5e-4c55-9a43-6f0d2f3c8a10",
            NotFound,
            (),
        ),
        (
            400,
            "Some expected files were not found. Expected files: scores.csv, roster.csv",
            ValidationFailed,
            ("files",),
        ),
        (
            400,
            "Job not initiated properly: 0b0e4f1c-6f5e-4c55-9a43-6f0d2f3c8a10",
            ValidationFailed,
            (),
        ),
        (500, "Failed to start job 0b0e4f1c-6f5e-4c55-9a43-6f0d2f3c8a10", ServerError, ()),
        (400, "partner query parameter is required", ValidationFailed, ("partner",)),
        (404, "Partner not found: globex", NotFound, ("partner",)),
        (400, 'sentToOds must be "true" or "false"', ValidationFailed, ("sent_to_ods",)),
        (
            400,
            "createdAfter must be a valid ISO 8601 timestamp",
            ValidationFailed,
            ("created_after",),
        ),
        (
            400,
            'schoolYear must be a 4-digit end year, e.g. "2026"',
            ValidationFailed,
            ("school_year",),
        ),
        (400, "Unknown school year: 2099", ValidationFailed, ("school_year",)),
        (404, "Output file set not found", NotFound, ()),
        (404, "Cannot GET /api/v1/nothing", NotFound, ()),
        (400, "Unexpected token } in JSON at position 12", ValidationFailed, ()),
    ],
)
def test_appendix_a_catalogue(
    status: int, message: str, cls: type[RunwayError], fields: tuple[str, ...]
) -> None:
    error = error_from_api_response(status, nest(status, message), host="runway.example.org")
    assert type(error) is cls
    assert error.fields == fields
    assert error.status == status
    assert error.server_message == message
    assert error.message and error.message != message  # plain words, not the raw text
    assert error.next_step or cls in (NotFound, ValidationFailed)


def test_invalid_partner_code_says_exactly_what_to_ask_for() -> None:
    error = error_from_api_response(403, nest(403, "Invalid partner code: acme"))
    assert error.message == "This client may not submit for partner acme."
    assert error.next_step == "Ask your Runway administrator to add the scope partner:acme."
    assert error.user_text() == (
        "This client may not submit for partner acme. "
        "Ask your Runway administrator to add the scope partner:acme."
    )


def test_job_already_in_progress_carries_the_uid() -> None:
    uid = "0b0e4f1c-6f5e-4c55-9a43-6f0d2f3c8a10"
    error = error_from_api_response(400, nest(400, f"Job already in progress: {uid}"))
    assert isinstance(error, JobAlreadyStarted)
    assert error.job_uid == uid


def test_generic_500_has_no_error_key_and_is_retryable() -> None:
    error = error_from_api_response(500, b'{"statusCode":500,"message":"Internal server error"}')
    assert isinstance(error, ServerError)
    assert error.retryable
    # ...but the registry-miss 500 is permanent, and Runway refused before making a job.
    missing = error_from_api_response(500, nest(500, "Bundle not found: assessments/X"))
    assert not missing.retryable


def test_dto_array_maps_every_known_text_to_its_field() -> None:
    messages = [
        "partner should not be empty",
        "partner must be a string",
        "tenant should not be empty",
        "tenant must be a string",
        "bundle should not be empty",
        "bundle must be a string",
        'School year must be a 4-digit end year, e.g. "2026" for the 2025-2026 school year',
        "File names must not be empty",
        "files should not be empty",
        "files must be an object",
        "params must be an object",
    ]
    error = error_from_api_response(400, nest(400, messages))
    assert isinstance(error, ValidationFailed)
    assert error.fields == ("partner", "tenant", "bundle", "school_year", "files", "params")
    assert error.server_message == "; ".join(messages)
    assert "district (tenant)" in error.message


def test_dto_array_with_one_field() -> None:
    error = error_from_api_response(400, nest(400, ["tenant should not be empty"]))
    assert error.field == "tenant"
    assert error.fields == ("tenant",)


def test_dto_array_with_unknown_text_does_not_crash() -> None:
    error = error_from_api_response(400, nest(400, ["something new"]))
    assert isinstance(error, ValidationFailed)
    assert error.fields == ()


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body><h1>403 Forbidden</h1>Request blocked by WAF</body></html>",
        b'{"message": "Forbidden"}',  # the load balancer's host-name rule: no statusCode
        b"",
        b"\xff\xfe not utf-8",
        b"[1, 2, 3]",
        b'{"statusCode": "403", "message": "Forbidden"}',
        b'{"statusCode": 403, "message": {"nested": true}}',
    ],
)
def test_a_403_that_is_not_runways_json_is_a_proxy_block(body: bytes) -> None:
    error = error_from_api_response(403, body, host="runway.example.org")
    assert isinstance(error, BlockedByProxy)
    assert "runway.example.org" in error.message
    assert "IT" in error.next_step


def test_proxy_authentication_required() -> None:
    error = error_from_api_response(407, b"<html>Proxy login</html>", host="runway.example.org")
    assert isinstance(error, BlockedByProxy)
    assert "proxy" in error.message


@pytest.mark.parametrize("status", [502, 503, 504, 429])
def test_gateway_errors_with_html_are_retryable_server_errors(status: int) -> None:
    error = error_from_api_response(status, b"<html>Bad Gateway</html>", retry_after="7")
    assert isinstance(error, ServerError)
    assert error.retryable
    assert error.retry_after == 7.0
    assert error.server_message == "<html>Bad Gateway</html>"


def test_unknown_runway_text_falls_back_on_status() -> None:
    assert isinstance(error_from_api_response(401, nest(401, "Something")), AuthError)
    assert isinstance(error_from_api_response(403, nest(403, "Something")), PermissionDenied)
    assert error_from_api_response(503, nest(503, "Down for maintenance")).retryable


def test_retry_after_parsing() -> None:
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past


def test_repr_is_informative_and_str_is_the_message() -> None:
    error = error_from_api_response(400, nest(400, "Unexpected files: A"))
    assert str(error) == error.message
    assert "ValidationFailed" in repr(error) and "file:A" in repr(error)
