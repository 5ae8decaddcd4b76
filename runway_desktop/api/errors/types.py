"""The typed errors of the API layer.

Every failure the GUI, the CLI or the pipeline can meet is one of these, already phrased for a
school-district clerk: ``message`` says what happened, ``next_step`` what to do about it, and
``code`` (an :class:`ErrorCode`) says which failure it is, for code to branch on. The raw
server text stays available in ``server_message`` for support, and ``request_id`` is the id the
server gave the request, when it sent one. All text is passed through
:func:`~runway_desktop.base.text.plain_text` on the way in, whoever sets it.
"""

from __future__ import annotations

from typing import ClassVar, TypedDict, Unpack

from runway_desktop.api.errors.codes import ErrorCode
from runway_desktop.base.text import plain_text


class ErrorDetails(TypedDict, total=False):
    """Where an error came from: passed through unchanged by the mappers to every class."""

    status: int | None
    server_message: str | None
    request_id: str | None
    retry_after: float | None
    possibly_created: bool
    possibly_started: bool


# The class names below are the project's shared error vocabulary (the GUI and the pipeline
# branch on them), so the "Error" suffix rule (ruff N818) is waived for them one by one.


class RunwayError(Exception):
    """Base of every error the API layer raises.

    ``code`` defaults to the class's ``default_code``; the mappers always pass the precise one.
    ``retryable`` means "the same call may succeed if made again later" (a 5xx, a timeout, a
    dropped connection). ``possibly_created`` / ``possibly_started`` mean the request may have
    taken effect on the server even though no answer arrived: the caller must not repeat it
    blindly (a second create makes a second job; a second start re-runs a finished job).
    """

    default_code: ClassVar[ErrorCode] = ErrorCode.UNKNOWN

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode | None = None,
        next_step: str = "",
        fields: tuple[str, ...] = (),
        status: int | None = None,
        server_message: str | None = None,
        request_id: str | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
        possibly_created: bool = False,
        possibly_started: bool = False,
    ) -> None:
        # possibly_* are keyword-only here and in ErrorDetails so the mappers can pass them on.
        super().__init__(plain_text(message))
        self.code = code or self.default_code
        self.message = message
        self.next_step = next_step
        self.fields = fields
        self.status = status
        self.server_message = server_message
        self.request_id = request_id
        self.retryable = retryable
        self.retry_after = retry_after
        self.possibly_created = possibly_created
        self.possibly_started = possibly_started

    # Text that may contain a server's words is cleaned whenever it is set, not only here:
    # callers adjust next_step after the fact (client.py), and a screen shows what it finds.
    @property
    def message(self) -> str:
        return self._message

    @message.setter
    def message(self, value: str) -> None:
        self._message = plain_text(value)

    @property
    def next_step(self) -> str:
        return self._next_step

    @next_step.setter
    def next_step(self, value: str) -> None:
        self._next_step = plain_text(value)

    @property
    def server_message(self) -> str | None:
        return self._server_message

    @server_message.setter
    def server_message(self, value: str | None) -> None:
        self._server_message = None if value is None else plain_text(value)

    @property
    def request_id(self) -> str | None:
        return self._request_id

    @request_id.setter
    def request_id(self, value: str | None) -> None:
        self._request_id = None if value is None else plain_text(value)[:200]

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
        parts = [repr(self.message), f"code={self.code.value}"]
        if self.status is not None:
            parts.append(f"status={self.status}")
        if self.fields:
            parts.append(f"fields={self.fields!r}")
        if self.request_id:
            parts.append(f"request_id={self.request_id!r}")
        if self.retryable:
            parts.append("retryable=True")
        if self.possibly_created:
            parts.append("possibly_created=True")
        if self.possibly_started:
            parts.append("possibly_started=True")
        return f"{type(self).__name__}({', '.join(parts)})"


class AuthError(RunwayError):
    """The client id/secret were refused, or Runway did not accept the token."""

    default_code = ErrorCode.SIGN_IN_FAILED


class PermissionDenied(RunwayError):
    """The token is valid but lacks a scope (resource or partner)."""

    default_code = ErrorCode.PERMISSION_DENIED


class NotFound(RunwayError):
    """A job, output set, partner or route that Runway does not know (or hides from this client)."""

    default_code = ErrorCode.NOT_FOUND


class ValidationFailed(RunwayError):
    """Runway refused the request's content (a 400); ``fields`` says which inputs to fix."""

    default_code = ErrorCode.REQUEST_REFUSED


