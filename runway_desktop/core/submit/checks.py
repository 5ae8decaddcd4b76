"""The CHECK step's helpers: re-using the form's preflight, turning reports into problems.

Also the one rule for a file that may be the wrong one (``judge_reports``): a file whose
columns are another assessment's, lack what the bundle cannot run without, or are not
recognised, and a file whose test dates are in another school year, stop the submission
until the user decides to send it anyway. The Submit screen, the CLI and the pipeline all
ask this module, so "Send anyway" and ``--accept-mismatch`` mean the same thing.

Every mismatch can be sent anyway: the signature index is a snapshot of the vendors'
layouts, and a district's custom export or a newer layout can still be right. What differs
is what the confirmation says: for another bundle's file or missing required columns, that
Runway's run will most likely fail and make no output.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from runway_desktop.bundles.content_check import school_year_note
from runway_desktop.bundles.model import InputFile
from runway_desktop.bundles.preflight import (
    QUICK_LOOK_BYTES,
    PreflightReport,
    file_changed_since,
    preflight_file,
)
from runway_desktop.bundles.validation import Problem
from runway_desktop.core.submit.events import Mismatch, SubmissionRequest
from runway_desktop.history.records import FileRecord, SubmissionRecord

MISMATCH_KINDS = ("content", "year")
SEND_ANYWAY_PREFIX = "Sent anyway: "
_MISMATCH_NEXT_STEP = "Choose the right file, or send it anyway if you are sure it is right."


async def checked_report(
    path: Path, slot: InputFile, known: PreflightReport | None, *, quick: bool = False
) -> PreflightReport:
    """Re-use the form's check of this file unless the file changed since (a 1 GB CSV takes
    a while to scan twice); otherwise check it now: ``quick``, only its start (a file larger
    than that gets a report with ``whole_file`` False and no MD5 yet)."""
    reusable = known is not None and known.path == path and bool(known.md5)
    if known is not None and reusable and not await asyncio.to_thread(file_changed_since, known):
        return known
    return await preflight_file(path, slot, head_bytes=QUICK_LOOK_BYTES if quick else None)


def changed_since_sent(sent: FileRecord, report: PreflightReport) -> bool:
    """Whether the file differs from the one the record sent (a resume sends it anew then).

    A record written while the file's upload was still hashing it has no MD5 ("") until the
    upload ended; what it sent is then known by the size and time every piece was checked
    against. A report without an MD5 (not read to the end) cannot tell: not "changed"."""
    if not report.md5:
        return False
    if sent.md5:
        return report.md5 != sent.md5
    return (report.size, report.mtime_ns) != (sent.size, sent.mtime_ns)


def file_records(reports: Mapping[str, PreflightReport]) -> list[FileRecord]:
    return [
        FileRecord(
            env_var=env,
            path=r.path,
            upload_name=r.upload_name,
            size=r.size,
            mtime_ns=r.mtime_ns,
            md5=r.md5,
        )
        for env, r in reports.items()
    ]


@dataclass(frozen=True)
class CheckVerdict:
    """What the checked files allow: ``problems`` stop the send (refused mismatches among
    them); ``accepted`` are the mismatches the user chose to send anyway."""

    problems: list[Problem] = field(default_factory=list)
    refused: tuple[Mismatch, ...] = ()
    accepted: tuple[Mismatch, ...] = ()


def find_mismatches(reports: Mapping[str, PreflightReport], school_year: str) -> list[Mismatch]:
    """The files that may be the wrong ones, for ``school_year`` (end year). Pure: reads only
    the reports, so the Submit screen may call it on the UI thread."""
    found = []
    for env, report in reports.items():
        finding = report.content
        if finding is not None and finding.needs_decision:
            found.append(
                Mismatch(env, "content", report.path.name, finding.message, finding.blocks)
            )
        note = school_year_note(finding, school_year)
        if note is not None and note.mismatch:
            found.append(Mismatch(env, "year", report.path.name, note.message))
    return found


def hard_errors(report: PreflightReport) -> list[str]:
    """The report's errors that no "Send anyway" can pass (an unreadable file, a PDF…): all
    but the content check's own, which preflight lists among the errors when it blocks."""
    finding = report.content
    if finding is None or not finding.needs_decision:
        return list(report.errors)
    return [e for e in report.errors if e != finding.message]


def judge_reports(
    reports: Mapping[str, PreflightReport], school_year: str, accepted: tuple[str, ...] = ()
) -> CheckVerdict:
    problems = [
        Problem(f"file:{env}", f"{report.path.name}: {error}", "Choose another file.")
        for env, report in reports.items()
        for error in hard_errors(report)
    ]
    mismatches = find_mismatches(reports, school_year)
    refused = tuple(m for m in mismatches if m.key not in accepted)
    problems += [Problem(f"file:{m.env_var}", m.text, _MISMATCH_NEXT_STEP) for m in refused]
    return CheckVerdict(problems, refused, tuple(m for m in mismatches if m.key in accepted))


def accept_all(files: Mapping[str, Path]) -> tuple[str, ...]:
    """Every mismatch key these files could have: what ``--accept-mismatch`` accepts."""
    return tuple(f"{env}:{kind}" for env in files for kind in MISMATCH_KINDS)


def sent_anyway_message(accepted: tuple[Mismatch, ...]) -> str:
    """The CHECK step's History message when the user sent mismatching files anyway."""
    return SEND_ANYWAY_PREFIX + " · ".join(m.text for m in accepted)


def accepted_before(
    record: SubmissionRecord | None,
    reports: Mapping[str, PreflightReport],
    request: SubmissionRequest,
) -> tuple[str, ...]:
    """The keys of the mismatches a submission's recorded "Sent anyway" already covers: a
    resume of it must not refuse what the user decided when sending (the same words)."""
    if record is None:
        return ()
    said = " ".join(
        st.message
        for st in record.steps
        if st.step == "CHECK" and st.message and st.message.startswith(SEND_ANYWAY_PREFIX)
    )
    found = find_mismatches(reports, request.school_year)
    return tuple(m.key for m in found if said and m.text in said)


def warning_notes(
    reports: Mapping[str, PreflightReport], accepted: tuple[Mismatch, ...]
) -> list[str]:
    """The files' warnings, but those of a mismatch sent anyway (its own note says it)."""
    sent_anyway = {(m.file_name, m.message) for m in accepted}
    return [
        f"{report.path.name}: {warning}"
        for report in reports.values()
        for warning in report.warnings
        if (report.path.name, warning) not in sent_anyway
    ]


def accepted_notes(accepted: tuple[Mismatch, ...]) -> list[str]:
    return [f"Sending anyway, as you chose: {m.text}" for m in accepted]
