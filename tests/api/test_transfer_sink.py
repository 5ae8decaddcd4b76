"""A real local HTTP sink (aiohttp, 127.0.0.1, port 0) standing in for presigned S3 URLs.

It records what arrived on the wire (headers, body, Range) and misbehaves on request: S3 XML
errors, dropped connections, wrong ETags, ignored ranges, slow streaming. Shared by the
transfer tests; it has no tests of its own.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web

EXPIRED_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>'
    b"<Message>Request has expired</Message></Error>"
)
INTERNAL_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code>'
    b"<Message>We encountered an internal error. Please try again.</Message></Error>"
)
NO_SUCH_KEY_XML = b"<Error><Code>NoSuchKey</Code><Message>The key does not exist</Message></Error>"


@dataclass
class SeenRequest:
    method: str
    key: str
    query: str
    headers: dict[str, str]
    body_size: int


@dataclass
class Sink:
    """Objects by key, a log of requests, and a queue of faults for the next requests.

    Faults (consumed in order, one per request): ``"500"``, ``"expired"``, ``"drop"`` (cut the
    connection half-way), ``"wrong-etag"``, ``"kms"`` (KMS-style answer), ``"ignore-range"``,
    ``"slow"`` (stream a GET in small slow pieces).
    """

    base_url: str = ""
    objects: dict[str, bytes] = field(default_factory=dict)
    seen: list[SeenRequest] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    expired_queries: set[str] = field(default_factory=set)
    etags: dict[str, str] = field(default_factory=dict)
    first_request: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, key: str, query: str = "X-Amz-Signature=abc") -> str:
        return f"{self.base_url}/bucket/{key}?{query}"

    def _next_fault(self) -> str | None:
        return self.faults.pop(0) if self.faults else None

    async def handle_put(self, request: web.Request) -> web.StreamResponse:
        key = request.match_info["key"]
        fault = self._next_fault()
        if fault == "drop":
            await request.content.read(64 * 1024)
            self._record(request, key, -1)
            assert request.transport is not None
            request.transport.close()
            return web.Response(status=500)
        body = await request.read()
        self._record(request, key, len(body))
        if fault == "500":
            return web.Response(status=500, body=INTERNAL_XML, content_type="application/xml")
        if fault == "expired" or request.query_string in self.expired_queries:
            return web.Response(status=403, body=EXPIRED_XML, content_type="application/xml")
        self.objects[key] = body
        md5 = hashlib.md5(body).hexdigest()
        headers = {"ETag": f'"{md5}"'}
        if fault == "wrong-etag":
            headers["ETag"] = '"' + "0" * 32 + '"'
        if fault == "kms":
            headers = {"ETag": '"' + "f" * 32 + '"', "x-amz-server-side-encryption": "aws:kms"}
        return web.Response(status=200, headers=headers)

    async def handle_get(self, request: web.Request) -> web.StreamResponse:
        key = request.match_info["key"]
        self._record(request, key, 0)
        fault = self._next_fault()
        if fault == "expired" or request.query_string in self.expired_queries:
            return web.Response(status=403, body=EXPIRED_XML, content_type="application/xml")
        if fault == "500":
            return web.Response(status=500, body=INTERNAL_XML, content_type="application/xml")
        if key not in self.objects:
            return web.Response(status=404, body=NO_SUCH_KEY_XML, content_type="application/xml")
        data = self.objects[key]
        etag = self.etags.get(key) or hashlib.md5(data).hexdigest()
        if_match = request.headers.get("If-Match")
        if if_match and if_match.strip('"') != etag:
            return web.Response(status=412)
        start = 0
        range_header = request.headers.get("Range")
        if range_header and fault != "ignore-range":
            start = int(range_header.removeprefix("bytes=").rstrip("-"))
            if start >= len(data):
                return web.Response(status=416, headers={"Content-Range": f"bytes */{len(data)}"})
        status = 206 if start else 200
        response = web.StreamResponse(status=status)
        response.headers["ETag"] = f'"{etag}"'
        response.content_length = len(data) - start
        if start:
            response.headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
        await response.prepare(request)
        body = data[start:]
        if fault == "drop":
            await response.write(body[: len(body) // 2])
            assert request.transport is not None
            request.transport.close()
            return response
        piece = 16 * 1024 if fault == "slow" else 256 * 1024
        for offset in range(0, len(body), piece):
            await response.write(body[offset : offset + piece])
            if fault == "slow":
                await asyncio.sleep(0.02)
        await response.write_eof()
        return response

    def _record(self, request: web.Request, key: str, size: int) -> None:
        self.seen.append(
            SeenRequest(request.method, key, request.query_string, dict(request.headers), size)
        )
        self.first_request.set()


@asynccontextmanager
async def running_sink() -> AsyncIterator[Sink]:
    sink = Sink()
    app = web.Application(client_max_size=1 << 30)
    app.router.add_put("/bucket/{key}", sink.handle_put)
    app.router.add_get("/bucket/{key}", sink.handle_get)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert isinstance(server, asyncio.base_events.Server)
    port = server.sockets[0].getsockname()[1]
    sink.base_url = f"http://127.0.0.1:{port}"
    try:
        yield sink
    finally:
        await runner.cleanup()
