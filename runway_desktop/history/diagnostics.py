"""A zip for a support ticket: the app's log and the chosen submissions' records, redacted.

Everything written into the zip passes through ``redaction.redact`` (tokens, secrets and
presigned URL query strings), plus any literal secret the caller knows, such as the client
secret in use. The log is already redacted at the source; it is redacted again here because
a log written by an older version, or by hand, might not be.
"""

from __future__ import annotations

import json
import platform
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from runway_desktop import __version__
from runway_desktop.base.redaction import redact
from runway_desktop.history.records import SubmissionRecord, iso, utc_now

README = """Runway Desktop diagnostics

Made on {made} for a support ticket. Contents:
  about.json        app version and system
  submissions.json  {count} submission record(s): what was sent, each step with its timing,
                    the job id and the output sets seen; no file contents
  logs/             the app's log files

Tokens, secrets and presigned upload/download links were removed before writing.
"""


@dataclass(frozen=True)
class DiagnosticsExport:
    path: Path
    submissions: int
    log_files: int


# The derived state comes from the core (core.submission_state.state_json), passed in by the
# caller: the history package does not import the core above it.
StateOf = Callable[[SubmissionRecord, datetime], Mapping[str, str]]


def record_to_json(
    record: SubmissionRecord, status: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """A record as plain JSON values (dates in ISO 8601 UTC)."""
    out: dict[str, Any] = {
        "id": record.id,
        "created_at": iso(record.created_at),
        "profile": record.profile,
        "api_base_url": record.api_base_url,
        "partner": record.partner,
        "tenant": record.tenant,
        "school_year": record.school_year,
        "bundle": record.bundle,
        "bundle_name": record.bundle_name,
        "params": dict(record.params),
        "state": record.state,
        "job_uid": record.job_uid,
        "job_created_at": iso(record.job_created_at),
        "start_requested_at": iso(record.start_requested_at),
        "started_at": iso(record.started_at),
        "finished_at": iso(record.finished_at),
        "error_kind": record.error_kind,
        "error_message": record.error_message,
        "error_next_step": record.error_next_step,
        "orphan_job_possible": record.orphan_job_possible,
        "resumed_from": record.resumed_from,
        "files": [
            {
                "slot": f.env_var,
                "path": str(f.path),
                "upload_name": f.upload_name,
                "size": f.size,
                "md5": f.md5,
                "uploaded_at": iso(f.uploaded_at),
                "etag_checked": f.etag_checked,
            }
            for f in record.files
        ],
        "steps": [
            {
                "step": s.step,
                "detail": s.detail,
                "status": s.status,
                "started_at": iso(s.started_at),
                "finished_at": iso(s.finished_at),
                "seconds": s.duration_seconds,
                "message": s.message,
            }
            for s in record.steps
        ],
        "output_sets_seen": [
            {"uid": s.set_uid, "sent_to_ods": s.sent_to_ods, "created_at": iso(s.created_at)}
            for s in record.sets
        ],
    }
    if status is not None:
        out["derived_state"] = dict(status)
    return out


def export_diagnostics(
    target: Path,
    records: Sequence[SubmissionRecord],
    log_files: Iterable[Path],
    *,
    secrets: Iterable[str] = (),
    about: Mapping[str, str] | None = None,
    now: datetime | None = None,
    state_of: StateOf | None = None,
) -> DiagnosticsExport:
    """Write the zip to ``target`` (replaced if it exists) and say what went in.

    Blocking file work: call it from a thread in the GUI.
    """
    known = [s for s in secrets if s]
    made = now or utc_now()

    def clean(text: str) -> str:
        return redact(text, known)

    entries = [record_to_json(r, state_of(r, made) if state_of else None) for r in records]
    info = {
        "app_version": __version__,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "made_at": iso(made) or "",
        **(about or {}),
    }
    logs = [p for p in log_files if p.is_file()]
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt", clean(README.format(made=info["made_at"], count=len(entries)))
        )
        archive.writestr("about.json", clean(json.dumps(info, indent=2)))
        archive.writestr(
            "submissions.json", clean(json.dumps(entries, indent=2, ensure_ascii=False))
        )
        for path in logs:
            text = path.read_text(encoding="utf-8", errors="replace")
            archive.writestr(f"logs/{path.name}", clean(text))
    partial.replace(target)
    return DiagnosticsExport(target, len(entries), len(logs))


def default_zip_name(now: datetime | None = None) -> str:
    stamp = (now or utc_now()).astimezone().strftime("%Y%m%d-%H%M")
    return f"runway-desktop-diagnostics-{stamp}.zip"
