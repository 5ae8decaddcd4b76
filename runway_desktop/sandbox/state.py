"""What the sandbox remembers: jobs, their runs and the output sets runs produce.

Mirrors the real server's tables closely enough for the API's semantics (CONTRACT §5): a job has
files and params, each start creates a run (new → running → success | error), and a successful
run owns one or two output sets that are listed only once the run is marked success.
All mutation happens on the server's event loop; tests reach it through ``Sandbox.call``.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote


def school_year_id(end_year: str) -> str:
    """Runway's school_year id, used in S3 keys: end year 2026 -> "2526"."""
    end = int(end_year)
    return f"{(end - 1) % 100:02d}{end % 100:02d}"


def uri_component(text: str) -> str:
    """JavaScript's encodeURIComponent, which Runway applies to each leading key segment."""
    return quote(text, safe="-_.!~*'()")


def iso_millis(value: datetime) -> str:
    """JavaScript's toISOString: always milliseconds and a Z."""
    utc = value.astimezone(UTC)
    if utc.year < 1000:  # strftime's unpadded year, as before (never for a real stamp)
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    # No strftime for the common case: it re-imports "time" on every call, and a listing
    # formats one stamp per set (10,000 in the benchmark).
    return (
        f"{utc.year}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:"
        f"{utc.second:02d}.{utc.microsecond // 1000:03d}Z"
    )


@dataclass
class JobFile:
    env_var: str
    name: str  # as given at creation, trimmed
    key: str  # S3 key of the input object


@dataclass
class OutputSetRecord:
    uid: str
    run_id: int
    folder: str
    files: list[str]
    sent_to_ods: bool
    created_on: datetime  # microsecond precision, like PostgreSQL's now()


@dataclass
class Run:
    id: int
    status: str = "new"  # new | running | success | error
    error_code: str | None = None
    output_sets: list[OutputSetRecord] = field(default_factory=list)


@dataclass
class Job:
    id: int
    uid: str
    partner: str
    tenant: str
    bundle: str
    bundle_name: str
    school_year: str  # end year as sent
    send_to_ods: bool
    year_kind: str
    files: list[JobFile]
    params: dict[str, Any]
    api_client_id: str
    api_client_name: str | None
    api_issuer: str | None
    created_on: datetime
    runs: list[Run] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        return "/".join(
            (
                uri_component(self.partner),
                uri_component(self.tenant),
                uri_component(school_year_id(self.school_year)),
                uri_component(str(self.id)),
            )
        )

    def output_folder(self, sent_to_ods: bool) -> str:
        return f"{self.prefix}/output/{'ods' if sent_to_ods else 'non-ods'}"


class SandboxState:
    def __init__(self) -> None:
        self.jobs: dict[str, Job] = {}
        self._job_ids = itertools.count(4312)
        self._run_ids = itertools.count(1)

    def reset(self) -> None:
        self.jobs.clear()

    def continue_ids(self, next_job_id: int, next_run_id: int) -> None:
        """Go on numbering after a saved state (sandbox/persistence.py)."""
        self._job_ids = itertools.count(next_job_id)
        self._run_ids = itertools.count(next_run_id)

    def next_job_id(self) -> int:
        return next(self._job_ids)

    def new_run(self, job: Job) -> Run:
        run = Run(id=next(self._run_ids))
        job.runs.append(run)
        return run

    def find_job(self, uid: str) -> Job | None:
        return self.jobs.get(uid.lower())

    def add_job(self, job: Job) -> None:
        self.jobs[job.uid.lower()] = job

    def listed_sets(self) -> list[tuple[Job, OutputSetRecord]]:
        """Sets whose owning run succeeded, ordered by created_on ascending (CONTRACT §4.5)."""
        found = [
            (job, output_set)
            for job in self.jobs.values()
            for run in job.runs
            if run.status == "success"
            for output_set in run.output_sets
        ]
        found.sort(key=lambda pair: pair[1].created_on)
        return found

    def find_set(self, uid: str) -> tuple[Job, OutputSetRecord] | None:
        wanted = uid.lower()
        for job in self.jobs.values():
            for run in job.runs:
                for output_set in run.output_sets:
                    if output_set.uid == wanted:
                        return job, output_set
        return None

    def summary(self) -> dict[str, Any]:
        return {
            "jobs": [
                {
                    "uid": job.uid,
                    "partner": job.partner,
                    "tenant": job.tenant,
                    "bundle": job.bundle,
                    "schoolYear": job.school_year,
                    "runs": [
                        {
                            "id": run.id,
                            "status": run.status,
                            "errorCode": run.error_code,
                            "outputSets": [s.uid for s in run.output_sets],
                        }
                        for run in job.runs
                    ],
                }
                for job in self.jobs.values()
            ]
        }


def new_uid() -> str:
    return str(uuid.uuid4())
