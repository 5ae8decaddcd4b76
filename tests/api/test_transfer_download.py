"""Downloads against a real local GET sink: atomic rename, Range resume, 403 refresh, disk
errors."""

from __future__ import annotations

import asyncio
import errno
import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from test_transfer_sink import Sink, running_sink

from runway_desktop.api import part_file, policy
from runway_desktop.api.errors import (
    DiskFull,
    ErrorCode,
    FolderNotWritable,
    S3Error,
    TransferCancelled,
)
from runway_desktop.api.http import make_http_client
from runway_desktop.api.progress import TransferProgress
from runway_desktop.api.retry import RetryNotice, RetryPolicy
from runway_desktop.api.transfer import DownloadResult, download_file

FAST_RETRIES = RetryPolicy(max_attempts=4, base_delay=0.0, max_delay=0.0)
SIZE = 3 * 1024 * 1024 + 5


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def sink() -> AsyncIterator[Sink]:
    async with running_sink() as running:
        running.objects["a.jsonl"] = os.urandom(SIZE)
        yield running


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    client = make_http_client()
    yield client
    await client.aclose()


class Links:
    """A url_provider that counts calls and can hand out a new signature each time."""

    def __init__(self, sink: Sink, key: str = "a.jsonl") -> None:
        self.sink, self.key, self.calls = sink, key, 0

    async def __call__(self) -> str:
        self.calls += 1
        return self.sink.url(self.key, f"X-Amz-Signature=sig{self.calls}")


async def fetch(
    http: httpx.AsyncClient, sink: Sink, dest: Path, name: str = "a.jsonl", **kwargs: object
) -> DownloadResult:
    return await download_file(
        http,
        Links(sink),
        dest,
        name,
        retry_policy=FAST_RETRIES,
        **kwargs,  # type: ignore[arg-type]
    )


# Blocking file-system peeks for assertions, kept out of the async test bodies.
def names_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def resolved(folder: Path) -> Path:
    return folder.resolve()


def ranges(sink: Sink) -> list[str | None]:
    return [r.headers.get("Range") for r in sink.seen]


@pytest.mark.anyio
async def test_download_lands_under_its_final_name_only_when_complete(
    http: httpx.AsyncClient, sink: Sink, tmp_path: Path
) -> None:
    progress: list[TransferProgress] = []
    result = await fetch(http, sink, tmp_path, expected_size=SIZE, on_progress=progress.append)
    assert result.path == resolved(tmp_path) / "a.jsonl"
    assert result.path.read_bytes() == sink.objects["a.jsonl"]
    assert result.size == SIZE and result.resumed_from == 0 and result.attempts == 1
    assert names_in(tmp_path) == ["a.jsonl"]  # no .part left behind
    assert progress[-1].bytes_done == SIZE and progress[-1].fraction == 1.0
    assert ranges(sink) == [None]


@pytest.mark.anyio
async def test_existing_file_is_replaced(
    http: httpx.AsyncClient, sink: Sink, tmp_path: Path
) -> None:
    (tmp_path / "a.jsonl").write_bytes(b"old")
    result = await fetch(http, sink, tmp_path)
    assert result.path.read_bytes() == sink.objects["a.jsonl"]


@pytest.mark.anyio
async def test_a_partial_file_is_resumed_with_range(
    http: httpx.AsyncClient, sink: Sink, tmp_path: Path
) -> None:
    (tmp_path / ".a.jsonl.part").write_bytes(sink.objects["a.jsonl"][:1_000_000])
    result = await fetch(http, sink, tmp_path, expected_size=SIZE)
    assert ranges(sink) == ["bytes=1000000-"]
    assert result.resumed_from == 1_000_000
    assert result.path.read_bytes() == sink.objects["a.jsonl"]


@pytest.mark.anyio
async def test_a_server_ignoring_range_starts_over(
    http: httpx.AsyncClient, sink: Sink, tmp_path: Path
) -> None:
    (tmp_path / ".a.jsonl.part").write_bytes(b"stale bytes from another version")
    sink.faults = ["ignore-range"]
    result = await fetch(http, sink, tmp_path)
    assert result.path.read_bytes() == sink.objects["a.jsonl"]


@pytest.mark.anyio
async def test_a_complete_part_file_is_just_renamed(
    http: httpx.AsyncClient, sink: Sink, tmp_path: Path
) -> None:
    (tmp_path / ".a.jsonl.part").write_bytes(sink.objects["a.jsonl"])
    result = await fetch(http, sink, tmp_path)  # the sink answers 416 bytes */SIZE
    assert result.path.read_bytes() == sink.objects["a.jsonl"]


@pytest.mark.anyio
async def test_dropped_connection_resumes_where_it_stopped(
    http: httpx.AsyncClient, sink: Sink, tmp_path: Path
) -> None:
    sink.faults = ["drop"]
    notices: list[RetryNotice] = []
    result = await fetch(http, sink, tmp_path, expected_size=SIZE, on_retry=notices.append)
    assert result.attempts == 2 and len(notices) == 1
    first, second = sink.seen
    assert first.headers.get("Range") is None
    resumed = second.headers["Range"]
    assert resumed.startswith("bytes=") and resumed != "bytes=0-"
    # The resume is tied to the version it started on (a re-run may overwrite the object).
    assert "If-Match" not in first.headers
    assert second.headers["If-Match"] == f'"{hashlib.md5(sink.objects["a.jsonl"]).hexdigest()}"'
    assert result.path.read_bytes() == sink.objects["a.jsonl"]


