"""Error mapping from real-looking answers: bodies verbatim from CONTRACT Appendix A."""

from __future__ import annotations

import json
import socket
import ssl
from pathlib import Path

import httpx
import pytest

from runway_desktop.api.errors import (
    ApiDisabled,
    AuthError,
    BlockedByProxy,
    DiskFull,
    FileChanged,
    FolderNotWritable,
    JobAlreadyStarted,
    LocalFileError,
    NetworkError,
    NotFound,
    PermissionDenied,
    RunwayError,
    S3Error,
    ServerError,
    ValidationFailed,
    error_from_api_response,
    error_from_exception,
    error_from_os_error,
    error_from_s3_response,
    error_from_token_response,
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


# --- S3 ---------------------------------------------------------------------------------


def s3_xml(code: str, message: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
        f"<Message>{message}</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>"
    ).encode()


def test_s3_expired_link() -> None:
    body = s3_xml("AccessDenied", "Request has expired")
    error = error_from_s3_response(403, body, host="bucket.s3.amazonaws.com", direction="upload")
    assert isinstance(error, S3Error)
    assert error.needs_new_url and not error.retryable
    assert error.code == "AccessDenied"
    assert "expired" in error.message
    assert "new upload links" in error.next_step


def test_s3_signature_mismatch_points_at_the_clock() -> None:
    body = s3_xml("SignatureDoesNotMatch", "The request signature we calculated does not match")
    error = error_from_s3_response(403, body, host="s3", direction="download")
    assert isinstance(error, S3Error)
    assert error.needs_new_url
    assert "clock" in error.next_step


def test_s3_no_such_key_is_final() -> None:
    error = error_from_s3_response(
        404,
        s3_xml("NoSuchKey", "The specified key does not exist."),
        host="s3",
        direction="download",
    )
    assert isinstance(error, S3Error)
    assert not error.retryable and not error.needs_new_url


@pytest.mark.parametrize(
    ("status", "code"), [(503, "SlowDown"), (500, "InternalError"), (400, "RequestTimeout")]
)
def test_s3_busy_is_retryable(status: int, code: str) -> None:
    error = error_from_s3_response(status, s3_xml(code, "x"), host="s3", direction="upload")
    assert isinstance(error, S3Error)
    assert error.retryable


def test_s3_xml_entities_and_html_are_handled() -> None:
    error = error_from_s3_response(
        400, s3_xml("BadDigest", "a &amp; b"), host="s3", direction="upload"
    )
    assert error.server_message == "BadDigest: a & b"
    proxy = error_from_s3_response(403, b"<html>blocked</html>", host="s3", direction="upload")
    assert isinstance(proxy, BlockedByProxy)


# --- the sign-in service ---------------------------------------------------------------


def test_token_endpoint_bad_secret() -> None:
    body = (
        b'{"error":"invalid_client",'
        b'"error_description":"Invalid client or Invalid client credentials"}'
    )
    error = error_from_token_response(401, body, host="idp.example.org")
    assert isinstance(error, AuthError)
    assert "client id or secret" in error.message
    assert error.server_message is not None and "invalid_client" in error.server_message


def test_token_endpoint_auth0_style_denials() -> None:
    bad = error_from_token_response(
        401, b'{"error":"access_denied","error_description":"Unauthorized"}', host="x"
    )
    assert isinstance(bad, AuthError)
    scope = error_from_token_response(
        403,
        b'{"error":"access_denied","error_description":"Client is not authorized"}',
        host="x",
    )
    assert isinstance(scope, PermissionDenied)
    assert isinstance(
        error_from_token_response(400, b'{"error":"invalid_scope"}', host="x"), PermissionDenied
    )


def test_token_endpoint_down() -> None:
    error = error_from_token_response(503, b"<html>down</html>", host="idp")
    assert isinstance(error, ServerError) and error.retryable


# --- exceptions --------------------------------------------------------------------------


def _request(url: str = "https://runway.example.org/api/v1/jobs") -> httpx.Request:
    return httpx.Request("POST", url)


def _chained(outer: Exception, cause: BaseException) -> Exception:
    outer.__cause__ = cause
    return outer


@pytest.mark.parametrize(
    ("exc", "kind", "retryable"),
    [
        (
            _chained(
                httpx.ConnectError("[Errno -2] Name or service not known", request=_request()),
                socket.gaierror(-2, "Name or service not known"),
            ),
            "dns",
            True,
        ),
        (
            _chained(
                httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED]", request=_request()),
                ssl.SSLCertVerificationError(1, "certificate verify failed"),
            ),
            "tls",
            False,
        ),
        (
            _chained(
                httpx.ConnectError("All connection attempts failed", request=_request()),
                ConnectionRefusedError(111, "Connection refused"),
            ),
            "refused",
            True,
        ),
        (httpx.ConnectTimeout("timed out", request=_request()), "timeout", True),
        (httpx.ReadTimeout("timed out", request=_request()), "timeout", True),
        (httpx.RemoteProtocolError("Server disconnected", request=_request()), "dropped", True),
        (httpx.ReadError("reset", request=_request()), "dropped", True),
        (httpx.WriteError("broken pipe", request=_request()), "dropped", True),
        (httpx.ProxyError("407", request=_request()), "proxy", False),
        (httpx.UnsupportedProtocol("ftp", request=_request()), "bad_address", False),
    ],
)
def test_network_exceptions(exc: Exception, kind: str, retryable: bool) -> None:
    error = error_from_exception(exc)
    assert isinstance(error, NetworkError)
    assert error.kind == kind
    assert error.retryable is retryable
    assert error.status is None
    assert "runway.example.org" in error.message or kind == "bad_address"


def test_tls_message_tells_it_about_the_system_store() -> None:
    exc = _chained(
        httpx.ConnectError("x", request=_request()),
        ssl.SSLCertVerificationError(1, "certificate verify failed: unable to get local issuer"),
    )
    error = error_from_exception(exc)
    assert error.message.startswith("The connection to runway.example.org is not trusted")
    assert "ask IT to install its certificate in the system" in error.next_step


# --- the local disk ----------------------------------------------------------------------


def test_disk_full(tmp_path: Path) -> None:
    error = error_from_os_error(
        OSError(28, "No space left on device"), path=tmp_path / "a.jsonl", writing=True
    )
    assert isinstance(error, DiskFull)
    assert error.next_step.startswith("Free some disk space on ")
    assert error.next_step.endswith("or choose another download folder in Settings.")


def test_permission_denied_when_writing_and_reading(tmp_path: Path) -> None:
    writing = error_from_os_error(PermissionError(13, "denied"), path=tmp_path / "a", writing=True)
    assert isinstance(writing, FolderNotWritable)
    reading = error_from_os_error(PermissionError(13, "denied"), path=tmp_path / "a", writing=False)
    assert type(reading) is LocalFileError
    gone = error_from_os_error(FileNotFoundError(2, "gone"), path=tmp_path / "s.csv", writing=False)
    assert isinstance(gone, FileChanged)
    assert gone.user_text() == (
        "s.csv changed while it was being sent. Wait until it is fully saved, then try again."
    )


def test_repr_is_informative_and_str_is_the_message() -> None:
    error = error_from_api_response(400, nest(400, "Unexpected files: A"))
    assert str(error) == error.message
    assert "ValidationFailed" in repr(error) and "file:A" in repr(error)
