"""The sandbox as a child process, for tests that run Qt: driven and read over its HTTP surface.

Why a child: a server thread in the pytest process runs Python beside Qt, and Python's cyclic
collector, started by chance on that thread, can destroy Qt objects there and crash Qt. The app
has no such thread (``runway-desktop --sandbox`` runs ``PracticeServer``); the GUI tests now
have none either. The child is the one the app starts (``PracticeServer``: the same command,
JSON handshake and stop-on-stdin-close), with the tests' short executor delays.

Everything a GUI test does to the sandbox goes through ``/_sandbox/…`` (faults, executor,
injected sets, reset) and everything it reads comes back from there (``/jobs``, ``/objects``,
``/state``): there is no in-memory state to reach into, by design.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from runway_desktop.core.practice_server import PracticeServer
from runway_desktop.sandbox.config import DEFAULT_CONFIG_DATA

# What conftest's Qt guard looks for: the in-process ``Sandbox`` names its thread so.
SERVER_THREAD_NAME = "sandbox"
CONTROL_TIMEOUT = 30.0


class SandboxProcessError(AssertionError):
    """The child refused a control request or is gone; the message says what it answered."""


@dataclass(frozen=True)
class RunView:
    id: int
    status: str  # new | running | success | error
    error_code: str | None
    output_sets: list[str]


@dataclass(frozen=True)
class FileView:
    env_var: str
    name: str
    key: str  # the input object's S3 key


@dataclass(frozen=True)
class JobView:
    """A job as ``GET /_sandbox/jobs`` reports it (a copy: read again to see it change)."""

    uid: str
    partner: str
    tenant: str
    bundle: str
    school_year: str
    params: dict[str, Any]
    files: list[FileView]
    prefix: str
    runs: list[RunView]

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> JobView:
        return cls(
            uid=raw["uid"],
            partner=raw["partner"],
            tenant=raw["tenant"],
            bundle=raw["bundle"],
            school_year=raw["schoolYear"],
            params=dict(raw["params"]),
            files=[FileView(f["envVar"], f["name"], f["key"]) for f in raw["files"]],
            prefix=raw["prefix"],
            runs=[
                RunView(r["id"], r["status"], r["errorCode"], list(r["outputSets"]))
                for r in raw["runs"]
            ],
        )


class RemoteFaults:
    """The fault switches over ``/_sandbox/faults``, with ``FaultSwitches``' verbs."""

    def __init__(self, owner: SandboxProcess) -> None:
        self._owner = owner

    def set(self, kind: str, value: dict[str, Any] | bool | None) -> None:
        self._owner.control("PUT", "/faults", {kind: value})

    def peek(self, kind: str) -> dict[str, Any] | None:
        """The switch's settings (``count`` included) without using up a firing; None if off."""
        found: dict[str, Any] | None = self.snapshot().get(kind)
        return found

    def snapshot(self) -> dict[str, Any]:
        answer: dict[str, Any] = self._owner.control("GET", "/faults")
        return answer

    def clear(self) -> None:
        self._owner.control("DELETE", "/faults")


