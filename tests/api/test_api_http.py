"""The shared client, and faults no local server can produce (httpx.MockTransport):
DNS failure, TLS trust failure, a proxy's HTML 403, a dropped answer to create-job."""

from __future__ import annotations

import logging
import socket
import ssl
from collections.abc import Callable

import httpx
import pytest

from runway_desktop import __version__
from runway_desktop.api.auth import TokenProvider, TokenSettings
from runway_desktop.api.client import RunwayClient
from runway_desktop.api.errors import BlockedByProxy, NetworkError, ServerError
from runway_desktop.api.http import default_user_agent, make_http_client, redact_url
from runway_desktop.api.models import CreateJobRequest, OutputSetFilter
from runway_desktop.api.retry import RetryPolicy

TOKEN_URL = "https://idp.example.org/token"
API = "https://runway.example.org/api"
Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def with_token(api_handler: Handler) -> Handler:
    """Answer the token endpoint normally; everything else goes to ``api_handler``."""

    def handle(request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            return httpx.Response(200, json={"access_token": "tok", "expires_in": 300})
        return api_handler(request)

    return handle


def runway(handler: Handler, *, attempts: int = 1) -> RunwayClient:
    http = make_http_client(transport=httpx.MockTransport(with_token(handler)))
    tokens = TokenProvider(http, TokenSettings(TOKEN_URL, "id", "secret"))
    return RunwayClient(http, API, tokens, retry_policy=RetryPolicy(max_attempts=attempts))


def raising(exc_factory: Callable[[httpx.Request], Exception]) -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        raise exc_factory(request)

    return handle


def test_user_agent_names_the_app_version_platform_and_python() -> None:
    agent = default_user_agent()
    assert agent.startswith(f"RunwayDesktop/{__version__} (")
    assert "; Python 3." in agent and agent.endswith(")")


@pytest.mark.anyio
async def test_every_request_carries_the_user_agent_and_bearer() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, text="Token is valid for partner: acme")

    client = runway(handle)
    assert await client.verify_token() == ["acme"]
    assert seen[0].headers["user-agent"].startswith("RunwayDesktop/")
    assert seen[0].headers["authorization"] == "Bearer tok"
    assert str(seen[0].url) == f"{API}/v1/token/verify"


@pytest.mark.anyio
async def test_dns_failure() -> None:
    def fail(request: httpx.Request) -> Exception:
        exc = httpx.ConnectError("[Errno -2] Name or service not known", request=request)
        exc.__cause__ = socket.gaierror(-2, "Name or service not known")
        return exc

    with pytest.raises(NetworkError) as raised:
        await runway(raising(fail)).verify_token()
    assert raised.value.kind == "dns"
    assert "runway.example.org" in raised.value.message


@pytest.mark.anyio
async def test_tls_failure_is_not_retried_and_explains_inspection() -> None:
    calls = 0

    def fail(request: httpx.Request) -> Exception:
        nonlocal calls
        calls += 1
        exc = httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED]", request=request)
        exc.__cause__ = ssl.SSLCertVerificationError(1, "certificate verify failed")
        return exc

    with pytest.raises(NetworkError) as raised:
        await runway(raising(fail), attempts=5).list_output_sets(OutputSetFilter("acme"))
    assert raised.value.kind == "tls"
    assert calls == 1
    assert "install its certificate in the system" in raised.value.next_step


@pytest.mark.anyio
async def test_proxy_html_403() -> None:
    page = "<html><body>Access to this site is blocked by your organisation</body></html>"
    client = runway(lambda request: httpx.Response(403, html=page))
    with pytest.raises(BlockedByProxy) as raised:
        await client.list_output_sets(OutputSetFilter("acme"))
    assert raised.value.server_message == page


@pytest.mark.anyio
async def test_create_job_answer_lost_means_possibly_created_and_no_retry() -> None:
    calls = 0

    def fail(request: httpx.Request) -> Exception:
        nonlocal calls
        calls += 1
        return httpx.RemoteProtocolError("Server disconnected", request=request)

    request = CreateJobRequest("acme", "district-a", "assessments/STAR", "2026", {"F": "a.csv"})
    with pytest.raises(NetworkError) as raised:
        await runway(raising(fail), attempts=5).create_job(request)
    assert raised.value.possibly_created
    assert not raised.value.retryable
    assert calls == 1


@pytest.mark.anyio
async def test_create_job_connect_failure_is_not_possibly_created() -> None:
    def fail(request: httpx.Request) -> Exception:
        return httpx.ConnectError("Connection refused", request=request)

    request = CreateJobRequest("acme", "district-a", "assessments/STAR", "2026", {"F": "a.csv"})
    with pytest.raises(NetworkError) as raised:
        await runway(raising(fail)).create_job(request)
    assert not raised.value.possibly_created


@pytest.mark.anyio
async def test_start_job_read_timeout_means_possibly_started() -> None:
    def fail(request: httpx.Request) -> Exception:
        return httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(NetworkError) as raised:
        await runway(raising(fail), attempts=5).start_job("0b0e4f1c-6f5e-4c55-9a43-6f0d2f3c8a10")
    assert raised.value.possibly_started and not raised.value.retryable


@pytest.mark.anyio
async def test_gateway_504_on_create_means_possibly_created() -> None:
    client = runway(lambda request: httpx.Response(504, html="<html>Gateway Timeout</html>"))
    request = CreateJobRequest("acme", "district-a", "assessments/STAR", "2026", {"F": "a.csv"})
    with pytest.raises(ServerError) as raised:
        await client.create_job(request)
    assert raised.value.possibly_created and not raised.value.retryable


def test_redact_url_strips_presigned_credentials() -> None:
    url = "https://b.s3.amazonaws.com/k/a.jsonl?X-Amz-Signature=abc&X-Amz-Credential=def"
    assert redact_url(url) == "https://b.s3.amazonaws.com/k/a.jsonl?…"
    assert redact_url(httpx.URL(url)) == "https://b.s3.amazonaws.com/k/a.jsonl?…"


@pytest.mark.anyio
async def test_httpx_request_log_has_no_query_strings(caplog: pytest.LogCaptureFixture) -> None:
    http = make_http_client(transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    with caplog.at_level(logging.INFO, logger="httpx"):
        await http.get("https://s3.example.org/key?X-Amz-Signature=SECRET")
    assert caplog.records, "httpx should log the request at INFO"
    assert all("SECRET" not in record.getMessage() for record in caplog.records)
    await http.aclose()
