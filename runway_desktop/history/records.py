"""Plain records read back from the history store (no SQLite types leak out)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def parse_dt(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


# 0.1.0 stored ``type(error).__name__`` in error_kind; each class's default code is what it
# meant. Plain strings: History does not import the API layer, and stored codes never change.
_LEGACY_CLASS_CODES = {
    "AuthError": "sign_in_failed", "PermissionDenied": "permission_denied",
    "NotFound": "not_found", "ValidationFailed": "request_refused",
    "JobAlreadyStarted": "job_already_in_progress", "ServerError": "server_error",
    "ApiDisabled": "api_disabled", "BlockedByProxy": "blocked_by_proxy",
    "NetworkError": "network", "S3Error": "storage_refused",
    "IntegrityMismatch": "integrity_mismatch", "LocalFileError": "local_file",
    "FileChanged": "file_changed", "DiskFull": "disk_full",
    "FolderNotWritable": "folder_not_writable", "TransferCancelled": "cancelled",
    "Cancelled": "cancelled", "SubmissionInvalid": "invalid_request", "RunwayError": "unknown",
}  # fmt: skip
# error_kind values that are not an error's class (the store's SUPERSEDED marker).
_NOT_AN_ERROR = {"superseded"}


def legacy_error_code(error_kind: str | None) -> str | None:
    """The code a 0.1.0 row's class name stands for (``unknown`` for a name not listed)."""
    if error_kind is None or error_kind in _NOT_AN_ERROR:
        return None
    return _LEGACY_CLASS_CODES.get(error_kind, "unknown")


# Slots: History holds every submission with its files and steps (60,000 records for 10,000
# submissions); without a dict each they take less memory and less of the collector's time.
@dataclass(frozen=True, slots=True)
class FileRecord:
    env_var: str
    path: Path
    upload_name: str
    size: int
    mtime_ns: int
    md5: str
    uploaded_at: datetime | None = None
    etag: str | None = None
    etag_checked: bool | None = None


@dataclass(frozen=True, slots=True)
class StepRecord:
    step: str
    detail: str
    status: str  # running | done | failed | cancelled | skipped
    started_at: datetime
    finished_at: datetime | None
    message: str | None

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


@dataclass(frozen=True, slots=True)
class SubmissionRecord:
    id: int
    created_at: datetime
    profile: str
    api_base_url: str
    partner: str
    tenant: str
    school_year: str
    bundle: str
    bundle_name: str
    params: dict[str, str]
    state: str
    job_uid: str | None
    job_created_at: datetime | None
    start_requested_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    # What failed, as a stable ``ErrorCode`` value (api/errors/codes.py): written since schema
    # v2, translated from the class name for rows 0.1.0 wrote (see legacy_error_code).
    error_code: str | None
    # 0.1.0's class name of the error (old rows only), or the SUPERSEDED marker of the store:
    # a record's bookkeeping, not an error, so it is not a code.
    error_kind: str | None
    error_message: str | None
    error_next_step: str | None
    orphan_job_possible: bool
    resumed_from: int | None
    files: tuple[FileRecord, ...] = ()
    steps: tuple[StepRecord, ...] = ()
    sets: tuple[SeenOutputSet, ...] = ()


@dataclass(frozen=True, slots=True)
class SeenOutputSet:
    set_uid: str
    job_uid: str
    sent_to_ods: bool
    created_at: datetime


# -- reading rows back (history/readers.py) -----------------------------------------------------
# The one rule for turning rows into records, for every reader. History reads every submission
# when it opens (10,000 and more, no cap): plain tuples in these column orders, unpacked by
# position, cost a fraction of ``sqlite3.Row`` lookups by name, and SQL ``NULL``/``0``/``1``
# stay as they are.
SUBMISSION_COLUMNS = (
    "id", "created_at", "profile", "api_base_url", "partner", "tenant", "school_year", "bundle",
    "bundle_name", "params_json", "state", "job_uid", "job_created_at", "start_requested_at",
    "started_at", "finished_at", "error_code", "error_kind", "error_message", "error_next_step",
    "orphan_job_possible", "resumed_from",
)  # fmt: skip
# Each starts with its grouping key (submission_id / job_uid), which the record leaves out.
FILE_COLUMNS = ("submission_id", "env_var", "path", "upload_name", "size", "mtime_ns", "md5",
                "uploaded_at", "etag", "etag_checked")  # fmt: skip
STEP_COLUMNS = ("submission_id", "step", "detail", "status", "started_at", "finished_at",
                "message")  # fmt: skip
SET_COLUMNS = ("job_uid", "set_uid", "sent_to_ods", "created_at")


def submission_from_values(
    row: Sequence[Any],
    files: Iterable[Sequence[Any]],
    steps: Iterable[Sequence[Any]],
    sets: Iterable[Sequence[Any]],
) -> SubmissionRecord:
    """The record of a submission row and its files, steps and sets, each in the column
    order above. The small records are made by position (their field order is the column
    order after the key; 50,000 steps here)."""
    values = dict(zip(SUBMISSION_COLUMNS, row, strict=True))
    fromiso = datetime.fromisoformat
    return SubmissionRecord(
        id=values["id"],
        created_at=fromiso(values["created_at"]),
        profile=values["profile"],
        api_base_url=values["api_base_url"],
        partner=values["partner"],
        tenant=values["tenant"],
        school_year=values["school_year"],
        bundle=values["bundle"],
        bundle_name=values["bundle_name"],
        params=json.loads(values["params_json"]),
        state=values["state"],
        job_uid=values["job_uid"],
        job_created_at=parse_dt(values["job_created_at"]),
        start_requested_at=parse_dt(values["start_requested_at"]),
        started_at=parse_dt(values["started_at"]),
        finished_at=parse_dt(values["finished_at"]),
        error_code=values["error_code"] or legacy_error_code(values["error_kind"]),
        error_kind=values["error_kind"],
        error_message=values["error_message"],
        error_next_step=values["error_next_step"],
        orphan_job_possible=bool(values["orphan_job_possible"]),
        resumed_from=values["resumed_from"],
        files=tuple(
            FileRecord(env, Path(path), name, size, mtime, md5,
                       None if up is None else fromiso(up), etag,
                       None if checked is None else bool(checked))
            for _, env, path, name, size, mtime, md5, up, etag, checked in files
        ),
        steps=tuple(
            StepRecord(step, detail, status, fromiso(begun),
                       None if ended is None else fromiso(ended), message)
            for _, step, detail, status, begun, ended, message in steps
        ),
        sets=tuple(seen_from_values(s) for s in sets),
    )  # fmt: skip


def seen_from_values(values: Sequence[Any]) -> SeenOutputSet:
    """The output set of a row in SET_COLUMNS order (Runway's dates may end in "Z")."""
    job_uid, set_uid, sent_to_ods, created_at = values
    created = datetime.fromisoformat(str(created_at).replace("Z", "+00:00"))
    return SeenOutputSet(set_uid, job_uid, bool(sent_to_ods), created)
