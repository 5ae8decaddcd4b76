"""Runway External API v1: the five endpoints, typed (CONTRACT §4).

Every call carries ``Authorization: Bearer <token>`` from the shared :class:`TokenProvider`.
A 401 from Runway drops the token, fetches a fresh one and tries once more — a token can be
revoked or its signing key rotated before it expires.

Only the idempotent calls (list output sets, download links) are retried on 5xx and network
failures; create and start are not (see :mod:`runway_desktop.api.retry`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

from runway_desktop.api.auth import TokenProvider
from runway_desktop.api.error_types import (
    ApiDisabled,
    JobAlreadyStarted,
    RunwayError,
    ServerError,
)
from runway_desktop.api.errors import error_from_exception, error_from_response
from runway_desktop.api.http import API_TIMEOUT
from runway_desktop.api.models import (
    CreatedJob,
    CreateJobRequest,
    OutputSet,
    OutputSetFilter,
    StartResult,
)
from runway_desktop.api.retry import RetryCallback, RetryPolicy, call_with_retries

# Exceptions raised after the request may have reached the server: for a create or start the
# server may have acted on it even though we never saw the answer.
_AFTER_SENDING = (
    httpx.ReadError,
    httpx.ReadTimeout,
    httpx.RemoteProtocolError,
    httpx.WriteError,
    httpx.WriteTimeout,
)


def api_root(api_base_url: str) -> str:
    """``https://host``, ``https://host/api`` or ``https://host/api/v1`` → ``…/api/v1``."""
    base = api_base_url.strip().rstrip("/")
    if base.endswith("/v1"):
        return base
    if base.endswith("/api"):
        return f"{base}/v1"
    return f"{base}/api/v1"


_VERIFY_NONE = "Token is valid for no partners."
_VERIFY_SOME = re.compile(r"^Token is valid for partners?: (.*)$", re.DOTALL)


def parse_verify_body(text: str) -> list[str]:
    """Partner codes from ``POST /token/verify``'s plain-text answer (CONTRACT §4.1).

    Raises ``ValueError`` for any other text.
    """
    text = text.strip()
    if text.startswith(_VERIFY_NONE):
        return []
    match = _VERIFY_SOME.match(text)
    if match is None:
        raise ValueError("not a token/verify answer")
    return [code.strip() for code in match.group(1).split(",") if code.strip()]


