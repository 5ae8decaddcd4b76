"""What the History screen's actions need from a record: may it be resumed or resubmitted
now (and if not, why not, in plain words), and the request or form values rebuilt from it.
No widgets here; the page and the detail pane show the answers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from runway_desktop.base.formatting import day_text, human_size, school_year_label
from runway_desktop.base.words import translate
from runway_desktop.bundles.model import Registry
from runway_desktop.core.session import Connection
from runway_desktop.core.submission_state import DerivedState
from runway_desktop.core.submit.events import SubmissionRequest
from runway_desktop.core.submit.form_values import FormValues, submission_request
from runway_desktop.history.records import FileRecord, SubmissionRecord
from runway_desktop.history.store import HistoryStore


@dataclass(frozen=True)
class Allowed:
    """Whether an action can be taken now; ``why`` says why not (shown as its tooltip)."""

    ok: bool
    why: str = ""


@dataclass(frozen=True)
class FileCheck:
    """A recorded file compared with what is on disk now."""

    record: FileRecord
    missing: bool
    changed: bool

    def describe(self) -> str | None:
        name = self.record.path.name
        if self.missing:
            return f"{name} is no longer at {self.record.path}: choose it again."
        if self.changed:
            return (
                f"{name} changed since it was sent (it was {human_size(self.record.size)}); "
                "it is checked again before anything is sent."
            )
        return None


def check_files(record: SubmissionRecord) -> list[FileCheck]:
    """Blocking but cheap (one stat per file, no hashing): the form re-checks contents."""
    checks = []
    for f in record.files:
        try:
            stat = Path(f.path).stat()
        except OSError:
            checks.append(FileCheck(f, missing=True, changed=False))
            continue
        changed = stat.st_size != f.size or stat.st_mtime_ns != f.mtime_ns
        checks.append(FileCheck(f, missing=False, changed=changed))
    return checks


def resume_allowed(
    record: SubmissionRecord,
    connection: Connection | None,
    registry: Registry,
    *,
    derived: DerivedState,
    busy: str | None = None,
) -> Allowed:
    if busy:
        return Allowed(False, busy)
    if not derived.offers_resume:
        # One state model decides: a start that may have happened is never offered again.
        return Allowed(False, f"{derived.label}: {derived.next_step}")
    if connection is None:
        return Allowed(False, "Set up the connection to Runway first (Settings).")
    if connection.profile.name != record.profile:
        return Allowed(
            False, f"This was sent with the connection “{record.profile}”. Switch to it to resume."
        )
    if registry.get(record.bundle) is None:
        return Allowed(False, "This assessment is no longer offered; use Resubmit instead.")
    missing = [c for c in check_files(record) if c.missing]
    if missing:
        return Allowed(False, missing[0].describe() or "")
    return Allowed(True, "Finish sending: only what is missing is done again.")


def resubmit_allowed(record: SubmissionRecord, registry: Registry) -> Allowed:
    if registry.get(record.bundle) is None:
        return Allowed(False, f"The assessment {record.bundle_name} is no longer offered.")
    return Allowed(True, "Fill in the Submit screen with the same files and settings to review.")


def resume_request(
    record: SubmissionRecord, connection: Connection, registry: Registry
) -> SubmissionRequest:
    """The request a Resume sends: every recorded file, as recorded (no earlier checks)."""
    bundle = registry.get(record.bundle)
    if bundle is None:
        raise LookupError(record.bundle)
    values = FormValues(
        partner=record.partner,
        tenant=record.tenant,
        school_year=record.school_year,
        bundle=bundle,
        params=dict(record.params),
        files={f.env_var: Path(f.path) for f in record.files},
    )
    return submission_request(connection.profile, values)


def resubmit_values(record: SubmissionRecord, registry: Registry) -> FormValues:
    """The form's values for a review before sending again; files no longer there are left
    out so their slots ask for them."""
    present = {c.record.env_var for c in check_files(record) if not c.missing}
    return FormValues(
        partner=record.partner,
        tenant=record.tenant,
        school_year=record.school_year,
        bundle=registry.get(record.bundle),
        params=dict(record.params),
        files={f.env_var: Path(f.path) for f in record.files if f.env_var in present},
    )


def already_sent(
    history: HistoryStore, values: FormValues | SubmissionRequest, md5s: Iterable[str]
) -> SubmissionRecord | None:
    """The latest submission that sent these exact files (the same MD5s, no more, no fewer)
    for the same assessment, partner, district and school year, and whose start was asked;
    None when there is none, or a file's MD5 is not known yet. Blocking: a worker thread.

    Only a start makes Runway run files: a submission that stopped before it (cancelled,
    refused) sent nothing that a new one would repeat."""
    wanted = tuple(sorted(md5s))
    if values.bundle is None or not wanted or "" in wanted:
        return None
    found = history.sent_md5s(
        values.partner, values.tenant.strip(), values.school_year.strip(), values.bundle.path
    )
    for submission_id, sent in found:
        if sent == wanted:
            return history.get(submission_id)
    return None


def already_sent_text(
    record: SubmissionRecord, assessment: str, now: datetime | None = None
) -> str:
    """The notice before sending again: "These files were already sent for Star Assessments,
    district-a, 2025–26 on 2 Dec at 07:11 (submission #12)." Never a refusal: a district may
    mean to send the same files again (a run that failed on Runway's side)."""
    year = record.school_year
    with_label = school_year_label(year) if year.isdigit() else year
    day, t = day_text(record.created_at, now), record.created_at.astimezone()
    return translate(
        "HistoryActions",
        "These files were already sent for {assessment}, {district}, {year} on {day} at {time} (submission #{number}).",  # noqa: E501
    ).format(
        assessment=assessment, district=record.tenant, year=with_label, day=day,
        time=f"{t:%H:%M}", number=record.id,
    )  # fmt: skip
