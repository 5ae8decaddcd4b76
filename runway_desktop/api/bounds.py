"""Keeping every call bounded: an overall deadline for JSON calls, a stall check for
transfers, and a size cap on JSON answers.

httpx's read timeout restarts on every byte, so a server (or a broken proxy) that dribbles one
byte every few seconds would hold a call forever. JSON calls therefore run under an overall
deadline (``asyncio.timeout`` around the whole exchange); transfers, which may rightly take
hours, must instead move at least ``TRANSFER_STALL_MIN_BYTES`` in every stall window. The
numbers live in :mod:`runway_desktop.api.policy` and are read when a call starts.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx

from runway_desktop.api import policy
from runway_desktop.api.errors import (
    ErrorCode,
    ServerError,
    deadline_error,
    stall_error,
)


@asynccontextmanager
async def deadline(host: str, seconds: float) -> AsyncIterator[None]:
    """Raise the ``TIMEOUT`` :class:`NetworkError` if the block runs longer than ``seconds``."""
    timer = asyncio.timeout(seconds)
    try:
        async with timer:
            yield
    except TimeoutError:
        if not timer.expired():
            raise  # some other timeout from inside: not ours to rename
        raise deadline_error(host, seconds) from None


@asynccontextmanager
async def stall_watch(host: str) -> AsyncIterator[Callable[[int], None]]:
    """Yield ``moved(byte_count)``; raise the ``STALLED`` :class:`NetworkError` when fewer than
    ``TRANSFER_STALL_MIN_BYTES`` were reported within one ``TRANSFER_STALL_WINDOW_SECONDS``.

    The window restarts each time the minimum is reached, so a transfer running at any sane
    rate is never interrupted, however long it takes.
    """
    window = policy.TRANSFER_STALL_WINDOW_SECONDS
    minimum = policy.TRANSFER_STALL_MIN_BYTES
    loop = asyncio.get_running_loop()
    timer = asyncio.timeout(window)
    pending = 0

    def moved(byte_count: int) -> None:
        nonlocal pending
        pending += byte_count
        if pending >= minimum:
            pending = 0
            timer.reschedule(loop.time() + window)

    try:
        async with timer:
            yield moved
    except TimeoutError:
        if not timer.expired():
            raise
        raise stall_error(host, window=window, moved=pending, minimum=minimum) from None


def too_large_error(host: str, limit: int) -> ServerError:
    return ServerError(
        f"The answer from {host} is larger than this app accepts ({limit // (1 << 20)} MiB).",
        code=ErrorCode.ANSWER_TOO_LARGE,
        next_step="Narrow the search (a partner, district, year or date), or check the API "
        "URL in Settings: something other than Runway may be answering.",
        server_message=f"answer above {limit} bytes",
    )


async def read_capped(
    response: httpx.Response, *, host: str, limit: int, truncate: bool = False
) -> bytearray:
    """The (decoded) body of a streamed response, at most ``limit`` bytes.

    Above the limit: the first ``limit`` bytes when ``truncate`` (an error page: only its start
    matters), else the ``ANSWER_TOO_LARGE`` :class:`ServerError`. One growing buffer, no list
    of pieces to join: the caller parses it and drops it.
    """
    announced = response.headers.get("content-length", "")
    if not truncate and announced.isdigit() and int(announced) > limit:
        raise too_large_error(host, limit)
    body = bytearray()
    async for piece in response.aiter_bytes():
        room = limit - len(body)
        if len(piece) > room:
            if truncate:
                body += piece[:room]
                break
            raise too_large_error(host, limit)
        body += piece
    return body


# Headers that described the body as it came over the wire, not the decoded body kept here.
_WIRE_HEADERS = ("content-encoding", "content-length", "transfer-encoding")


async def exchange(
    http: httpx.AsyncClient,
    request: httpx.Request,
    *,
    host: str,
    deadline_seconds: float,
    success: tuple[int, ...],
) -> httpx.Response:
    """Send ``request`` and read its answer, all within ``deadline_seconds``.

    A success (a status in ``success``) is read up to ``JSON_MAX_BYTES``; anything else only up
    to ``ERROR_BODY_MAX_BYTES``. Redirects are never followed (the client is built with
    ``follow_redirects=False``): a 3xx is handed back like any other failure. httpx exceptions
    pass through for the caller to map. The result is an ordinary, read ``httpx.Response``.
    """
    async with deadline(host, deadline_seconds):
        streamed = await http.send(request, stream=True, follow_redirects=False)
        try:
            ok = streamed.status_code in success
            limit = policy.JSON_MAX_BYTES if ok else policy.ERROR_BODY_MAX_BYTES
            body = await read_capped(streamed, host=host, limit=limit, truncate=not ok)
        finally:
            await streamed.aclose()
    headers = [(k, v) for k, v in streamed.headers.multi_items() if k.lower() not in _WIRE_HEADERS]
    content = bytes(body)
    del body  # the one copy from here on is the response's
    return httpx.Response(
        streamed.status_code,
        headers=headers,
        content=content,
        request=request,
        extensions={"http_version": streamed.extensions.get("http_version", b"HTTP/1.1")},
    )


def parse_json(response: httpx.Response) -> Any:
    """The body as JSON (``ValueError`` if it is not): parsed from the bytes directly, with no
    ``str`` copy of our own; the caller drops the response as soon as it has what it needs."""
    return json.loads(response.content)
