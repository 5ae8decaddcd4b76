"""Error mapping for everything that is not a Runway body: S3 XML, the sign-in service,
network exceptions and the local disk."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

import httpx
import pytest

from runway_desktop.api.errors import (
    AuthError,
    BlockedByProxy,
    DiskFull,
    ErrorCode,
    FileChanged,
    FolderNotWritable,
    LocalFileError,
    NetworkError,
    PermissionDenied,
    S3Error,
    ServerError,
    error_from_exception,
    error_from_os_error,
    error_from_s3_response,
    error_from_token_response,
)

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
    assert error.s3_code == "AccessDenied"
    assert error.code == ErrorCode.UPLOAD_LINK_EXPIRED
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
