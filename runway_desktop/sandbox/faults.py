"""Fault switches: make the sandbox misbehave on purpose so clients can prove they cope.

Each switch is off (``None``) or on with its settings. A switch with ``count`` set turns itself
off after firing that many times; ``count=None`` keeps it on until it is cleared. Switches are
changed at run time through the control endpoint (``PUT /_sandbox/faults``) or in the config
file, and read by the API, the identity provider and the S3 front. Access is guarded by a lock
because tests may flip switches from another thread while the server thread reads them.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from typing import Any

# name -> settings that switch accepts (besides "count")
FAULT_KINDS: dict[str, tuple[str, ...]] = {
    "api_error": ("status",),  # every /api/v1 request answers this 5xx status
    "api_delay": ("seconds",),  # every /api/v1 request is answered this much later
    "s3_error": ("status",),  # every S3 request answers this status with an S3 XML error
    "s3_drop": ("after_bytes",),  # an upload's connection is cut after this many body bytes
    "s3_delay": ("seconds",),  # an upload's answer comes this much later (body all read)
    "s3_expired": (),  # every presigned URL is treated as expired (403 Request has expired)
    "token_down": ("status",),  # the token endpoint answers this status (default 503)
    "api_disabled": (),  # the External API answers 503 "External API is disabled."
}


@dataclass
class FaultSpec:
    kind: str
    count: int | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        return self.settings.get(name, default)

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, **self.settings}


class FaultSwitches:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: dict[str, FaultSpec] = {}
        self.clearings = 0  # how many times clear() ran: a held answer ends at the next one

    def set(self, kind: str, value: dict[str, Any] | bool | None) -> None:
        """Turn a switch on (a dict of settings, or ``True``) or off (``None``/``False``)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(FAULT_KINDS)}")
        with self._lock:
            if value is None or value is False:
                self._active.pop(kind, None)
                return
            settings = dict(value) if isinstance(value, dict) else {}
            count = settings.pop("count", None)
            unknown = set(settings) - set(FAULT_KINDS[kind])
            if unknown:
                raise ValueError(f"fault {kind!r} takes no setting {', '.join(sorted(unknown))}")
            if count is not None and (not isinstance(count, int) or count < 1):
                raise ValueError("count must be a positive whole number or null")
            self._active[kind] = FaultSpec(kind=kind, count=count, settings=settings)

    def update(self, changes: dict[str, Any]) -> None:
        for kind in changes:
            if kind not in FAULT_KINDS:
                raise ValueError(f"unknown fault {kind!r}; known: {', '.join(FAULT_KINDS)}")
        for kind, value in changes.items():
            self.set(kind, value)

    def clear(self) -> None:
        with self._lock:
            self._active.clear()
            self.clearings += 1

    async def hold(self, seconds: float) -> None:
        """Wait ``seconds``, or less if the switches are cleared meanwhile (a test's reset
        must not wait for an answer it no longer wants held)."""
        began, end = self.clearings, time.monotonic() + seconds
        # Polled, not an asyncio.Event: clear() is called from other threads (the in-process
        # sandbox's callers) and this loop's event would not be theirs.
        while time.monotonic() < end and self.clearings == began:  # noqa: ASYNC110
            await asyncio.sleep(min(0.05, max(0.0, end - time.monotonic())))

    def peek(self, kind: str) -> FaultSpec | None:
        """The switch's settings without using up one of its firings."""
        with self._lock:
            return self._active.get(kind)

    def take(self, kind: str) -> FaultSpec | None:
        """The switch's settings if it is on, counting one firing."""
        with self._lock:
            spec = self._active.get(kind)
            if spec is None:
                return None
            if spec.count is not None:
                spec.count -= 1
                if spec.count <= 0:
                    del self._active[kind]
            return FaultSpec(kind=spec.kind, count=spec.count, settings=dict(spec.settings))

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {kind: spec.to_json() for kind, spec in self._active.items()}
