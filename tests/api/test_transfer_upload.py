"""Uploads against a real local PUT sink: wire format, progress, changed files, ETag, retries."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from test_transfer_sink import Sink, running_sink

from runway_desktop.api.errors import (
    ErrorCode,
    FileChanged,
    IntegrityMismatch,
    NetworkError,
    S3Error,
    TransferCancelled,
)
from runway_desktop.api.http import make_http_client
from runway_desktop.api.progress import ProgressMeter, TransferProgress
from runway_desktop.api.retry import RetryNotice, RetryPolicy
from runway_desktop.api.transfer import UploadResult, upload_file

FAST_RETRIES = RetryPolicy(max_attempts=3, base_delay=0.0, max_delay=0.0)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def sink() -> AsyncIterator[Sink]:
    async with running_sink() as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    client = make_http_client()
    yield client
    await client.aclose()


def make_file(tmp_path: Path, size: int, name: str = "scores.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(os.urandom(size))
    return path


def stat_of(path: Path) -> os.stat_result:
    return path.stat()


async def upload(http: httpx.AsyncClient, sink: Sink, path: Path, **kwargs: object) -> UploadResult:
    stat = stat_of(path)
    return await upload_file(
        http,
        sink.url("scores.csv"),
        path,
        expected_size=stat.st_size,
        expected_mtime_ns=stat.st_mtime_ns,
        retry_policy=FAST_RETRIES,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.anyio
async def test_put_streams_with_content_length_never_chunked(
    http: httpx.AsyncClient, sink: Sink, tmp_path: Path
) -> None:
    path = make_file(tmp_path, 3 * 1024 * 1024 + 17)
    progress: list[TransferProgress] = []
    result = await upload(http, sink, path, on_progress=progress.append)

    data = path.read_bytes()
    assert sink.objects["scores.csv"] == data
    (request,) = sink.seen
    assert request.headers["Content-Length"] == str(len(data))
    assert "Transfer-Encoding" not in request.headers
    assert request.headers["Content-Type"] == "application/octet-stream"
    assert not any(h.lower().startswith("x-amz-checksum") for h in request.headers)
    assert request.headers["User-Agent"].startswith("RunwayDesktop/")
    assert "Authorization" not in request.headers  # the bearer token never goes to S3
    assert request.query == "X-Amz-Signature=abc"  # the URL is used exactly as given

    assert result.md5_hex == hashlib.md5(data).hexdigest()
    assert result.etag_checked and result.etag == result.md5_hex
    assert result.bytes_sent == len(data) and result.attempts == 1
    assert progress[-1].bytes_done == len(data) and progress[-1].fraction == 1.0
    done = [p.bytes_done for p in progress]
    assert done == sorted(done)


@pytest.mark.anyio
async def test_file_changed_before_sending(
    http: httpx.AsyncClient, sink: Sink, tmp_path: Path
) -> None:
    path = make_file(tmp_path, 1000)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    with pytest.raises(FileChanged) as raised:
        await upload_file(
            http,
            sink.url("scores.csv"),
            path,
            expected_size=stat.st_size,
            expected_mtime_ns=stat.st_mtime_ns,
        )
    assert raised.value.user_text() == (
        "scores.csv changed while it was being sent. Wait until it is fully saved, then try again."
    )
    assert sink.seen == []


@pytest.mark.anyio
async def test_file_growing_while_it_is_read(
    http: httpx.AsyncClient, sink: Sink, tmp_path: Path
) -> None:
    path = make_file(tmp_path, 2 * 1024 * 1024)

    def keep_writing(progress: TransferProgress) -> None:
        with path.open("ab") as handle:  # another program still saving the file
            handle.write(b"more rows\n")

    with pytest.raises(FileChanged):
        await upload(http, sink, path, on_progress=keep_writing, chunk_size=64 * 1024)
    assert "scores.csv" not in sink.objects


@pytest.mark.anyio
async def test_file_shrinking_while_it_is_read(
    http: httpx.AsyncClient, sink: Sink, tmp_path: Path
) -> None:
    path = make_file(tmp_path, 1024 * 1024)

    def truncate(progress: TransferProgress) -> None:
        os.truncate(path, 100_000)

    with pytest.raises(FileChanged):
        await upload(http, sink, path, on_progress=truncate, chunk_size=64 * 1024)


@pytest.mark.anyio
async def test_content_differs_from_the_checked_md5(
    http: httpx.AsyncClient, sink: Sink, tmp_path: Path
) -> None:
    path = make_file(tmp_path, 5000)
    with pytest.raises(FileChanged):
        await upload(http, sink, path, expected_md5="0" * 32)


@pytest.mark.anyio
async def test_wrong_etag_is_resent_then_accepted(
    http: httpx.AsyncClient, sink: Sink, tmp_path: Path
) -> None:
    path = make_file(tmp_path, 70_000)
    sink.faults = ["wrong-etag"]
    result = await upload(http, sink, path)
    assert result.attempts == 2 and result.etag_checked


@pytest.mark.anyio
async def test_wrong_etag_every_time_fails(
    http: httpx.AsyncClient, sink: Sink, tmp_path: Path
) -> None:
    path = make_file(tmp_path, 70_000)
    sink.faults = ["wrong-etag"] * 3
    with pytest.raises(IntegrityMismatch) as raised:
        await upload(http, sink, path)
    assert raised.value.code is ErrorCode.INTEGRITY_MISMATCH
    assert len(sink.seen) == 3


@pytest.mark.anyio
async def test_kms_etag_is_not_compared(
    http: httpx.AsyncClient, sink: Sink, tmp_path: Path
) -> None:
    path = make_file(tmp_path, 1234)
    sink.faults = ["kms"]
    result = await upload(http, sink, path)
    assert not result.etag_checked
    assert "KMS" in result.etag_note


@pytest.mark.anyio
async def test_5xx_and_dropped_connection_are_retried_from_byte_zero(
    http: httpx.AsyncClient, sink: Sink, tmp_path: Path
) -> None:
    path = make_file(tmp_path, 1024 * 1024)
    sink.faults = ["500", "drop"]
    notices: list[RetryNotice] = []
    progress: list[TransferProgress] = []
    result = await upload(http, sink, path, on_retry=notices.append, on_progress=progress.append)
    assert result.attempts == 3
    assert sink.objects["scores.csv"] == path.read_bytes()
    assert [n.text for n in notices] == ["Retrying (2 of 3)…", "Retrying (3 of 3)…"]
    assert progress[-1].attempt == 3 and progress[-1].bytes_done == 1024 * 1024


@pytest.mark.anyio
async def test_persistent_5xx_gives_up(http: httpx.AsyncClient, sink: Sink, tmp_path: Path) -> None:
    path = make_file(tmp_path, 1000)
    sink.faults = ["500"] * 3
    with pytest.raises(S3Error) as raised:
        await upload(http, sink, path)
    assert raised.value.retryable and raised.value.s3_code == "InternalError"
    assert raised.value.code is ErrorCode.STORAGE_UNAVAILABLE


@pytest.mark.anyio
async def test_expired_link_is_never_retried(
    http: httpx.AsyncClient, sink: Sink, tmp_path: Path
) -> None:
    path = make_file(tmp_path, 1000)
    sink.faults = ["expired"]
    with pytest.raises(S3Error) as raised:
        await upload(http, sink, path)
    assert raised.value.needs_new_url
    assert len(sink.seen) == 1


@pytest.mark.anyio
async def test_cancel_stops_the_upload(http: httpx.AsyncClient, sink: Sink, tmp_path: Path) -> None:
    path = make_file(tmp_path, 2 * 1024 * 1024)
    cancel = asyncio.Event()
    with pytest.raises(TransferCancelled):
        await upload(
            http,
            sink,
            path,
            cancel=cancel,
            on_progress=lambda progress: cancel.set(),
            chunk_size=64 * 1024,
        )
    assert "scores.csv" not in sink.objects


@pytest.mark.anyio
async def test_unreachable_sink_is_a_network_error(http: httpx.AsyncClient, tmp_path: Path) -> None:
    path = make_file(tmp_path, 10)
    stat = path.stat()
    with pytest.raises(NetworkError) as raised:
        await upload_file(
            http,
            "http://127.0.0.1:9/bucket/x",  # the discard port: nothing listens
            path,
            expected_size=stat.st_size,
            expected_mtime_ns=stat.st_mtime_ns,
            retry_policy=RetryPolicy(max_attempts=1),
        )
    assert raised.value.kind == "refused" and raised.value.retryable


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_eta_appears_only_once_the_rate_is_stable() -> None:
    clock, reports = FakeClock(), list[TransferProgress]()
    meter = ProgressMeter(100_000_000, reports.append, clock=clock)
    for _ in range(4):  # 1 s at 1 MB per 0.25 s: rate known, but too early for an ETA
        clock.now += 0.25
        meter.advance(1_000_000)
    assert meter.snapshot().bytes_per_second == pytest.approx(4_000_000)
    assert meter.snapshot().eta_seconds is None
    for _ in range(8):  # 3 s and 12 %: now an ETA
        clock.now += 0.25
        meter.advance(1_000_000)
    eta = meter.snapshot().eta_seconds
    assert eta is not None and eta == pytest.approx(88_000_000 / 4_000_000)
    assert len(reports) == 12  # 0.25 s apart: under the 10-per-second throttle


def test_progress_callbacks_are_throttled() -> None:
    clock, reports = FakeClock(), list[TransferProgress]()
    meter = ProgressMeter(1000, reports.append, clock=clock)
    for _ in range(100):
        clock.now += 0.001
        meter.advance(10)
    meter.finish()
    assert len(reports) == 2  # the first and the final one
    assert reports[-1].bytes_done == 1000
