"""The S3 front on an ephemeral port for the S3 tests, plus raw-socket helpers."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from aiohttp import web

from runway_desktop.sandbox.faults import FaultSwitches
from runway_desktop.sandbox.objectstore import ObjectStore
from runway_desktop.sandbox.presign import Presigner
from runway_desktop.sandbox.s3 import create_s3_app
from runway_desktop.sandbox.sigv4 import parse_query, verify_presigned

ACCESS_KEY = "AKIASANDBOXTESTKEY01"
SECRET_KEY = "sandbox/secret+key-for-tests"
MIB = 1 << 20


class MovableClock:
    """The server's clock; tests push it forward instead of sleeping."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@dataclass
class S3Sandbox:
    port: int
    store: ObjectStore
    faults: FaultSwitches
    clock: MovableClock
    presigner: Presigner
    root: Path


@pytest.fixture(name="s3")
def s3_fixture(tmp_path: Path) -> Iterator[S3Sandbox]:
    """The S3 app on an ephemeral port, served by its own event loop in a thread."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    store, faults, clock = ObjectStore(tmp_path / "s3"), FaultSwitches(), MovableClock()
    runner = web.AppRunner(
        create_s3_app(store, {ACCESS_KEY: SECRET_KEY}, faults, clock=clock), access_log=None
    )

    async def start() -> int:
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        port: int = runner.addresses[0][1]
        return port

    port = asyncio.run_coroutine_threadsafe(start(), loop).result(10)
    endpoint = f"http://127.0.0.1:{port}"
    presigner = Presigner(endpoint, store.bucket, ACCESS_KEY, SECRET_KEY)

    async def stop() -> None:
        await runner.cleanup()
        # Connections still lingering over an unread body would be destroyed pending.
        handlers = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)

    try:
        yield S3Sandbox(port, store, faults, clock, presigner, tmp_path / "s3")
    finally:
        asyncio.run_coroutine_threadsafe(stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def raw_request(port: int, head: str, body: bytes = b"", *, send_all: bool = True) -> bytes:
    """One HTTP/1.1 exchange over a plain socket, for what httpx will not send as-is."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        if not send_all:
            return b""
        reply = b""
        while b"\r\n\r\n" not in reply and (chunk := sock.recv(65536)):
            reply += chunk
        head_part = reply.partition(b"\r\n\r\n")[0].lower()
        length = int(head_part.split(b"content-length: ")[1].split(b"\r\n")[0])
        while len(reply.partition(b"\r\n\r\n")[2]) < length and (chunk := sock.recv(65536)):
            reply += chunk
        return reply


def raw_target(url: str) -> str:
    """Path and query exactly as signed (httpx and curl would drop '..' segments)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def raw_put(port: int, url: str, body: bytes) -> bytes:
    head = f"PUT {raw_target(url)} HTTP/1.1\nHost: 127.0.0.1:{port}\n"
    return raw_request(port, f"{head}Content-Length: {len(body)}\nConnection: close\n", body)


def raw_get(port: int, url: str) -> bytes:
    head = f"GET {raw_target(url)} HTTP/1.1\nHost: 127.0.0.1:{port}\nConnection: close\n"
    return raw_request(port, head).partition(b"\r\n\r\n")[2]


def error_code(response: httpx.Response) -> str:
    assert response.headers["content-type"] == "application/xml"
    assert response.text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>')
    return response.text.split("<Code>")[1].split("</Code>")[0]


def wait_for(condition: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def no_partial_files(root: Path) -> bool:
    return not any((root / "incoming").iterdir())


def verify(url: str, method: str, headers: dict[str, str] | None = None) -> None:
    parts = urlsplit(url)
    verify_presigned(
        method=method,
        decoded_path=parse_query("p=" + parts.path)[0][1],
        pairs=parse_query(parts.query),
        headers={"host": parts.netloc, **(headers or {})},
        secret_for={ACCESS_KEY: SECRET_KEY}.get,
        now=time.time(),
    )
