"""Where the bundle registry comes from: the shipped snapshot, or a refreshed copy from GitHub.

Runway itself reads the registry from the bundles repository (BUNDLES.md §4), so a refreshed copy
is closer to what the server validates against. The snapshot in ``resources/`` keeps the app
usable offline and behind proxies that block GitHub.
"""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass
from pathlib import Path

import httpx

from runway_desktop.base.atomic_files import atomic_write_bytes
from runway_desktop.base.resources import resource_path
from runway_desktop.bundles.model import Registry, RegistryFormatError, parse_registry_bytes

DEFAULT_URL = (
    "https://raw.githubusercontent.com/edanalytics/earthmover_edfi_bundles/refs/heads/main/"
    "registry.json"
)
CACHE_FILE_NAME = "registry.json"
# The real file is ~19 KB; anything far bigger is not a registry (a captive portal page, say).
MAX_REGISTRY_BYTES = 5 * 1024 * 1024
REFRESH_TIMEOUT = httpx.Timeout(20.0, connect=10.0)


def load_snapshot() -> Registry:
    """The registry shipped with this version of the app (small file; fine on any thread)."""
    return parse_registry_bytes(resource_path("registry.json").read_bytes())


class RegistrySource(enum.Enum):
    SNAPSHOT = "the list built into this version of Runway Desktop"
    CACHE = "the list downloaded earlier"


class RefreshOutcome(enum.Enum):
    UPDATED = "updated"  # a new, valid list was downloaded and is now current
    UNCHANGED = "unchanged"  # the download matched what we already had
    OFFLINE = "offline"  # no answer from the server (network, DNS, proxy, timeout)
    BAD_RESPONSE = "bad_response"  # an answer, but not a usable registry


@dataclass(frozen=True)
class RefreshResult:
    outcome: RefreshOutcome
    registry: Registry
    source: RegistrySource
    # One or two plain sentences for a status bar or log.
    message: str
    # False when the new list could not be written to disk (it is still used this session).
    saved: bool = True

    @property
    def updated(self) -> bool:
        return self.outcome is RefreshOutcome.UPDATED


class RegistryProvider:
    """Hands out the best registry available and refreshes it from ``url`` on request."""

    def __init__(
        self, cache_dir: Path, url: str = DEFAULT_URL, timeout: httpx.Timeout = REFRESH_TIMEOUT
    ) -> None:
        self.cache_path = cache_dir / CACHE_FILE_NAME
        self.url = url
        self.timeout = timeout
        self._current: Registry | None = None
        self._source = RegistrySource.SNAPSHOT
        self._cache_problem: str | None = None

    @property
    def source(self) -> RegistrySource:
        self.current()
        return self._source

    @property
    def cache_problem(self) -> str | None:
        """Why a cached copy was ignored, if it was (e.g. it was damaged)."""
        self.current()
        return self._cache_problem

    def current(self) -> Registry:
        """The cached refreshed copy if present and valid, else the snapshot.

        Reads a ~19 KB file on the first call only; later calls return the loaded registry.
        """
        if self._current is None:
            self._current, self._source = self._load_best()
        return self._current

    def _load_best(self) -> tuple[Registry, RegistrySource]:
        try:
            return parse_registry_bytes(self.cache_path.read_bytes()), RegistrySource.CACHE
        except FileNotFoundError:
            pass
        except (OSError, RegistryFormatError) as exc:
            # A damaged cache is not worth bothering the user about: the next refresh replaces it.
            self._cache_problem = f"The downloaded assessment list could not be used: {exc}"
        return load_snapshot(), RegistrySource.SNAPSHOT

    async def refresh(self, client: httpx.AsyncClient) -> RefreshResult:
        """Download the registry; on any failure keep using what we have and say so."""
        fallback = self.current()
        try:
            status, body = await self._download(client)
        except httpx.HTTPError as exc:
            return self._keep(
                RefreshOutcome.OFFLINE,
                f"Could not reach GitHub to update the assessment list ({_describe(exc)}).",
            )
        if status != 200:
            return self._keep(
                RefreshOutcome.BAD_RESPONSE,
                f"GitHub answered with an error (HTTP {status}) instead of the assessment list.",
            )
        if body is None:
            return self._keep(
                RefreshOutcome.BAD_RESPONSE,
                "GitHub sent something far too large to be the assessment list.",
            )
        try:
            fresh = parse_registry_bytes(body)
        except RegistryFormatError as exc:
            return self._keep(RefreshOutcome.BAD_RESPONSE, f"The download was unusable: {exc}")

        if self._source is RegistrySource.CACHE and await _file_equals(self.cache_path, body):
            return RefreshResult(
                RefreshOutcome.UNCHANGED,
                fallback,
                self._source,
                f"The assessment list is up to date ({len(fallback)} assessments).",
            )
        saved = True
        message = _describe_change(fallback, fresh)
        try:
            await asyncio.to_thread(atomic_write_bytes, self.cache_path, body)
        except OSError as exc:
            saved = False
            message += f" It could not be saved for next time ({exc.strerror or exc})."
        self._current, self._source, self._cache_problem = fresh, RegistrySource.CACHE, None
        return RefreshResult(RefreshOutcome.UPDATED, fresh, self._source, message, saved=saved)

    async def _download(self, client: httpx.AsyncClient) -> tuple[int, bytes | None]:
        """(status, body); body is None when it exceeds MAX_REGISTRY_BYTES."""
        async with client.stream("GET", self.url, timeout=self.timeout) as response:
            if response.status_code != 200:
                return response.status_code, b""
            chunks: list[bytes] = []
            received = 0
            async for chunk in response.aiter_bytes():
                received += len(chunk)
                if received > MAX_REGISTRY_BYTES:
                    return response.status_code, None
                chunks.append(chunk)
            return response.status_code, b"".join(chunks)

    def _keep(self, outcome: RefreshOutcome, reason: str) -> RefreshResult:
        registry = self.current()
        message = f"{reason} Using {self._source.value} ({len(registry)} assessments)."
        return RefreshResult(outcome, registry, self._source, message)


def _describe(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "it took too long to answer"
    if isinstance(exc, httpx.ConnectError):
        return "no connection"
    return type(exc).__name__


def _describe_change(old: Registry, new: Registry) -> str:
    old_paths = {b.path for b in old.all()}
    new_paths = {b.path for b in new.all()}
    added, removed = len(new_paths - old_paths), len(old_paths - new_paths)
    details = []
    if added:
        details.append(f"{added} new")
    if removed:
        details.append(f"{removed} removed")
    suffix = f" ({', '.join(details)})" if details else ""
    return f"The assessment list was updated: {len(new)} assessments{suffix}."


async def _file_equals(path: Path, body: bytes) -> bool:
    def compare() -> bool:
        try:
            return path.read_bytes() == body
        except OSError:
            return False

    return await asyncio.to_thread(compare)
