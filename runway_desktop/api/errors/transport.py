"""Failures with no usable HTTP answer — DNS, refused or dropped connections, timeouts,
stalls, TLS trust — mapped to :class:`NetworkError` with a plain message and a next step.
"""

from __future__ import annotations

import errno
import socket
import ssl

import httpx

from runway_desktop.api.errors.answers import IT_TEAM, MAX_SERVER_TEXT
from runway_desktop.api.errors.types import ErrorDetails, NetworkError, RunwayError

_DNS_TEXTS = ("name or service not known", "nodename nor servname", "getaddrinfo failed")
_DNS_TEXTS_2 = ("temporary failure in name resolution", "no address associated")
_REFUSED_ERRNOS = {errno.ECONNREFUSED, 10061}  # 10061: WSAECONNREFUSED on Windows


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _host_of(exc: BaseException, fallback: str) -> str:
    if isinstance(exc, httpx.RequestError):
        try:
            return exc.request.url.host or fallback
        except RuntimeError:  # an exception raised without a request attached
            return fallback
    return fallback


def error_from_exception(exc: BaseException, *, host: str = "the server") -> RunwayError:
    """Map an httpx (or socket/SSL) exception to a :class:`NetworkError`.

    ``retryable`` is set for failures another attempt may cure (timeouts, drops, refusals,
    DNS hiccups); a TLS trust failure or a bad address will not change by retrying.
    """
    if isinstance(exc, RunwayError):
        return exc
    host = _host_of(exc, host)
    chain = _causes(exc)
    detail = f"{type(exc).__name__}: {exc}"[:MAX_SERVER_TEXT]
    d: ErrorDetails = {"server_message": detail}
    text = " ".join(str(e) for e in chain).lower()
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return NetworkError(
            "The address in Settings is not a valid web address.",
            kind="bad_address",
            next_step="Check the URL in Settings: it must start with https://.",
            **d,
        )
    if isinstance(exc, httpx.ProxyError):
        return NetworkError(
            f"The network's proxy would not connect this app to {host}.",
            kind="proxy",
            next_step=f"Please {IT_TEAM} to allow {host} through the proxy.",
            **d,
        )
    if isinstance(exc, httpx.TimeoutException):
        where = "connect to" if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout) else ""
        message = (
            f"Could not {where} {host} in time." if where else f"{host} took too long to answer."
        )
        return NetworkError(
            message,
            kind="timeout",
            next_step="Check the internet connection and try again.",
            retryable=True,
            **d,
        )
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in chain) or (
        "certificate_verify_failed" in text or "certificate verify failed" in text
    ):
        return NetworkError(
            f"The connection to {host} is not trusted: its security certificate could not "
            "be verified.",
            kind="tls",
            next_step="If your district inspects HTTPS traffic, ask IT to install its "
            "certificate in the system (not only in the browser). Otherwise check the address "
            "in Settings.",
            **d,
        )
    if any(isinstance(e, ssl.SSLError) for e in chain):
        return NetworkError(
            f"A secure connection to {host} could not be set up.",
            kind="tls",
            next_step=f"Please {IT_TEAM}: a firewall may be interfering with HTTPS.",
            **d,
        )
    if any(isinstance(e, socket.gaierror) for e in chain) or any(t in text for t in _DNS_TEXTS):
        return NetworkError(
            f"Could not find the server {host}.",
            kind="dns",
            next_step="Check the internet connection and the address in Settings.",
            retryable=True,
            **d,
        )
    if any(t in text for t in _DNS_TEXTS_2):
        return NetworkError(
            f"Could not look up the server {host} right now.",
            kind="dns",
            next_step="Check the internet connection and try again.",
            retryable=True,
            **d,
        )
    refused = any(
        isinstance(e, ConnectionRefusedError)
        or (isinstance(e, OSError) and e.errno in _REFUSED_ERRNOS)
        for e in chain
    )
    if refused or "connection refused" in text:
        return NetworkError(
            f"{host} refused the connection.",
            kind="refused",
            next_step="The server may be down or the address wrong: check Settings, then "
            "try again later.",
            retryable=True,
            **d,
        )
    if isinstance(exc, httpx.ConnectError):
        return NetworkError(
            f"Could not connect to {host}.",
            kind="connect",
            next_step="Check the internet connection and try again.",
            retryable=True,
            **d,
        )
    return NetworkError(
        f"The connection to {host} was interrupted.",
        kind="dropped",
        next_step="Check the internet connection and try again.",
        retryable=True,
        **d,
    )


def deadline_error(host: str, seconds: float) -> NetworkError:
    """The call's overall deadline passed (a server that answers, but far too slowly)."""
    return NetworkError(
        f"{host} took too long to answer (more than {seconds:g} seconds).",
        kind="timeout",
        next_step="Check the internet connection and try again.",
        retryable=True,
        server_message=f"overall deadline of {seconds:g} s passed",
    )


def stall_error(host: str, *, window: float, moved: int, minimum: int) -> NetworkError:
    """A transfer that moved fewer than ``minimum`` bytes in ``window`` seconds."""
    return NetworkError(
        f"The transfer with {host} stalled: almost nothing arrived for {window:g} seconds.",
        kind="stalled",
        next_step="Check the internet connection and try again.",
        retryable=True,
        server_message=f"{moved} bytes in {window:g} s (at least {minimum} expected)",
    )
