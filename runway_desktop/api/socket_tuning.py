"""Bigger socket reads for downloads, by reaching into httpx/httpcore/anyio internals.

Two defaults cost most of a fast download's CPU time (STACK-NOTES §5): httpcore asks for
64 KiB per read, and asyncio's socket transport receives at most 256 KiB per ``recv``, which
anyio then splits into 64 KiB pieces, copying the remainder every time. :func:`widen_reads`
raises both on one response's own connection and transport (instance attributes shadowing
``AsyncHTTP11Connection.READ_NUM_BYTES`` and ``_SelectorSocketTransport.max_size``) for the
length of its body, which cut the CPU per GiB by about a third on loopback.

Every step goes through private attributes. At run time anything unexpected leaves that
default alone (downloads still work, only slower); :func:`shape_problems` lists what is missing
so a test can fail loudly when an upgrade of httpx, httpcore or anyio moves something.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import httpcore
import httpx

# httpcore's body read size for downloads (its default is 64 KiB).
READ_BYTES = 1 << 20
# response.stream -> httpx's response stream -> httpcore's pool stream -> the HTTP/1.1 body
# stream -> its connection (httpx 0.28-0.29, httpcore 1.0).
CONNECTION_PATH = ("_stream", "_httpcore_stream", "_stream", "_connection")
# The "network_stream" extension (httpcore's AnyIOStream) -> anyio's stream; for HTTPS a
# TLSStream wrapping (transport_stream) the SocketStream, whose _transport is asyncio's.
NETWORK_STREAM_ATTRIBUTE = "_stream"
TLS_WRAPPER_ATTRIBUTE = "transport_stream"
TRANSPORT_ATTRIBUTE = "_transport"

_log = logging.getLogger("runway_desktop.api")
_warned = False


def _connection_of(response: httpx.Response) -> object:
    connection: object = response.stream
    for attribute in CONNECTION_PATH:
        connection = getattr(connection, attribute, None)
    return connection


def _transport_of(response: httpx.Response) -> object:
    stream: object = getattr(
        response.extensions.get("network_stream"), NETWORK_STREAM_ATTRIBUTE, None
    )
    for _ in range(4):  # TLSStream -> ... -> SocketStream
        stream = getattr(stream, TLS_WRAPPER_ATTRIBUTE, stream)
    return getattr(stream, TRANSPORT_ATTRIBUTE, None)


def shape_problems(response: httpx.Response) -> list[str]:
    """What :func:`widen_reads` needs and does not find on this (HTTP/1.1, streamed) response.

    Empty when every private attribute is where this module expects it.
    """
    problems: list[str] = []
    connection = _connection_of(response)
    if not isinstance(connection, httpcore.AsyncHTTP11Connection):
        found = type(connection).__name__
        problems.append(f"response.stream.{'.'.join(CONNECTION_PATH)} is {found}")
    elif not isinstance(getattr(connection, "READ_NUM_BYTES", None), int):
        problems.append("AsyncHTTP11Connection.READ_NUM_BYTES is not an int")
    transport = _transport_of(response)
    if not isinstance(transport, asyncio.Transport):
        problems.append(f"the network stream's socket transport is {type(transport).__name__}")
    elif not isinstance(getattr(transport, "max_size", None), int):
        problems.append(f"{type(transport).__name__}.max_size is not an int")
    return problems


def widen_reads(response: httpx.Response) -> Callable[[], None]:
    """Let the body arrive in ~``READ_BYTES`` pieces instead of 64 KiB; returns an undo."""
    global _warned
    undo: list[Callable[[], None]] = []
    connection = _connection_of(response)
    if isinstance(connection, httpcore.AsyncHTTP11Connection):
        undo.append(_shadow(connection, "READ_NUM_BYTES", READ_BYTES))
        transport = _transport_of(response)
        if isinstance(transport, asyncio.Transport):
            undo.append(_shadow(transport, "max_size", READ_BYTES))
    if len(undo) < 2 and not _warned and response.http_version == "HTTP/1.1":
        _warned = True  # once per run: it is a slowdown, not a failure
        _log.debug("Socket tuning skipped: %s", "; ".join(shape_problems(response)))

    def undo_all() -> None:
        for step in undo:
            step()

    return undo_all


def _shadow(owner: object, name: str, value: int) -> Callable[[], None]:
    """Set ``owner.name = value`` if it is an int now; the undo puts the old value back."""
    old = getattr(owner, name, None)
    if not isinstance(old, int):
        return _nothing
    had_own = name in getattr(owner, "__dict__", {})
    try:
        setattr(owner, name, value)
    except AttributeError:
        return _nothing

    def undo() -> None:
        with contextlib.suppress(AttributeError):
            if had_own:
                setattr(owner, name, old)
            else:
                delattr(owner, name)

    return undo


def _nothing() -> None:
    pass
