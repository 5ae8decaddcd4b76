"""The API client against the sandbox over real HTTP: real RS256 tokens, the five endpoints,
SigV4-presigned S3 URLs and fault switches."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from runway_desktop.api.auth import TokenProvider, TokenSettings
from runway_desktop.api.client import RunwayClient
from runway_desktop.api.errors import AuthError, PermissionDenied
from runway_desktop.api.http import make_http_client
from runway_desktop.api.models import CreatedJob, CreateJobRequest, OutputSet, OutputSetFilter
from runway_desktop.api.retry import RetryNotice, RetryPolicy
from runway_desktop.api.transfer import upload_file
from runway_desktop.base.resources import samples_dir
from runway_desktop.sandbox.config import default_config
from runway_desktop.sandbox.server import Sandbox

QUICK = RetryPolicy(max_attempts=5, base_delay=0.01, max_delay=0.05)
# A STAR export the sandbox's run accepts (it fails a file that lacks the bundle's columns).
CSV = samples_dir().joinpath("STAR", "SR_sample_anonymized_file.csv").read_bytes()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Api:
    sandbox: Sandbox
    http: httpx.AsyncClient
    tokens: TokenProvider
    client: RunwayClient
    statuses: list[int]  # every answer's status, in order (an httpx response hook)

    def settings(self, **changes: Any) -> TokenSettings:
        profile = self.sandbox.profile
        base = {
            "token_url": profile["token_url"],
            "client_id": profile["client_id"],
            "client_secret": profile["client_secret"],
        }
        return TokenSettings(**{**base, **changes})

    def runway(self, tokens: TokenProvider) -> RunwayClient:
        return RunwayClient(
            self.http, self.sandbox.profile["api_base_url"], tokens, retry_policy=QUICK
        )


def connect(sandbox: Sandbox, http: httpx.AsyncClient, **settings: Any) -> Api:
    profile = sandbox.profile
    token_settings = TokenSettings(
        token_url=profile["token_url"],
        client_id=settings.pop("client_id", profile["client_id"]),
        client_secret=settings.pop("client_secret", profile["client_secret"]),
        **settings,
    )
    tokens = TokenProvider(http, token_settings, retry_policy=QUICK)
    client = RunwayClient(http, profile["api_base_url"], tokens, retry_policy=QUICK)
    statuses: list[int] = []

    async def record(response: httpx.Response) -> None:
        statuses.append(response.status_code)

    http.event_hooks["response"].append(record)
    return Api(sandbox, http, tokens, client, statuses)


@pytest.fixture
async def api(sandbox: Sandbox) -> AsyncIterator[Api]:
    http = make_http_client()
    yield connect(sandbox, http)
    await http.aclose()


def star_job(**changes: Any) -> CreateJobRequest:
    fields: dict[str, Any] = {
        "partner": "acme",
        "tenant": "district-a",
        "bundle": "assessments/STAR",
        "school_year": "2026",
        "files": {"INPUT_FILE": "scores.csv"},
    }
    return CreateJobRequest(**{**fields, **changes})


def write_csv(tmp_path: Path) -> Path:
    path = tmp_path / "scores.csv"
    path.write_bytes(CSV)
    return path


def stat_of(path: Path) -> tuple[int, int]:
    """Size and mtime, as the submission pipeline records them before an upload."""
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


async def send(api: Api, path: Path, job: CreatedJob) -> None:
    size, mtime_ns = stat_of(path)
    await upload_file(
        api.http,
        job.upload_urls["INPUT_FILE"],
        path,
        expected_size=size,
        expected_mtime_ns=mtime_ns,
        retry_policy=QUICK,
    )


async def wait_for_sets(api: Api, job_uid: str) -> list[OutputSet]:
    deadline = time.monotonic() + 10.0
    while time.monotonic() < deadline:
        found = await api.client.list_output_sets(OutputSetFilter("acme"))
        mine = [s for s in found if s.job_uid == job_uid]
        if mine:
            return mine
        await asyncio.sleep(0.1)
    raise AssertionError(f"no output set for job {job_uid}")


# --- tokens --------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_verify_token_and_claims(api: Api) -> None:
    assert await api.client.verify_token() == ["acme", "ea"]
    claims = api.tokens.claims
    assert claims is not None
    assert claims.partner_codes == ("acme", "ea")
    assert "create:jobs" in claims.scopes and claims.client_id == "runway-desktop-sandbox"


@pytest.mark.anyio
async def test_one_token_request_for_many_concurrent_calls(api: Api) -> None:
    await asyncio.gather(
        *(api.client.verify_token() for _ in range(10)),
        *(api.client.list_output_sets(OutputSetFilter("acme")) for _ in range(10)),
    )
    assert api.tokens.fetch_count == 1


@pytest.mark.anyio
@pytest.mark.parametrize("style", ["form", "json"])
async def test_both_token_styles_and_requested_scopes(api: Api, style: str) -> None:
    audience = api.sandbox.profile["audience"] if style == "json" else None
    settings = api.settings(style=style, audience=audience, scopes=("read:jobs", "partner:acme"))
    narrow = TokenProvider(api.http, settings)
    claims = await narrow.get_claims()
    assert claims.scopes == ("read:jobs", "partner:acme")
    assert claims.partner_codes == ("acme",)
    # A token without create:jobs may list output, but not create a job.
    client = api.runway(narrow)
    await client.list_output_sets(OutputSetFilter("acme"))
    with pytest.raises(PermissionDenied) as raised:
        await client.create_job(star_job())
    assert raised.value.server_message == "Insufficient scopes"


@pytest.mark.anyio
async def test_wrong_secret_and_wrong_audience(api: Api) -> None:
    with pytest.raises(AuthError) as raised:
        await TokenProvider(api.http, api.settings(client_secret="nope")).get_token()
    assert "client id or secret" in raised.value.message
    wrong_audience = api.settings(style="json", audience="https://elsewhere.example.org")
    with pytest.raises(PermissionDenied):
        await TokenProvider(api.http, wrong_audience).get_token()


@pytest.mark.anyio
async def test_concurrent_callers_share_one_failure(api: Api) -> None:
    bad = TokenProvider(api.http, api.settings(client_secret="nope"))
    results = await asyncio.gather(*(bad.get_token() for _ in range(5)), return_exceptions=True)
    assert all(isinstance(r, AuthError) for r in results)
    assert bad.fetch_count == 1


@pytest.mark.anyio
async def test_token_is_renewed_once_the_cache_runs_out(api: Api) -> None:
    offset = 0.0
    tokens = TokenProvider(api.http, api.settings(), clock=lambda: time.monotonic() + offset)
    client = api.runway(tokens)
    await client.verify_token()
    await client.verify_token()
    assert tokens.fetch_count == 1
    offset = 300.0 - 31.0  # the margin is min(60 s, 10 % of the lifetime): 30 s here
    await client.verify_token()
    assert tokens.fetch_count == 1
    offset = 300.0 - 29.0
    await client.verify_token()
    assert tokens.fetch_count == 2


@pytest.mark.anyio
async def test_401_invalidates_refreshes_and_retries_once(api: Api) -> None:
    # The identity provider's clock runs an hour behind: the token it mints is already expired.
    idp = api.sandbox.server.idp
    api.sandbox.call(lambda: setattr(idp, "clock", lambda: time.time() - 3600))
    try:
        await api.tokens.get_token()
    finally:
        api.sandbox.call(lambda: setattr(idp, "clock", time.time))
    assert await api.client.verify_token() == ["acme", "ea"]  # 401 → new token → 201
    assert api.tokens.fetch_count == 2
    assert api.statuses == [200, 401, 200, 201]  # token, API, token, API


@pytest.mark.anyio
async def test_token_service_down_is_retried(api: Api) -> None:
    api.sandbox.faults.set("token_down", {"status": 503, "count": 2})
    notices: list[RetryNotice] = []
    tokens = TokenProvider(api.http, api.settings(), retry_policy=QUICK, on_retry=notices.append)
    await tokens.get_token()
    assert tokens.fetch_count == 3 and len(notices) == 2


@pytest.fixture(scope="module")
def short_token_sandbox() -> Iterator[Sandbox]:
    with Sandbox(default_config(token_lifetime_seconds=2)) as running:
        yield running


@pytest.mark.anyio
async def test_short_lived_token_is_refreshed_before_it_expires(
    short_token_sandbox: Sandbox,
) -> None:
    http = make_http_client()
    try:
        api = connect(short_token_sandbox, http)
        await api.client.verify_token()
        await asyncio.sleep(2.1)  # the 2 s token has expired by now
        await api.client.verify_token()
        # Renewed ahead of time (10 % margin), not after a 401.
        assert api.tokens.fetch_count == 2
        assert 401 not in api.statuses
    finally:
        await http.aclose()
