"""Every retry and token refresh is one INFO line on ``runway_desktop.api``, free of secrets.

Against the sandbox over real HTTP, with its fault switches making the server fail the way a
real one does; the retries use the app's default policies (the conftest fixture only zeroes
their waits). The last test follows the lines into the app's log file and the diagnostics zip.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from runway_desktop.api.auth import TokenProvider, TokenSettings
from runway_desktop.api.client import RunwayClient
from runway_desktop.api.http import make_http_client
from runway_desktop.api.models import OutputSetFilter
from runway_desktop.base.logging_setup import log_files, setup_logging, teardown_logging
from runway_desktop.base.redaction import redact
from runway_desktop.history.diagnostics import export_diagnostics
from runway_desktop.sandbox.server import Sandbox

API_LOGGER = "runway_desktop.api"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Api:
    sandbox: Sandbox
    tokens: TokenProvider
    client: RunwayClient
    host: str  # 127.0.0.1:<port>, as the log lines name it

    async def secrets(self, *earlier_tokens: str) -> list[str]:
        """What must never reach a log: the client secret and the tokens handed out."""
        current = await self.tokens.get_token()  # cached: no request, no log line
        return [self.sandbox.profile["client_secret"], current, *earlier_tokens]


@pytest.fixture
async def api(sandbox: Sandbox) -> AsyncIterator[Api]:
    profile = sandbox.profile
    http = make_http_client()
    settings = TokenSettings(
        token_url=profile["token_url"],
        client_id=profile["client_id"],
        client_secret=profile["client_secret"],
    )
    tokens = TokenProvider(http, settings)  # the default policies: policy.TOKEN_RETRY
    client = RunwayClient(http, profile["api_base_url"], tokens)  # policy.API_RETRY
    url = httpx.URL(profile["api_base_url"])
    yield Api(sandbox, tokens, client, f"{url.host}:{url.port}")
    await http.aclose()


def api_lines(caplog: pytest.LogCaptureFixture, start: str) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name.startswith(API_LOGGER) and r.getMessage().startswith(start)
    ]


def assert_clean(records: list[logging.LogRecord], secrets: list[str]) -> None:
    for record in records:
        text = record.getMessage()
        assert record.levelno == logging.INFO, text
        for secret in secrets:
            assert secret not in text
        assert "?" not in text and "Bearer" not in text  # no query string, no header
        assert redact(text) == text, text  # nothing a redaction pattern would catch


@pytest.mark.anyio
async def test_a_retried_call_logs_one_line_with_attempt_code_and_wait(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    await api.tokens.get_token()
    caplog.set_level(logging.INFO, logger=API_LOGGER)
    api.sandbox.faults.set("api_error", {"status": 503, "count": 1})

    await api.client.list_output_sets(OutputSetFilter("acme"))

    retries = api_lines(caplog, "Retrying")
    assert [r.getMessage() for r in retries] == [
        f"Retrying GET {api.host}/api/v1/output-sets (attempt 2 of 5) in 0.00 s: "
        "server_error (HTTP 503)"
    ]
    assert_clean(retries, await api.secrets())


@pytest.mark.anyio
async def test_a_refused_token_logs_one_retry_and_one_refresh(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    refused = await api.tokens.get_token()
    caplog.set_level(logging.INFO, logger=API_LOGGER)
    api.sandbox.faults.set("api_error", {"status": 401, "count": 1})

    assert await api.client.verify_token() == ["acme", "ea"]

    assert [r.getMessage() for r in api_lines(caplog, "Retrying")] == [
        f"Retrying POST {api.host}/api/v1/token/verify (attempt 2 of 2) in 0 s, with a new "
        "token: token_rejected (HTTP 401)"
    ]
    assert [r.getMessage() for r in api_lines(caplog, "Fetching an access token")] == [
        f"Fetching an access token: POST {api.host}/idp/token (Runway refused the previous token)"
    ]
    assert api.tokens.fetch_count == 2
    assert_clean(api_lines(caplog, ""), await api.secrets(refused))


@pytest.mark.anyio
async def test_a_retried_sign_in_logs_the_fetch_and_its_retry(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=API_LOGGER)
    api.sandbox.faults.set("token_down", {"status": 503, "count": 1})

    await api.tokens.get_token()
    lines = api_lines(caplog, "")

    assert [r.getMessage() for r in lines] == [
        f"Fetching an access token: POST {api.host}/idp/token (first sign-in)",
        f"Retrying POST {api.host}/idp/token (attempt 2 of 3) in 0.00 s: "
        "sign_in_unavailable (HTTP 503)",
    ]
    assert_clean(lines, await api.secrets())


@pytest.fixture
def log_folder(tmp_path: Path) -> Iterator[Path]:
    """The app's own log file (what ``app.py`` sets up), in the test's folder."""
    root = logging.getLogger()
    level = root.level
    folder = tmp_path / "logs"
    setup_logging(directory=folder)
    yield folder
    teardown_logging()
    root.setLevel(level)


@pytest.mark.anyio
async def test_export_diagnostics_carries_the_retry_and_refresh_lines(
    api: Api, log_folder: Path, tmp_path: Path
) -> None:
    refused = await api.tokens.get_token()
    api.sandbox.faults.set("api_error", {"status": 401, "count": 1})
    await api.client.verify_token()
    api.sandbox.faults.set("api_error", {"status": 502, "count": 1})
    await api.client.list_output_sets(OutputSetFilter("acme"))
    secrets = await api.secrets(refused)
    teardown_logging()  # flush and close the file before zipping it, as quitting the app does

    target = tmp_path / "diagnostics.zip"
    export_diagnostics(target, [], log_files(log_folder))
    with zipfile.ZipFile(target) as archive:
        logs = [archive.read(n).decode() for n in archive.namelist() if n.startswith("logs/")]
    text = "\n".join(logs)
    assert f"INFO    runway_desktop.api: Retrying POST {api.host}/api/v1/token/verify" in text
    assert "with a new token: token_rejected (HTTP 401)" in text
    assert "Fetching an access token" in text and "(Runway refused the previous token)" in text
    assert f"Retrying GET {api.host}/api/v1/output-sets (attempt 2 of 5)" in text
    assert "server_error (HTTP 502)" in text
    for secret in secrets:
        assert secret not in text