class SandboxProcess:
    """One sandbox child with the tests' executor timings; ``reset()`` empties it between tests."""

    def __init__(self, *, executor_delay: float, visibility_lag: float) -> None:
        # Both timings go in a config file: ``reset()`` restores the config's values, and the
        # command line has a switch for the delay only.
        self._config_dir = tempfile.TemporaryDirectory(prefix="sandbox-config-")
        config = Path(self._config_dir.name) / "sandbox.json"
        config.write_text(
            json.dumps(
                {
                    **DEFAULT_CONFIG_DATA,
                    "executor_delay_seconds": executor_delay,
                    "executor_visibility_lag_seconds": visibility_lag,
                }
            ),
            encoding="utf-8",
        )
        self.server = PracticeServer(extra_args=["--config", str(config)])
        self.faults = RemoteFaults(self)
        self._http: httpx.Client | None = None
        self._control_url = ""

    @property
    def profile(self) -> dict[str, Any]:
        if self.server.profile is None:
            raise RuntimeError("the sandbox process has not started")
        return self.server.profile

    @property
    def pid(self) -> int | None:
        return self.server.pid

    def start(self) -> dict[str, Any]:
        profile = self.server.start()
        self._control_url = str(profile["control_url"])
        # No proxies from the environment: the child listens on 127.0.0.1 only.
        self._http = httpx.Client(timeout=CONTROL_TIMEOUT, trust_env=False)
        return profile

    def stop(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None
        self.server.stop()
        self._config_dir.cleanup()

    def __enter__(self) -> SandboxProcess:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def control(self, method: str, path: str, body: Any = None, **params: str) -> Any:
        """One request to ``/_sandbox{path}``; its JSON answer, or a failure saying what it was."""
        if self._http is None:
            raise RuntimeError("the sandbox process has not started")
        try:
            response = self._http.request(
                method, self._control_url + path, json=body, params=params or None
            )
        except httpx.TransportError as exc:
            raise SandboxProcessError(
                f"the sandbox process did not answer {method} {path} ({exc!r}); "
                f"exit code {self.server.returncode}; it said:\n{self.server.stderr_tail()}"
            ) from exc
        if response.status_code >= 400:
            raise SandboxProcessError(
                f"{method} {path} answered {response.status_code}: {response.text}"
            )
        return response.json()

    # -- what the tests do to it --------------------------------------------------------------

    def reset(self) -> None:
        """No jobs, no objects but the rosters, no faults, the configured executor."""
        self.control("POST", "/reset")

    def set_executor(
        self,
        *,
        delay_seconds: float | None = None,
        outcome: str | None = None,
        visibility_lag_seconds: float | None = None,
    ) -> None:
        changes = {
            "delay_seconds": delay_seconds,
            "outcome": outcome,
            "visibility_lag_seconds": visibility_lag_seconds,
        }
        self.control("PUT", "/executor", {k: v for k, v in changes.items() if v is not None})

    def inject_output_sets(
        self,
        *,
        partner: str = "acme",
        tenant: str = "district-a",
        school_year: str = "2026",
        bundle: str = "assessments/PSAT_SAT",
        count: int = 1,
        sent_to_ods: bool = True,
        files: dict[str, bytes] | None = None,
        created_on: datetime | None = None,
    ) -> list[str]:
        """Listed sets from finished runs, as ``SandboxWorld.inject_output_sets`` makes them.
        Over HTTP a stamp keeps milliseconds (a JS Date's precision) and contents are text."""
        body: dict[str, Any] = {
            "partner": partner,
            "tenant": tenant,
            "schoolYear": school_year,
            "bundle": bundle,
            "count": count,
            "sentToOds": sent_to_ods,
        }
        if files is not None:
            body["files"] = {name: data.decode("utf-8") for name, data in files.items()}
        if created_on is not None:
            body["createdAt"] = created_on.astimezone(UTC).isoformat(timespec="milliseconds")
        uids: list[str] = self.control("POST", "/output-sets", body)["uids"]
        return uids

    # -- what the tests read back -------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """``GET /_sandbox/state``: faults, executor settings and a summary of the jobs."""
        answer: dict[str, Any] = self.control("GET", "/state")
        return answer

    def jobs(self) -> list[JobView]:
        return [JobView.from_json(raw) for raw in self.control("GET", "/jobs")["jobs"]]

    def job(self, uid: str) -> JobView | None:
        wanted = uid.lower()
        return next((job for job in self.jobs() if job.uid.lower() == wanted), None)

    def objects(self, prefix: str = "") -> dict[str, int]:
        """Key → size of each stored object under ``prefix``, in S3's listing order."""
        found = self.control("GET", "/objects", prefix=prefix)["objects"]
        return {str(o["key"]): int(o["size"]) for o in found}
