"""The typed errors of the API layer.

Every failure the GUI, the CLI or the pipeline can meet is one of these, already phrased for a
school-district clerk: ``message`` says what happened, ``next_step`` what to do about it. The raw
server text stays available in ``server_message`` for support. The mapping from HTTP answers and
exceptions to these classes lives in :mod:`runway_desktop.api.errors` (import from there).
"""

from __future__ import annotations

from typing import TypedDict, Unpack


class ErrorDetails(TypedDict, total=False):
    """Where an error came from: passed through unchanged by the mappers to every class."""

    status: int | None
    server_message: str | None
    retry_after: float | None
    possibly_created: bool
    possibly_started: bool


# The class names below are the project's shared error vocabulary (the GUI and the pipeline
# branch on them), so the "Error" suffix rule (ruff N818) is waived for them one by one.


class RunwayError(Exception):
    """Base of every error the API layer raises.

    ``retryable`` means "the same call may succeed if made again later" (a 5xx, a timeout, a
    dropped connection). ``possibly_created`` / ``possibly_started`` mean the request may have
    taken effect on the server even though no answer arrived: the caller must not repeat it
    blindly (a second create makes a second job; a second start re-runs a finished job).
    """

    def __init__(
        self,
        message: str,
        *,
        next_step: str = "",
        fields: tuple[str, ...] = (),
        status: int | None = None,
        server_message: str | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
        possibly_created: bool = False,
        possibly_started: bool = False,
    ) -> None:
        # possibly_* are keyword-only here and in ErrorDetails so the mappers can pass them on.
        super().__init__(message)
        self.message = message
        self.next_step = next_step
        self.fields = fields
        self.status = status
        self.server_message = server_message
        self.retryable = retryable
        self.retry_after = retry_after
        self.possibly_created = possibly_created
        self.possibly_started = possibly_started

    @property
    def field(self) -> str | None:
        """The first form field this error is about (``"tenant"``, ``"param:FORMAT"``…)."""
        return self.fields[0] if self.fields else None

    def user_text(self) -> str:
        """Message and next step as one paragraph, for places that show a single string."""
        return f"{self.message} {self.next_step}".strip()

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        parts = [repr(self.message)]
        if self.status is not None:
            parts.append(f"status={self.status}")
        if self.fields:
            parts.append(f"fields={self.fields!r}")
        if self.retryable:
            parts.append("retryable=True")
        if self.possibly_created:
            parts.append("possibly_created=True")
        if self.possibly_started:
            parts.append("possibly_started=True")
        return f"{type(self).__name__}({', '.join(parts)})"


class AuthError(RunwayError):
    """The client id/secret were refused, or Runway did not accept the token."""


class PermissionDenied(RunwayError):
    """The token is valid but lacks a scope (resource or partner)."""


class NotFound(RunwayError):
    """A job, output set, partner or route that Runway does not know (or hides from this client)."""


class ValidationFailed(RunwayError):
    """Runway refused the request's content (a 400); ``fields`` says which inputs to fix."""


class JobAlreadyStarted(ValidationFailed):
    """``400 Job already in progress``: a run of this job is already queued or running.

    :meth:`RunwayClient.start_job` turns this into a successful ``StartResult`` — callers only
    meet it if they call the endpoint some other way.
    """

    def __init__(self, job_uid: str, **details: Unpack[ErrorDetails]) -> None:
        super().__init__(
            "This submission is already being processed by Runway.",
            next_step="Nothing to do: wait for its output to appear.",
            **details,
        )
        self.job_uid = job_uid


class ServerError(RunwayError):
    """Runway (or the sign-in service) failed on its side: a 5xx, a 429, or a malformed answer."""


class ApiDisabled(ServerError):
    """``503 External API is disabled.``: the server runs but its API is switched off."""


class BlockedByProxy(RunwayError):
    """An answer that did not come from Runway or S3: a proxy, firewall or WAF stepped in."""


class NetworkError(RunwayError):
    """No usable HTTP answer: DNS, refused or dropped connection, timeout, TLS trust.

    ``kind`` is one of ``dns``, ``refused``, ``connect``, ``timeout``, ``dropped``, ``tls``,
    ``proxy``, ``bad_address`` so callers can branch without parsing text.
    """

    def __init__(
        self,
        message: str,
        *,
        kind: str,
        next_step: str = "",
        retryable: bool = False,
        **details: Unpack[ErrorDetails],
    ) -> None:
        super().__init__(message, next_step=next_step, retryable=retryable, **details)
        self.kind = kind


class S3Error(RunwayError):
    """The storage service (S3) refused an upload or download.

    ``code`` is S3's ``<Code>`` (``AccessDenied``, ``SlowDown``…) when the answer had one.
    ``needs_new_url`` is set when the presigned link itself is the problem (expired, altered):
    an upload then needs a new job, a download a fresh link.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        needs_new_url: bool = False,
        next_step: str = "",
        retryable: bool = False,
        **details: Unpack[ErrorDetails],
    ) -> None:
        super().__init__(message, next_step=next_step, retryable=retryable, **details)
        self.code = code
        self.needs_new_url = needs_new_url


class LocalFileError(RunwayError):
    """A problem with a file or folder on this computer, not with the network or Runway."""


class FileChanged(LocalFileError):
    """The file being uploaded changed (size, time or content) between checking and sending."""


class DiskFull(LocalFileError):
    """The download folder's disk ran out of space (ENOSPC)."""


class FolderNotWritable(LocalFileError):
    """The download folder (or a file in it) cannot be written: permissions, read-only disk."""


class TransferCancelled(RunwayError):
    """The user cancelled an upload or download (the ``cancel`` event was set)."""
