"""RegistryProvider against a real HTTP server on 127.0.0.1 (no mocked httpx)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from runway_desktop.base.resources import resource_path
from runway_desktop.bundles.registry import (
    CACHE_FILE_NAME,
    MAX_REGISTRY_BYTES,
    RefreshOutcome,
    RegistryProvider,
    RegistrySource,
    load_snapshot,
)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    delay: float = 0.0


@dataclass
class RegistryServer:
    url: str
    reply: Reply = field(default_factory=Reply)
    hits: int = 0


@pytest.fixture
def server() -> Iterator[RegistryServer]:
    state = RegistryServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits += 1
            reply = state.reply
            if reply.delay:
                time.sleep(reply.delay)
            try:
                self.send_response(reply.status)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
            except OSError:
                pass  # the client gave up (timeout test)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/registry.json"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def _modified_registry() -> bytes:
    """The snapshot with one bundle removed and one added: a plausible upstream change."""
    data = json.loads(resource_path("registry.json").read_bytes())
    data["assessments"] = [b for b in data["assessments"] if b["path"] != "assessments/AP"]
    data["assessments"].append(
        {
            "display_name": "Brand New Test",
            "path": "assessments/Brand_New",
            "input_files": [{"display_name": "Data", "env_var": "INPUT_FILE", "is_required": True}],
        }
    )
    return json.dumps(data).encode()


def test_snapshot_loads_the_shipped_file() -> None:
    registry = load_snapshot()
    assert registry.get("assessments/PSAT_SAT") is not None


def test_current_uses_the_snapshot_without_a_cache(tmp_path: Path) -> None:
    provider = RegistryProvider(tmp_path)
    assert len(provider.current()) == 42
    assert provider.source is RegistrySource.SNAPSHOT
    assert provider.cache_problem is None


def test_current_prefers_a_valid_cache(tmp_path: Path) -> None:
    (tmp_path / CACHE_FILE_NAME).write_bytes(_modified_registry())
    provider = RegistryProvider(tmp_path)
    assert provider.current().get("assessments/Brand_New") is not None
    assert provider.source is RegistrySource.CACHE


def test_a_damaged_cache_falls_back_to_the_snapshot(tmp_path: Path) -> None:
    (tmp_path / CACHE_FILE_NAME).write_bytes(b'{"assessments": [')
    provider = RegistryProvider(tmp_path)
    assert len(provider.current()) == 42
    assert provider.source is RegistrySource.SNAPSHOT
    assert provider.cache_problem is not None and "not valid JSON" in provider.cache_problem


@pytest.mark.anyio
async def test_refresh_downloads_validates_and_caches(
    tmp_path: Path, server: RegistryServer
) -> None:
    body = _modified_registry()
    server.reply = Reply(body=body)
    provider = RegistryProvider(tmp_path / "cache", url=server.url)
    async with httpx.AsyncClient() as client:
        result = await provider.refresh(client)
    assert result.outcome is RefreshOutcome.UPDATED and result.updated and result.saved
    assert "1 new" in result.message and "1 removed" in result.message
    assert (tmp_path / "cache" / CACHE_FILE_NAME).read_bytes() == body  # byte for byte
    assert provider.current().get("assessments/Brand_New") is not None
    assert provider.source is RegistrySource.CACHE
    # Only the cache file is left: the temporary file was renamed, not copied.
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [CACHE_FILE_NAME]
    # A new provider (the next app start) picks the refreshed copy up.
    assert RegistryProvider(tmp_path / "cache").current().get("assessments/AP") is None


@pytest.mark.anyio
async def test_refreshing_the_same_body_again_reports_unchanged(
    tmp_path: Path, server: RegistryServer
) -> None:
    server.reply = Reply(body=_modified_registry())
    provider = RegistryProvider(tmp_path, url=server.url)
    async with httpx.AsyncClient() as client:
        first = await provider.refresh(client)
        second = await provider.refresh(client)
    assert first.outcome is RefreshOutcome.UPDATED
    assert second.outcome is RefreshOutcome.UNCHANGED
    assert "up to date" in second.message
    assert server.hits == 2


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("reply", "words"),
    [
        (Reply(status=404, body=b"404: Not Found"), "HTTP 404"),
        (Reply(body=b"<html>Please sign in to the district proxy</html>"), "not valid JSON"),
        (Reply(body=b'{"assessments": []}'), "empty"),
        (Reply(body=b"x" * (MAX_REGISTRY_BYTES + 1)), "far too large"),
    ],
)
async def test_a_bad_answer_keeps_the_previous_cache(
    tmp_path: Path, server: RegistryServer, reply: Reply, words: str
) -> None:
    good = _modified_registry()
    (tmp_path / CACHE_FILE_NAME).write_bytes(good)
    server.reply = reply
    provider = RegistryProvider(tmp_path, url=server.url)
    async with httpx.AsyncClient() as client:
        result = await provider.refresh(client)
    assert result.outcome is RefreshOutcome.BAD_RESPONSE and not result.updated
    assert words in result.message
    assert "the list downloaded earlier" in result.message
    assert result.registry.get("assessments/Brand_New") is not None
    assert (tmp_path / CACHE_FILE_NAME).read_bytes() == good


@pytest.mark.anyio
async def test_offline_falls_back_to_the_snapshot(tmp_path: Path) -> None:
    # A port that was just free and is now closed: connection refused, like a dead network.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    provider = RegistryProvider(tmp_path, url=f"http://127.0.0.1:{port}/registry.json")
    async with httpx.AsyncClient() as client:
        result = await provider.refresh(client)
    assert result.outcome is RefreshOutcome.OFFLINE
    assert "Could not reach GitHub" in result.message and "built into" in result.message
    assert result.source is RegistrySource.SNAPSHOT and len(result.registry) == 42
    assert not (tmp_path / CACHE_FILE_NAME).exists()


@pytest.mark.anyio
async def test_a_server_that_never_answers_counts_as_offline(
    tmp_path: Path, server: RegistryServer
) -> None:
    server.reply = Reply(body=_modified_registry(), delay=1.0)
    provider = RegistryProvider(tmp_path, url=server.url, timeout=httpx.Timeout(0.3))
    async with httpx.AsyncClient() as client:
        result = await provider.refresh(client)
    assert result.outcome is RefreshOutcome.OFFLINE
    assert "too long" in result.message


@pytest.mark.anyio
async def test_an_unwritable_cache_still_updates_this_session(
    tmp_path: Path, server: RegistryServer
) -> None:
    server.reply = Reply(body=_modified_registry())
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    provider = RegistryProvider(blocker, url=server.url)
    async with httpx.AsyncClient() as client:
        result = await provider.refresh(client)
    assert result.outcome is RefreshOutcome.UPDATED and not result.saved
    assert "could not be saved" in result.message
    assert provider.current().get("assessments/Brand_New") is not None