class RunwayClient:
    """Typed calls to one Runway server. Cheap to create; share the ``http`` client."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        api_base_url: str,
        tokens: TokenProvider,
        *,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        self._http = http
        self._root = api_root(api_base_url)
        self._tokens = tokens
        self._retry_policy = retry_policy or RetryPolicy()
        self.host = httpx.URL(self._root).host or "Runway"

    def __repr__(self) -> str:
        return f"RunwayClient({self._root!r})"

    @property
    def tokens(self) -> TokenProvider:
        return self._tokens

    async def verify_token(self) -> list[str]:
        """``POST /token/verify`` (201): the partner codes the token is valid for."""
        response = await self._send("POST", "/token/verify", expected=(201,))
        try:
            return parse_verify_body(response.text)
        except ValueError:
            raise ServerError(
                "Runway's answer to the token check was not understood.",
                next_step="Check the API URL in Settings.",
                status=response.status_code,
                server_message=response.text[:500],
            ) from None

    async def create_job(self, request: CreateJobRequest) -> CreatedJob:
        """``POST /jobs`` (201). Never retried: each call makes a new job.

        If the answer is lost after the request went out (dropped connection, read timeout, a
        gateway 5xx), the raised error has ``possibly_created=True``: a job may exist without
        our knowing its uid. Record that before trying again.
        """
        response = await self._send(
            "POST", "/jobs", json_body=request.to_json(), expected=(201,), creates=True
        )
        data = _json_object(response)
        try:
            return CreatedJob.from_json(data)
        except (KeyError, TypeError, AttributeError):
            raise _malformed(response, possibly_created=True) from None

    async def start_job(self, job_uid: str) -> StartResult:
        """``POST /jobs/{uid}/start`` (202). ``Job already in progress`` counts as success.

        Not retried after a timeout: the run may have started, and a later start of a finished
        run re-processes the files. The error then has ``possibly_started=True``.
        """
        path = f"/jobs/{quote(job_uid, safe='')}/start"
        try:
            await self._send("POST", path, expected=(202,), starts=True)
        except JobAlreadyStarted:
            return StartResult(job_uid=job_uid, already_started=True)
        return StartResult(job_uid=job_uid, already_started=False)

    async def list_output_sets(
        self, query: OutputSetFilter, *, on_retry: RetryCallback | None = None
    ) -> list[OutputSet]:
        """``GET /output-sets`` (200), retried on 5xx and network failures."""

        async def attempt() -> list[OutputSet]:
            response = await self._send("GET", "/output-sets", params=query.to_params())
            data = _json(response)
            if not isinstance(data, list):
                raise _malformed(response)
            try:
                return [OutputSet.from_json(item) for item in data]
            except (KeyError, TypeError, ValueError, AttributeError):
                raise _malformed(response) from None

        return await call_with_retries(attempt, self._retry_policy, on_retry=on_retry)

    async def download_links(
        self, set_uid: str, *, on_retry: RetryCallback | None = None
    ) -> dict[str, str]:
        """``POST /output-sets/{uid}/download-links`` (200): file name → presigned GET URL,
        in the server's order. The URLs are credentials: do not log or store them."""
        path = f"/output-sets/{quote(set_uid, safe='')}/download-links"

        async def attempt() -> dict[str, str]:
            response = await self._send("POST", path)
            links = _json_object(response).get("downloadLinks")
            if not isinstance(links, dict):
                raise _malformed(response)
            return {str(name): str(url) for name, url in links.items()}

        return await call_with_retries(attempt, self._retry_policy, on_retry=on_retry)

    # --- plumbing ---------------------------------------------------------------------

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Mapping[str, Any] | None = None,
        expected: tuple[int, ...] = (200,),
        creates: bool = False,
        starts: bool = False,
    ) -> httpx.Response:
        """One call with the bearer token; on 401 refresh the token and try exactly once more."""
        url = self._root + path
        for attempt in (1, 2):
            token = await self._tokens.get_token()
            try:
                response = await self._http.request(
                    method,
                    url,
                    params=params,
                    json=json_body,
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=API_TIMEOUT,
                )
            except httpx.HTTPError as exc:
                raise _network_error(exc, self.host, creates=creates, starts=starts) from None
            if response.status_code in expected:
                return response
            if response.status_code == 401 and attempt == 1:
                self._tokens.invalidate(token)
                continue
            error = error_from_response(response, source="api")
            if response.status_code >= 500:
                _mark_possible_effect(error, creates=creates, starts=starts)
            raise error
        raise AssertionError("unreachable: the loop returns or raises")


def _mark_possible_effect(error: RunwayError, *, creates: bool, starts: bool) -> None:
    """A 5xx from a gateway (or Runway failing half-way) after a create or start: the server
    may have acted. The two 5xx texts Runway sends *before* acting are the exceptions."""
    if isinstance(error, ApiDisabled):
        return  # checked by the guard before anything happens
    text = error.server_message or ""
    if creates and not text.startswith("Bundle not found:"):
        error.possibly_created = True
        error.retryable = False
    if starts and not text.startswith("Failed to start job"):
        error.possibly_started = True
        error.retryable = False


def _network_error(exc: httpx.HTTPError, host: str, *, creates: bool, starts: bool) -> RunwayError:
    error = error_from_exception(exc, host=host)
    sent = isinstance(exc, _AFTER_SENDING)
    if sent and creates:
        error.possibly_created = True
        error.retryable = False
        error.next_step = (
            "Runway may have received the submission. Check the Runway web app before "
            "sending it again."
        )
    if sent and starts:
        error.possibly_started = True
        error.retryable = False
        error.next_step = (
            "Runway may have started processing. Wait for its output before starting again."
        )
    return error


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise _malformed(response) from None


def _json_object(response: httpx.Response) -> dict[str, Any]:
    data = _json(response)
    if not isinstance(data, dict):
        raise _malformed(response)
    return data


def _malformed(response: httpx.Response, *, possibly_created: bool = False) -> ServerError:
    return ServerError(
        "Runway's answer was not in the expected form.",
        next_step="Check the API URL in Settings; if it is right, contact support.",
        status=response.status_code,
        server_message=response.text[:500],
        possibly_created=possibly_created,
    )
