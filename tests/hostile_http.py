"""A tiny hostile HTTP/1.1 server over a real socket, for faults no honest server produces.

It writes raw bytes, so a test can send what the sandbox and aiohttp never would: a chunked
body cut off before its last chunk, one byte every few seconds, a same-length body with other
bytes than its ETag says, a 4xx whose message carries terminal escape sequences, a redirect.

It runs its own asyncio loop on a thread, so both async tests and the CLI (whose ``main`` runs
``asyncio.run`` itself) can talk to it. One request per connection (``Connection: close``).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class HostileRequest:
    method: str
    path: str  # with the query string
    headers: dict[str, str]  # lower-case names
    body: bytes


Writer = asyncio.StreamWriter
Handler = Callable[[HostileRequest, Writer], Awaitable[None]]


def head(status: int, headers: dict[str, str] | None = None, reason: str = "X") -> bytes:
    """A status line and headers, ``Connection: close`` added, ready for a body."""
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{k}: {v}" for k, v in {**(headers or {}), "Connection": "close"}.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def whole(status: int, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    return head(status, {"Content-Length": str(len(body)), **(headers or {})}) + body


def json_answer(status: int, document: Any, headers: dict[str, str] | None = None) -> bytes:
    body = json.dumps(document).encode()
    return whole(status, body, {"Content-Type": "application/json", **(headers or {})})


def nest_error(status: int, message: str) -> bytes:
    """Runway's (NestJS's) error body, with whatever message the test wants in it."""
    return json_answer(status, {"message": message, "error": "Bad Request", "statusCode": status})


TOKEN_ANSWER = json_answer(200, {"access_token": "hostile-token", "expires_in": 300})


async def dribble(writer: Writer, data: bytes, every: float) -> None:
    """One byte of ``data`` every ``every`` seconds: each read succeeds, nothing finishes."""
    for index in range(len(data)):
        writer.write(data[index : index + 1])
        await writer.drain()
        await asyncio.sleep(every)


@dataclass
class HostileServer:
    handler: Handler
    url: str = ""
    requests: list[HostileRequest] = field(default_factory=list)
    # False: leave a request's body unread (a server that stops reading an upload).
    read_body: bool = True
    _loop: asyncio.AbstractEventLoop | None = None

    async def _serve_one(self, reader: asyncio.StreamReader, writer: Writer) -> None:
        try:
            request = await _read_request(reader, self.read_body)
            self.requests.append(request)
            await self.handler(request, writer)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client gave up on us: that is what most tests want
        finally:
            writer.close()

    def count(self, path_prefix: str) -> int:
        return sum(1 for r in self.requests if r.path.startswith(path_prefix))


async def _read_request(reader: asyncio.StreamReader, read_body: bool) -> HostileRequest:
    raw = await reader.readuntil(b"\r\n\r\n")
    lines = raw.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    body = await reader.readexactly(length) if length and read_body else b""
    return HostileRequest(method, path, headers, body)


@contextmanager
def hostile_server(handler: Handler, *, read_body: bool = True) -> Iterator[HostileServer]:
    """Serve ``handler`` on 127.0.0.1 (a free port) until the block ends."""
    server = HostileServer(handler, read_body=read_body)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop: asyncio.Event | None = None

    async def main() -> None:
        nonlocal stop
        stop = asyncio.Event()
        listening = await asyncio.start_server(server._serve_one, "127.0.0.1", 0)
        port = listening.sockets[0].getsockname()[1]
        server.url = f"http://127.0.0.1:{port}"
        ready.set()
        async with listening:
            await stop.wait()
        # Handlers still dribbling are cancelled with the loop's remaining tasks.
        for task in asyncio.all_tasks():
            if task is not asyncio.current_task():
                task.cancel()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert ready.wait(10), "the hostile server did not start"
    server._loop = loop
    try:
        yield server
    finally:
        assert stop is not None
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()
