"""``/_sandbox/…``: a local-only control endpoint for testers (faults, executor, injected sets,
and read-only views of jobs and stored objects).

Not part of Runway. It answers only requests from the loopback interface.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from runway_desktop.sandbox.executor import OUTCOMES
from runway_desktop.sandbox.state import Job, iso_millis
from runway_desktop.sandbox.timestamps import parse_created_after
from runway_desktop.sandbox.world import SandboxWorld

CONTROL_PREFIX = "/_sandbox"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _is_loopback(remote: str | None) -> bool:
    try:
        return remote is not None and ipaddress.ip_address(remote).is_loopback
    except ValueError:
        return False


class ControlEndpoint:
    def __init__(self, world: SandboxWorld) -> None:
        self.world = world

    def routes(self) -> list[web.RouteDef]:
        p = CONTROL_PREFIX
        return [
            web.get(f"{p}/state", self.handle_state),
            web.get(f"{p}/faults", self.handle_get_faults),
            web.put(f"{p}/faults", self.handle_put_faults),
            web.delete(f"{p}/faults", self.handle_clear_faults),
            web.put(f"{p}/executor", self.handle_executor),
            web.post(f"{p}/output-sets", self.handle_inject_sets),
            web.post(f"{p}/reset", self.handle_reset),
            web.get(f"{p}/jobs", self.handle_jobs),
            web.get(f"{p}/objects", self.handle_objects),
        ]

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith(CONTROL_PREFIX) and not _is_loopback(request.remote):
            return web.json_response({"error": "the control endpoint is local-only"}, status=403)
        return await handler(request)

    async def _body(self, request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except json.JSONDecodeError as exc:
            raise web.HTTPBadRequest(text=f"body is not JSON: {exc}") from exc
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="body must be a JSON object")
        return body

    async def handle_state(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "faults": self.world.faults.snapshot(),
                "executor": vars(self.world.executor.settings),
                **self.world.state.summary(),
            }
        )

    async def handle_get_faults(self, request: web.Request) -> web.Response:
        return web.json_response(self.world.faults.snapshot())

    async def handle_put_faults(self, request: web.Request) -> web.Response:
        try:
            self.world.faults.update(await self._body(request))
        except ValueError as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response(self.world.faults.snapshot())

    async def handle_clear_faults(self, request: web.Request) -> web.Response:
        self.world.faults.clear()
        return web.json_response({})

    async def handle_executor(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        settings = self.world.executor.settings
        if "outcome" in body:
            if body["outcome"] not in OUTCOMES:
                return web.json_response({"error": f"outcome is one of {OUTCOMES}"}, status=400)
            settings.outcome = body["outcome"]
        if "delay_seconds" in body:
            settings.delay_seconds = float(body["delay_seconds"])
        if "visibility_lag_seconds" in body:
            settings.visibility_lag_seconds = float(body["visibility_lag_seconds"])
        return web.json_response(vars(settings))

    async def handle_inject_sets(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        created = body.get("createdAt")
        created_on = parse_created_after(created) if isinstance(created, str) else None
        if isinstance(created, str) and created_on is None:
            return web.json_response({"error": "createdAt is not an ISO timestamp"}, status=400)
        files = body.get("files") or {"studentAssessments.jsonl": '{"sandbox": true}\n'}
        uids = self.world.inject_output_sets(
            partner=str(body.get("partner", "acme")),
            tenant=str(body.get("tenant", "district-a")),
            school_year=str(body.get("schoolYear", "2026")),
            bundle=str(body.get("bundle", "assessments/PSAT_SAT")),
            count=int(body.get("count", 1)),
            sent_to_ods=bool(body.get("sentToOds", True)),
            files={str(k): str(v).encode() for k, v in files.items()},
            created_on=created_on.astimezone(UTC) if created_on else datetime.now(UTC),
        )
        return web.json_response({"uids": uids}, status=201)

    async def handle_reset(self, request: web.Request) -> web.Response:
        await self.world.reset()
        return web.json_response({})

    async def handle_jobs(self, request: web.Request) -> web.Response:
        """Each job in full (files with their S3 keys, params, runs): what a tester checks
        after driving a client, read on the server's loop like every other state access."""
        return web.json_response({"jobs": [_job_detail(j) for j in self.world.state.jobs.values()]})

    async def handle_objects(self, request: web.Request) -> web.Response:
        """The bucket's objects under ``?prefix=`` (default all), in S3's listing order."""
        store = self.world.store
        found = []
        for key in store.list_keys(request.query.get("prefix", "")):
            info = store.stat(key)
            if info is not None:  # deleted since it was listed
                found.append({"key": key, "size": info.size, "etag": info.etag})
        return web.json_response({"objects": found})


def _job_detail(job: Job) -> dict[str, Any]:
    return {
        "uid": job.uid,
        "id": job.id,
        "partner": job.partner,
        "tenant": job.tenant,
        "bundle": job.bundle,
        "schoolYear": job.school_year,
        "sendToOds": job.send_to_ods,
        "params": job.params,
        "files": [{"envVar": f.env_var, "name": f.name, "key": f.key} for f in job.files],
        "prefix": job.prefix,
        "createdOn": iso_millis(job.created_on),
        "runs": [
            {
                "id": run.id,
                "status": run.status,
                "errorCode": run.error_code,
                "outputSets": [s.uid for s in run.output_sets],
            }
            for run in job.runs
        ],
    }
