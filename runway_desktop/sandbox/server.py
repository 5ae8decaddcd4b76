"""Assembles the sandbox: identity provider + External API + control on one port, S3 on another.

``SandboxServer`` lives on an asyncio loop: the one of ``python -m runway_desktop.sandbox``
(which is also how ``runway-desktop --sandbox`` runs it, as a child process), or a background
thread's: ``Sandbox`` hosts one in a daemon thread for tests. Both bind 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from runway_desktop.sandbox.api import ApiContext, ExternalApi
from runway_desktop.sandbox.config import SandboxConfig, default_config
from runway_desktop.sandbox.control import ControlEndpoint
from runway_desktop.sandbox.executor import Executor, ExecutorSettings
from runway_desktop.sandbox.faults import FaultSwitches
from runway_desktop.sandbox.idp import IDP_PREFIX, IdentityProvider, SigningKey
from runway_desktop.sandbox.objectstore import ObjectStore
from runway_desktop.sandbox.persistence import StateKeeper, unfinished_runs
from runway_desktop.sandbox.presign import Presigner
from runway_desktop.sandbox.registry import load_registry
from runway_desktop.sandbox.s3 import create_s3_app
from runway_desktop.sandbox.state import SandboxState
from runway_desktop.sandbox.tokens import RemoteKeySet
from runway_desktop.sandbox.world import SandboxWorld

T = TypeVar("T")
HOST = "127.0.0.1"
# Fixed sandbox S3 credentials: they sign presigned URLs on this machine only.
S3_ACCESS_KEY = "SANDBOXACCESSKEY0001"
S3_SECRET_KEY = "sandbox-s3-secret-key-not-for-production"


class SandboxServer:
    def __init__(
        self,
        config: SandboxConfig | None = None,
        *,
        port: int = 0,
        s3_port: int = 0,
        data_dir: Path | None = None,
    ) -> None:
        self.config = config or default_config()
        self._port, self._s3_port = port, s3_port
        self._owns_data_dir = data_dir is None
        self.data_dir = data_dir or Path(tempfile.mkdtemp(prefix="runway-sandbox-"))
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.key = self._signing_key()
        self.faults = FaultSwitches()
        self.faults.update(dict(self.config.faults))
        self.state = SandboxState()
        # A data directory of the caller's (the practice server's) keeps the jobs across
        # restarts, beside the objects and the key; a temporary one starts empty each time.
        self.keeper = None if self._owns_data_dir else StateKeeper(self.data_dir, self.state)
        if self.keeper is not None:
            self.keeper.load()
        self.store = ObjectStore(self.data_dir / "s3")
        self.executor = Executor(
            self.store,
            ExecutorSettings(
                delay_seconds=self.config.executor_delay_seconds,
                visibility_lag_seconds=self.config.executor_visibility_lag_seconds,
            ),
        )
        self.world = SandboxWorld(self.config, self.faults, self.state, self.store, self.executor)
        self.idp = IdentityProvider(self.config, self.key, self.faults)
        self._runners: list[web.AppRunner] = []
        self.profile: dict[str, Any] = {}
        self.keys: RemoteKeySet | None = None

    def _signing_key(self) -> SigningKey:
        if self.config.signing_key_file is not None:
            return SigningKey.from_pem_file(self.config.signing_key_file)
        stored = self.data_dir / "signing-key.pem"
        if stored.exists():
            return SigningKey.from_pem_file(stored)
        key = SigningKey.generate()
        stored.write_bytes(key.pem())
        stored.chmod(0o600)
        return key

    async def start(self) -> dict[str, Any]:
        api_app = web.Application()
        s3_runner = web.AppRunner(
            create_s3_app(self.store, {S3_ACCESS_KEY: S3_SECRET_KEY}, self.faults),
            access_log=None,  # presigned URLs are credentials: never log them
        )
        await s3_runner.setup()
        s3_site = web.TCPSite(s3_runner, HOST, self._s3_port)
        await s3_site.start()
        self._runners.append(s3_runner)
        s3_endpoint = f"http://{HOST}:{_bound_port(s3_site)}"

        # Bind the API port first: the issuer, audience and JWKS URL need the real port.
        api_runner = web.AppRunner(api_app, access_log=None)
        control = ControlEndpoint(self.world)
        ctx = ApiContext(
            config=self.config,
            state=self.state,
            store=self.store,
            presigner=Presigner(s3_endpoint, self.store.bucket, S3_ACCESS_KEY, S3_SECRET_KEY),
            keys=RemoteKeySet("http://placeholder"),
            faults=self.faults,
            executor=self.executor,
            registry=load_registry(),
            enabled=self.config.api_enabled,
        )
        api = ExternalApi(ctx)
        api_app.middlewares.extend([control.middleware, api.middleware])
        api_app.add_routes(self.idp.routes() + api.routes() + control.routes())
        await api_runner.setup()
        api_site = web.TCPSite(api_runner, HOST, self._port)
        await api_site.start()
        self._runners.append(api_runner)
        origin = f"http://{HOST}:{_bound_port(api_site)}"
        issuer = f"{origin}{IDP_PREFIX}"
        audience = self.config.audience or origin  # like MY_URL, the backend's own URL
        self.idp.configure_urls(issuer, audience)
        ctx.audience = audience
        ctx.keys = self.keys = RemoteKeySet(issuer)
        await ctx.keys.discover()
        self.world.write_rosters()
        if self.keeper is not None:
            for job, run in unfinished_runs(self.state):
                run.status = "new"  # stopped mid-way: the queue picks it up again
                self.executor.launch(job, run)
            self.keeper.start()

        client = self.config.clients[0]
        self.profile = {
            "api_base_url": f"{origin}/api/v1",
            "token_url": f"{issuer}/token",
            "issuer": issuer,
            "audience": audience,
            "client_id": client.client_id,
            "client_secret": client.client_secret,
            "scopes": client.scopes,
            "s3_endpoint": s3_endpoint,
            "control_url": f"{origin}/_sandbox",
            "seed": self.config.seed(),
        }
        return self.profile

    async def stop(self) -> None:
        await self.executor.cancel_all()
        if self.keeper is not None:
            await self.keeper.stop()
        if self.keys is not None:
            await self.keys.close()
        for runner in reversed(self._runners):
            await runner.cleanup()
        self._runners.clear()
        if self._owns_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def _bound_port(site: web.TCPSite) -> int:
    server = site._server  # aiohttp keeps the asyncio server here; port 0 means "pick one"
    assert isinstance(server, asyncio.base_events.Server)
    return int(server.sockets[0].getsockname()[1])


class Sandbox:
    """A ``SandboxServer`` on its own event loop in a daemon thread."""

    def __init__(self, config: SandboxConfig | None = None, **kwargs: Any) -> None:
        self.server = SandboxServer(config, **kwargs)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="sandbox")

    @property
    def profile(self) -> dict[str, Any]:
        return self.server.profile

    @property
    def faults(self) -> FaultSwitches:
        return self.server.faults

    def start(self) -> dict[str, Any]:
        self._thread.start()
        profile: dict[str, Any] = self._submit(self.server.start()).result(timeout=30)
        return profile

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self._submit(self.server.stop()).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def _submit(self, coro: Any) -> Future[Any]:
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the server's loop (state is only touched there) and return its result."""

        async def run() -> T:
            return fn()

        result: T = self._submit(run()).result(timeout=30)
        return result

    def reset(self) -> None:
        self._submit(self.server.world.reset()).result(timeout=30)

    def set_executor(
        self,
        *,
        delay_seconds: float | None = None,
        outcome: str | None = None,
        visibility_lag_seconds: float | None = None,
    ) -> None:
        def apply() -> None:
            settings = self.server.executor.settings
            if delay_seconds is not None:
                settings.delay_seconds = delay_seconds
            if outcome is not None:
                settings.outcome = outcome
            if visibility_lag_seconds is not None:
                settings.visibility_lag_seconds = visibility_lag_seconds

        self.call(apply)

    def inject_output_sets(self, **kwargs: Any) -> list[str]:
        return self.call(lambda: self.server.world.inject_output_sets(**kwargs))

    def mint_token(
        self, client_id: str | None = None, scopes: str | None = None, **claims: Any
    ) -> str:
        client = self.server.config.client(client_id or self.server.config.clients[0].client_id)
        if client is None:
            raise KeyError(client_id)
        return self.server.idp.mint(client, client.scopes if scopes is None else scopes, **claims)

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
