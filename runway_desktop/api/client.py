"""Runway External API v1: the five endpoints, typed (CONTRACT §4).

Every call carries ``Authorization: Bearer <token>`` from the shared :class:`TokenProvider`.
A 401 from Runway drops the token, fetches a fresh one and tries once more — a token can be
revoked or its signing key rotated before it expires.

Only the idempotent calls (list output sets, download links) are retried on 5xx and network
failures; create and start are not (see :mod:`runway_desktop.api.retry`). Every call runs
under the overall deadline and size cap of :mod:`runway_desktop.api.bounds`; redirects are
never followed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

from runway_desktop.api import policy
from runway_desktop.api.auth import TokenProvider
from runway_desktop.api.bounds import exchange, parse_json
from runway_desktop.api.errors import (
    ErrorCode,
    JobAlreadyStarted,
    RunwayError,
    ServerError,
    error_from_exception,
    error_from_response,
)
from runway_desktop.api.http import api_log, loggable_url
from runway_desktop.api.models import (
    CreatedJob,
    CreateJobRequest,
    OutputSet,
    OutputSetFilter,
    StartResult,
)
from runway_desktop.api.retry import RetryCallback, RetryPolicy, call_with_retries, retry_reason

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
        self._retry_policy = retry_policy or policy.API_RETRY
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
                code=ErrorCode.ANSWER_UNREADABLE,
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
        try:
            return CreatedJob.from_json(_json_object(response))
        except (KeyError, TypeError, AttributeError):
            raise _malformed(response, possibly_created=True) from None
        except ServerError as error:
            error.possibly_created = True  # Runway answered 201: the job exists
            raise

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
        path = "/output-sets"

        async def attempt() -> list[OutputSet]:
            response = await self._send("GET", path, params=query.to_params())
            text, malformed = _listing_text(response)
            del response  # the bytes go before the parse: it holds the text, then the dicts
            return _output_sets(text, malformed)

        return await call_with_retries(
            attempt, self._retry_policy, on_retry=on_retry, describe=self._describe("GET", path)
        )

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

        return await call_with_retries(
            attempt, self._retry_policy, on_retry=on_retry, describe=self._describe("POST", path)
        )

    # --- plumbing ---------------------------------------------------------------------

    def _describe(self, method: str, path: str) -> str:
        return f"{method} {loggable_url(self._root + path)}"

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
            request = self._http.build_request(
                method,
                url,
                params=params,
                json=json_body,
                headers={"Authorization": f"Bearer {token}"},
                timeout=policy.api_timeout(),
            )
            try:
                response = await exchange(
                    self._http,
                    request,
                    host=self.host,
                    deadline_seconds=policy.API_DEADLINE_SECONDS,
                    success=expected,
                )
            except httpx.HTTPError as exc:
                raise _network_error(exc, self.host, creates=creates, starts=starts) from None
            except RunwayError as error:
                # The deadline passed or the answer was too large: either way the request
                # went out (connecting is bounded far more tightly than the deadline).
                raise _lost_answer(error, creates=creates, starts=starts) from None
            if response.status_code in expected:
                return response
            failure = error_from_response(response, source="api")
            if response.status_code == 401 and attempt == 1:
                self._tokens.invalidate(token)
                # No wait: a new token is fetched (and logged) right away.
                api_log.info(
                    "Retrying %s (attempt 2 of 2) in 0 s, with a new token: %s",
                    self._describe(method, path),
                    retry_reason(failure),
                )
                continue
            if response.status_code >= 500:
                _mark_possible_effect(failure, creates=creates, starts=starts)
            raise failure
        raise AssertionError("unreachable: the loop returns or raises")


# The two 5xx answers Runway gives *before* acting on a create or a start.
_REFUSED_BEFORE_ACTING = {ErrorCode.API_DISABLED, ErrorCode.BUNDLE_NOT_IN_REGISTRY}
_REFUSED_BEFORE_STARTING = {ErrorCode.API_DISABLED, ErrorCode.JOB_START_FAILED}


def _mark_possible_effect(error: RunwayError, *, creates: bool, starts: bool) -> None:
    """A 5xx from a gateway (or Runway failing half-way) after a create or start: the server
    may have acted, unless the code says Runway refused before acting."""
    if creates and error.code not in _REFUSED_BEFORE_ACTING:
        error.possibly_created = True
        error.retryable = False
    if starts and error.code not in _REFUSED_BEFORE_STARTING:
        error.possibly_started = True
        error.retryable = False


def _lost_answer(error: RunwayError, *, creates: bool, starts: bool) -> RunwayError:
    """The request went out but no answer came back: a create or start may have happened."""
    if creates:
        error.possibly_created = True
        error.retryable = False
        error.next_step = (
            "Runway may have received the submission. Check the Runway web app before "
            "sending it again."
        )
    if starts:
        error.possibly_started = True
        error.retryable = False
        error.next_step = (
            "Runway may have started processing. Wait for its output before starting again."
        )
    return error


def _network_error(exc: httpx.HTTPError, host: str, *, creates: bool, starts: bool) -> RunwayError:
    error = error_from_exception(exc, host=host)
    if isinstance(exc, _AFTER_SENDING):
        _lost_answer(error, creates=creates, starts=starts)
    return error


def _listing_text(response: httpx.Response) -> tuple[str, ServerError]:
    """A listing's body as text (decoded as ``json.loads`` would), and the error to raise if
    it is not a listing. ``json.loads`` of bytes decodes them into a ``str`` of the same size
    first: the caller drops the bytes before parsing, so the parse holds one copy, not two."""
    malformed = _malformed(response)
    content = response.content
    try:
        return content.decode(json.detect_encoding(content), "surrogatepass"), malformed
    except UnicodeDecodeError:
        raise malformed from None


def _output_sets(text: str, malformed: ServerError) -> list[OutputSet]:
    """Models from a listing's text, holding one form of it at a time besides the text: each
    dict goes once its model is made (a year of a big district's sets is tens of megabytes)."""
    try:
        data = json.loads(text)
    except ValueError:
        raise malformed from None
    if not isinstance(data, list):
        raise malformed
    data.reverse()
    try:
        return [OutputSet.from_json(data.pop()) for _ in range(len(data))]
    except (KeyError, TypeError, ValueError, AttributeError):
        raise malformed from None


def _json(response: httpx.Response) -> Any:
    try:
        return parse_json(response)
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
        code=ErrorCode.ANSWER_UNREADABLE,
        next_step="Check the API URL in Settings; if it is right, contact support.",
        status=response.status_code,
        server_message=response.content[:500].decode("utf-8", "replace") or None,
        possibly_created=possibly_created,
    )
