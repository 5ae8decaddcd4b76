"""Runway's External API v1 under ``/api/v1``: the guard, the five endpoints, Nest's errors."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from runway_desktop.sandbox.config import SandboxConfig
from runway_desktop.sandbox.create_job import check_job_request, validate_dto
from runway_desktop.sandbox.executor import Executor
from runway_desktop.sandbox.faults import FaultSwitches
from runway_desktop.sandbox.nest import (
    NestError,
    error_response,
    internal_error_response,
    read_json_body,
)
from runway_desktop.sandbox.objectstore import ObjectStore
from runway_desktop.sandbox.presign import Presigner
from runway_desktop.sandbox.state import Job, JobFile, SandboxState, iso_millis, new_uid
from runway_desktop.sandbox.timestamps import UnparseableTimestamp, parse_created_after
from runway_desktop.sandbox.tokens import InvalidToken, RemoteKeySet, VerifiedToken, verify_token

log = logging.getLogger(__name__)
API_PREFIX = "/api/v1"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_YEAR = re.compile(r"[0-9]{4}")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class ApiContext:
    config: SandboxConfig
    state: SandboxState
    store: ObjectStore
    presigner: Presigner
    keys: RemoteKeySet
    faults: FaultSwitches
    executor: Executor
    registry: dict[str, dict[str, Any]]
    audience: str = ""
    enabled: bool = True
    tokens_seen: list[str] = field(default_factory=list)


class ExternalApi:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post(f"{API_PREFIX}/token/verify", self.handle_verify),
            web.post(f"{API_PREFIX}/jobs", self.handle_create_job),
            # Express's ":param" matches any segment text (braces included); aiohttp's default
            # pattern excludes "{" and "}", which would turn them into an unknown-route 404.
            web.post(f"{API_PREFIX}/jobs/{{job_uid:[^/]+}}/start", self.handle_start_job),
            web.get(f"{API_PREFIX}/output-sets", self.handle_list_output_sets),
            web.post(
                f"{API_PREFIX}/output-sets/{{set_uid:[^/]+}}/download-links",
                self.handle_download_links,
            ),
        ]

    # -- middleware: faults, Nest errors, unknown routes, cache-control ------------------------
    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith("/api"):
            return await handler(request)
        delay = self.ctx.faults.take("api_delay")
        if delay is not None:
            await asyncio.sleep(float(delay.get("seconds", 1.0)))
        failure = self.ctx.faults.take("api_error")
        response: web.StreamResponse
        if failure is not None:
            response = _fault_response(int(failure.get("status", 500)))
        else:
            response = await self._dispatch(request, handler)
        response.headers["Cache-Control"] = "no-cache"
        return response

    async def _dispatch(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            if request.match_info.http_exception is not None:
                raise NestError(404, f"Cannot {request.method} {request.path}")
            return await handler(request)
        except NestError as exc:
            if exc.status == 500 and exc.message == "Internal server error":
                return internal_error_response()
            return error_response(exc.status, exc.message)
        except web.HTTPException as exc:
            if exc.status in (404, 405):
                return error_response(404, f"Cannot {request.method} {request.path}")
            raise
        except Exception:
            log.exception("unhandled error in %s %s", request.method, request.path)
            return internal_error_response()

    # -- the guard (CONTRACT §3.2) ---------------------------------------------------------------
    async def guard(self, request: web.Request, *required_scopes: str) -> VerifiedToken:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or not header[len("Bearer ") :]:
            raise NestError(401, "No token")
        if not self.api_enabled:
            raise NestError(503, "External API is disabled.")
        try:
            token = await verify_token(header[len("Bearer ") :], self.ctx.keys, self.ctx.audience)
        except InvalidToken as exc:
            raise NestError(401, "Invalid token") from exc
        scopes = token.scopes
        if scopes is None:
            raise NestError(403, "Token missing scope claim")
        if not all(scope in scopes for scope in required_scopes):
            raise NestError(403, "Insufficient scopes")
        return token

    @property
    def api_enabled(self) -> bool:
        return (
            self.ctx.enabled
            and self.ctx.keys.jwks_uri is not None
            and bool(self.ctx.audience)
            and self.ctx.faults.peek("api_disabled") is None
        )

    # -- endpoints ---------------------------------------------------------------------------
    async def handle_verify(self, request: web.Request) -> web.Response:
        await read_json_body(request)
        token = await self.guard(request, "create:jobs")
        partners = token.partners
        if not partners:
            text = (
                "Token is valid for no partners. No scope of the form "
                '"partner:partner-code" was found on the token.'
            )
        elif len(partners) == 1:
            text = f"Token is valid for partner: {partners[0]}"
        else:
            text = f"Token is valid for partners: {', '.join(partners)}"
        return web.Response(status=201, text=text, content_type="text/html", charset="utf-8")

    async def handle_create_job(self, request: web.Request) -> web.Response:
        raw = await read_json_body(request)
        token = await self.guard(request, "create:jobs")
        body, problems = validate_dto(raw)
        if problems:
            raise NestError(400, problems)
        ctx = self.ctx
        valid = check_job_request(
            body,
            token,
            ctx.config,
            ctx.registry,
            lambda key: (info := ctx.store.stat(key)) is not None and info.size > 0,
        )
        job = Job(
            id=ctx.state.next_job_id(),
            uid=new_uid(),
            partner=valid.partner,
            tenant=valid.tenant,
            bundle=valid.bundle,
            bundle_name=str(valid.bundle_entry.get("display_name", valid.bundle)),
            school_year=valid.school_year,
            send_to_ods=valid.send_to_ods,
            year_kind=valid.year_kind,
            files=[],
            params=dict(valid.params),
            api_client_id=token.client_id or "",
            api_client_name=token.claims.get("client_name"),
            api_issuer=token.claims.get("iss"),
            created_on=_now(),
        )
        upload_urls: dict[str, str] = {}
        for env_var, name in valid.files.items():
            key = f"{job.prefix}/input/{env_var}__{name}"
            job.files.append(JobFile(env_var=env_var, name=name, key=key))
            upload_urls[env_var] = ctx.presigner.put_url(key)
        ctx.state.add_job(job)
        return _json({"uid": job.uid, "uploadUrls": upload_urls}, status=201)

    async def handle_start_job(self, request: web.Request) -> web.Response:
        await read_json_body(request)
        token = await self.guard(request, "create:jobs")
        uid = request.match_info["job_uid"]
        if not _UUID.fullmatch(uid):
            raise NestError(400, "Validation failed (uuid is expected)")
        job = self.ctx.state.find_job(uid)
        if job is None or job.partner not in token.partners:
            raise NestError(404, f"Job not found: {uid}")
        for job_file in job.files:
            info = self.ctx.store.stat(job_file.key)
            if info is None or info.size <= 0:
                names = ", ".join(f.name for f in job.files)
                raise NestError(400, f"Some expected files were not found. Expected files: {names}")
        if any(run.status in ("new", "running") for run in job.runs):
            raise NestError(400, f"Job already in progress: {uid}")
        run = self.ctx.state.new_run(job)
        self.ctx.executor.launch(job, run)
        return web.Response(status=202)

    async def handle_list_output_sets(self, request: web.Request) -> web.Response:
        token = await self.guard(request, "read:jobs")
        query = request.query
        partner = query.get("partner", "")
        if not partner:
            raise NestError(400, "partner query parameter is required")
        # Only the token's partner scopes decide (CONTRACT §3.4/§4.5); an unknown partner code
        # the token grants simply has no sets.
        if partner not in token.partners:
            raise NestError(404, f"Partner not found: {partner}")
        sent = query.get("sentToOds")
        if sent is not None and sent not in ("true", "false"):
            raise NestError(400, 'sentToOds must be "true" or "false"')
        created_after = None
        unparseable = False  # valid to isISO8601, an Invalid Date to the database query
        if "createdAfter" in query:
            try:
                created_after = parse_created_after(query["createdAfter"])
            except UnparseableTimestamp:
                unparseable = True
            else:
                if created_after is None:
                    raise NestError(400, "createdAfter must be a valid ISO 8601 timestamp")
        year = query.get("schoolYear", "")
        if year:
            if not _YEAR.fullmatch(year):
                raise NestError(400, 'schoolYear must be a 4-digit end year, e.g. "2026"')
            if int(year) not in self.ctx.config.known_years:
                raise NestError(400, f"Unknown school year: {year}")
        if unparseable:
            # The query with an Invalid Date fails only after every 400 check (CONTRACT §4.5).
            raise NestError(500, "Internal server error")
        tenant = query.get("tenant", "")
        bundle = query.get("bundle", "")
        items = []
        for job, output_set in self.ctx.state.listed_sets():
            if job.partner != partner:
                continue
            if (tenant and job.tenant != tenant) or (year and job.school_year != year):
                continue
            if bundle and job.bundle != bundle:
                continue
            if sent is not None and output_set.sent_to_ods != (sent == "true"):
                continue
            if created_after is not None and not output_set.created_on > created_after:
                continue
            items.append(
                {
                    "uid": output_set.uid,
                    "files": output_set.files,
                    "sentToOds": output_set.sent_to_ods,
                    "createdAt": iso_millis(output_set.created_on),
                    "jobUid": job.uid,
                    "partner": job.partner,
                    "tenant": job.tenant,
                    "schoolYear": job.school_year,
                    "bundle": job.bundle,
                }
            )
        return _json(items, status=200)

    async def handle_download_links(self, request: web.Request) -> web.Response:
        await read_json_body(request)
        token = await self.guard(request, "read:jobs:output-files")
        uid = request.match_info["set_uid"]
        if not _UUID.fullmatch(uid):
            raise NestError(400, "Validation failed (uuid is expected)")
        found = self.ctx.state.find_set(uid)
        if found is None or found[0].partner not in token.partners:
            raise NestError(404, "Output file set not found")
        _, output_set = found
        links = {
            name: self.ctx.presigner.get_url(f"{output_set.folder}/{name}", filename=name)
            for name in output_set.files
        }
        return _json({"downloadLinks": links}, status=200)


def _json(body: Any, status: int) -> web.Response:
    return web.Response(
        status=status,
        text=json.dumps(body, separators=(",", ":")),
        content_type="application/json",
        charset="utf-8",
    )


def _fault_response(status: int) -> web.Response:
    if status == 500:
        return internal_error_response()
    if status in (502, 503, 504):
        # What a load balancer in front of Runway sends: HTML, not Nest's JSON.
        reason = {
            502: "Bad Gateway",
            503: "Service Temporarily Unavailable",
            504: "Gateway Timeout",
        }
        title = f"{status} {reason[status]}"
        html = (
            f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
            f"<center><h1>{title}</h1></center>\r\n</body>\r\n</html>\r\n"
        )
        return web.Response(status=status, text=html, content_type="text/html")
    return error_response(status, "Sandbox fault")


def _now() -> datetime:
    return datetime.now(UTC)
