"""Downloads are verified before they get their name, against a hostile server on a real socket:
bytes altered in transit (same length), a chunked body cut short, a Content-Length not met.

The hostile server sends what no honest S3 does; each case checks the file is refused (or
fetched again) and that a refused file never appears under its final name.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from hostile_http import HostileRequest, Writer, head, hostile_server, whole

from runway_desktop.api.errors import ErrorCode, IntegrityMismatch, NetworkError, RunwayError
from runway_desktop.api.http import make_http_client
from runway_desktop.api.retry import RetryPolicy
from runway_desktop.api.transfer import DownloadResult, download_file

DATA = os.urandom(300_000)
MD5 = hashlib.md5(DATA).hexdigest()
ALTERED = DATA[:1000] + bytes([DATA[1000] ^ 0xFF]) + DATA[1001:]  # same length, one byte off
RETRIES = RetryPolicy(max_attempts=3, base_delay=0.0, max_delay=0.0)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    client = make_http_client()
    yield client
    await client.aclose()


async def fetch(http: httpx.AsyncClient, url: str, dest: Path) -> DownloadResult:
    async def link() -> str:
        return f"{url}/bucket/a.jsonl?X-Amz-Signature=s"

    return await download_file(http, link, dest, "a.jsonl", retry_policy=RETRIES)


def names_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def range_start(request: HostileRequest) -> int:
    value = request.headers.get("range", "")
    return int(value.removeprefix("bytes=").rstrip("-")) if value else 0


def answer(request: HostileRequest, body: bytes, headers: dict[str, str]) -> bytes:
    """200, or 206 from the Range asked for, of ``body`` (the object as this server sees it)."""
    start = range_start(request)
    if not start:
        return whole(200, body, headers)
    extra = {"Content-Range": f"bytes {start}-{len(body) - 1}/{len(body)}", **headers}
    return whole(206, body[start:], extra)


@pytest.mark.anyio
async def test_altered_bytes_are_fetched_once_more_then_refused(
    http: httpx.AsyncClient, tmp_path: Path
) -> None:
    async def altering(request: HostileRequest, writer: Writer) -> None:
        writer.write(answer(request, ALTERED, {"ETag": f'"{MD5}"'}))

    with hostile_server(altering) as server, pytest.raises(IntegrityMismatch) as caught:
        await fetch(http, server.url, tmp_path)
    assert caught.value.code is ErrorCode.INTEGRITY_MISMATCH
    assert "damaged" in caught.value.message and "was not saved" in caught.value.message
    # The first fetch and exactly one more, each from byte 0 (a damaged prefix is not resumed).
    assert [range_start(r) for r in server.requests] == [0, 0]
    assert names_in(tmp_path) == []  # no final name, no .part left to resume from


@pytest.mark.anyio
async def test_altered_once_then_right_is_saved_as_verified(
    http: httpx.AsyncClient, tmp_path: Path
) -> None:
    async def altering_once(request: HostileRequest, writer: Writer) -> None:
        body = ALTERED if len(server.requests) == 1 else DATA
        writer.write(answer(request, body, {"ETag": f'"{MD5}"'}))

    with hostile_server(altering_once) as server:
        result = await fetch(http, server.url, tmp_path)
    assert result.verified == "md5" and result.md5_hex == MD5
    assert (tmp_path / "a.jsonl").read_bytes() == DATA
    assert len(server.requests) == 2


@pytest.mark.anyio
@pytest.mark.parametrize(
    "headers",
    [
        {"ETag": f'"{MD5}"', "x-amz-server-side-encryption": "aws:kms"},
        {"ETag": f'"{MD5}-3"'},  # multipart: the MD5 of the parts' MD5s
        {},
    ],
    ids=["sse-kms", "multipart", "no-etag"],
)
async def test_an_etag_that_is_no_md5_is_not_compared(
    http: httpx.AsyncClient, tmp_path: Path, headers: dict[str, str]
) -> None:
    async def handler(request: HostileRequest, writer: Writer) -> None:
        writer.write(answer(request, ALTERED, headers))

    with hostile_server(handler) as server:
        result = await fetch(http, server.url, tmp_path)
    # Size only: nothing says what the bytes should be, so the (altered) body is kept.
    assert result.verified == "size"
    assert (tmp_path / "a.jsonl").read_bytes() == ALTERED


async def cut_chunked(writer: Writer, body: bytes, headers: dict[str, str]) -> None:
    """A chunked answer whose last chunk (``0\\r\\n\\r\\n``) never comes."""
    writer.write(head(200, {"Transfer-Encoding": "chunked", **headers}))
    half = body[: len(body) // 2]
    for offset in range(0, len(half), 50_000):
        piece = half[offset : offset + 50_000]
        writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
    await writer.drain()


@pytest.mark.anyio
async def test_a_chunked_body_cut_short_is_never_kept_as_complete(
    http: httpx.AsyncClient, tmp_path: Path
) -> None:
    # No ETag and no Content-Length: the missing last chunk is the only sign.
    async def cutting(request: HostileRequest, writer: Writer) -> None:
        await cut_chunked(writer, DATA, {})

    with hostile_server(cutting) as server, pytest.raises(RunwayError) as caught:
        await fetch(http, server.url, tmp_path)
    assert isinstance(caught.value, NetworkError)
    assert len(server.requests) == RETRIES.max_attempts
    assert "a.jsonl" not in names_in(tmp_path)


@pytest.mark.anyio
async def test_a_chunked_body_cut_short_is_resumed_and_verified(
    http: httpx.AsyncClient, tmp_path: Path
) -> None:
    async def cutting_once(request: HostileRequest, writer: Writer) -> None:
        if len(server.requests) == 1:
            await cut_chunked(writer, DATA, {"ETag": f'"{MD5}"'})
        else:
            writer.write(answer(request, DATA, {"ETag": f'"{MD5}"'}))

    with hostile_server(cutting_once) as server:
        result = await fetch(http, server.url, tmp_path)
    assert result.verified == "md5"
    assert (tmp_path / "a.jsonl").read_bytes() == DATA
    assert range_start(server.requests[1]) > 0  # what arrived was kept and resumed


@pytest.mark.anyio
async def test_a_content_length_not_met_is_never_kept_as_complete(
    http: httpx.AsyncClient, tmp_path: Path
) -> None:
    async def short(request: HostileRequest, writer: Writer) -> None:
        writer.write(head(200, {"Content-Length": str(len(DATA))}) + DATA[: len(DATA) // 3])

    with hostile_server(short) as server, pytest.raises(NetworkError):
        await fetch(http, server.url, tmp_path)
    assert len(server.requests) == RETRIES.max_attempts
    assert "a.jsonl" not in names_in(tmp_path)