class JobAlreadyStarted(ValidationFailed):
    """``400 Job already in progress``: a run of this job is already queued or running.

    :meth:`RunwayClient.start_job` turns this into a successful ``StartResult`` — callers only
    meet it if they call the endpoint some other way.
    """

    default_code = ErrorCode.JOB_ALREADY_IN_PROGRESS

    def __init__(self, job_uid: str, **details: Unpack[ErrorDetails]) -> None:
        super().__init__(
            "This submission is already being processed by Runway.",
            next_step="Nothing to do: wait for its output to appear.",
            **details,
        )
        self.job_uid = job_uid


class ServerError(RunwayError):
    """Runway (or the sign-in service) failed on its side: a 5xx, a 429, or a malformed answer."""

    default_code = ErrorCode.SERVER_ERROR


class ApiDisabled(ServerError):
    """``503 External API is disabled.``: the server runs but its API is switched off."""

    default_code = ErrorCode.API_DISABLED


class BlockedByProxy(RunwayError):
    """An answer that did not come from Runway or S3: a proxy, firewall or WAF stepped in
    (including a redirect, which the app never follows)."""

    default_code = ErrorCode.BLOCKED_BY_PROXY


_CODE_OF_KIND = {
    "dns": ErrorCode.DNS,
    "refused": ErrorCode.CONNECTION_REFUSED,
    "connect": ErrorCode.NETWORK,
    "dropped": ErrorCode.NETWORK,
    "timeout": ErrorCode.TIMEOUT,
    "stalled": ErrorCode.STALLED,
    "tls": ErrorCode.TLS,
    "proxy": ErrorCode.PROXY_REFUSED,
    "bad_address": ErrorCode.BAD_ADDRESS,
}


class NetworkError(RunwayError):
    """No usable HTTP answer: DNS, refused or dropped connection, timeout, stall, TLS trust.

    ``kind`` is one of ``dns``, ``refused``, ``connect``, ``timeout``, ``stalled``,
    ``dropped``, ``tls``, ``proxy``, ``bad_address``; ``code`` follows from it.
    """

    default_code = ErrorCode.NETWORK

    def __init__(
        self,
        message: str,
        *,
        kind: str,
        next_step: str = "",
        retryable: bool = False,
        **details: Unpack[ErrorDetails],
    ) -> None:
        super().__init__(
            message,
            code=_CODE_OF_KIND.get(kind, ErrorCode.NETWORK),
            next_step=next_step,
            retryable=retryable,
            **details,
        )
        self.kind = kind


class S3Error(RunwayError):
    """The storage service (S3) refused an upload or download, or sent something wrong.

    ``s3_code`` is S3's own ``<Code>`` (``AccessDenied``, ``SlowDown``…) when the answer had
    one. ``needs_new_url`` is set when the presigned link itself is the problem (expired,
    altered): an upload then needs a new job, a download a fresh link.
    """

    default_code = ErrorCode.STORAGE_REFUSED

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode | None = None,
        s3_code: str | None = None,
        needs_new_url: bool = False,
        next_step: str = "",
        retryable: bool = False,
        **details: Unpack[ErrorDetails],
    ) -> None:
        super().__init__(message, code=code, next_step=next_step, retryable=retryable, **details)
        self.s3_code = s3_code
        self.needs_new_url = needs_new_url


class IntegrityMismatch(S3Error):
    """The bytes that arrived are not the bytes that were sent: the MD5 of an upload or of a
    download differs from the storage service's ETag."""

    default_code = ErrorCode.INTEGRITY_MISMATCH


class LocalFileError(RunwayError):
    """A problem with a file or folder on this computer, not with the network or Runway."""

    default_code = ErrorCode.LOCAL_FILE


class FileChanged(LocalFileError):
    """The file being uploaded changed (size, time or content) between checking and sending."""

    default_code = ErrorCode.FILE_CHANGED


class DiskFull(LocalFileError):
    """The download folder's disk ran out of space (ENOSPC)."""

    default_code = ErrorCode.DISK_FULL


class FolderNotWritable(LocalFileError):
    """The download folder (or a file in it) cannot be written: permissions, read-only disk."""

    default_code = ErrorCode.FOLDER_NOT_WRITABLE


class TransferCancelled(RunwayError):
    """The user cancelled an upload or download (the ``cancel`` event was set)."""

    default_code = ErrorCode.CANCELLED
