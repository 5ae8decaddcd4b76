"""Every call is bounded, against a hostile server on a real socket: one that dribbles a byte
every few tenths of a second (each read succeeds, so httpx's per-read timeout never fires), one
that stops reading an upload, one whose answer is huge, one that redirects.

The policy's numbers are shortened for the test (they are read when a call starts); the same
code paths run as with the real ones.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from hostile_http import (
    TOKEN_ANSWER,
    Handler,
    HostileRequest,
    Writer,
    dribble,
    head,
    hostile_server,
    json_answer,
    whole,
)

from runway_desktop.api import policy
from runway_desktop.api.auth import TokenProvider, TokenSettings
from runway_desktop.api.client import RunwayClient
from runway_desktop.api.errors import BlockedByProxy, ErrorCode, NetworkError, ServerError
from runway_desktop.api.http import make_http_client
from runway_desktop.api.models import OutputSetFilter
from runway_desktop.api.retry import RetryPolicy
from runway_desktop.api.transfer import DownloadResult, download_file, upload_file

TWO_TRIES = RetryPolicy(max_attempts=2, base_delay=0.0, max_delay=0.0)
SET = {
    "uid": "3f2b8c1e-5d4a-4b6f-9e7d-2a1c0b9f8e7d", "files": ["a.jsonl"], "sentToOds": False,
    "createdAt": "2026-03-15T14:30:00.123Z", "jobUid": "0b2b8c1e-5d4a-4b6f-9e7d-2a1c0b9f8e7d",
    "partner": "acme", "tenant": "district-a", "schoolYear": "2026", "bundle": "assessments/STAR",
}  # fmt: skip


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    client = make_http_client()
    yield client
    await client.aclose()


@pytest.fixture
def short_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(policy, "API_DEADLINE_SECONDS", 1.0)
    monkeypatch.setattr(policy, "TOKEN_DEADLINE_SECONDS", 1.0)
    monkeypatch.setattr(policy, "TRANSFER_STALL_WINDOW_SECONDS", 1.0)
    monkeypatch.setattr(policy, "TRANSFER_STALL_MIN_BYTES", 1024)


def runway(http: httpx.AsyncClient, url: str) -> RunwayClient:
    tokens = TokenProvider(http, TokenSettings(f"{url}/token", "id", "secret"))
    return RunwayClient(http, f"{url}/api", tokens, retry_policy=TWO_TRIES)


async def list_sets(http: httpx.AsyncClient, url: str) -> list[object]:
    return list(await runway(http, url).list_output_sets(OutputSetFilter(partner="acme")))


def api(handler_for_api: Handler) -> Handler:
    """Token endpoint answered honestly; the rest by ``handler_for_api``."""

    async def handler(request: HostileRequest, writer: Writer) -> None:
        if request.path.startswith("/token"):
            writer.write(TOKEN_ANSWER)
        else:
            await handler_for_api(request, writer)

    return handler


@pytest.mark.anyio
@pytest.mark.usefixtures("short_bounds")
@pytest.mark.parametrize("where", ["body", "headers"])
async def test_a_dribbled_listing_hits_the_deadline(http: httpx.AsyncClient, where: str) -> None:
    answer = json_answer(200, [SET] * 20)

    async def dribbling(request: HostileRequest, writer: Writer) -> None:
        split = answer.index(b"\r\n\r\n") + 4 if where == "body" else 0
        writer.write(answer[:split])
        await dribble(writer, answer[split:], every=0.2)

    started = time.monotonic()
    with hostile_server(api(dribbling)) as server, pytest.raises(NetworkError) as caught:
        await list_sets(http, server.url)
    elapsed = time.monotonic() - started
    assert caught.value.code is ErrorCode.TIMEOUT
    assert "took too long to answer" in caught.value.message
    assert server.count("/api/v1/output-sets") == 2  # each try bounded, then given up
    assert elapsed < 4.0  # two 1 s deadlines, not the ~25 s the dribble would take


@pytest.mark.anyio
@pytest.mark.usefixtures("short_bounds")
async def test_a_dribbling_token_endpoint_hits_the_deadline(http: httpx.AsyncClient) -> None:
    async def dribbling(request: HostileRequest, writer: Writer) -> None:
        await dribble(writer, TOKEN_ANSWER, every=0.2)

    started = time.monotonic()
    with hostile_server(dribbling) as server, pytest.raises(NetworkError) as caught:
        await list_sets(http, server.url)
    assert caught.value.code is ErrorCode.TIMEOUT
    assert time.monotonic() - started < policy.TOKEN_RETRY.max_attempts * 1.0 + 2.0


def dribbled_download(total: int, every: float, piece: int = 1) -> Handler:
    async def handler(request: HostileRequest, writer: Writer) -> None:
        writer.write(head(200, {"Content-Length": str(total)}))
        data = b"x" * total
        for offset in range(0, total, piece):
            writer.write(data[offset : offset + piece])
            await writer.drain()
            await asyncio.sleep(every)

    return handler


async def download(http: httpx.AsyncClient, url: str, dest: Path) -> DownloadResult:
    async def link() -> str:
        return f"{url}/bucket/a.jsonl?X-Amz-Signature=s"

    return await download_file(http, link, dest, "a.jsonl", retry_policy=TWO_TRIES)


@pytest.mark.anyio
@pytest.mark.usefixtures("short_bounds")
async def test_a_dribbled_download_is_a_stall(http: httpx.AsyncClient, tmp_path: Path) -> None:
    started = time.monotonic()
    dribbling = dribbled_download(100_000, every=0.1)
    with hostile_server(dribbling) as server, pytest.raises(NetworkError) as caught:
        await download(http, server.url, tmp_path)
    assert caught.value.code is ErrorCode.STALLED
    assert "stalled" in caught.value.message
    assert len(server.requests) == 2
    assert time.monotonic() - started < 4.0
    assert not (tmp_path / "a.jsonl").exists()


@pytest.mark.anyio
@pytest.mark.usefixtures("short_bounds")
async def test_a_slow_but_steady_download_outlasts_the_window(
    http: httpx.AsyncClient, tmp_path: Path
) -> None:
    # 8 KiB every 0.25 s for ~2.5 s: longer than a stall window, never below its minimum.
    handler = dribbled_download(80_000, every=0.25, piece=8192)
    with hostile_server(handler) as server:
        result = await download(http, server.url, tmp_path)
    assert result.size == 80_000
    assert len(server.requests) == 1


@pytest.mark.anyio
@pytest.mark.usefixtures("short_bounds")
async def test_an_upload_the_server_stops_reading_is_a_stall(
    http: httpx.AsyncClient, tmp_path: Path
) -> None:
    source = tmp_path / "big.csv"
    source.write_bytes(os.urandom(64 << 20))  # more than the socket buffers hold
    stat = source.stat()

    async def deaf(request: HostileRequest, writer: Writer) -> None:
        await asyncio.sleep(30)

    started = time.monotonic()
    with hostile_server(deaf, read_body=False) as server, pytest.raises(NetworkError) as caught:
        await upload_file(
            http, f"{server.url}/bucket/big.csv?X-Amz-Signature=s", source,
            expected_size=stat.st_size, expected_mtime_ns=stat.st_mtime_ns,
            retry_policy=RetryPolicy(max_attempts=1),
        )  # fmt: skip
    assert caught.value.code in (ErrorCode.STALLED, ErrorCode.TIMEOUT)
    assert time.monotonic() - started < 5.0


@pytest.mark.anyio
@pytest.mark.parametrize("framing", ["content-length", "chunked"])
async def test_a_json_answer_above_the_cap_is_refused_clearly(
    http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, framing: str
) -> None:
    monkeypatch.setattr(policy, "JSON_MAX_BYTES", 10_000)
    body = json.dumps([SET] * 100).encode()  # ~30 KB

    async def huge(request: HostileRequest, writer: Writer) -> None:
        if framing == "content-length":
            writer.write(whole(200, body, {"Content-Type": "application/json"}))
            return
        writer.write(head(200, {"Transfer-Encoding": "chunked"}))
        for offset in range(0, len(body), 4096):
            piece = body[offset : offset + 4096]
            writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        writer.write(b"0\r\n\r\n")

    with hostile_server(api(huge)) as server, pytest.raises(ServerError) as caught:
        await list_sets(http, server.url)
    assert caught.value.code is ErrorCode.ANSWER_TOO_LARGE
    assert caught.value.message.startswith("The answer from 127.0.0.1 is larger than this app")
    assert caught.value.next_step


@pytest.mark.anyio
async def test_the_same_listing_under_the_cap_is_read(http: httpx.AsyncClient) -> None:
    async def normal(request: HostileRequest, writer: Writer) -> None:
        writer.write(json_answer(200, [SET] * 100))

    with hostile_server(api(normal)) as server:
        assert len(await list_sets(http, server.url)) == 100


@pytest.mark.anyio
async def test_a_redirect_is_not_followed_and_named(http: httpx.AsyncClient) -> None:
    async def redirecting(request: HostileRequest, writer: Writer) -> None:
        if request.path.startswith("/api/"):
            target = f"{server.url}/portal/login?ticket=secret"
            writer.write(whole(302, b"", {"Location": target}))
        else:
            writer.write(json_answer(200, [SET]))  # the "login page": must never be asked

    with hostile_server(api(redirecting)) as server, pytest.raises(BlockedByProxy) as caught:
        await list_sets(http, server.url)
    error = caught.value
    assert error.code is ErrorCode.REDIRECTED
    assert error.message == f"The server at 127.0.0.1 redirected to {server.url}/portal/login."
    assert error.next_step == "Check the API URL in Settings; a proxy login page may be in the way."
    assert "ticket" not in error.message + (error.server_message or "")
    assert server.count("/portal") == 0