@pytest.mark.anyio
async def test_object_replaced_during_resume_starts_over(
    http: httpx.AsyncClient, sink: Sink, tmp_path: Path
) -> None:
    sink.faults = ["drop"]
    original = sink.objects["a.jsonl"]
    task = asyncio.create_task(fetch(http, sink, tmp_path))
    # Replace the object as soon as the first (dropped) request was seen.
    await sink.first_request.wait()
    sink.objects["a.jsonl"] = original[::-1]
    result = await task
    assert result.path.read_bytes() == original[::-1]
    # dropped; resumed with If-Match → 412 Precondition Failed; fetched again from byte 0
    assert ranges(sink)[2] is None and len(sink.seen) == 3


@pytest.mark.anyio
async def test_killed_transfer_leaves_only_a_part_file_then_resumes(
    http: httpx.AsyncClient, sink: Sink, tmp_path: Path
) -> None:
    sink.faults = ["slow"]
    progressed = asyncio.Event()

    def on_progress(progress: TransferProgress) -> None:
        if progress.bytes_done > 300_000:
            progressed.set()

    task = asyncio.create_task(fetch(http, sink, tmp_path, on_progress=on_progress))
    await asyncio.wait_for(progressed.wait(), timeout=10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not (tmp_path / "a.jsonl").exists()
    kept = (tmp_path / ".a.jsonl.part").stat().st_size
    assert 0 < kept < SIZE

    result = await fetch(http, sink, tmp_path)
    assert result.resumed_from == kept
    assert result.path.read_bytes() == sink.objects["a.jsonl"]


@pytest.mark.anyio
async def test_cancel_event_keeps_the_part_file(
    http: httpx.AsyncClient, sink: Sink, tmp_path: Path
) -> None:
    cancel = asyncio.Event()
    with pytest.raises(TransferCancelled):
        await fetch(http, sink, tmp_path, cancel=cancel, on_progress=lambda p: cancel.set())
    assert not (tmp_path / "a.jsonl").exists()


@pytest.mark.anyio
async def test_expired_link_is_refreshed(
    http: httpx.AsyncClient, sink: Sink, tmp_path: Path
) -> None:
    sink.expired_queries = {"X-Amz-Signature=sig1"}
    links = Links(sink)
    result = await download_file(http, links, tmp_path, "a.jsonl", retry_policy=FAST_RETRIES)
    assert links.calls == 2 and result.url_refreshes == 1
    assert [r.query for r in sink.seen] == ["X-Amz-Signature=sig1", "X-Amz-Signature=sig2"]
    assert result.path.read_bytes() == sink.objects["a.jsonl"]


@pytest.mark.anyio
async def test_a_link_refused_every_time_gives_up(
    http: httpx.AsyncClient, sink: Sink, tmp_path: Path
) -> None:
    sink.faults = ["expired"] * 10
    with pytest.raises(S3Error) as raised:
        await fetch(http, sink, tmp_path)
    assert raised.value.needs_new_url
    assert len(sink.seen) == 1 + policy.MAX_URL_REFRESHES


@pytest.mark.anyio
async def test_missing_object(http: httpx.AsyncClient, sink: Sink, tmp_path: Path) -> None:
    links = Links(sink, key="gone.jsonl")
    with pytest.raises(S3Error) as raised:
        await download_file(http, links, tmp_path, "gone.jsonl", retry_policy=FAST_RETRIES)
    assert raised.value.s3_code == "NoSuchKey"
    assert raised.value.code is ErrorCode.STORED_FILE_MISSING
    assert names_in(tmp_path) == []


@pytest.mark.anyio
async def test_5xx_is_retried(http: httpx.AsyncClient, sink: Sink, tmp_path: Path) -> None:
    sink.faults = ["500", "500"]
    result = await fetch(http, sink, tmp_path)
    assert result.attempts == 3


@pytest.mark.anyio
async def test_server_names_are_sanitised_and_stay_in_the_folder(
    http: httpx.AsyncClient, sink: Sink, tmp_path: Path
) -> None:
    dest = tmp_path / "downloads"
    dest.mkdir()
    result = await fetch(http, sink, dest, name="../../evil.jsonl")
    assert result.path.parent == resolved(dest)
    assert result.path.name == "_._evil.jsonl"
    assert names_in(tmp_path) == ["downloads"]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("failure", "expected", "hint"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), DiskFull, "Free some disk space on "),
        (PermissionError(errno.EACCES, "Permission denied"), FolderNotWritable, "Settings"),
    ],
)
async def test_disk_errors_become_plain_errors(
    http: httpx.AsyncClient,
    sink: Sink,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    failure: OSError,
    expected: type[Exception],
    hint: str,
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise failure

    monkeypatch.setattr(part_file, "_write", fail)
    with pytest.raises(expected) as raised:
        await fetch(http, sink, tmp_path)
    assert isinstance(raised.value, DiskFull | FolderNotWritable)
    assert hint in raised.value.next_step
    assert not (tmp_path / "a.jsonl").exists()


@pytest.mark.anyio
@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permissions")
async def test_read_only_folder(http: httpx.AsyncClient, sink: Sink, tmp_path: Path) -> None:
    dest = tmp_path / "locked"
    dest.mkdir()
    dest.chmod(0o500)
    try:
        with pytest.raises(FolderNotWritable) as raised:
            await fetch(http, sink, dest)
        assert "Choose another download folder in Settings" in raised.value.next_step
    finally:
        dest.chmod(0o700)
