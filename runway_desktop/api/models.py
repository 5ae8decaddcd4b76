"""Typed requests and responses of Runway's External API v1 (CONTRACT §4)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class CreateJobRequest:
    """Body of ``POST /api/v1/jobs``.

    ``files`` maps a bundle's ``env_var`` to the file name Runway will show; ``params`` maps a
    param's ``env_var`` to its value. ``API_YEAR`` is never sent: the server sets it from the
    school year.
    """

    partner: str
    tenant: str
    bundle: str
    school_year: str
    files: Mapping[str, str]
    params: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "partner": self.partner,
            "tenant": self.tenant,
            "bundle": self.bundle,
            "schoolYear": self.school_year,
            "files": dict(self.files),
        }
        if self.params:
            body["params"] = dict(self.params)
        return body


@dataclass(frozen=True)
class CreatedJob:
    """Answer of ``POST /api/v1/jobs``: the job uid and one presigned PUT URL per file key."""

    uid: str
    upload_urls: Mapping[str, str]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CreatedJob:
        urls = data.get("uploadUrls") or {}
        return cls(uid=str(data["uid"]), upload_urls={str(k): str(v) for k, v in urls.items()})


@dataclass(frozen=True)
class StartResult:
    """Answer of ``POST /api/v1/jobs/{uid}/start``.

    ``already_started`` means Runway answered ``400 Job already in progress``: an earlier
    start (perhaps one whose answer was lost) got there first. Callers count both as success.
    """

    job_uid: str
    already_started: bool = False

    @property
    def started_now(self) -> bool:
        return not self.already_started


# Not frozen: a frozen dataclass's __init__ sets each field through object.__setattr__, which
# doubled the parse time of a 10,000-set listing. Treat instances as read-only all the same.
@dataclass(slots=True)
class OutputSet:
    """One entry of ``GET /api/v1/output-sets``."""

    uid: str
    files: tuple[str, ...]
    sent_to_ods: bool
    created_at: datetime
    created_at_text: str  # exactly as the server sent it (millisecond precision, ``Z``)
    job_uid: str
    partner: str
    tenant: str
    school_year: str
    bundle: str | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OutputSet:
        created_text = str(data["createdAt"])
        sent = data.get("sentToOds")
        files = data.get("files")
        bundle = data.get("bundle")
        return cls(
            uid=str(data["uid"]),
            files=tuple(map(str, files)) if files else (),
            # The README calls it a boolean; accept the literal strings too.
            sent_to_ods=sent is True or sent == "true",
            created_at=parse_timestamp(created_text),
            created_at_text=created_text,
            job_uid=str(data["jobUid"]),
            partner=str(data["partner"]),
            tenant=str(data["tenant"]),
            school_year=str(data["schoolYear"]),
            bundle=None if bundle is None else str(bundle),
        )


@dataclass(frozen=True)
class OutputSetFilter:
    """Query of ``GET /api/v1/output-sets``; ``None`` means "no filter"."""

    partner: str
    tenant: str | None = None
    school_year: str | None = None
    bundle: str | None = None
    sent_to_ods: bool | None = None
    created_after: datetime | None = None

    def to_params(self) -> dict[str, str]:
        params = {"partner": self.partner}
        if self.tenant:
            params["tenant"] = self.tenant
        if self.school_year:
            params["schoolYear"] = self.school_year
        if self.bundle:
            params["bundle"] = self.bundle
        if self.sent_to_ods is not None:
            # The server wants the literal lower-case text; True/1 are a 400.
            params["sentToOds"] = "true" if self.sent_to_ods else "false"
        if self.created_after is not None:
            params["createdAfter"] = format_timestamp(self.created_after)
        return params


def parse_timestamp(text: str) -> datetime:
    """Parse the server's ``2026-03-15T14:30:00.123Z`` into an aware UTC datetime."""
    value = datetime.fromisoformat(text)  # Python 3.11+ reads a trailing "Z" itself
    if value.tzinfo is UTC:
        return value  # the server's usual form: no second conversion
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def format_timestamp(value: datetime) -> str:
    """Always an explicit ``Z``: a zone-less value is read in the server's local time zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
