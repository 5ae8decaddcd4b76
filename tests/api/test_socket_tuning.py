"""The socket tuning's private httpx/httpcore/anyio layout, checked on real connections.

``api/socket_tuning.py`` walks private attributes to widen a download's reads. At run time a
missing attribute only makes downloads slower, silently; these tests are where an upgrade of
httpx, httpcore or anyio that moves one fails loudly, naming the attribute. They stream from a
real aiohttp server on 127.0.0.1, over plain HTTP and over TLS (S3's presigned URLs are HTTPS,
where anyio wraps the socket stream in a TLSStream), through a real ``httpx.AsyncClient``.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import httpcore
import httpx
import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from runway_desktop.api.http import make_http_client
from runway_desktop.api.socket_tuning import (
    CONNECTION_PATH,
    NETWORK_STREAM_ATTRIBUTE,
    READ_BYTES,
    TLS_WRAPPER_ATTRIBUTE,
    TRANSPORT_ATTRIBUTE,
    shape_problems,
    widen_reads,
)

BODY = bytes(range(256)) * (32 * 1024)  # 8 MiB: many reads, big enough to fill the socket
DEFAULT_READ = httpcore.AsyncHTTP11Connection.READ_NUM_BYTES
VERSIONS = ", ".join(f"{name} {version(name)}" for name in ("httpx", "httpcore", "anyio"))


def changed(what: str) -> str:
    """The message of every layout assertion: what moved, in which versions, what to edit."""
    return (
        f"{what} ({VERSIONS}). The private layout that runway_desktop/api/socket_tuning.py "
        "walks has changed: update its CONNECTION_PATH / *_ATTRIBUTE constants (or drop the "
        "tuning) before shipping this upgrade, else downloads silently lose the wider reads."
    )


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Server:
    url: str
    client_tls: ssl.SSLContext | None  # trusts the server's self-signed certificate


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture(params=["http", "https"])
async def server(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Server]:
    async def body(_: web.Request) -> web.Response:
        return web.Response(body=BODY, content_type="application/octet-stream")

    app = web.Application()
    app.router.add_get("/object", body)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    server_tls = client_tls = None
    if request.param == "https":
        cert, key = await asyncio.to_thread(_self_signed, tmp_path)
        server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_tls.load_cert_chain(cert, key)
        client_tls = ssl.create_default_context(cafile=str(cert))
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_tls)
    await site.start()
    listening = site._server
    assert isinstance(listening, asyncio.base_events.Server)
    port = listening.sockets[0].getsockname()[1]
    try:
        yield Server(f"{request.param}://127.0.0.1:{port}/object", client_tls)
    finally:
        await runner.cleanup()


@pytest.fixture
async def http(server: Server) -> AsyncIterator[httpx.AsyncClient]:
    # The app's own client for plain HTTP; for TLS the same pool and transport, trusting the
    # test certificate (the app's client trusts only the OS store).
    client = make_http_client() if server.client_tls is None else httpx.AsyncClient(
        verify=server.client_tls
    )  # fmt: skip
    yield client
    await client.aclose()


def _walk_to_connection(response: httpx.Response) -> httpcore.AsyncHTTP11Connection:
    """Follow CONNECTION_PATH one attribute at a time, saying exactly where it breaks."""
    node: object = response.stream
    walked = "response.stream"
    for attribute in CONNECTION_PATH:
        assert hasattr(node, attribute), changed(
            f"{walked} ({type(node).__module__}.{type(node).__qualname__}) has no attribute "
            f"{attribute!r}"
        )
        node = getattr(node, attribute)
        walked += f".{attribute}"
    assert isinstance(node, httpcore.AsyncHTTP11Connection), changed(
        f"{walked} is {type(node).__qualname__}, not httpcore.AsyncHTTP11Connection"
    )
    assert isinstance(getattr(node, "READ_NUM_BYTES", None), int), changed(
        "httpcore.AsyncHTTP11Connection.READ_NUM_BYTES is gone or not an int"
    )
    return node


def _walk_to_transport(response: httpx.Response, *, tls: bool) -> asyncio.Transport:
    network = response.extensions.get("network_stream")
    assert network is not None, changed("the response has no 'network_stream' extension")
    assert hasattr(network, NETWORK_STREAM_ATTRIBUTE), changed(
        f"httpcore's network stream {type(network).__qualname__} has no attribute "
        f"{NETWORK_STREAM_ATTRIBUTE!r} (the anyio stream)"
    )
    stream = getattr(network, NETWORK_STREAM_ATTRIBUTE)
    if tls:
        assert hasattr(stream, TLS_WRAPPER_ATTRIBUTE), changed(
            f"anyio's TLS stream {type(stream).__qualname__} has no attribute "
            f"{TLS_WRAPPER_ATTRIBUTE!r}"
        )
        stream = getattr(stream, TLS_WRAPPER_ATTRIBUTE)
    assert hasattr(stream, TRANSPORT_ATTRIBUTE), changed(
        f"anyio's socket stream {type(stream).__qualname__} has no attribute "
        f"{TRANSPORT_ATTRIBUTE!r} (asyncio's transport)"
    )
    transport = getattr(stream, TRANSPORT_ATTRIBUTE)
    assert isinstance(transport, asyncio.Transport), changed(
        f"{type(stream).__qualname__}.{TRANSPORT_ATTRIBUTE} is {type(transport).__qualname__}"
    )
    assert isinstance(getattr(transport, "max_size", None), int), changed(
        f"asyncio's {type(transport).__qualname__}.max_size is gone or not an int"
    )
    return transport


@pytest.mark.anyio
async def test_every_private_attribute_is_where_the_tuning_looks(
    http: httpx.AsyncClient, server: Server
) -> None:
    async with http.stream("GET", server.url) as response:
        assert response.http_version == "HTTP/1.1"
        _walk_to_connection(response)
        _walk_to_transport(response, tls=server.url.startswith("https"))
        # The module's own check agrees (it is what the app logs when the tuning is skipped).
        assert shape_problems(response) == [], changed("; ".join(shape_problems(response)))
        await response.aread()


@pytest.mark.anyio
async def test_widened_reads_take_effect_and_are_undone(
    http: httpx.AsyncClient, server: Server
) -> None:
    async with http.stream("GET", server.url) as response:
        connection = _walk_to_connection(response)
        transport = _walk_to_transport(response, tls=server.url.startswith("https"))
        transport_default = transport.max_size  # type: ignore[attr-defined]
        undo = widen_reads(response)
        assert connection.READ_NUM_BYTES == READ_BYTES, changed(
            "widen_reads did not set AsyncHTTP11Connection.READ_NUM_BYTES on the connection"
        )
        assert transport.max_size == READ_BYTES, changed(  # type: ignore[attr-defined]
            f"widen_reads did not set {type(transport).__qualname__}.max_size"
        )
        await asyncio.sleep(0.05)  # let the kernel buffer fill, so a wide read has bytes
        pieces = [len(piece) async for piece in response.aiter_raw()]
        undo()
    assert sum(pieces) == len(BODY)
    # httpcore still reads the attribute it shadows: a read larger than its 64 KiB default
    # proves it (a rename inside httpcore would keep the attribute but ignore it). Over TLS a
    # read returns at most one 16 KiB record whatever it asks for, so only plain HTTP shows it.
    assert server.url.startswith("https:") or max(pieces) > DEFAULT_READ, changed(
        f"no read exceeded httpcore's default {DEFAULT_READ} bytes (largest {max(pieces)}): "
        "httpcore no longer reads READ_NUM_BYTES from the connection instance"
    )
    # The undo leaves the pooled connection and the transport as they were for the next user.
    assert "READ_NUM_BYTES" not in vars(connection)
    assert connection.READ_NUM_BYTES == DEFAULT_READ
    assert transport.max_size == transport_default  # type: ignore[attr-defined]


@pytest.mark.anyio
async def test_without_the_tuning_reads_stay_at_httpcores_default(
    http: httpx.AsyncClient, server: Server
) -> None:
    # The other half of the proof above: the wide reads come from the tuning, not the server.
    async with http.stream("GET", server.url) as response:
        await asyncio.sleep(0.05)
        pieces = [len(piece) async for piece in response.aiter_raw()]
    assert sum(pieces) == len(BODY) and max(pieces) <= DEFAULT_READ
